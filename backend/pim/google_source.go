package pim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// GoogleSource reads one Google Workspace mailbox's contacts, calendars and task lists
// (GET only): the People API's people/me/connections
// (https://developers.google.com/people/api/rest/v1/people.connections/list), the
// Calendar API's calendarList and events with singleEvents=false, so a series keeps its
// RRULE/EXDATE lines and its moved instances come as overrides (RECURRENCE-ID), and the
// Tasks API's lists and tasks. Each item becomes the vCard or iCalendar object the engine
// copies; its ETag is Google's etag (a series' is made of its own and its overrides'), so
// the ledger copies a changed item again and nothing else. Pages follow nextPageToken.
type GoogleSource struct {
	PeopleBase   string       // https://people.googleapis.com/v1
	CalendarBase string       // https://www.googleapis.com/calendar/v3
	TasksBase    string       // https://tasks.googleapis.com/tasks/v1
	User         string       // the mailbox, for errors
	HTTP         *http.Client // authorised (contacts, calendar and tasks read-only scopes)
	// Now is the clock that bounds an endless series' VTIMEZONE (time.Now when nil).
	Now func() time.Time
}

// googlePersonFields are the fields of a person Cutover maps to vCard.
const googlePersonFields = "names,nicknames,emailAddresses,phoneNumbers,organizations,addresses,birthdays,biographies,urls"

// list follows nextPageToken; items is the JSON field holding a page's entries.
func (g *GoogleSource) list(ctx context.Context, u, items string, each func(json.RawMessage) error) error {
	return googlePages(u, items, func(v string, page any) error {
		if err := callJSON(ctx, g.HTTP, http.MethodGet, v, nil, page, nil); err != nil {
			return fmt.Errorf("read %s of %s: %w", strings.SplitN(u, "?", 2)[0], g.User, err)
		}
		return nil
	}, each)
}

// googlePages reads a Google list (https://cloud.google.com/apis/design/design_patterns#list_pagination)
// page by page with get, following nextPageToken; key is the JSON field holding a page's
// entries, each called in order.
func googlePages(u, key string, get func(url string, page any) error, each func(json.RawMessage) error) error {
	token := ""
	for {
		v := u
		if token != "" {
			v += sep(u) + "pageToken=" + url.QueryEscape(token)
		}
		var page map[string]json.RawMessage
		if err := get(v, &page); err != nil {
			return err
		}
		var entries []json.RawMessage
		if raw, ok := page[key]; ok {
			if err := json.Unmarshal(raw, &entries); err != nil {
				return fmt.Errorf("read %s: %w", strings.SplitN(u, "?", 2)[0], err)
			}
		}
		for _, e := range entries {
			if err := each(e); err != nil {
				return err
			}
		}
		token = ""
		if raw, ok := page["nextPageToken"]; ok {
			json.Unmarshal(raw, &token)
		}
		if token == "" {
			return nil
		}
	}
}

