package pim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Microsoft Graph v1.0 as a destination: contacts into contact folders, events into
// calendars, tasks into To Do lists, each named like the source collection.
//
// No invitation is sent. Graph emails every attendee when an event with attendees is
// created or updated in a mailbox's calendar, and offers no switch to suppress it on
// POST /events (https://learn.microsoft.com/graph/api/user-post-events). So events are
// created WITHOUT the attendees property: the attendees and the organiser are listed at
// the top of the body instead, and the copy is the mailbox's own appointment. What
// changes for the user: the copied meeting is not a meeting in Outlook (no tracking of
// responses, no "Send update"); nobody's calendar but this mailbox's is touched.
//
// Every created item carries the source UID in a single-value extended property, so a
// run interrupted between the POST and its ledger entry finds its copy and updates it
// instead of creating a second one.

// GraphUIDProperty is the extended property holding the source UID (a named string
// property in the PublicStrings property set).
const GraphUIDProperty = "String {00020329-0000-0000-C000-000000000046} Name CutoverSourceUID"

// Graph is one mailbox's Microsoft 365 account as a destination.
type Graph struct {
	Base string // https://graph.microsoft.com/v1.0 (a fake's URL in tests)
	User string // the mailbox: UPN or ID
	// HTTP is authorised for Contacts.ReadWrite, Calendars.ReadWrite and Tasks.ReadWrite
	// (app-only: the application permissions Contacts.ReadWrite, Calendars.ReadWrite and
	// Tasks.ReadWrite.All, which Graph v1.0 has for To Do since 2023).
	HTTP *http.Client

	containers containerIDs                 // kind/name → folder, calendar or list ID
	mu         sync.Mutex                   // guards tasks
	tasks      map[string]map[string]string // list ID → source UID → task ID

	toDo        sync.Mutex // held by the first task written, until To Do answered
	toDoChecked bool       // To Do answered: took a task, or refused with 403
	toDoDenied  string     // why To Do answered 403, once it did
}

// GraphTasksDenied is why no task is copied when Graph answers 403 on the To Do lists:
// an app registration holds To Do's application permission only when it was granted.
const GraphTasksDenied = "Microsoft Graph refused access to the To Do lists (403): the app registration needs the Tasks.ReadWrite.All application permission with admin consent (Tasks.Read.All at a source)"

// tasksRefusal is the refusal that says what to grant, for a 403 on To Do; "" for any
// other error.
func tasksRefusal(err error) string {
	if !forbidden(err) {
		return ""
	}
	var r *RefusedError
	if errors.As(err, &r) {
		return GraphTasksDenied + " (Graph said: " + r.Reason + ")"
	}
	return GraphTasksDenied + " (" + err.Error() + ")"
}

// graphKinds: which Graph container holds an item kind.
func graphContainer(k Kind) string {
	switch k {
	case KindContact:
		return "contactFolders"
	case KindTask:
		return "todo/lists"
	}
	return "calendars"
}

func (g *Graph) userPath() string { return g.Base + "/users/" + url.PathEscape(g.User) }

// do sends a Graph request; out, when set, receives the JSON answer.
func (g *Graph) do(ctx context.Context, method, u string, in any, out any, header map[string]string) error {
	return callJSON(ctx, g.HTTP, method, u, in, out, header)
}

// list follows @odata.nextLink through every page.
func (g *Graph) list(ctx context.Context, u string, each func(json.RawMessage) error) error {
	for u != "" {
		var page struct {
			Value []json.RawMessage `json:"value"`
			Next  string            `json:"@odata.nextLink"`
		}
		if err := g.do(ctx, http.MethodGet, u, nil, &page, nil); err != nil {
			return err
		}
		for _, v := range page.Value {
			if err := each(v); err != nil {
				return err
			}
		}
		u = page.Next
	}
	return nil
}

// container finds or creates the folder, calendar or list named name for kind.
func (g *Graph) container(ctx context.Context, k Kind, name string, create bool) (string, error) {
	field := "displayName"
	if k == KindEvent || k == KindJournal {
		field = "name"
	}
	u := g.userPath() + "/" + graphContainer(k)
	return g.containers.find(graphContainer(k)+"/"+name, field, name, create,
		func(each func(map[string]any)) error {
			return g.list(ctx, u, func(raw json.RawMessage) error {
				var v map[string]any
				json.Unmarshal(raw, &v)
				each(v)
				return nil
			})
		},
		func(body map[string]string, out any) error { return g.do(ctx, http.MethodPost, u, body, out, nil) })
}

