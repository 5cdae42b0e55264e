package pim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// GoogleContactsRefused is why a Google destination without a People API address
// refuses contacts.
const GoogleContactsRefused = "the Google destination has no People API address: contacts are not copied (import a .vcf export into Google Contacts instead)"

// Google Workspace as a destination. Events go through the Calendar API's events.import
// (https://developers.google.com/calendar/api/v3/reference/events/import), which keeps
// the iCalendar UID and sends no invitation, whatever the attendees; importing the same
// UID again updates the event, so an interrupted run cannot duplicate one. Tasks go
// through the Tasks API (Google's CalDAV has no VTODO). Contacts go through the People
// API (people.go): each source address book a label, the source UID in the contact's
// clientData.
type Google struct {
	CalendarBase string       // https://www.googleapis.com/calendar/v3
	TasksBase    string       // https://tasks.googleapis.com/tasks/v1
	PeopleBase   string       // https://people.googleapis.com/v1 ("": contacts refused)
	HTTP         *http.Client // authorised (calendar, tasks and contacts scopes)
	// Sleep waits out a throttled People API request (nil: a timer); tests record
	// the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error

	containers containerIDs                 // calendar or task list IDs by name
	mu         sync.Mutex                   // guards tasks
	tasks      map[string]map[string]string // list ID → source UID (kept in the notes) → task ID

	pmu       sync.Mutex                  // one People API write at a time; guards the maps below
	people    map[string]googleReadPerson // source UID → contact, listed on the run's first contact write
	byRN      map[string]googleReadPerson // resource name → every contact of the user, Cutover's or not
	emails    map[string]string           // lower-case e-mail address → a contact's resource name
	groups    map[string]string           // label name → contactGroups/ID
	groupTags map[string]googleGroupTag   // contactGroups/ID → the contact group Cutover made it for
}

func (g *Google) do(ctx context.Context, method, u string, in, out any) error {
	return callJSON(ctx, g.HTTP, method, u, in, out, nil)
}

