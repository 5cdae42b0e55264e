// Package pim copies what a mailbox holds besides mail — contacts, calendars, tasks,
// journals and notes — from a CalDAV/CardDAV server (RFC 4791, RFC 6352, discovered by
// RFC 6764), from Microsoft 365 or Google through their APIs (GraphSource, GoogleSource:
// read only, each item mapped to vCard or iCalendar) or from files the users exported
// (vCard RFC 6350/2426, iCalendar RFC 5545) to a CalDAV/CardDAV destination, to Microsoft
// Graph or to Google's Calendar, Tasks and People APIs, with the guarantees of the mail
// engine (package mailbox): the source is only read; a ledger keyed by source item
// (href + ETag) makes a re-run copy only new or changed items; a destination item's href
// is derived from the source item's UID (the APIs keep the UID in the item), so a pass
// killed between a PUT and its ledger entry overwrites its own copy on the next run
// instead of duplicating it; the pre pass takes what is finished before the cutoff and
// the final pass the rest; refusals are reported per item with the server's reason.
package pim

import (
	"context"
	"time"
)

// Kind is what an item is.
type Kind string

const (
	KindContact Kind = "contact" // a vCard
	KindEvent   Kind = "event"   // VEVENT, with its RECURRENCE-ID overrides
	KindTask    Kind = "task"    // VTODO
	KindJournal Kind = "journal" // VJOURNAL: journals and notes
)

// Class is what `cutover migrate --only` names: contacts, calendars (events and
// journals) or tasks.
type Class string

const (
	ClassContacts  Class = "contacts"
	ClassCalendars Class = "calendars"
	ClassTasks     Class = "tasks"
)

// Classes lists every class, in the order reports show them.
var Classes = []Class{ClassContacts, ClassCalendars, ClassTasks}

// ClassOf is the class an item kind belongs to.
func ClassOf(k Kind) Class {
	switch k {
	case KindContact:
		return ClassContacts
	case KindTask:
		return ClassTasks
	}
	return ClassCalendars
}

// CollectionType is an address book or a calendar (which may hold events, tasks and
// journals, RFC 4791 supported-calendar-component-set).
type CollectionType string

const (
	AddressBook CollectionType = "addressbook"
	Calendar    CollectionType = "calendar"
)

// Collection is one address book or calendar.
type Collection struct {
	Href        string         `json:"href"` // path on its server; for files, a name
	Name        string         `json:"name"` // display name
	Type        CollectionType `json:"type"`
	Description string         `json:"description,omitempty"`
	// Components a calendar holds (VEVENT, VTODO, VJOURNAL); empty means any.
	Components []string `json:"components,omitempty"`
}

// Item is one contact or calendar object: a vCard, or an iCalendar object holding one
// UID's components (a recurring event with its exceptions stays one item, RFC 4791 4.1).
type Item struct {
	Href    string // source href (for files: file#n)
	ETag    string // source ETag (for files: a hash of Data)
	UID     string
	Kind    Kind
	Summary string // FN or SUMMARY, for reports
	Data    []byte // the vCard or VCALENDAR text to write

	// Scope: Always items (contacts) belong to the pre pass; the others when Finished is
	// set and before the cutoff (an event's last instance ended, a task completed).
	Always   bool
	Finished time.Time
}

// InPrePass reports whether the pre pass with this cutoff takes the item.
func (it Item) InPrePass(cutoff time.Time) bool {
	return it.Always || (!it.Finished.IsZero() && it.Finished.Before(cutoff))
}

// Source is where items are read from. It never writes.
type Source interface {
	Collections(ctx context.Context) ([]Collection, error)
	Items(ctx context.Context, c Collection) ([]Item, error)
}

// Dest is where items are written.
type Dest interface {
	Collections(ctx context.Context) ([]Collection, error)
	// Ensure returns the destination collection for a source collection, creating it
	// when missing.
	Ensure(ctx context.Context, src Collection) (Collection, error)
	// Put writes an item at href in c. ifMatch "" with create set writes only where
	// nothing is (If-None-Match: *); ifMatch set writes only over that ETag; neither
	// writes unconditionally. It returns where the item is (href, or the destination's
	// own ID) and its new ETag ("" when the server did not say). A *NoteError with a
	// nil-error result means the item was written without something the destination
	// cannot hold, which the note names.
	Put(ctx context.Context, c Collection, href string, it Item, ifMatch string, create bool) (string, string, error)
	// Target is where Ensure puts a source collection, without creating it.
	Target(src Collection) (Collection, error)
	// Items lists what a destination collection holds (none when it does not exist).
	Items(ctx context.Context, c Collection) ([]Item, error)
}

// Filler is a Source whose items need one more read before they are written (a Graph
// contact's photo): the copier calls Fill only for the items it writes, so a re-run that
// copies nothing reads nothing more. A *NoteError with the item means it is written
// without what the note names.
type Filler interface {
	Fill(ctx context.Context, c Collection, it Item) (Item, error)
}

// Unreader is a Source that could not list some of its collections (Graph's To Do lists
// without the permission): after Collections, Unread names each with why, and the pass
// reports it as a failure while the other collections are copied.
type Unreader interface {
	Unread() []Failure
}
