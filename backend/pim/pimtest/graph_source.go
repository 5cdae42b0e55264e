package pimtest

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// GraphSource is a fake of Microsoft Graph v1.0 as a source of contacts, calendars and
// To Do tasks: it serves the reads Cutover makes (contact folders and contacts with their
// photos, calendars and events with a series' instances — expanded in the series' time
// zone, as Exchange does — and an event's attachments, To Do lists and tasks) with
// Graph's payloads and pages them with @odata.nextLink. Any request but GET fails the test
// (a source is never written), and so does an events or instances listing without
// Prefer: outlook.timezone="UTC", a query parameter Cutover does not send, a $select of a
// property the event reference does not have, or a path Graph does not document.
type GraphSource struct {
	URL      string // base, like https://graph.microsoft.com/v1.0
	PageSize int    // items per page (2 unless set)
	// Authorize, when set, decides whether a bearer token opens the fake.
	Authorize func(token string) bool

	t     testing.TB
	srv   *httptest.Server
	mu    sync.Mutex
	next  int
	boxes map[string]map[string]*graphContainer // user → "path/id" → container
	// Gets counts the GET requests, Photos those of contact photos and Attachments those
	// of the pages of an event's attachment list.
	Gets, Photos, Attachments int
	// DenyToDo answers 403 on the To Do lists, as Graph does to an app registration
	// without the Tasks.Read.All application permission.
	DenyToDo bool

	exceptions  map[string]*graphExceptions  // series master ID → its changed instances
	photos      map[string]graphPhoto        // contact ID → photo
	attachments map[string][]graphAttachment // event ID → its attachments
}

// graphAttachment is an event's attachment: its JSON (attachment's properties and, for a
// fileAttachment, contentBytes) and its raw contents.
type graphAttachment struct {
	json map[string]any
	data []byte
}

// graphExceptions are a series' instances changed in Outlook, by planned day (yyyy-mm-dd).
type graphExceptions struct {
	cancelled map[string]bool
	changed   map[string]map[string]any // the exception's own fields, id and changeKey
}

type graphPhoto struct {
	data        []byte
	contentType string
}

type graphContainer struct {
	path, id, name string
	items          []map[string]any
}

// NewGraphSource starts the fake for a test.
func NewGraphSource(t testing.TB) *GraphSource {
	g := &GraphSource{t: t, PageSize: 2, boxes: map[string]map[string]*graphContainer{},
		exceptions: map[string]*graphExceptions{}, photos: map[string]graphPhoto{}, attachments: map[string][]graphAttachment{}}
	g.srv = httptest.NewServer(g)
	g.URL = g.srv.URL + "/v1.0"
	t.Cleanup(g.srv.Close)
	return g
}

func (g *GraphSource) box(user string) map[string]*graphContainer {
	b := g.boxes[user]
	if b == nil {
		b = map[string]*graphContainer{"contacts": {path: "contacts"}}
		g.boxes[user] = b
	}
	return b
}

// AddContainer adds a contact folder ("contactFolders"), calendar ("calendars") or To
// Do list ("todo/lists") to user's mailbox and returns its ID. The default contacts
// folder ("contacts", ID "") always exists.
func (g *GraphSource) AddContainer(user, path, name string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	id := fmt.Sprintf("AAMk%s%04d", strings.ReplaceAll(path, "/", ""), g.next)
	g.box(user)[path+"/"+id] = &graphContainer{path: path, id: id, name: name}
	return id
}

// Add puts an item (Graph's JSON of a contact, event or todoTask, without id) in a
// container ("contacts" or "path/id") and returns its ID; it gets a changeKey and an
// @odata.etag as Graph gives them, and an event the properties Graph always has
// (originalStartTimeZone and originalEndTimeZone, "UTC" unless given; hasAttachments).
func (g *GraphSource) Add(user, container string, item map[string]any) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.box(user)[container]
	if c == nil {
		g.t.Fatalf("graph source fake: no container %s", container)
	}
	g.next++
	id := fmt.Sprintf("AAMkItem%04d", g.next)
	o := maps.Clone(item)
	o["id"] = id
	if c.path == "calendars" {
		for k, v := range map[string]any{"originalStartTimeZone": "UTC", "originalEndTimeZone": "UTC", "hasAttachments": false} {
			if _, ok := o[k]; !ok {
				o[k] = v
			}
		}
	}
	stamp(o, id, 1)
	c.items = append(c.items, o)
	return id
}

