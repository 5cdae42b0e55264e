package pim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
)

// GraphSource reads one Microsoft 365 mailbox's contacts, calendars and To Do lists
// through Microsoft Graph v1.0 (GET only): contact folders and their contacts
// (https://learn.microsoft.com/graph/api/resources/contact) with their photos
// (https://learn.microsoft.com/graph/api/profilephoto-get, read only for the contacts a
// pass writes), calendars and their events
// (https://learn.microsoft.com/graph/api/resources/event, asked in UTC with
// Prefer: outlook.timezone="UTC"), To Do lists and their tasks
// (https://learn.microsoft.com/graph/api/resources/todotask). Each item becomes the
// vCard or iCalendar object the engine copies; its ETag is Graph's changeKey (the
// @odata.etag for tasks), so the ledger copies a changed item again and nothing else.
//
// An event's series comes with its RRULE (from patternedRecurrence), its cancelled
// occurrences as EXDATEs and its moved or changed ones (type "exception") as overrides
// with their RECURRENCE-ID, in one object (see series). Times are asked in UTC and
// written in the event's own zone (originalStartTimeZone, a series' recurrenceTimeZone,
// mapped to IANA) with a VTIMEZONE, so a weekly 09:00 meeting stays at 09:00 across
// daylight saving changes. Event attachments (file attachments up to 3 MB) are read, like
// contact photos, only for the events a pass writes (Fill). Attendees and the organiser are
// kept as ATTENDEE and ORGANIZER lines: a CalDAV PUT mails nobody.
//
// To Do is read app-only too (the Tasks.Read.All application permission, in Graph v1.0
// since 2023). A 403 on the lists leaves them out, and Unread says what to grant.
type GraphSource struct {
	Base string // https://graph.microsoft.com/v1.0 (a fake's URL in tests)
	User string // the mailbox: UPN or ID
	// HTTP is authorised for Contacts.Read, Calendars.Read and Tasks.Read (app-only: the
	// application permissions Contacts.Read, Calendars.Read and Tasks.Read.All).
	HTTP *http.Client
	// Now is the clock that bounds the instances read of a series without end
	// (time.Now when nil).
	Now func() time.Time

	unread []Failure // what the last Collections could not list, with why

	mu       sync.Mutex
	attached map[string]bool   // event ID → hasAttachments, for Fill
	notes    map[string]string // event ID → what its copy leaves out, for Fill
}

func (g *GraphSource) userPath() string { return g.Base + "/users/" + url.PathEscape(g.User) }

func (g *GraphSource) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// Unread names the To Do lists when Graph refused to list them (403), with what to
// grant; the pass reports it as the mailbox's failure and copies the rest.
func (g *GraphSource) Unread() []Failure { return g.unread }

// utc asks Graph for event times in UTC, whatever the mailbox's zone.
var utc = map[string]string{"Prefer": `outlook.timezone="UTC"`}