// Target names the destination collection; Graph has its containers per kind, created
// on the first item of each kind.
func (g *Graph) Target(src Collection) (Collection, error) { return namedTarget(src), nil }

// Ensure is Target: containers are made when the first item of a kind arrives.
func (g *Graph) Ensure(_ context.Context, src Collection) (Collection, error) { return g.Target(src) }

// Collections lists the contact folders, calendars and To Do lists.
func (g *Graph) Collections(ctx context.Context) ([]Collection, error) {
	var out []Collection
	for _, k := range []Kind{KindContact, KindEvent, KindTask} {
		err := g.list(ctx, g.userPath()+"/"+graphContainer(k), func(raw json.RawMessage) error {
			var v struct{ Name, DisplayName string }
			json.Unmarshal(raw, &v)
			typ := Calendar
			if k == KindContact {
				typ = AddressBook
			}
			out = append(out, Collection{Href: v.Name + v.DisplayName, Name: v.Name + v.DisplayName, Type: typ})
			return nil
		})
		if k == KindTask && forbidden(err) {
			continue // no To Do permission: the lists are not seen (Put says why)
		}
		if err != nil {
			return nil, fmt.Errorf("list the %s of %s: %w", graphContainer(k), g.User, err)
		}
	}
	return out, nil
}

// Items lists what the destination holds under c's name, each with the source UID it
// was copied from (for verify).
func (g *Graph) Items(ctx context.Context, c Collection) ([]Item, error) {
	kinds := []Kind{KindEvent, KindTask}
	if c.Type == AddressBook {
		kinds = []Kind{KindContact}
	}
	var out []Item
	for _, k := range kinds {
		id, err := g.container(ctx, k, c.Name, false)
		if k == KindTask && forbidden(err) {
			continue
		}
		if err != nil {
			return out, err
		}
		if id == "" {
			continue
		}
		u := g.userPath() + "/" + graphContainer(k) + "/" + id
		switch k {
		case KindTask:
			u += "/tasks?$expand=linkedResources"
		case KindContact:
			u += "/contacts?$expand=" + url.QueryEscape("singleValueExtendedProperties($filter=id eq '"+GraphUIDProperty+"')")
		default:
			u += "/events?$expand=" + url.QueryEscape("singleValueExtendedProperties($filter=id eq '"+GraphUIDProperty+"')")
		}
		err = g.list(ctx, u, func(raw json.RawMessage) error {
			var v struct {
				ID, Subject, Title, DisplayName string
				Props                           []struct{ ID, Value string }  `json:"singleValueExtendedProperties"`
				Links                           []struct{ ExternalID string } `json:"linkedResources"`
			}
			json.Unmarshal(raw, &v)
			it := Item{Href: v.ID, Kind: k, Summary: v.Subject + v.Title + v.DisplayName}
			for _, p := range v.Props {
				it.UID = p.Value
			}
			for _, l := range v.Links {
				it.UID = l.ExternalID
			}
			out = append(out, it)
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Put creates or updates one item. Journals have no place in Microsoft 365: refused. A
// 403 on To Do refuses this task and every later one with what to grant, without asking
// Graph again.
func (g *Graph) Put(ctx context.Context, c Collection, href string, it Item, ifMatch string, create bool) (string, string, error) {
	if it.Kind != KindTask {
		return g.put(ctx, c, href, it, ifMatch, create)
	}
	g.toDo.Lock()
	if !g.toDoChecked {
		// The first task finds out whether To Do answers; the others wait for it.
		defer g.toDo.Unlock()
		href, etag, err := g.put(ctx, c, href, it, ifMatch, create)
		if reason := tasksRefusal(err); reason != "" {
			g.toDoChecked, g.toDoDenied = true, reason
			return "", "", &RefusedError{Reason: reason, Status: http.StatusForbidden}
		}
		g.toDoChecked = err == nil
		return href, etag, err
	}
	denied := g.toDoDenied
	g.toDo.Unlock()
	if denied != "" {
		return "", "", &RefusedError{Reason: denied, Status: http.StatusForbidden}
	}
	href, etag, err := g.put(ctx, c, href, it, ifMatch, create)
	if reason := tasksRefusal(err); reason != "" {
		return "", "", &RefusedError{Reason: reason, Status: http.StatusForbidden}
	}
	return href, etag, err
}

func (g *Graph) put(ctx context.Context, c Collection, href string, it Item, ifMatch string, create bool) (string, string, error) {
	if it.Kind == KindJournal {
		return "", "", &RefusedError{Reason: "Microsoft 365 has no journals (VJOURNAL): export it from the source as a note instead"}
	}
	cid, err := g.container(ctx, it.Kind, c.Name, true)
	if err != nil {
		return "", "", err
	}
	var body map[string]any
	var note string
	switch it.Kind {
	case KindContact:
		body, note, err = graphContact(it)
	case KindTask:
		body, err = graphTask(it)
	default:
		body, note, err = graphEvent(it)
	}
	if err != nil {
		return "", "", err
	}
	coll := g.userPath() + "/" + graphContainer(it.Kind) + "/" + cid
	var id, etag string
	if create || ifMatch == "" {
		// A new item, or one whose earlier copy the ledger does not know: look for
		// this UID first, so an interrupted run's copy is updated, not duplicated.
		found, err := g.find(ctx, it, coll)
		if err != nil {
			return "", "", err
		}
		if found != "" && create {
			return "", "", ErrChanged // the copier writes over it without condition
		}
		href = found
	}
	if href == "" || !strings.HasPrefix(href, "graph:") {
		id, etag, err = g.create(ctx, it, coll, body)
	} else {
		id = strings.TrimPrefix(href, "graph:")
		etag, err = g.update(ctx, it, coll, id, body, ifMatch)
	}
	if err != nil {
		return "", "", err
	}
	if it.Kind == KindEvent && create {
		err := g.attachFiles(ctx, it, id)
		var n *NoteError
		if errors.As(err, &n) {
			note = strings.Trim(note+"; "+n.Reason, "; ")
		} else if err != nil {
			return "graph:" + id, etag, err
		}
	}
	if it.Kind == KindEvent {
		n, changed, err := g.exceptions(ctx, it, id)
		if err != nil {
			return "graph:" + id, etag, err
		}
		if n != "" {
			note = strings.Trim(note+"; "+n, "; ")
		}
		if changed { // the series' ETag moved with its instances
			var cur struct {
				ETag string `json:"@odata.etag"`
			}
			if err := g.do(ctx, http.MethodGet, g.userPath()+"/events/"+url.PathEscape(id)+"?$select=id", nil, &cur, nil); err != nil {
				return "graph:" + id, etag, err
			}
			etag = cur.ETag
		}
	}
	if it.Kind == KindContact {
		if err := g.photo(ctx, it, id); err != nil {
			return "graph:" + id, etag, err
		}
	}
	if note != "" {
		return "graph:" + id, etag, &NoteError{Reason: note}
	}
	return "graph:" + id, etag, nil
}

// find looks for the copy of it's UID in the container.
func (g *Graph) find(ctx context.Context, it Item, coll string) (string, error) {
	if it.Kind == KindTask {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.tasks == nil {
			g.tasks = map[string]map[string]string{}
		}
		byUID, ok := g.tasks[coll]
		if !ok {
			byUID = map[string]string{}
			err := g.list(ctx, coll+"/tasks?$expand=linkedResources", func(raw json.RawMessage) error {
				var v struct {
					ID    string
					Links []struct{ ExternalID string } `json:"linkedResources"`
				}
				json.Unmarshal(raw, &v)
				for _, l := range v.Links {
					byUID[l.ExternalID] = v.ID
				}
				return nil
			})
			if err != nil {
				return "", err
			}
			g.tasks[coll] = byUID
		}
		if id := byUID[it.UID]; id != "" {
			return "graph:" + id, nil
		}
		return "", nil
	}
	what := "contacts"
	if it.Kind == KindEvent {
		what = "events"
	}
	filter := "singleValueExtendedProperties/Any(ep: ep/id eq '" + GraphUIDProperty + "' and ep/value eq '" + strings.ReplaceAll(it.UID, "'", "''") + "')"
	var page struct {
		Value []struct{ ID string } `json:"value"`
	}
	if err := g.do(ctx, http.MethodGet, coll+"/"+what+"?$select=id&$filter="+url.QueryEscape(filter), nil, &page, nil); err != nil {
		return "", err
	}
	if len(page.Value) > 0 {
		return "graph:" + page.Value[0].ID, nil
	}
	return "", nil
}

func (g *Graph) create(ctx context.Context, it Item, coll string, body map[string]any) (string, string, error) {
	what := map[Kind]string{KindContact: "/contacts", KindTask: "/tasks", KindEvent: "/events"}[it.Kind]
	var made struct {
		ID   string `json:"id"`
		ETag string `json:"@odata.etag"`
	}
	if err := g.do(ctx, http.MethodPost, coll+what, body, &made, nil); err != nil {
		return "", "", err
	}
	if it.Kind == KindTask {
		g.mu.Lock()
		if g.tasks[coll] != nil {
			g.tasks[coll][it.UID] = made.ID
		}
		g.mu.Unlock()
	}
	return made.ID, made.ETag, nil
}

func (g *Graph) update(ctx context.Context, it Item, coll, id string, body map[string]any, ifMatch string) (string, error) {
	u := map[Kind]string{KindContact: g.userPath() + "/contacts/", KindTask: coll + "/tasks/", KindEvent: g.userPath() + "/events/"}[it.Kind] + url.PathEscape(id)
	var h map[string]string
	if ifMatch != "" {
		h = map[string]string{"If-Match": ifMatch}
	}
	var made struct {
		ETag string `json:"@odata.etag"`
	}
	if err := g.do(ctx, http.MethodPatch, u, body, &made, h); err != nil {
		return "", err
	}
	return made.ETag, nil
}

// photo uploads a contact's photo (PUT /contacts/{id}/photo/$value).
func (g *Graph) photo(ctx context.Context, it Item, id string) error {
	c, err := ParseContact(it)
	if err != nil || len(c.Photo) == 0 {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, g.userPath()+"/contacts/"+url.PathEscape(id)+"/photo/$value", bytes.NewReader(c.Photo))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", c.PhotoType)
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("contact photo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return &NoteError{Reason: "photo refused: " + serverReason(resp)}
	}
	return nil
}

// attachFiles uploads an event's inline attachments as file attachments (POST
// /events/{id}/attachments, up to 3 MB each); a larger one is refused by Graph and
// reported with its reason.
func (g *Graph) attachFiles(ctx context.Context, it Item, id string) error {
	evs, err := ParseEvents(it)
	if err != nil || len(evs) == 0 {
		return nil
	}
	var refused []string
	for _, f := range evs[0].Files {
		body := map[string]any{"@odata.type": "#microsoft.graph.fileAttachment", "name": f.Name, "contentType": f.Type, "contentBytes": f.Data}
		err := g.do(ctx, http.MethodPost, g.userPath()+"/events/"+url.PathEscape(id)+"/attachments", body, nil, nil)
		var r *RefusedError
		switch {
		case errors.As(err, &r):
			refused = append(refused, f.Name+": "+r.Reason)
		case err != nil:
			return err
		}
	}
	if len(refused) > 0 {
		return &NoteError{Reason: "attachments not taken: " + strings.Join(refused, "; ")}
	}
	return nil
}

// exceptions applies a series' EXDATEs (cancelled instances are deleted from the
// destination series Cutover created) and RECURRENCE-ID overrides (the instance is
// updated, again without attendees).
func (g *Graph) exceptions(ctx context.Context, it Item, id string) (note string, changed bool, err error) {
	evs, err := ParseEvents(it)
	if err != nil || len(evs) == 0 || evs[0].RRule == "" || (len(evs) == 1 && len(evs[0].ExDates) == 0) {
		return "", false, nil
	}
	var missed []string
	apply := func(at When, patch map[string]any) error {
		day := at.Date
		if day == "" && len(at.DateTime) >= 10 {
			day = at.DateTime[:10]
		}
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return nil
		}
		u := fmt.Sprintf("%s/events/%s/instances?startDateTime=%s&endDateTime=%s&$select=id,originalStart", g.userPath(), url.PathEscape(id),
			t.Add(-24*time.Hour).Format("2006-01-02T15:04:05Z"), t.Add(48*time.Hour).Format("2006-01-02T15:04:05Z"))
		var page struct {
			Value []struct {
				ID            string `json:"id"`
				OriginalStart string `json:"originalStart"`
			} `json:"value"`
		}
		if err := g.do(ctx, http.MethodGet, u, nil, &page, nil); err != nil {
			return err
		}
		for _, in := range page.Value {
			if strings.HasPrefix(in.OriginalStart, day) {
				if patch == nil {
					return g.do(ctx, http.MethodDelete, g.userPath()+"/events/"+url.PathEscape(in.ID), nil, nil, nil)
				}
				return g.do(ctx, http.MethodPatch, g.userPath()+"/events/"+url.PathEscape(in.ID), patch, nil, nil)
			}
		}
		missed = append(missed, day)
		return nil
	}
	for _, x := range evs[0].ExDates {
		if err := apply(x, nil); err != nil {
			return "", true, err
		}
	}
	for _, ov := range evs[1:] {
		body, _ := graphEventBody(ov)
		delete(body, "recurrence")
		delete(body, "singleValueExtendedProperties")
		if err := apply(*ov.RecurrenceID, body); err != nil {
			return "", true, err
		}
	}
	if len(missed) > 0 {
		return "exceptions on " + strings.Join(missed, ", ") + " not found in the destination series", true, nil
	}
	return "", true, nil
}

func graphWhen(w When, allDay bool) map[string]string {
	if allDay {
		return map[string]string{"dateTime": w.Date + "T00:00:00", "timeZone": "UTC"}
	}
	return map[string]string{"dateTime": w.DateTime, "timeZone": w.Zone}
}

// graphEvent is the JSON of an event resource, and what it leaves out.
func graphEvent(it Item) (map[string]any, string, error) {
	evs, err := ParseEvents(it)
	if err != nil {
		return nil, "", &RefusedError{Reason: "unreadable event: " + err.Error()}
	}
	body, note := graphEventBody(evs[0])
	if evs[0].RRule != "" {
		rec, err := graphRecurrence(evs[0])
		if err != nil {
			return nil, "", &RefusedError{Reason: err.Error()}
		}
		body["recurrence"] = rec
	}
	return body, note, nil
}

func graphEventBody(e Event) (map[string]any, string) {
	var notes []string
	text := e.Description
	var people []string
	if e.Organizer != nil {
		people = append(people, "Organiser: "+nameAddr(*e.Organizer))
	}
	for _, a := range e.Attendees {
		people = append(people, "Attendee: "+nameAddr(a))
	}
	if len(e.Attendees) > 0 {
		notes = append(notes, fmt.Sprintf("%d %s listed in the text, not invited (Graph would email them)", len(e.Attendees), plural(len(e.Attendees), "attendee", "attendees")))
	}
	for _, a := range e.Attachments {
		people = append(people, "Attachment: "+a)
	}
	if len(people) > 0 {
		text = strings.Join(people, "\n") + "\n\n" + text
	}
	body := map[string]any{
		"subject":                       e.Summary,
		"body":                          map[string]string{"contentType": "text", "content": text},
		"start":                         graphWhen(e.Start, e.AllDay),
		"end":                           graphWhen(e.End, e.AllDay),
		"isAllDay":                      e.AllDay,
		"singleValueExtendedProperties": []map[string]string{{"id": GraphUIDProperty, "value": e.UID}},
	}
	if e.Location != "" {
		body["location"] = map[string]string{"displayName": e.Location}
	}
	if len(e.Categories) > 0 {
		body["categories"] = e.Categories
	}
	if e.Transparent {
		body["showAs"] = "free"
	}
	if e.Private {
		body["sensitivity"] = "private"
	}
	if e.ReminderMinutes != nil {
		body["isReminderOn"] = true
		body["reminderMinutesBeforeStart"] = *e.ReminderMinutes
	} else {
		body["isReminderOn"] = false
	}
	return body, strings.Join(notes, "; ")
}

func nameAddr(p Person) string {
	if p.Name == "" {
		return p.Email
	}
	return p.Name + " <" + p.Email + ">"
}

var graphDays = map[string]string{"MO": "monday", "TU": "tuesday", "WE": "wednesday", "TH": "thursday", "FR": "friday", "SA": "saturday", "SU": "sunday"}

// graphRecurrence maps an RRULE (RFC 5545 3.3.10) to Graph's patternedRecurrence; a rule
// Graph cannot express (hourly, several month days, BYSETPOS lists) is refused by name.
func graphRecurrence(e Event) (map[string]any, error) {
	parts := map[string]string{}
	for _, kv := range strings.Split(e.RRule, ";") {
		k, v, _ := strings.Cut(kv, "=")
		parts[strings.ToUpper(k)] = strings.ToUpper(v)
	}
	pattern := map[string]any{"interval": 1}
	if n := parts["INTERVAL"]; n != "" {
		var i int
		fmt.Sscan(n, &i)
		pattern["interval"] = max(i, 1)
	}
	var days []string
	index := ""
	for _, d := range strings.Split(parts["BYDAY"], ",") {
		if d == "" {
			continue
		}
		code := d[len(d)-2:]
		if pos := d[:len(d)-2]; pos != "" {
			index = map[string]string{"1": "first", "+1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}[pos]
			if index == "" {
				return nil, fmt.Errorf("recurrence %q: Microsoft 365 has no %s occurrence of a weekday", e.RRule, pos)
			}
		}
		days = append(days, graphDays[code])
	}
	if p := parts["BYSETPOS"]; p != "" {
		index = map[string]string{"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}[p]
		if index == "" {
			return nil, fmt.Errorf("recurrence %q: BYSETPOS=%s has no Microsoft 365 equivalent", e.RRule, p)
		}
	}
	start := e.Start.Date
	if start == "" && len(e.Start.DateTime) >= 10 {
		start = e.Start.DateTime[:10]
	}
	st, _ := time.Parse("2006-01-02", start)
	switch parts["FREQ"] {
	case "DAILY":
		pattern["type"] = "daily"
		if len(days) > 0 {
			pattern["type"], pattern["daysOfWeek"] = "weekly", days
		}
	case "WEEKLY":
		pattern["type"] = "weekly"
		if len(days) == 0 {
			days = []string{strings.ToLower(st.Weekday().String())}
		}
		pattern["daysOfWeek"] = days
		pattern["firstDayOfWeek"] = graphDays[orDefault(parts["WKST"], "MO")]
	case "MONTHLY", "YEARLY":
		yearly := parts["FREQ"] == "YEARLY"
		if strings.Contains(parts["BYMONTHDAY"], ",") {
			return nil, fmt.Errorf("recurrence %q: several days of the month have no Microsoft 365 equivalent", e.RRule)
		}
		if index != "" && len(days) > 0 {
			pattern["type"], pattern["daysOfWeek"], pattern["index"] = "relativeMonthly", days, index
			if yearly {
				pattern["type"] = "relativeYearly"
			}
		} else {
			day := st.Day()
			if parts["BYMONTHDAY"] != "" {
				fmt.Sscan(parts["BYMONTHDAY"], &day)
			}
			pattern["type"], pattern["dayOfMonth"] = "absoluteMonthly", day
			if yearly {
				pattern["type"] = "absoluteYearly"
			}
		}
		if yearly {
			month := int(st.Month())
			if parts["BYMONTH"] != "" {
				fmt.Sscan(parts["BYMONTH"], &month)
			}
			pattern["month"] = month
		}
	default:
		return nil, fmt.Errorf("recurrence %q: Microsoft 365 repeats daily, weekly, monthly or yearly only", e.RRule)
	}
	rng := map[string]any{"type": "noEnd", "startDate": start}
	if e.Start.Zone != "" && !e.AllDay {
		rng["recurrenceTimeZone"] = e.Start.Zone
	}
	switch {
	case parts["COUNT"] != "":
		var n int
		fmt.Sscan(parts["COUNT"], &n)
		rng["type"], rng["numberOfOccurrences"] = "numbered", n
	case parts["UNTIL"] != "":
		u := parts["UNTIL"]
		if len(u) >= 8 {
			rng["type"], rng["endDate"] = "endDate", u[:4]+"-"+u[4:6]+"-"+u[6:8]
		}
	}
	return map[string]any{"pattern": pattern, "range": rng}, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// graphContact is the JSON of a contact resource, and what it leaves out.
func graphContact(it Item) (map[string]any, string, error) {
	c, err := ParseContact(it)
	if err != nil {
		return nil, "", &RefusedError{Reason: "unreadable vCard: " + err.Error()}
	}
	if c.Group {
		return nil, "", &RefusedError{Reason: "contact groups (KIND:group) cannot be created through Microsoft Graph: recreate the list in Outlook"}
	}
	body := map[string]any{
		"displayName": c.FormattedName, "givenName": c.Given, "surname": c.Family, "middleName": c.Middle,
		"title": c.Prefix, "generation": c.Suffix, "companyName": c.Org, "department": c.Department,
		"jobTitle": c.Title, "personalNotes": c.Note,
		"singleValueExtendedProperties": []map[string]string{{"id": GraphUIDProperty, "value": c.UID}},
	}
	if len(c.Categories) > 0 {
		body["categories"] = c.Categories
	}
	var notes []string
	var emails []map[string]string
	for i, e := range c.Emails {
		if i == 3 {
			notes = append(notes, fmt.Sprintf("%d e-mail addresses beyond the 3 Outlook keeps: %s", len(c.Emails)-3, strings.Join(c.Emails[3:], ", ")))
			break
		}
		emails = append(emails, map[string]string{"address": e, "name": c.FormattedName})
	}
	if emails != nil {
		body["emailAddresses"] = emails
	}
	var business, home []string
	for _, p := range c.Phones {
		switch {
		case hasType(p.Types, "cell") && body["mobilePhone"] == nil:
			body["mobilePhone"] = p.Number
		case hasType(p.Types, "home"):
			home = append(home, p.Number)
		default:
			business = append(business, p.Number)
		}
	}
	if business != nil {
		body["businessPhones"] = business
	}
	if home != nil {
		body["homePhones"] = home
	}
	for _, a := range c.Addresses {
		field := "businessAddress"
		if hasType(a.Types, "home") {
			field = "homeAddress"
		}
		if body[field] != nil {
			field = "otherAddress"
		}
		body[field] = map[string]string{"street": a.Street, "city": a.City, "state": a.Region, "postalCode": a.PostalCode, "countryOrRegion": a.Country}
	}
	if b := c.Birthday; len(b) >= 8 {
		if t, err := time.Parse("2006-01-02", b); err == nil {
			body["birthday"] = t.Format(time.RFC3339)
		} else if t, err := time.Parse("20060102", b); err == nil {
			body["birthday"] = t.Format(time.RFC3339)
		}
	}
	return body, strings.Join(notes, "; "), nil
}

func hasType(types []string, t string) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// graphTask is the JSON of a To Do task, with the source UID as a linked resource.
func graphTask(it Item) (map[string]any, error) {
	t, err := ParseTask(it)
	if err != nil {
		return nil, &RefusedError{Reason: "unreadable task: " + err.Error()}
	}
	status := map[string]string{"COMPLETED": "completed", "IN-PROCESS": "inProgress", "CANCELLED": "deferred"}[t.Status]
	if status == "" {
		status = "notStarted"
	}
	body := map[string]any{
		"title":           t.Summary,
		"status":          status,
		"linkedResources": []map[string]string{{"applicationName": "Cutover", "externalId": t.UID, "displayName": t.Summary}},
	}
	if t.Description != "" {
		body["body"] = map[string]string{"contentType": "text", "content": t.Description}
	}
	if t.Due != nil {
		if t.Due.Date != "" {
			body["dueDateTime"] = map[string]string{"dateTime": t.Due.Date + "T00:00:00", "timeZone": "UTC"}
		} else {
			body["dueDateTime"] = map[string]string{"dateTime": t.Due.DateTime, "timeZone": t.Due.Zone}
		}
	}
	if t.Completed != nil {
		body["completedDateTime"] = map[string]string{"dateTime": t.Completed.UTC().Format("2006-01-02T15:04:05"), "timeZone": "UTC"}
	}
	switch {
	case t.Priority >= 1 && t.Priority <= 4:
		body["importance"] = "high"
	case t.Priority >= 6:
		body["importance"] = "low"
	}
	return body, nil
}

// plural is one or many, by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