func stamp(o map[string]any, id string, n int) {
	o["changeKey"] = fmt.Sprintf("CQAAAB%s-%d", id, n)
	o["@odata.etag"] = fmt.Sprintf(`W/"CQAAAB%s-%d"`, id, n)
}

// Change updates an item's fields and its changeKey, as an edit in Outlook does.
func (g *GraphSource) Change(user, id string, fields map[string]any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.box(user) {
		for _, o := range c.items {
			if o["id"] == id {
				maps.Copy(o, fields)
				var n int
				fmt.Sscanf(fmt.Sprint(o["changeKey"]), "CQAAAB"+id+"-%d", &n)
				stamp(o, id, n+1)
				return
			}
		}
	}
	g.t.Fatalf("graph source fake: no item %s", id)
}

// item finds an item of user's mailbox and the container holding it.
func (g *GraphSource) item(user, id string) (*graphContainer, map[string]any) {
	for _, c := range g.box(user) {
		for _, o := range c.items {
			if o["id"] == id {
				return c, o
			}
		}
	}
	return nil, nil
}

func (g *GraphSource) series(user, id string) *graphExceptions {
	if _, o := g.item(user, id); o == nil || o["recurrence"] == nil {
		g.t.Fatalf("graph source fake: no series master %s", id)
	}
	x := g.exceptions[id]
	if x == nil {
		x = &graphExceptions{cancelled: map[string]bool{}, changed: map[string]map[string]any{}}
		g.exceptions[id] = x
	}
	return x
}

// CancelOccurrence deletes the occurrence of series id planned on day (yyyy-mm-dd), as
// Outlook does: the series' instances leave it out from then on. The master keeps its
// changeKey.
func (g *GraphSource) CancelOccurrence(user, id, day string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.series(user, id).cancelled[day] = true
}

// ChangeOccurrence edits the occurrence of series id planned on day (yyyy-mm-dd) — a new
// start and end, another subject —: it becomes an instance of type exception with a
// changeKey of its own, which each further change renews. The master keeps its changeKey.
func (g *GraphSource) ChangeOccurrence(user, id, day string, fields map[string]any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	x := g.series(user, id)
	o := x.changed[day]
	if o == nil {
		g.next++
		o = map[string]any{"id": fmt.Sprintf("AAMkExc%04d", g.next)}
		x.changed[day] = o
	}
	maps.Copy(o, fields)
	var n int
	fmt.Sscanf(fmt.Sprint(o["changeKey"]), "CQAAAB"+fmt.Sprint(o["id"])+"-%d", &n)
	stamp(o, fmt.Sprint(o["id"]), n+1)
}

// SetPhoto gives a contact a photo, served at …/contacts/{id}/photo/$value.
func (g *GraphSource) SetPhoto(user, id string, data []byte, contentType string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, o := g.item(user, id); o == nil {
		g.t.Fatalf("graph source fake: no contact %s", id)
	}
	g.photos[id] = graphPhoto{data, contentType}
}

// Attach gives an event an attachment (https://learn.microsoft.com/graph/api/resources/attachment):
// kind is "file" (a fileAttachment, whose contentBytes is data), "item" (an
// itemAttachment: an Outlook message, contact or event) or "reference" (a
// referenceAttachment: a link to a cloud file). The event's hasAttachments becomes true.
func (g *GraphSource) Attach(user, eventID, kind, name, contentType string, data []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, o := g.item(user, eventID)
	if o == nil || c.path != "calendars" {
		g.t.Fatalf("graph source fake: no event %s", eventID)
	}
	g.next++
	a := map[string]any{"@odata.type": "#microsoft.graph." + kind + "Attachment", "id": fmt.Sprintf("AAMkAtt%04d", g.next), "name": name,
		"contentType": contentType, "size": len(data), "isInline": false, "lastModifiedDateTime": "2026-01-02T10:00:00Z"}
	if kind == "file" {
		a["contentBytes"] = base64.StdEncoding.EncodeToString(data)
	} else if kind != "item" && kind != "reference" {
		g.t.Fatalf("graph source fake: attachment kind %q", kind)
	}
	g.attachments[eventID] = append(g.attachments[eventID], graphAttachment{a, data})
	o["hasAttachments"] = true
}