// list follows @odata.nextLink through every page.
func (g *GraphSource) list(ctx context.Context, u string, header map[string]string, each func(json.RawMessage) error) error {
	for u != "" {
		var page struct {
			Value []json.RawMessage `json:"value"`
			Next  string            `json:"@odata.nextLink"`
		}
		if err := callJSON(ctx, g.HTTP, http.MethodGet, u, nil, &page, header); err != nil {
			return fmt.Errorf("read %s of %s: %w", strings.TrimPrefix(strings.SplitN(u, "?", 2)[0], g.userPath()+"/"), g.User, err)
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

// Collections lists contact folders (address books), calendars and To Do lists
// (calendars holding VTODO). A collection's Href is its Graph path under the user.
func (g *GraphSource) Collections(ctx context.Context) ([]Collection, error) {
	var out []Collection
	g.unread = nil
	kinds := []struct {
		path, comp string
		typ        CollectionType
	}{{"contactFolders", "", AddressBook}, {"calendars", "VEVENT", Calendar}, {"todo/lists", "VTODO", Calendar}}
	for _, k := range kinds {
		err := g.list(ctx, g.userPath()+"/"+k.path, nil, func(raw json.RawMessage) error {
			var v struct{ ID, Name, DisplayName string }
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			c := Collection{Href: k.path + "/" + v.ID, Name: v.Name + v.DisplayName, Type: k.typ}
			if k.comp != "" {
				c.Components = []string{k.comp}
			}
			out = append(out, c)
			return nil
		})
		if reason := tasksRefusal(err); k.comp == "VTODO" && reason != "" {
			g.unread = append(g.unread, Failure{Collection: k.path, Kind: KindTask, Summary: "To Do lists of " + g.User, Reason: reason})
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	// Graph's contacts outside any folder live in the default one, which
	// /contactFolders does not list.
	out = append([]Collection{{Href: "contacts", Name: "Contacts", Type: AddressBook}}, out...)
	return out, nil
}

// Items reads a collection's contacts, events or tasks.
func (g *GraphSource) Items(ctx context.Context, c Collection) ([]Item, error) {
	base := g.userPath() + "/" + c.Href
	var u string
	var header map[string]string
	var conv func(json.RawMessage) (Item, error)
	switch {
	case c.Href == "contacts":
		u, conv = base, graphContactItem
	case strings.HasPrefix(c.Href, "contactFolders/"):
		u, conv = base+"/contacts", graphContactItem
	case strings.HasPrefix(c.Href, "calendars/"):
		u, header = base+"/events", utc
		conv = func(raw json.RawMessage) (Item, error) { return g.eventItem(ctx, raw) }
	case strings.HasPrefix(c.Href, "todo/lists/"):
		u, conv = base+"/tasks", graphTaskItem
	default:
		return nil, fmt.Errorf("%s: no Graph collection %q", g.User, c.Href)
	}
	var out []Item
	err := g.list(ctx, u, header, func(raw json.RawMessage) error {
		it, err := conv(raw)
		if err != nil {
			return fmt.Errorf("%s of %s: %w", c.Name, g.User, err)
		}
		out = append(out, it)
		return nil
	})
	return out, err
}

// ical writes one property line with its value escaped as TEXT (RFC 5545 3.3.11).
func icalText(name, v string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	return name + ":" + r.Replace(v)
}

type graphDateTime struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// utcTime reads a Graph dateTimeTimeZone ("2026-01-05T09:00:00.0000000", zone); one
// not in UTC is converted when its zone is known.
func (d graphDateTime) time() (time.Time, error) {
	s := d.DateTime
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	loc := time.UTC
	if d.TimeZone != "" && d.TimeZone != "UTC" {
		name, ok := IANAZone(d.TimeZone)
		if !ok {
			return time.Time{}, fmt.Errorf("unknown time zone %q", d.TimeZone)
		}
		l, err := time.LoadLocation(name)
		if err != nil {
			return time.Time{}, err
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc)
	if err != nil {
		return t, fmt.Errorf("date-time %q: %w", d.DateTime, err)
	}
	return t.UTC(), nil
}

func vcalendar(body ...string) []byte {
	lines := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Cutover//Cutover//EN"}, body...)
	lines = append(lines, "END:VCALENDAR")
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

func graphEtag(changeKey, odata string) string {
	if changeKey != "" {
		return changeKey
	}
	return odata
}

// graphEventJSON is Graph's event resource, as far as the copy reads it.
type graphEventJSON struct {
	ID, Subject, ChangeKey, ShowAs, Sensitivity, Importance string
	ETag                                                    string `json:"@odata.etag"`
	ICalUId                                                 string `json:"iCalUId"`
	IsAllDay, IsReminderOn, IsCancelled                     bool
	ReminderMinutesBeforeStart                              int
	Start, End                                              graphDateTime
	Body                                                    struct{ ContentType, Content string }
	Location                                                struct{ DisplayName string }
	Categories                                              []string
	Organizer                                               *struct {
		EmailAddress struct{ Name, Address string }
	}
	Attendees []struct {
		Type         string
		EmailAddress struct{ Name, Address string }
	}
	Recurrence    *graphRecurrenceJSON
	Type          string // singleInstance, occurrence, exception, seriesMaster
	OriginalStart string // an occurrence's or exception's planned start (UTC)
	// The zones the event was created in (Windows or IANA names).
	OriginalStartTimeZone, OriginalEndTimeZone string
	HasAttachments                             bool
}

func (e *graphEventJSON) times() (start, end time.Time, err error) {
	if start, err = e.Start.time(); err != nil {
		return start, end, fmt.Errorf("event %q: start: %w", e.Subject, err)
	}
	if end, err = e.End.time(); err != nil {
		return start, end, fmt.Errorf("event %q: end: %w", e.Subject, err)
	}
	return start, end, nil
}

// eventItem is an event as one calendar object: a single event, or a series with its
// exceptions read from Graph.
func (g *GraphSource) eventItem(ctx context.Context, raw json.RawMessage) (Item, error) {
	var e graphEventJSON
	if err := json.Unmarshal(raw, &e); err != nil {
		return Item{}, fmt.Errorf("read an event: %w", err)
	}
	uid := e.ICalUId
	if uid == "" {
		uid = e.ID
	}
	start, end, err := e.times()
	if err != nil {
		return Item{}, err
	}
	z, unknown := e.zones()
	etag := graphEtag(e.ChangeKey, e.ETag)
	var rec []string
	var overrides [][]string
	span := end
	if e.Recurrence != nil {
		rule, err := e.Recurrence.rrule(e.IsAllDay, start.In(z.start))
		if err != nil {
			return Item{}, fmt.Errorf("event %q: %w", e.Subject, err)
		}
		x, err := g.series(ctx, &e, uid, rule, start, z)
		if err != nil {
			return Item{}, err
		}
		rec, overrides = append([]string{"RRULE:" + rule}, x.exdates...), x.overrides
		if x.digest != "" {
			etag += "+" + x.digest
		}
		span = x.until
	}
	body := append(vtimezones(z, start, span), e.vevent(uid, start, end, z, rec...)...)
	for _, o := range overrides {
		body = append(body, o...)
	}
	it, err := calendarItem(vcalendar(body...))
	if err != nil {
		return it, fmt.Errorf("event %q: %w", e.Subject, err)
	}
	it.Href, it.ETag = e.ID, etag
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.attached == nil {
		g.attached, g.notes = map[string]bool{}, map[string]string{}
	}
	if e.HasAttachments {
		g.attached[e.ID] = true
	}
	if len(unknown) > 0 {
		g.notes[e.ID] = fmt.Sprintf("time zone %s not known: times kept in UTC, so a series may move by an hour at daylight saving changes", strings.Join(unknown, ", "))
	}
	return it, nil
}

// eventZones are the zones an event's times are written in: where it starts (and, for a
// series, where its rule repeats) and where it ends.
type eventZones struct{ start, end *time.Location }

// zones are the event's zones: a series repeats in its recurrenceTimeZone (by default,
// the event's); a single event starts in originalStartTimeZone and ends in
// originalEndTimeZone. Graph names them in Windows or IANA terms; a name that maps to no
// IANA zone (Outlook's "tzone://Microsoft/Custom") leaves the times in UTC and is
// returned in unknown. An all-day event is dates only.
func (e *graphEventJSON) zones() (z eventZones, unknown []string) {
	z = eventZones{time.UTC, time.UTC}
	if e.IsAllDay {
		return z, nil
	}
	load := func(name string) *time.Location {
		iana, ok := IANAZone(name)
		loc, err := time.LoadLocation(iana)
		if !ok || err != nil {
			if !slices.Contains(unknown, strconv.Quote(name)) {
				unknown = append(unknown, strconv.Quote(name))
			}
			return time.UTC
		}
		if loc.String() == "Etc/UTC" || loc.String() == "Etc/GMT" {
			return time.UTC
		}
		return loc
	}
	startName := e.OriginalStartTimeZone
	if e.Recurrence != nil && e.Recurrence.Range.RecurrenceTimeZone != "" {
		startName = e.Recurrence.Range.RecurrenceTimeZone
	}
	z.start = load(startName)
	z.end = z.start
	if e.OriginalEndTimeZone != "" && e.OriginalEndTimeZone != startName {
		// Two names of one zone ("W. Europe Standard Time", "Europe/Berlin") are one TZID.
		if end := load(e.OriginalEndTimeZone); end.String() != z.start.String() {
			z.end = end
		}
	}
	return z, unknown
}

// vtimezones are the VTIMEZONEs of the zones, covering from to to (a month more each
// side, for overrides moved a little outside the series).
func vtimezones(z eventZones, from, to time.Time) []string {
	var out []string
	for i, loc := range []*time.Location{z.start, z.end} {
		if loc == time.UTC || i == 1 && loc == z.start {
			continue
		}
		out = append(out, vtimezone(loc, from.AddDate(0, -1, 0), to.AddDate(0, 1, 0))...)
	}
	return out
}

// vevent is the event as a VEVENT of uid; recurrence holds the lines of a series (RRULE,
// EXDATE) or of an exception (RECURRENCE-ID).
func (e *graphEventJSON) vevent(uid string, start, end time.Time, z eventZones, recurrence ...string) []string {
	ev := []string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + start.UTC().Format("20060102T150405Z"),
		"DTSTART" + icalWhen(start, e.IsAllDay, z.start), "DTEND" + icalWhen(end, e.IsAllDay, z.end)}
	ev = append(ev, recurrence...)
	ev = append(ev, icalText("SUMMARY", e.Subject))
	if d := graphBodyText(e.Body.ContentType, e.Body.Content); d != "" {
		ev = append(ev, icalText("DESCRIPTION", d))
	}
	if e.Location.DisplayName != "" {
		ev = append(ev, icalText("LOCATION", e.Location.DisplayName))
	}
	if len(e.Categories) > 0 {
		cats := make([]string, len(e.Categories))
		for i, c := range e.Categories {
			cats[i] = strings.TrimPrefix(icalText("", c), ":")
		}
		ev = append(ev, "CATEGORIES:"+strings.Join(cats, ","))
	}
	if e.ShowAs == "free" {
		ev = append(ev, "TRANSP:TRANSPARENT")
	}
	if e.Sensitivity == "private" || e.Sensitivity == "confidential" {
		ev = append(ev, "CLASS:"+strings.ToUpper(e.Sensitivity))
	}
	if e.IsCancelled {
		ev = append(ev, "STATUS:CANCELLED")
	}
	if e.Organizer != nil && e.Organizer.EmailAddress.Address != "" && len(e.Attendees) > 0 {
		ev = append(ev, "ORGANIZER;CN="+quoteParam(e.Organizer.EmailAddress.Name)+":mailto:"+e.Organizer.EmailAddress.Address)
	}
	for _, a := range e.Attendees {
		role := "REQ-PARTICIPANT"
		if a.Type == "optional" {
			role = "OPT-PARTICIPANT"
		}
		ev = append(ev, "ATTENDEE;CN="+quoteParam(a.EmailAddress.Name)+";ROLE="+role+":mailto:"+a.EmailAddress.Address)
	}
	if e.IsReminderOn {
		ev = append(ev, "BEGIN:VALARM", "ACTION:DISPLAY", icalText("DESCRIPTION", e.Subject),
			fmt.Sprintf("TRIGGER:-PT%dM", e.ReminderMinutesBeforeStart), "END:VALARM")
	}
	return append(ev, "END:VEVENT")
}

// seriesHorizon bounds the instances read of a series without end, or ending later: two
// years from today (from its start, for a series that starts later).
const seriesHorizon = 2 * 365 * 24 * time.Hour

// instanceFields are the properties read of a series' instances: what an override holds.
const instanceFields = "id,type,originalStart,start,end,subject,isAllDay,isCancelled,changeKey,body,location,categories," +
	"showAs,sensitivity,importance,isReminderOn,reminderMinutesBeforeStart,organizer,attendees"

// seriesExceptions are what a series' instances change in its plan.
type seriesExceptions struct {
	exdates   []string   // EXDATE lines of the cancelled occurrences
	overrides [][]string // VEVENTs of the moved or changed ones (type "exception")
	digest    string     // of both: the item's ETag changes with them
	until     time.Time  // the end of the window read
}

// series reads a series master's instances over its range with
// GET /users/{id}/events/{id}/instances?startDateTime=&endDateTime=
// (https://learn.microsoft.com/graph/api/event-list-instances): Graph v1.0 documents it
// to return the occurrences and the exceptions of a seriesMaster, and to leave out the
// occurrences cancelled from the series. So an exception becomes an override whose
// RECURRENCE-ID is its planned start (originalStart), and a planned start of the RRULE
// that no instance has is a cancelled occurrence: an EXDATE. Both take the master's
// DTSTART value type and zone (a date-time with the series' TZID, a UTC one, or a date
// for an all-day series), as RFC 5545 3.8.5.1 and 3.8.4.4 require; the RRULE is expanded
// in the series' zone, so planned starts after a daylight saving change match Graph's. The range ends with the series, but at most two years from
// today (seriesHorizon): exceptions further out are not read.
//
// The event's cancelledOccurrences and exceptionOccurrences properties would save the
// request, but they are not in the v1.0 event reference that this follows, and the
// former names a day only (OID.{id}.{yyyy-MM-dd}), without the time an EXDATE needs.
func (g *GraphSource) series(ctx context.Context, e *graphEventJSON, uid, rule string, start time.Time, z eventZones) (seriesExceptions, error) {
	var x seriesExceptions
	planned, from, to, err := e.planned(rule, start.In(z.start), g.now())
	if err != nil {
		return x, fmt.Errorf("event %q: expand %s: %w", e.Subject, rule, err)
	}
	x.until = to
	u := g.userPath() + "/events/" + url.PathEscape(e.ID) + "/instances?startDateTime=" + from.UTC().Format(time.RFC3339) +
		"&endDateTime=" + to.UTC().Format(time.RFC3339) + "&$select=" + instanceFields + "&$top=100"
	seen := map[time.Time]bool{}
	type override struct {
		at    time.Time
		lines []string
	}
	var overrides []override
	var keys []string
	err = g.list(ctx, u, utc, func(raw json.RawMessage) error {
		var in graphEventJSON
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("event %q: read an instance: %w", e.Subject, err)
		}
		s, end, err := in.times()
		if err != nil {
			return fmt.Errorf("series %q: %w", e.Subject, err)
		}
		at := s
		if t, err := time.Parse(time.RFC3339Nano, in.OriginalStart); err == nil {
			at = t.UTC()
		}
		if p, ok := nearest(planned, at); ok {
			at = p
			seen[p] = true
		}
		if in.Type != "exception" {
			return nil
		}
		overrides = append(overrides, override{at, in.vevent(uid, s, end, z, "RECURRENCE-ID"+icalWhen(at, e.IsAllDay, z.start))})
		keys = append(keys, "exception "+in.ID+" "+graphEtag(in.ChangeKey, in.ETag))
		return nil
	})
	if err != nil {
		return x, err
	}
	sort.Slice(overrides, func(i, j int) bool { return overrides[i].at.Before(overrides[j].at) })
	for _, o := range overrides {
		x.overrides = append(x.overrides, o.lines)
	}
	for _, p := range planned {
		if !seen[p] {
			x.exdates = append(x.exdates, "EXDATE"+icalWhen(p, e.IsAllDay, z.start))
			keys = append(keys, "cancelled "+p.Format(time.RFC3339))
		}
	}
	if len(keys) > 0 {
		sort.Strings(keys)
		x.digest = hashOf([]byte(strings.Join(keys, "\n")))[:16]
	}
	return x, nil
}

// planned is the series' planned starts (in UTC) within the window its instances are
// read over, [from, to). The rule is expanded in start's zone: wall-clock time, as
// RFC 5545 3.3.10 expands a DTSTART with a TZID.
func (e *graphEventJSON) planned(rule string, start, now time.Time) (planned []time.Time, from, to time.Time, err error) {
	comp := ical.NewComponent(ical.CompEvent)
	if e.IsAllDay {
		comp.Props.SetDate(ical.PropDateTimeStart, start)
	} else {
		comp.Props.SetDateTime(ical.PropDateTimeStart, start)
	}
	rr := ical.NewProp(ical.PropRecurrenceRule)
	rr.Value = rule
	comp.Props.Set(rr)
	set, err := comp.RecurrenceSet(start.Location())
	if err != nil || set == nil {
		return nil, from, to, fmt.Errorf("not a recurrence (%v)", err)
	}
	from = start.Add(-24 * time.Hour)
	if start.After(now) {
		now = start
	}
	to = now.Add(seriesHorizon)
	if r := e.Recurrence.Range; r.Type == "endDate" {
		if end, err := time.Parse("2006-01-02", r.EndDate); err == nil && end.Add(48*time.Hour).Before(to) {
			to = end.Add(48 * time.Hour)
		}
	}
	planned = set.Between(from, to, true)
	for i := range planned {
		planned[i] = planned[i].UTC()
	}
	if n := len(planned); n > 0 && e.Recurrence.Range.Type == "numbered" && planned[n-1].Add(48*time.Hour).Before(to) {
		to = planned[n-1].Add(48 * time.Hour)
	}
	return planned, from, to, nil
}

// nearest is the planned start an instance's original start stands for: the closest one
// less than a day away (an all-day series' starts are dates, an instance's in its zone).
func nearest(planned []time.Time, t time.Time) (time.Time, bool) {
	i := sort.Search(len(planned), func(i int) bool { return !planned[i].Before(t) })
	best, ok := time.Time{}, false
	for _, j := range []int{i - 1, i} {
		if j < 0 || j >= len(planned) {
			continue
		}
		if d := planned[j].Sub(t).Abs(); d < 24*time.Hour && (!ok || d < best.Sub(t).Abs()) {
			best, ok = planned[j], true
		}
	}
	return best, ok
}

// icalWhen is the parameters and value of a date-time property: a date for an all-day
// event, a UTC date-time in UTC, otherwise the local time in loc with its TZID.
func icalWhen(t time.Time, allDay bool, loc *time.Location) string {
	switch {
	case allDay:
		return ";VALUE=DATE:" + t.Format("20060102")
	case loc == time.UTC:
		return ":" + t.UTC().Format("20060102T150405Z")
	}
	return ";TZID=" + loc.String() + ":" + t.In(loc).Format("20060102T150405")
}

func quoteParam(v string) string {
	v = strings.ReplaceAll(v, `"`, "'")
	if strings.ContainsAny(v, ";:,") {
		return `"` + v + `"`
	}
	return v
}

// graphBodyText is a body as plain text: HTML loses its tags.
func graphBodyText(contentType, content string) string {
	if !strings.EqualFold(contentType, "html") {
		return strings.TrimSpace(content)
	}
	var b strings.Builder
	in := false
	for _, r := range content {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	r := strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&")
	return strings.TrimSpace(r.Replace(b.String()))
}

// graphRecurrenceJSON is Graph's patternedRecurrence.
type graphRecurrenceJSON struct {
	Pattern struct {
		Type           string
		Interval       int
		Month          int
		DayOfMonth     int
		DaysOfWeek     []string
		FirstDayOfWeek string
		Index          string
	}
	Range struct {
		Type                string
		StartDate, EndDate  string
		NumberOfOccurrences int
		RecurrenceTimeZone  string // of StartDate and EndDate; the event's when empty
	}
}

var graphDayCodes = map[string]string{"sunday": "SU", "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA"}

var graphIndex = map[string]string{"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}

// rrule is the RFC 5545 RRULE of a patternedRecurrence.
func (r graphRecurrenceJSON) rrule(allDay bool, start time.Time) (string, error) {
	p := r.Pattern
	days := func(index string) (string, error) {
		var out []string
		for _, d := range p.DaysOfWeek {
			code, ok := graphDayCodes[strings.ToLower(d)]
			if !ok {
				return "", fmt.Errorf("recurrence on day %q", d)
			}
			out = append(out, index+code)
		}
		if len(out) == 0 {
			return "", fmt.Errorf("%s recurrence without daysOfWeek", p.Type)
		}
		return strings.Join(out, ","), nil
	}
	var parts []string
	switch p.Type {
	case "daily":
		parts = append(parts, "FREQ=DAILY")
	case "weekly":
		d, err := days("")
		if err != nil {
			return "", err
		}
		parts = append(parts, "FREQ=WEEKLY", "BYDAY="+d)
		if wk, ok := graphDayCodes[strings.ToLower(p.FirstDayOfWeek)]; ok {
			parts = append(parts, "WKST="+wk)
		}
	case "absoluteMonthly":
		parts = append(parts, "FREQ=MONTHLY", fmt.Sprintf("BYMONTHDAY=%d", p.DayOfMonth))
	case "relativeMonthly", "relativeYearly":
		d, err := days(graphIndex[p.Index])
		if err != nil {
			return "", err
		}
		if p.Type == "relativeMonthly" {
			parts = append(parts, "FREQ=MONTHLY", "BYDAY="+d)
		} else {
			parts = append(parts, "FREQ=YEARLY", fmt.Sprintf("BYMONTH=%d", p.Month), "BYDAY="+d)
		}
	case "absoluteYearly":
		parts = append(parts, "FREQ=YEARLY", fmt.Sprintf("BYMONTH=%d", p.Month), fmt.Sprintf("BYMONTHDAY=%d", p.DayOfMonth))
	default:
		return "", fmt.Errorf("recurrence pattern %q", p.Type)
	}
	if p.Interval > 1 {
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", p.Interval))
	}
	switch r.Range.Type {
	case "endDate":
		end, err := time.Parse("2006-01-02", r.Range.EndDate)
		if err != nil {
			return "", fmt.Errorf("recurrence end date %q", r.Range.EndDate)
		}
		if allDay {
			parts = append(parts, "UNTIL="+end.Format("20060102"))
		} else {
			// The last day's occurrence is included: until that day's start time, local
			// to the series and written in UTC (RFC 5545 3.3.10: UNTIL is UTC when
			// DTSTART has a TZID).
			until := time.Date(end.Year(), end.Month(), end.Day(), start.Hour(), start.Minute(), start.Second(), 0, start.Location())
			parts = append(parts, "UNTIL="+until.UTC().Format("20060102T150405Z"))
		}
	case "numbered":
		parts = append(parts, fmt.Sprintf("COUNT=%d", r.Range.NumberOfOccurrences))
	}
	return strings.Join(parts, ";"), nil
}

func graphTaskItem(raw json.RawMessage) (Item, error) {
	var t struct {
		ID, Title, Status, Importance string
		ETag                          string `json:"@odata.etag"`
		Body                          struct{ ContentType, Content string }
		DueDateTime                   *graphDateTime
		CompletedDateTime             *graphDateTime
		CreatedDateTime               string
		Categories                    []string
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return Item{}, fmt.Errorf("read a task: %w", err)
	}
	td := []string{"BEGIN:VTODO", "UID:" + t.ID}
	stamp := time.Unix(0, 0).UTC()
	if c, err := time.Parse(time.RFC3339Nano, t.CreatedDateTime); err == nil {
		stamp = c.UTC()
	}
	td = append(td, "DTSTAMP:"+stamp.Format("20060102T150405Z"), icalText("SUMMARY", t.Title))
	switch t.Status {
	case "completed":
		td = append(td, "STATUS:COMPLETED")
	case "inProgress":
		td = append(td, "STATUS:IN-PROCESS")
	default:
		td = append(td, "STATUS:NEEDS-ACTION")
	}
	if t.DueDateTime != nil {
		due, err := t.DueDateTime.time()
		if err != nil {
			return Item{}, fmt.Errorf("task %q: due: %w", t.Title, err)
		}
		td = append(td, "DUE;VALUE=DATE:"+due.Format("20060102")) // To Do keeps a date
	}
	if t.CompletedDateTime != nil {
		done, err := t.CompletedDateTime.time()
		if err != nil {
			return Item{}, fmt.Errorf("task %q: completed: %w", t.Title, err)
		}
		td = append(td, "COMPLETED:"+done.Format("20060102T150405Z"))
	}
	switch t.Importance {
	case "high":
		td = append(td, "PRIORITY:1")
	case "low":
		td = append(td, "PRIORITY:9")
	}
	if d := graphBodyText(t.Body.ContentType, t.Body.Content); d != "" {
		td = append(td, icalText("DESCRIPTION", d))
	}
	td = append(td, "END:VTODO")
	it, err := calendarItem(vcalendar(td...))
	if err != nil {
		return it, fmt.Errorf("task %q: %w", t.Title, err)
	}
	it.Href, it.ETag = t.ID, t.ETag
	return it, nil
}

type graphAddress struct{ Street, City, State, CountryOrRegion, PostalCode string }

func (a *graphAddress) adr(typ string) string {
	if a == nil || *a == (graphAddress{}) {
		return ""
	}
	f := func(v string) string { return strings.TrimPrefix(icalText("", v), ":") }
	return "ADR;TYPE=" + typ + ":;;" + f(a.Street) + ";" + f(a.City) + ";" + f(a.State) + ";" + f(a.PostalCode) + ";" + f(a.CountryOrRegion)
}

func graphContactItem(raw json.RawMessage) (Item, error) {
	var c struct {
		ID, ChangeKey, DisplayName, GivenName, Surname, MiddleName, Title, Generation, NickName string
		ETag                                                                                    string `json:"@odata.etag"`
		CompanyName, Department, JobTitle, PersonalNotes, MobilePhone, Birthday                 string
		EmailAddresses                                                                          []struct{ Name, Address string }
		BusinessPhones, HomePhones, Categories                                                  []string
		BusinessAddress, HomeAddress, OtherAddress                                              *graphAddress
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Item{}, fmt.Errorf("read a contact: %w", err)
	}
	f := func(v string) string { return strings.TrimPrefix(icalText("", v), ":") }
	fn := c.DisplayName
	if fn == "" {
		fn = strings.TrimSpace(c.GivenName + " " + c.Surname)
	}
	card := []string{"BEGIN:VCARD", "VERSION:3.0", "UID:" + c.ID, icalText("FN", fn),
		"N:" + f(c.Surname) + ";" + f(c.GivenName) + ";" + f(c.MiddleName) + ";" + f(c.Title) + ";" + f(c.Generation)}
	if c.NickName != "" {
		card = append(card, "NICKNAME:"+f(c.NickName))
	}
	if c.CompanyName != "" || c.Department != "" {
		card = append(card, "ORG:"+f(c.CompanyName)+";"+f(c.Department))
	}
	if c.JobTitle != "" {
		card = append(card, icalText("TITLE", c.JobTitle))
	}
	for i, e := range c.EmailAddresses {
		line := "EMAIL;TYPE=INTERNET"
		if i == 0 {
			line += ",PREF"
		}
		card = append(card, line+":"+e.Address)
	}
	if c.MobilePhone != "" {
		card = append(card, "TEL;TYPE=CELL:"+c.MobilePhone)
	}
	for _, p := range c.BusinessPhones {
		card = append(card, "TEL;TYPE=WORK,VOICE:"+p)
	}
	for _, p := range c.HomePhones {
		card = append(card, "TEL;TYPE=HOME,VOICE:"+p)
	}
	for _, a := range []struct {
		typ  string
		addr *graphAddress
	}{{"WORK", c.BusinessAddress}, {"HOME", c.HomeAddress}, {"OTHER", c.OtherAddress}} {
		if l := a.addr.adr(a.typ); l != "" {
			card = append(card, l)
		}
	}
	if len(c.Birthday) >= 10 {
		card = append(card, "BDAY:"+c.Birthday[:10])
	}
	if len(c.Categories) > 0 {
		cats := make([]string, len(c.Categories))
		for i, v := range c.Categories {
			cats[i] = f(v)
		}
		card = append(card, "CATEGORIES:"+strings.Join(cats, ","))
	}
	if c.PersonalNotes != "" {
		card = append(card, icalText("NOTE", c.PersonalNotes))
	}
	card = append(card, "END:VCARD")
	it, err := contactItem([]byte(strings.Join(card, "\r\n") + "\r\n"))
	if err != nil {
		return it, fmt.Errorf("contact %q: %w", fn, err)
	}
	it.Href, it.ETag = c.ID, graphEtag(c.ChangeKey, c.ETag)
	return it, nil
}

// graphPhotoCap bounds a contact photo read: Outlook keeps contact photos far smaller, and
// Graph takes no larger one in a PUT (4 MB); a larger one is left out and noted.
const graphPhotoCap = 4 << 20

// Fill reads a contact's photo (GET …/contacts/{id}/photo/$value,
// https://learn.microsoft.com/graph/api/profilephoto-get; 404 is no photo) into its
// vCard's PHOTO, byte for byte, and an event's attachments into ATTACH lines (see
// attachments); it notes what an event's copy leaves out (a time zone it could not map).
// Other items are as they are. The copier asks only for the items it writes, so a re-run
// that copies nothing reads no photo and no attachment.
func (g *GraphSource) Fill(ctx context.Context, c Collection, it Item) (Item, error) {
	if it.Kind == KindEvent {
		return g.fillEvent(ctx, it)
	}
	if it.Kind != KindContact {
		return it, nil
	}
	folder := ""
	if strings.HasPrefix(c.Href, "contactFolders/") {
		folder = "/" + c.Href
	}
	u := g.userPath() + folder + "/contacts/" + url.PathEscape(it.Href) + "/photo/$value"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return it, err
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return it, fmt.Errorf("read the photo of %q of %s: %w", it.Summary, g.User, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return it, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnauthorized:
		return it, fmt.Errorf("read the photo of %q of %s: %s", it.Summary, g.User, serverReason(resp))
	case resp.StatusCode >= 300:
		return it, &NoteError{Reason: "photo not read: " + serverReason(resp)}
	}
	img, err := io.ReadAll(io.LimitReader(resp.Body, graphPhotoCap+1))
	if err != nil {
		return it, fmt.Errorf("read the photo of %q of %s: %w", it.Summary, g.User, err)
	}
	if len(img) > graphPhotoCap {
		return it, &NoteError{Reason: "photo over 4 MB not copied"}
	}
	typ, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if !strings.HasPrefix(typ, "image/") {
		typ = "image/jpeg"
	}
	it.Data = withPhoto(it.Data, img, typ)
	return it, nil
}

// graphAttachCap bounds a file attachment read, as Graph bounds one posted to an event
// without an upload session (3 MB): a larger one is left out and noted.
const graphAttachCap = 3 << 20

// fillEvent adds an event's attachments and returns what its copy leaves out as a note.
func (g *GraphSource) fillEvent(ctx context.Context, it Item) (Item, error) {
	g.mu.Lock()
	attached, note := g.attached[it.Href], g.notes[it.Href]
	g.mu.Unlock()
	var notes []string
	if note != "" {
		notes = append(notes, note)
	}
	if attached {
		lines, left, err := g.attachments(ctx, it)
		if err != nil {
			return it, err
		}
		it.Data = withAttachments(it.Data, lines)
		notes = append(notes, left...)
	}
	if len(notes) > 0 {
		return it, &NoteError{Reason: strings.Join(notes, "; ")}
	}
	return it, nil
}

// attachments reads an event's attachments (GET /users/{id}/events/{id}/attachments,
// https://learn.microsoft.com/graph/api/event-list-attachments, without their content)
// and each file attachment up to graphAttachCap (GET …/attachments/{id}/$value,
// https://learn.microsoft.com/graph/api/attachment-get): inline ATTACH lines with the
// file's bytes in base64, its media type and name (RFC 5545 3.8.1.1; X-FILENAME as
// Apple, Nextcloud and Cutover's destinations read it). Outlook items and links to cloud
// files (itemAttachment, referenceAttachment) are not copied: left names each with why.
func (g *GraphSource) attachments(ctx context.Context, it Item) (lines, left []string, err error) {
	base := g.userPath() + "/events/" + url.PathEscape(it.Href) + "/attachments"
	type attachment struct {
		Type                  string `json:"@odata.type"`
		ID, Name, ContentType string
		Size                  int
	}
	var all []attachment
	err = g.list(ctx, base+"?$select=id,name,contentType,size", nil, func(raw json.RawMessage) error {
		var a attachment
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("event %q: read an attachment: %w", it.Summary, err)
		}
		all = append(all, a)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, a := range all {
		switch {
		case a.Type == "#microsoft.graph.itemAttachment":
			left = append(left, fmt.Sprintf("attachment %q not copied: an Outlook item, not a file", a.Name))
			continue
		case a.Type != "#microsoft.graph.fileAttachment":
			left = append(left, fmt.Sprintf("attachment %q not copied: a link to a cloud file, not a file", a.Name))
			continue
		case a.Size > graphAttachCap:
			left = append(left, fmt.Sprintf("attachment %q not copied: over 3 MB", a.Name))
			continue
		}
		data, refused, err := g.attachment(ctx, base+"/"+url.PathEscape(a.ID)+"/$value")
		switch {
		case err != nil:
			return nil, nil, fmt.Errorf("read attachment %q of %q of %s: %w", a.Name, it.Summary, g.User, err)
		case refused != "":
			left = append(left, fmt.Sprintf("attachment %q not read: %s", a.Name, refused))
			continue
		case len(data) > graphAttachCap:
			left = append(left, fmt.Sprintf("attachment %q not copied: over 3 MB", a.Name))
			continue
		}
		typ := a.ContentType
		if typ == "" {
			typ = "application/octet-stream"
		}
		lines = append(lines, "ATTACH;FMTTYPE="+quoteParam(typ)+";ENCODING=BASE64;VALUE=BINARY;X-FILENAME="+quoteParam(a.Name)+":"+
			base64.StdEncoding.EncodeToString(data))
	}
	return lines, left, nil
}

// attachment reads one file attachment's bytes, at most one more than graphAttachCap.
// Graph's refusal of this one attachment (gone since the listing, say) is returned as
// refused; throttling, an outage or a lost sign-in as an error.
func (g *GraphSource) attachment(ctx context.Context, u string) (data []byte, refused string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnauthorized:
		return nil, "", errors.New(serverReason(resp))
	case resp.StatusCode >= 300:
		return nil, serverReason(resp), nil
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, graphAttachCap+1))
	return data, "", err
}

// withAttachments is an event's text with the ATTACH lines in its first VEVENT (the
// series, or the single event).
func withAttachments(data []byte, attach []string) []byte {
	if len(attach) == 0 {
		return data
	}
	lines, _ := unfold(data)
	out := make([]string, 0, len(lines)+len(attach))
	done := false
	for _, l := range lines {
		if !done && strings.EqualFold(l, "END:VEVENT") {
			out = append(out, attach...)
			done = true
		}
		out = append(out, l)
	}
	return normalize(out)
}