// Collections is the contacts (one address book), each calendar of the calendar list and
// each task list.
func (g *GoogleSource) Collections(ctx context.Context) ([]Collection, error) {
	out := []Collection{{Href: "people/me/connections", Name: "Contacts", Type: AddressBook}}
	err := g.list(ctx, g.CalendarBase+"/users/me/calendarList", "items", func(raw json.RawMessage) error {
		var c struct{ ID, Summary, SummaryOverride, Description string }
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		name := c.Summary
		if c.SummaryOverride != "" {
			name = c.SummaryOverride
		}
		out = append(out, Collection{Href: "calendars/" + c.ID, Name: name, Type: Calendar, Description: c.Description, Components: []string{"VEVENT"}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = g.list(ctx, g.TasksBase+"/users/@me/lists", "items", func(raw json.RawMessage) error {
		var l struct{ ID, Title string }
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		out = append(out, Collection{Href: "lists/" + l.ID, Name: l.Title, Type: Calendar, Components: []string{"VTODO"}})
		return nil
	})
	return out, err
}

// Items reads a collection's contacts, events or tasks.
func (g *GoogleSource) Items(ctx context.Context, c Collection) ([]Item, error) {
	switch {
	case c.Href == "people/me/connections":
		return g.contacts(ctx)
	case strings.HasPrefix(c.Href, "calendars/"):
		return g.events(ctx, strings.TrimPrefix(c.Href, "calendars/"), c.Name)
	case strings.HasPrefix(c.Href, "lists/"):
		return g.tasks(ctx, strings.TrimPrefix(c.Href, "lists/"), c.Name)
	}
	return nil, fmt.Errorf("%s: no Google collection %q", g.User, c.Href)
}

func (g *GoogleSource) contacts(ctx context.Context) ([]Item, error) {
	var out []Item
	u := g.PeopleBase + "/people/me/connections?personFields=" + url.QueryEscape(googlePersonFields) + "&pageSize=1000"
	err := g.list(ctx, u, "connections", func(raw json.RawMessage) error {
		it, err := googleContactItem(raw)
		if err != nil {
			return fmt.Errorf("contacts of %s: %w", g.User, err)
		}
		out = append(out, it)
		return nil
	})
	return out, err
}

type googleTime struct {
	Date     string `json:"date"`
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// ical is the property's value with its parameters: DATE, UTC, or local with TZID.
func (w googleTime) ical(name string) (string, error) {
	if w.Date != "" {
		d, err := time.Parse("2006-01-02", w.Date)
		if err != nil {
			return "", fmt.Errorf("%s date %q", name, w.Date)
		}
		return name + ";VALUE=DATE:" + d.Format("20060102"), nil
	}
	t, err := time.Parse(time.RFC3339, w.DateTime)
	if err != nil {
		return "", fmt.Errorf("%s %q", name, w.DateTime)
	}
	if w.TimeZone != "" && w.TimeZone != "UTC" {
		if loc, err := time.LoadLocation(w.TimeZone); err == nil {
			// A zone the database knows: local time with its TZID, so a series keeps
			// its wall-clock time across daylight saving changes.
			return name + ";TZID=" + w.TimeZone + ":" + t.In(loc).Format("20060102T150405"), nil
		}
	}
	return name + ":" + t.UTC().Format("20060102T150405Z"), nil
}

type googleReadEvent struct {
	ID, ICalUID, Etag, Status, Summary, Description, Location, Visibility, Transparency string
	RecurringEventID                                                                    string `json:"recurringEventId"`
	Start, End                                                                          googleTime
	OriginalStartTime                                                                   *googleTime
	Recurrence                                                                          []string
	Organizer                                                                           *struct{ Email, DisplayName string }
	Attendees                                                                           []struct {
		Email, DisplayName, ResponseStatus string
		Optional                           bool
	}
	Reminders *struct {
		UseDefault bool
		Overrides  []struct {
			Method  string
			Minutes int
		}
	}
}

func (g *GoogleSource) events(ctx context.Context, cal, name string) ([]Item, error) {
	byUID := map[string][]googleReadEvent{}
	var order []string
	u := g.CalendarBase + "/calendars/" + url.PathEscape(cal) + "/events?singleEvents=false&showDeleted=false&maxResults=2500"
	err := g.list(ctx, u, "items", func(raw json.RawMessage) error {
		var e googleReadEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s of %s: read an event: %w", name, g.User, err)
		}
		if e.Status == "cancelled" && e.RecurringEventID == "" {
			return nil
		}
		if _, ok := byUID[e.ICalUID]; !ok {
			order = append(order, e.ICalUID)
		}
		byUID[e.ICalUID] = append(byUID[e.ICalUID], e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, uid := range order {
		it, err := googleEventItem(uid, byUID[uid], g.now())
		if err != nil {
			return nil, fmt.Errorf("%s of %s: %w", name, g.User, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// googleEventItem is one UID's series (or single event) with its overrides; a
// cancelled instance of a series becomes an EXDATE.
func googleEventItem(uid string, evs []googleReadEvent, now time.Time) (Item, error) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].RecurringEventID == "" && evs[j].RecurringEventID != "" })
	var body []string
	var etags []string
	var master *googleReadEvent
	for i := range evs {
		e := &evs[i]
		etags = append(etags, e.Etag)
		if e.RecurringEventID == "" {
			master = e
		}
	}
	if master == nil {
		return Item{}, fmt.Errorf("event %s: instances without their series", uid)
	}
	for _, e := range evs {
		if e.Status != "cancelled" || e.OriginalStartTime == nil {
			continue
		}
		line, err := e.OriginalStartTime.ical("EXDATE")
		if err != nil {
			return Item{}, err
		}
		master.Recurrence = append(master.Recurrence, line)
	}
	for _, e := range evs {
		if e.Status == "cancelled" {
			continue
		}
		if e.RecurringEventID == "" {
			e = *master
		}
		lines, err := googleVEvent(uid, e)
		if err != nil {
			return Item{}, fmt.Errorf("event %q: %w", e.Summary, err)
		}
		body = append(body, lines...)
	}
	it, err := calendarItem(vcalendar(append(googleVTimezones(evs, now), body...)...))
	if err != nil {
		return it, fmt.Errorf("event %q: %w", master.Summary, err)
	}
	it.Href, it.ETag = master.ID, strings.Join(etags, ",")
	return it, nil
}

func (g *GoogleSource) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// googleVTimezones are the VTIMEZONEs of the zones a series and its overrides name
// (RFC 5545 requires one per TZID), from its first start to its last end, or two years
// past now for a series that repeats (exceptions are read that far too).
func googleVTimezones(evs []googleReadEvent, now time.Time) []string {
	var zones []string
	var from, to time.Time
	repeats := false
	for _, e := range evs {
		repeats = repeats || len(e.Recurrence) > 0
		for _, w := range []*googleTime{&e.Start, &e.End, e.OriginalStartTime} {
			if w == nil || w.DateTime == "" || w.TimeZone == "" || w.TimeZone == "UTC" {
				continue
			}
			t, err := time.Parse(time.RFC3339, w.DateTime)
			if err != nil {
				continue
			}
			if from.IsZero() || t.Before(from) {
				from = t
			}
			to = maxTime(to, t)
			if !slices.Contains(zones, w.TimeZone) {
				zones = append(zones, w.TimeZone)
			}
		}
	}
	if repeats {
		to = maxTime(to, now).AddDate(2, 0, 0)
	}
	var out []string
	for _, z := range zones {
		if loc, err := time.LoadLocation(z); err == nil {
			out = append(out, vtimezone(loc, from.AddDate(0, -1, 0), to.AddDate(0, 1, 0))...)
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func googleVEvent(uid string, e googleReadEvent) ([]string, error) {
	ev := []string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:19700101T000000Z"}
	for _, w := range []struct {
		name string
		when *googleTime
	}{{"DTSTART", &e.Start}, {"DTEND", &e.End}, {"RECURRENCE-ID", e.OriginalStartTime}} {
		if w.when == nil {
			continue
		}
		line, err := w.when.ical(w.name)
		if err != nil {
			return nil, err
		}
		ev = append(ev, line)
	}
	ev = append(ev, e.Recurrence...) // RRULE, EXDATE, RDATE lines as Google keeps them (RFC 5545)
	ev = append(ev, icalText("SUMMARY", e.Summary))
	if e.Description != "" {
		ev = append(ev, icalText("DESCRIPTION", e.Description))
	}
	if e.Location != "" {
		ev = append(ev, icalText("LOCATION", e.Location))
	}
	if e.Transparency == "transparent" {
		ev = append(ev, "TRANSP:TRANSPARENT")
	}
	if e.Visibility == "private" || e.Visibility == "confidential" {
		ev = append(ev, "CLASS:"+strings.ToUpper(e.Visibility))
	}
	if e.Organizer != nil && e.Organizer.Email != "" && len(e.Attendees) > 0 {
		ev = append(ev, "ORGANIZER;CN="+quoteParam(e.Organizer.DisplayName)+":mailto:"+e.Organizer.Email)
	}
	partstat := map[string]string{"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}
	for _, a := range e.Attendees {
		line := "ATTENDEE"
		if a.DisplayName != "" {
			line += ";CN=" + quoteParam(a.DisplayName)
		}
		if a.Optional {
			line += ";ROLE=OPT-PARTICIPANT"
		}
		if ps, ok := partstat[a.ResponseStatus]; ok {
			line += ";PARTSTAT=" + ps
		}
		ev = append(ev, line+":mailto:"+a.Email)
	}
	if e.Reminders != nil {
		for _, r := range e.Reminders.Overrides {
			ev = append(ev, "BEGIN:VALARM", "ACTION:DISPLAY", icalText("DESCRIPTION", e.Summary), fmt.Sprintf("TRIGGER:-PT%dM", r.Minutes), "END:VALARM")
		}
	}
	return append(ev, "END:VEVENT"), nil
}

func (g *GoogleSource) tasks(ctx context.Context, list, name string) ([]Item, error) {
	var out []Item
	u := g.TasksBase + "/lists/" + url.PathEscape(list) + "/tasks?showCompleted=true&showHidden=true&maxResults=100"
	err := g.list(ctx, u, "items", func(raw json.RawMessage) error {
		var t struct{ ID, Etag, Title, Notes, Status, Due, Completed, Updated, Parent string }
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("%s of %s: read a task: %w", name, g.User, err)
		}
		td := []string{"BEGIN:VTODO", "UID:" + t.ID}
		stamp := time.Unix(0, 0).UTC()
		if u, err := time.Parse(time.RFC3339, t.Updated); err == nil {
			stamp = u.UTC()
		}
		td = append(td, "DTSTAMP:"+stamp.Format("20060102T150405Z"), icalText("SUMMARY", t.Title))
		if t.Status == "completed" {
			td = append(td, "STATUS:COMPLETED")
		} else {
			td = append(td, "STATUS:NEEDS-ACTION")
		}
		if d, err := time.Parse(time.RFC3339, t.Due); err == nil {
			td = append(td, "DUE;VALUE=DATE:"+d.UTC().Format("20060102")) // the Tasks API keeps a date only
		}
		if c, err := time.Parse(time.RFC3339, t.Completed); err == nil {
			td = append(td, "COMPLETED:"+c.UTC().Format("20060102T150405Z"))
		}
		if t.Notes != "" {
			td = append(td, icalText("DESCRIPTION", t.Notes))
		}
		if t.Parent != "" {
			td = append(td, "RELATED-TO:"+t.Parent)
		}
		td = append(td, "END:VTODO")
		it, err := calendarItem(vcalendar(td...))
		if err != nil {
			return fmt.Errorf("%s of %s: task %q: %w", name, g.User, t.Title, err)
		}
		it.Href, it.ETag = t.ID, t.Etag
		out = append(out, it)
		return nil
	})
	return out, err
}

func googleContactItem(raw json.RawMessage) (Item, error) {
	var p struct {
		ResourceName string
		Etag         string
		Names        []struct{ DisplayName, GivenName, FamilyName, MiddleName, HonorificPrefix, HonorificSuffix string }
		Nicknames    []struct{ Value string }
		Emails       []struct{ Value, Type string }             `json:"emailAddresses"`
		Phones       []struct{ Value, Type string }             `json:"phoneNumbers"`
		Orgs         []struct{ Name, Department, Title string } `json:"organizations"`
		Addresses    []struct{ Type, StreetAddress, City, Region, PostalCode, Country string }
		Birthdays    []struct {
			Date struct{ Year, Month, Day int }
		}
		Biographies []struct{ Value string }
		URLs        []struct{ Value string } `json:"urls"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return Item{}, fmt.Errorf("read a contact: %w", err)
	}
	f := func(v string) string { return strings.TrimPrefix(icalText("", v), ":") }
	card := []string{"BEGIN:VCARD", "VERSION:3.0", "UID:" + strings.TrimPrefix(p.ResourceName, "people/")}
	fn := ""
	if len(p.Names) > 0 {
		n := p.Names[0]
		fn = n.DisplayName
		if fn == "" {
			fn = strings.TrimSpace(n.GivenName + " " + n.FamilyName)
		}
		card = append(card, "N:"+f(n.FamilyName)+";"+f(n.GivenName)+";"+f(n.MiddleName)+";"+f(n.HonorificPrefix)+";"+f(n.HonorificSuffix))
	} else {
		card = append(card, "N:;;;;")
	}
	if fn == "" && len(p.Emails) > 0 {
		fn = p.Emails[0].Value
	}
	card = append(card, icalText("FN", fn))
	for _, n := range p.Nicknames {
		card = append(card, "NICKNAME:"+f(n.Value))
	}
	for i, e := range p.Emails {
		line := "EMAIL;TYPE=INTERNET"
		if t := googleLabel([]string{e.Type}, ""); t != "" {
			line += "," + strings.ToUpper(t)
		}
		if i == 0 {
			line += ",PREF"
		}
		card = append(card, line+":"+e.Value)
	}
	for _, ph := range p.Phones {
		line := "TEL"
		for _, t := range googlePhoneTypes {
			if t.google == ph.Type {
				line += ";TYPE=" + t.vcard
				break
			}
		}
		card = append(card, line+":"+ph.Value)
	}
	if len(p.Orgs) > 0 {
		o := p.Orgs[0]
		if o.Name != "" || o.Department != "" {
			card = append(card, "ORG:"+f(o.Name)+";"+f(o.Department))
		}
		if o.Title != "" {
			card = append(card, icalText("TITLE", o.Title))
		}
	}
	for _, a := range p.Addresses {
		t := strings.ToUpper(googleLabel([]string{a.Type}, "other"))
		card = append(card, "ADR;TYPE="+t+":;;"+f(a.StreetAddress)+";"+f(a.City)+";"+f(a.Region)+";"+f(a.PostalCode)+";"+f(a.Country))
	}
	if len(p.Birthdays) > 0 {
		d := p.Birthdays[0].Date
		if d.Year > 0 {
			card = append(card, fmt.Sprintf("BDAY:%04d-%02d-%02d", d.Year, d.Month, d.Day))
		} else if d.Month > 0 {
			card = append(card, fmt.Sprintf("BDAY:--%02d%02d", d.Month, d.Day)) // vCard 4.0 style, no year
		}
	}
	for _, b := range p.Biographies {
		card = append(card, icalText("NOTE", b.Value))
	}
	for _, u := range p.URLs {
		card = append(card, "URL:"+u.Value)
	}
	card = append(card, "END:VCARD")
	it, err := contactItem([]byte(strings.Join(card, "\r\n") + "\r\n"))
	if err != nil {
		return it, fmt.Errorf("contact %q: %w", fn, err)
	}
	it.Href, it.ETag = p.ResourceName, p.Etag
	return it, nil
}