// attachmentFields are the properties of Graph v1.0's attachment resource
// (https://learn.microsoft.com/graph/api/resources/attachment), what a $select of an
// event's attachments may name.
var attachmentFields = set("id", "name", "contentType", "size", "isInline", "lastModifiedDateTime")

// eventAttachments serves GET /users/{id}/events/{id}/attachments
// (https://learn.microsoft.com/graph/api/event-list-attachments), with $select of the
// attachment properties or in full (a fileAttachment's contentBytes too), and
// GET …/attachments/{id}/$value (https://learn.microsoft.com/graph/api/attachment-get):
// a file's bytes with its media type; a referenceAttachment's is 405.
func (g *GraphSource) eventAttachments(w http.ResponseWriter, r *http.Request, user string, p []string) {
	q := r.URL.Query()
	for k := range q {
		if k != "$select" && k != "$skiptoken" || len(p) != 5 {
			g.fail(w, "unexpected query parameter %s in %s", k, r.URL)
			return
		}
	}
	if c, o := g.item(user, p[3]); o == nil || c.path != "calendars" {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, http.StatusNotFound)
		return
	}
	all := g.attachments[p[3]]
	if len(p) == 7 && p[6] == "$value" {
		for _, a := range all {
			if a.json["id"] != p[5] {
				continue
			}
			if a.json["@odata.type"] == "#microsoft.graph.referenceAttachment" {
				http.Error(w, `{"error":{"code":"ErrorInvalidRequest","message":"The $value of a reference attachment is not supported."}}`, http.StatusMethodNotAllowed)
				return
			}
			w.Header().Set("Content-Type", fmt.Sprint(a.json["contentType"]))
			w.Write(a.data)
			return
		}
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, http.StatusNotFound)
		return
	}
	if len(p) != 5 {
		g.fail(w, "unexpected attachment path %s", r.URL.Path)
		return
	}
	var sel []string
	if v := q.Get("$select"); v != "" {
		sel = strings.Split(v, ",")
	}
	for _, f := range sel {
		if !attachmentFields[f] {
			g.fail(w, "$select of %q, not an attachment property", f)
			return
		}
	}
	g.Attachments++
	vals := []map[string]any{}
	for _, a := range all {
		v := a.json
		if sel != nil {
			v = map[string]any{"@odata.type": a.json["@odata.type"], "id": a.json["id"]}
			for _, f := range sel {
				v[f] = a.json[f]
			}
		}
		vals = append(vals, v)
	}
	g.page(w, r, vals)
}

func (g *GraphSource) fail(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	g.t.Errorf("graph source fake: %s", msg)
	http.Error(w, `{"error":{"code":"BadRequest","message":`+strconv.Quote(msg)+`}}`, http.StatusBadRequest)
}