// list follows nextPageToken.
func (g *Google) list(ctx context.Context, u string, each func(json.RawMessage)) error {
	token := ""
	for {
		v := u
		if token != "" {
			v += sep(u) + "pageToken=" + url.QueryEscape(token)
		}
		var page struct {
			Items []json.RawMessage `json:"items"`
			Next  string            `json:"nextPageToken"`
		}
		if err := g.do(ctx, http.MethodGet, v, nil, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			each(it)
		}
		if token = page.Next; token == "" {
			return nil
		}
	}
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// container finds or creates the calendar or task list named name.
func (g *Google) container(ctx context.Context, task bool, name string, create bool) (string, error) {
	listURL, createURL, field := g.CalendarBase+"/users/me/calendarList", g.CalendarBase+"/calendars", "summary"
	if task {
		listURL, createURL, field = g.TasksBase+"/users/@me/lists", g.TasksBase+"/users/@me/lists", "title"
	}
	return g.containers.find(fmt.Sprint(task, "/", name), field, name, create,
		func(each func(map[string]any)) error {
			return g.list(ctx, listURL, func(raw json.RawMessage) {
				var v map[string]any
				json.Unmarshal(raw, &v)
				each(v)
			})
		},
		func(body map[string]string, out any) error { return g.do(ctx, http.MethodPost, createURL, body, out) })
}

// Target names the destination calendar, task list or label after the source
// collection; a default address book ("Contacts", "Default"...) is the contact list
// itself, no label.
func (g *Google) Target(src Collection) (Collection, error) {
	if src.Type == AddressBook && g.PeopleBase == "" {
		return Collection{}, &RefusedError{Reason: GoogleContactsRefused}
	}
	t := namedTarget(src)
	if src.Type == AddressBook && googleDefaultBook(t.Name) {
		t.Href = googleAllContacts
	}
	return t, nil
}

// Ensure is Target: calendars, lists and labels are made on their first item.
func (g *Google) Ensure(_ context.Context, src Collection) (Collection, error) { return g.Target(src) }

// Collections lists the contact list and its labels, the calendars and the task lists.
func (g *Google) Collections(ctx context.Context) ([]Collection, error) {
	out, err := g.contactCollections(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range []string{g.CalendarBase + "/users/me/calendarList", g.TasksBase + "/users/@me/lists"} {
		if err := g.list(ctx, u, func(raw json.RawMessage) {
			var v struct{ Summary, Title string }
			json.Unmarshal(raw, &v)
			out = append(out, Collection{Href: v.Summary + v.Title, Name: v.Summary + v.Title, Type: Calendar})
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Items lists the events (series and single, not their exceptions) and tasks under c's
// name, or an address book's contacts.
func (g *Google) Items(ctx context.Context, c Collection) ([]Item, error) {
	if c.Type == AddressBook {
		return g.contactItems(ctx, c)
	}
	var out []Item
	for _, task := range []bool{false, true} {
		id, err := g.container(ctx, task, c.Name, false)
		if err != nil {
			return out, err
		}
		if id == "" {
			continue
		}
		u := g.CalendarBase + "/calendars/" + url.PathEscape(id) + "/events?showDeleted=false"
		if task {
			u = g.TasksBase + "/lists/" + url.PathEscape(id) + "/tasks?showCompleted=true&showHidden=true"
		}
		if err := g.list(ctx, u, func(raw json.RawMessage) {
			var v struct {
				ID, ICalUID, Summary, Title, RecurringEventID string
			}
			json.Unmarshal(raw, &v)
			if v.RecurringEventID != "" {
				return
			}
			k, uid := KindEvent, v.ICalUID
			if task {
				k, uid = KindTask, googleTaskUID(raw)
			}
			out = append(out, Item{Href: v.ID, UID: uid, Kind: k, Summary: v.Summary + v.Title})
		}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// googleTaskUID recovers the source UID Cutover wrote at the end of a task's notes.
func googleTaskUID(raw json.RawMessage) string {
	var v struct{ Notes string }
	json.Unmarshal(raw, &v)
	if i := strings.LastIndex(v.Notes, googleUIDMark); i >= 0 {
		return strings.TrimSpace(v.Notes[i+len(googleUIDMark):])
	}
	return ""
}

// googleUIDMark ends the notes of a copied task: Google tasks have no field for the
// source UID, and without it a run that lost its ledger could not find its copies.
const googleUIDMark = "\n\n— copied by Cutover, source UID: "

// Put imports an event, writes a task or a contact. Journals have no place here.
func (g *Google) Put(ctx context.Context, c Collection, href string, it Item, ifMatch string, create bool) (string, string, error) {
	switch it.Kind {
	case KindJournal:
		return "", "", &RefusedError{Reason: "Google Calendar has no journals (VJOURNAL): keep it as a note in Google Keep or Docs"}
	case KindContact:
		return g.putContact(ctx, c, href, it, ifMatch, create)
	case KindTask:
		return g.putTask(ctx, c, href, it)
	}
	cal, err := g.container(ctx, false, c.Name, true)
	if err != nil {
		return "", "", err
	}
	evs, err := ParseEvents(it)
	if err != nil {
		return "", "", &RefusedError{Reason: "unreadable event: " + err.Error()}
	}
	var master struct {
		ID   string `json:"id"`
		ETag string `json:"etag"`
	}
	var notes []string
	for i, e := range evs {
		body, note, err := googleEvent(e)
		if err != nil {
			return "", "", err
		}
		if note != "" {
			notes = append(notes, note)
		}
		var got struct {
			ID   string `json:"id"`
			ETag string `json:"etag"`
		}
		u := g.CalendarBase + "/calendars/" + url.PathEscape(cal) + "/events/import?supportsAttachments=true"
		if err := g.do(ctx, http.MethodPost, u, body, &got); err != nil {
			return "", "", err
		}
		if i == 0 {
			master = got
		}
	}
	if len(notes) > 0 {
		return "google:" + master.ID, master.ETag, &NoteError{Reason: strings.Join(notes, "; ")}
	}
	return "google:" + master.ID, master.ETag, nil
}

func googleWhen(w When) (map[string]string, error) {
	if w.Date != "" {
		return map[string]string{"date": w.Date}, nil
	}
	zone, ok := IANAZone(w.Zone)
	if !ok {
		return nil, &RefusedError{Reason: fmt.Sprintf("time zone %q is neither an IANA nor a known Windows name: set the event's time zone at the source", w.Zone)}
	}
	return map[string]string{"dateTime": w.DateTime, "timeZone": zone}, nil
}

// googleEvent is the events.import body of one VEVENT (a series, or one exception with
// originalStartTime), and what it leaves out.
func googleEvent(e Event) (map[string]any, string, error) {
	start, err := googleWhen(e.Start)
	if err != nil {
		return nil, "", err
	}
	end, err := googleWhen(e.End)
	if err != nil {
		return nil, "", err
	}
	body := map[string]any{"iCalUID": e.UID, "summary": e.Summary, "start": start, "end": end}
	if e.Description != "" {
		body["description"] = e.Description
	}
	if e.Location != "" {
		body["location"] = e.Location
	}
	if len(e.RecurrenceLines) > 0 {
		var rec []string
		for _, l := range e.RecurrenceLines {
			// EXDATE;TZID=W. Europe Standard Time → the IANA name Google knows.
			for win, iana := range windowsZones {
				l = strings.ReplaceAll(l, "TZID="+win+":", "TZID="+iana+":")
			}
			rec = append(rec, l)
		}
		body["recurrence"] = rec
	}
	if e.RecurrenceID != nil {
		orig, err := googleWhen(*e.RecurrenceID)
		if err != nil {
			return nil, "", err
		}
		body["originalStartTime"] = orig
	}
	if e.Organizer != nil {
		body["organizer"] = map[string]string{"email": e.Organizer.Email, "displayName": e.Organizer.Name}
	}
	var att []map[string]any
	for _, a := range e.Attendees {
		att = append(att, map[string]any{"email": a.Email, "displayName": a.Name, "optional": !a.Required})
	}
	if att != nil {
		body["attendees"] = att
	}
	if e.ReminderMinutes != nil {
		body["reminders"] = map[string]any{"useDefault": false, "overrides": []map[string]any{{"method": "popup", "minutes": *e.ReminderMinutes}}}
	}
	if e.Transparent {
		body["transparency"] = "transparent"
	}
	if e.Private {
		body["visibility"] = "private"
	}
	var note string
	var files []map[string]string
	for _, a := range e.Attachments {
		if strings.HasPrefix(a, "https://drive.google.com/") {
			files = append(files, map[string]string{"fileUrl": a})
		} else {
			body["description"] = strings.TrimSpace(fmt.Sprint(body["description"], "\n\nAttachment: ", a))
			note = "attachment links listed in the description (Google attaches Drive files only)"
		}
	}
	if files != nil {
		body["attachments"] = files
	}
	if len(e.Files) > 0 {
		note = strings.Trim(note+"; "+fmt.Sprintf("%d inline attachments not copied (Google Calendar attaches Drive files only)", len(e.Files)), "; ")
	}
	if body["description"] == "<nil>" {
		delete(body, "description")
	}
	return body, note, nil
}

func (g *Google) putTask(ctx context.Context, c Collection, href string, it Item) (string, string, error) {
	list, err := g.container(ctx, true, c.Name, true)
	if err != nil {
		return "", "", err
	}
	t, err := ParseTask(it)
	if err != nil {
		return "", "", &RefusedError{Reason: "unreadable task: " + err.Error()}
	}
	body := map[string]any{"title": t.Summary, "notes": t.Description + googleUIDMark + t.UID, "status": "needsAction"}
	if t.Due != nil {
		day := t.Due.Date
		if day == "" && len(t.Due.DateTime) >= 10 {
			day = t.Due.DateTime[:10]
		}
		body["due"] = day + "T00:00:00.000Z" // the Tasks API keeps the date only
	}
	if t.Completed != nil {
		body["status"], body["completed"] = "completed", t.Completed.UTC().Format(time.RFC3339)
	}
	id := strings.TrimPrefix(href, "google:")
	if !strings.HasPrefix(href, "google:") {
		if id, err = g.findTask(ctx, list, t.UID); err != nil {
			return "", "", err
		}
	}
	var got struct {
		ID   string `json:"id"`
		ETag string `json:"etag"`
	}
	base := g.TasksBase + "/lists/" + url.PathEscape(list) + "/tasks"
	if id == "" {
		err = g.do(ctx, http.MethodPost, base, body, &got)
	} else {
		err = g.do(ctx, http.MethodPatch, base+"/"+url.PathEscape(id), body, &got)
	}
	if err != nil {
		return "", "", err
	}
	g.mu.Lock()
	if g.tasks[list] != nil {
		g.tasks[list][t.UID] = got.ID
	}
	g.mu.Unlock()
	return "google:" + got.ID, got.ETag, nil
}

// findTask finds the copy of a task by the UID in its notes (the list is read once).
func (g *Google) findTask(ctx context.Context, list, uid string) (string, error) {
	g.mu.Lock() // held while the list is read: two writers must not both read it and lose each other's tasks
	defer g.mu.Unlock()
	byUID, ok := g.tasks[list]
	if !ok {
		byUID = map[string]string{}
		err := g.list(ctx, g.TasksBase+"/lists/"+url.PathEscape(list)+"/tasks?showCompleted=true&showHidden=true", func(raw json.RawMessage) {
			var v struct{ ID string }
			json.Unmarshal(raw, &v)
			if u := googleTaskUID(raw); u != "" {
				byUID[u] = v.ID
			}
		})
		if err != nil {
			return "", err
		}
		if g.tasks == nil {
			g.tasks = map[string]map[string]string{}
		}
		g.tasks[list] = byUID
	}
	return byUID[uid], nil
}