func (g *GraphSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !readOnly(w, r, g.Authorize, `{"error":{"code":"InvalidAuthenticationToken"}}`, g.fail) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Gets++
	q := r.URL.Query()
	p := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1.0"), "/"), "/")
	if len(p) < 3 || p[0] != "users" {
		g.fail(w, "unexpected path %s", r.URL.Path)
		return
	}
	b := g.box(p[1])
	rest := strings.Join(p[2:], "/")
	if g.DenyToDo && p[2] == "todo" {
		reply(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})
		return
	}
	switch {
	case strings.HasSuffix(rest, "/photo/$value"):
		g.photo(w, r, p[1], rest)
		return
	case len(p) == 5 && p[2] == "events" && p[4] == "instances":
		g.instances(w, r, p[1], p[3])
		return
	case len(p) >= 5 && p[2] == "events" && p[4] == "attachments":
		g.eventAttachments(w, r, p[1], p)
		return
	}
	for k := range q {
		if k != "$skiptoken" {
			g.fail(w, "unexpected query parameter %s in %s", k, r.URL)
			return
		}
	}
	var vals []map[string]any
	switch rest {
	case "contactFolders", "calendars", "todo/lists":
		field := map[string]string{"calendars": "name"}[rest]
		if field == "" {
			field = "displayName"
		}
		for _, c := range b {
			if c.path == rest {
				vals = append(vals, map[string]any{"id": c.id, field: c.name})
			}
		}
		sortByID(vals)
	case "contacts":
		vals = b["contacts"].items
	default:
		i := strings.LastIndexByte(rest, '/')
		c := b[rest[:max(i, 0)]]
		want := map[string]string{"contactFolders": "contacts", "calendars": "events", "todo/lists": "tasks"}
		if c == nil || want[c.path] != rest[i+1:] {
			http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, http.StatusNotFound)
			return
		}
		if c.path == "calendars" && r.Header.Get("Prefer") != `outlook.timezone="UTC"` {
			g.fail(w, "events listed without Prefer: outlook.timezone=\"UTC\" (got %q)", r.Header.Get("Prefer"))
			return
		}
		vals = c.items
	}
	g.page(w, r, vals)
}

// page answers one page of vals; @odata.nextLink repeats the request's query with a
// $skiptoken.
func (g *GraphSource) page(w http.ResponseWriter, r *http.Request, vals []map[string]any) {
	q := r.URL.Query()
	from, _ := strconv.Atoi(q.Get("$skiptoken"))
	to := min(from+g.PageSize, len(vals))
	page := map[string]any{"value": vals[min(from, len(vals)):to]}
	if to < len(vals) {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q.Set("$skiptoken", strconv.Itoa(to))
		u.RawQuery = q.Encode()
		page["@odata.nextLink"] = u.String()
	}
	reply(w, http.StatusOK, page)
}

// photo serves GET /users/{id}/contacts/{id}/photo/$value and its contact folder form
// (https://learn.microsoft.com/graph/api/profilephoto-get): the image with its media
// type, or 404 when the contact has none.
func (g *GraphSource) photo(w http.ResponseWriter, r *http.Request, user, rest string) {
	if len(r.URL.Query()) != 0 {
		g.fail(w, "unexpected query in %s", r.URL)
		return
	}
	path := strings.Split(strings.TrimSuffix(rest, "/photo/$value"), "/")
	container, id := "contacts", path[len(path)-1]
	if len(path) == 4 && path[0] == "contactFolders" && path[2] == "contacts" {
		container = "contactFolders/" + path[1]
	} else if len(path) != 2 || path[0] != "contacts" {
		g.fail(w, "unexpected photo path %s", r.URL.Path)
		return
	}
	if c, o := g.item(user, id); o == nil || c != g.box(user)[container] {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}`, http.StatusNotFound)
		return
	}
	ph, ok := g.photos[id]
	if !ok {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound","message":"The photo wasn't found."}}`, http.StatusNotFound)
		return
	}
	g.Photos++
	w.Header().Set("Content-Type", ph.contentType)
	w.Write(ph.data)
}

// eventFields are the event properties of Graph v1.0's reference
// (https://learn.microsoft.com/graph/api/resources/event): a $select of any other fails.
var eventFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(`allowNewTimeProposals attendees body bodyPreview categories changeKey createdDateTime end
		hasAttachments hideAttendees iCalUId id importance isAllDay isCancelled isDraft isOnlineMeeting isOrganizer isReminderOn
		lastModifiedDateTime location locations onlineMeeting onlineMeetingProvider onlineMeetingUrl organizer originalEndTimeZone
		originalStart originalStartTimeZone recurrence reminderMinutesBeforeStart responseRequested responseStatus sensitivity
		seriesMasterId showAs start subject transactionId type webLink`) {
		m[f] = true
	}
	return m
}()

// instances serves GET /users/{id}/events/{id}/instances?startDateTime=&endDateTime=
// (https://learn.microsoft.com/graph/api/event-list-instances): the occurrences and
// exceptions of a series master starting in the window, cancelled ones left out, in UTC
// (Prefer: outlook.timezone="UTC" is required), with the $select'ed properties.
func (g *GraphSource) instances(w http.ResponseWriter, r *http.Request, user, id string) {
	q := r.URL.Query()
	for k := range q {
		if !map[string]bool{"startDateTime": true, "endDateTime": true, "$select": true, "$top": true, "$skiptoken": true}[k] {
			g.fail(w, "unexpected query parameter %s in %s", k, r.URL)
			return
		}
	}
	from, err1 := time.Parse(time.RFC3339, q.Get("startDateTime"))
	to, err2 := time.Parse(time.RFC3339, q.Get("endDateTime"))
	if err1 != nil || err2 != nil || !to.After(from) {
		g.fail(w, "instances need startDateTime and endDateTime (ISO 8601): %s", r.URL)
		return
	}
	if r.Header.Get("Prefer") != `outlook.timezone="UTC"` {
		g.fail(w, "instances listed without Prefer: outlook.timezone=\"UTC\" (got %q)", r.Header.Get("Prefer"))
		return
	}
	var sel []string
	if v := q.Get("$select"); v != "" {
		sel = strings.Split(v, ",")
	}
	for _, f := range sel {
		if !eventFields[f] {
			g.fail(w, "$select of %q, not an event property", f)
			return
		}
	}
	_, master := g.item(user, id)
	if master == nil || master["recurrence"] == nil {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, http.StatusNotFound)
		return
	}
	x := g.exceptions[id]
	if x == nil {
		x = &graphExceptions{}
	}
	start, end := fakeTime(master["start"]), fakeTime(master["end"])
	loc := seriesZone(master)
	var vals []map[string]any
	for _, at := range planned(master, start, to) {
		day := at.In(loc).Format("2006-01-02")
		if x.cancelled[day] {
			continue
		}
		in := map[string]any{}
		for k, v := range master {
			if k != "recurrence" && k != "iCalUId" {
				in[k] = v
			}
		}
		stamp(in, id+"-"+day, 1)
		in["id"], in["type"], in["seriesMasterId"] = id+"-"+day, "occurrence", id
		in["originalStart"] = at.Format("2006-01-02T15:04:05Z")
		in["start"], in["end"] = fakeDateTime(at), fakeDateTime(at.Add(end.Sub(start)))
		if c := x.changed[day]; c != nil {
			maps.Copy(in, c)
			in["type"] = "exception"
		}
		if s := fakeTime(in["start"]); s.Before(from) || !s.Before(to) {
			continue
		}
		if sel != nil {
			kept := map[string]any{"id": in["id"], "@odata.etag": in["@odata.etag"]}
			for _, f := range sel {
				if v, ok := in[f]; ok {
					kept[f] = v
				}
			}
			in = kept
		}
		vals = append(vals, in)
	}
	g.page(w, r, vals)
}

func fakeTime(v any) time.Time {
	m, _ := v.(map[string]any)
	s := fmt.Sprint(m["dateTime"])
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	t, _ := time.Parse("2006-01-02T15:04:05", s)
	return t
}

func fakeDateTime(t time.Time) map[string]any {
	return map[string]any{"dateTime": t.Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
}

// fakeZones are the Windows time zone names the fake knows (Exchange knows them all);
// an IANA name is looked up, any other is UTC.
var fakeZones = map[string]string{"W. Europe Standard Time": "Europe/Berlin", "Eastern Standard Time": "America/New_York",
	"AUS Eastern Standard Time": "Australia/Sydney", "India Standard Time": "Asia/Kolkata"}

// seriesZone is where a series repeats: its recurrenceTimeZone, else the event's
// originalStartTimeZone (https://learn.microsoft.com/graph/api/resources/recurrencerange).
func seriesZone(master map[string]any) *time.Location {
	rec, _ := master["recurrence"].(map[string]any)
	rng, _ := rec["range"].(map[string]any)
	name, _ := rng["recurrenceTimeZone"].(string)
	if name == "" {
		name, _ = master["originalStartTimeZone"].(string)
	}
	if iana, ok := fakeZones[name]; ok {
		name = iana
	}
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// planned expands a master's patternedRecurrence
// (https://learn.microsoft.com/graph/api/resources/patternedrecurrence) day by day, up to
// until: the planned starts (UTC), at the master's wall-clock time of day in the series'
// zone, so a 09:00 Berlin meeting is at 08:00Z in winter and 07:00Z in summer.
func planned(master map[string]any, start, until time.Time) []time.Time {
	rec, _ := master["recurrence"].(map[string]any)
	pat, _ := rec["pattern"].(map[string]any)
	rng, _ := rec["range"].(map[string]any)
	interval := max(toInt(pat["interval"]), 1)
	days := map[time.Weekday]bool{}
	if ds, ok := pat["daysOfWeek"].([]any); ok {
		for _, d := range ds {
			for wd := time.Sunday; wd <= time.Saturday; wd++ {
				if strings.EqualFold(wd.String(), fmt.Sprint(d)) {
					days[wd] = true
				}
			}
		}
	}
	first, _ := time.Parse("2006-01-02", fmt.Sprint(rng["startDate"]))
	last := until
	if rng["type"] == "endDate" {
		last, _ = time.Parse("2006-01-02", fmt.Sprint(rng["endDate"]))
	}
	count := -1
	if rng["type"] == "numbered" {
		count = toInt(rng["numberOfOccurrences"])
	}
	index := map[string]int{"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}[fmt.Sprint(pat["index"])]
	inIndex := func(d time.Time) bool {
		if index < 0 {
			return d.AddDate(0, 0, 7).Month() != d.Month()
		}
		return (d.Day()-1)/7 == index
	}
	months := func(d time.Time) int { return (d.Year()-first.Year())*12 + int(d.Month()-first.Month()) }
	var out []time.Time
	loc := seriesZone(master)
	local := start.In(loc)
	for d := first; !d.After(last) && d.Before(until) && count != 0; d = d.AddDate(0, 0, 1) {
		ok := false
		switch pat["type"] {
		case "daily":
			ok = int(d.Sub(first).Hours()/24)%interval == 0
		case "weekly":
			monday := func(t time.Time) time.Time { return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) }
			ok = days[d.Weekday()] && int(monday(d).Sub(monday(first)).Hours()/24/7)%interval == 0
		case "absoluteMonthly":
			ok = d.Day() == toInt(pat["dayOfMonth"]) && months(d)%interval == 0
		case "relativeMonthly":
			ok = days[d.Weekday()] && inIndex(d) && months(d)%interval == 0
		case "absoluteYearly":
			ok = int(d.Month()) == toInt(pat["month"]) && d.Day() == toInt(pat["dayOfMonth"])
		case "relativeYearly":
			ok = int(d.Month()) == toInt(pat["month"]) && days[d.Weekday()] && inIndex(d)
		}
		if ok {
			out = append(out, time.Date(d.Year(), d.Month(), d.Day(), local.Hour(), local.Minute(), local.Second(), 0, loc).UTC())
			count--
		}
	}
	return out
}

// toInt reads a number of an item as Add got it (Go values) or as JSON decodes it.
func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return 0
}

func sortByID(vals []map[string]any) {
	for i := 1; i < len(vals); i++ {
		for j := i; j > 0 && fmt.Sprint(vals[j]["id"]) < fmt.Sprint(vals[j-1]["id"]); j-- {
			vals[j], vals[j-1] = vals[j-1], vals[j]
		}
	}
}

// readOnly lets a request through to a source fake when its bearer token is accepted
// and it only reads; otherwise it answers (401, or the failure of the test) and says no.
func readOnly(w http.ResponseWriter, r *http.Request, authorize func(string) bool, unauthorized string, fail func(http.ResponseWriter, string, ...any)) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || (authorize != nil && !authorize(tok)) {
		http.Error(w, unauthorized, http.StatusUnauthorized)
		return false
	}
	if r.Method != http.MethodGet {
		fail(w, "%s %s: the source is only read", r.Method, r.URL.Path)
		return false
	}
	return true
}
