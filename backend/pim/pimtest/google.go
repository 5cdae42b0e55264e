package pimtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Google is a fake of the Calendar API v3, Tasks API v1 and People API v1 endpoints
// Cutover writes through (the People API's in people.go). Requests are checked against the documented resources
// (https://developers.google.com/calendar/api/v3/reference/events,
// https://developers.google.com/tasks/reference/rest/v1/tasks); any request that would
// email attendees (events.insert or update with attendees, sendUpdates other than
// "none") fails the test. events.import with an iCalUID already in the calendar updates
// that event, as Google does.
type Google struct {
	CalendarBase, TasksBase, PeopleBase string

	t      testing.TB
	mu     sync.Mutex
	srv    *httptest.Server
	next   int
	cals   map[string]string                    // id → summary
	lists  map[string]string                    // id → title
	events map[string]map[string]map[string]any // calendar → iCalUID/originalStart → event
	tasks  map[string]map[string]map[string]any // list → id → task
	people map[string]map[string]any            // resource name → person
	order  []string                             // resource names, as created
	groups map[string]string                    // user contact group ID → name
	gdata  map[string][]any                     // user contact group ID → its clientData
	photos map[string][]byte                    // resource name → photo
	// Creates, Updates, GroupCreates and MemberAdds count people.createContact,
	// people.updateContact, contactGroups.create and the resource names
	// contactGroups.members.modify was asked to add; PeopleWrites every People API
	// request but GETs.
	Creates, Updates, GroupCreates, MemberAdds, PeopleWrites int
	// Throttle: the next Throttle People API writes are answered 429
	// RESOURCE_EXHAUSTED with Retry-After: 7.
	Throttle int
	// RefusePhotos answers updateContactPhoto 400 INVALID_ARGUMENT.
	RefusePhotos bool
	// PeoplePage is the entries per page of the People API's lists (2 unless set).
	PeoplePage int
	// Imports counts events.import requests.
	Imports int
	// Authorize, when set, decides whether a bearer token opens the fake; otherwise any
	// bearer token does.
	Authorize func(token string) bool
	// Scoped, when set, decides whether an accepted token holds the API's scope; one
	// that does not is answered 403 with WWW-Authenticate error="insufficient_scope",
	// as Google does.
	Scoped func(token string) bool
}

var (
	googleEventProps = set("iCalUID", "summary", "description", "location", "start", "end", "recurrence", "originalStartTime",
		"organizer", "attendees", "reminders", "transparency", "visibility", "attachments", "colorId", "status")
	googleTaskProps = set("title", "notes", "status", "due", "completed")
)

// NewGoogle starts the fake for a test.
func NewGoogle(t testing.TB) *Google {
	g := &Google{t: t, cals: map[string]string{}, lists: map[string]string{}, events: map[string]map[string]map[string]any{}, tasks: map[string]map[string]map[string]any{},
		people: map[string]map[string]any{}, groups: map[string]string{}, gdata: map[string][]any{}, photos: map[string][]byte{}}
	g.srv = httptest.NewServer(g)
	g.CalendarBase, g.TasksBase, g.PeopleBase = g.srv.URL+"/calendar/v3", g.srv.URL+"/tasks/v1", g.srv.URL+"/people/v1"
	t.Cleanup(g.srv.Close)
	return g
}

func (g *Google) fail(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	g.t.Errorf("google fake: %s", msg)
	http.Error(w, fmt.Sprintf(`{"error":{"code":400,"message":%q}}`, msg), http.StatusBadRequest)
}

// Events returns the events of every calendar (exceptions included).
func (g *Google) Events() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []map[string]any
	for _, c := range g.events {
		for _, e := range c {
			out = append(out, e)
		}
	}
	return out
}

// Tasks returns every task.
func (g *Google) Tasks() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []map[string]any
	for _, l := range g.tasks {
		for _, t := range l {
			out = append(out, t)
		}
	}
	return out
}

func (g *Google) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || (g.Authorize != nil && !g.Authorize(tok)) {
		http.Error(w, `{"error":{"code":401}}`, http.StatusUnauthorized)
		return
	}
	if g.Scoped != nil && !g.Scoped(tok) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="insufficient_scope"`)
		http.Error(w, `{"error":{"code":403,"message":"Request had insufficient authentication scopes."}}`, http.StatusForbidden)
		return
	}
	if s := r.URL.Query().Get("sendUpdates"); (s != "" && s != "none") || r.URL.Query().Get("sendNotifications") == "true" {
		g.fail(w, "%s %s would email attendees", r.Method, r.URL)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var body map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			g.fail(w, "%s %s: body is not JSON", r.Method, r.URL.Path)
			return
		}
	}
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	path := strings.Join(p, "/")
	if rest, ok := strings.CutPrefix(path, "people/v1/"); ok {
		g.servePeople(w, r, rest, body)
		return
	}
	switch {
	case path == "calendar/v3/users/me/calendarList" && r.Method == http.MethodGet:
		listNamed(w, g.cals, "summary")
	case path == "calendar/v3/calendars" && r.Method == http.MethodPost:
		g.events[g.createNamed(w, g.cals, "cal%d@group.calendar.google.com", "summary", body)] = map[string]map[string]any{}
	case len(p) == 6 && p[2] == "calendars" && p[4] == "events" && p[5] == "import" && r.Method == http.MethodPost:
		g.importEvent(w, p[3], body)
	case len(p) == 5 && p[2] == "calendars" && p[4] == "events" && r.Method == http.MethodPost:
		if a, ok := body["attendees"].([]any); ok && len(a) > 0 {
			g.fail(w, "events.insert with attendees: Google would email them")
			return
		}
		g.fail(w, "events.insert: Cutover imports events (events.import keeps the UID)")
	case len(p) == 5 && p[2] == "calendars" && p[4] == "events" && r.Method == http.MethodGet:
		var items []any
		for _, e := range g.events[p[3]] {
			items = append(items, e)
		}
		reply(w, 200, map[string]any{"items": items})
	case path == "tasks/v1/users/@me/lists" && r.Method == http.MethodGet:
		listNamed(w, g.lists, "title")
	case path == "tasks/v1/users/@me/lists" && r.Method == http.MethodPost:
		g.tasks[g.createNamed(w, g.lists, "list%d", "title", body)] = map[string]map[string]any{}
	case len(p) == 5 && p[2] == "lists" && p[4] == "tasks" && r.Method == http.MethodGet:
		var items []any
		for _, t := range g.tasks[p[3]] {
			items = append(items, t)
		}
		reply(w, 200, map[string]any{"items": items})
	case len(p) >= 5 && p[2] == "lists" && p[4] == "tasks" && (r.Method == http.MethodPost || r.Method == http.MethodPatch):
		g.writeTask(w, p, body)
	default:
		g.fail(w, "unexpected %s %s", r.Method, r.URL.Path)
	}
}

// listNamed answers a list of calendars or task lists.
func listNamed(w http.ResponseWriter, named map[string]string, field string) {
	var items []any
	for id, s := range named {
		items = append(items, map[string]any{"id": id, field: s})
	}
	reply(w, 200, map[string]any{"items": items})
}

// createNamed creates a calendar or task list and answers it; it returns its ID.
func (g *Google) createNamed(w http.ResponseWriter, named map[string]string, idFormat, field string, body map[string]any) string {
	g.next++
	id := fmt.Sprintf(idFormat, g.next)
	named[id] = fmt.Sprint(body[field])
	reply(w, 200, map[string]any{"id": id, field: body[field]})
	return id
}

func (g *Google) checkWhen(w http.ResponseWriter, field string, v any) bool {
	m, _ := v.(map[string]any)
	_, date := m["date"]
	dt, hasDT := m["dateTime"].(string)
	switch {
	case date && !hasDT && len(m) == 1:
		return true
	case hasDT && !date:
		if tz, ok := m["timeZone"].(string); ok {
			if _, err := time.LoadLocation(tz); err != nil {
				g.fail(w, "%s.timeZone %q is not an IANA time zone", field, tz)
				return false
			}
			if _, err := time.Parse("2006-01-02T15:04:05", dt); err == nil {
				return true
			}
		}
		if _, err := time.Parse(time.RFC3339, dt); err == nil {
			return true
		}
	}
	g.fail(w, "%s %v: want {date} or {dateTime, timeZone}", field, v)
	return false
}

func (g *Google) importEvent(w http.ResponseWriter, cal string, body map[string]any) {
	if _, ok := g.events[cal]; !ok {
		http.Error(w, `{"error":{"code":404}}`, 404)
		return
	}
	for k := range body {
		if !googleEventProps[k] {
			g.fail(w, "event property %q is not documented", k)
			return
		}
	}
	uid, _ := body["iCalUID"].(string)
	if uid == "" {
		g.fail(w, "events.import without iCalUID")
		return
	}
	if !g.checkWhen(w, "start", body["start"]) || !g.checkWhen(w, "end", body["end"]) {
		return
	}
	if rec, ok := body["recurrence"].([]any); ok {
		for _, l := range rec {
			s := fmt.Sprint(l)
			if !strings.HasPrefix(s, "RRULE:") && !strings.HasPrefix(s, "EXDATE") && !strings.HasPrefix(s, "RDATE") {
				g.fail(w, "recurrence line %q", s)
				return
			}
			if i := strings.Index(s, "TZID="); i >= 0 {
				tz := s[i+5 : strings.Index(s, ":")]
				if _, err := time.LoadLocation(tz); err != nil {
					g.fail(w, "recurrence line %q: TZID is not an IANA time zone", s)
					return
				}
			}
		}
	}
	g.Imports++
	key := uid
	if o, ok := body["originalStartTime"]; ok {
		if !g.checkWhen(w, "originalStartTime", o) {
			return
		}
		key += fmt.Sprint(o)
	}
	e, ok := g.events[cal][key]
	if !ok {
		g.next++
		e = map[string]any{"id": fmt.Sprintf("ev%d", g.next)}
		g.events[cal][key] = e
	}
	for k, v := range body {
		e[k] = v
	}
	if _, ok := body["originalStartTime"]; ok {
		e["recurringEventId"] = g.events[cal][uid]["id"]
	}
	e["etag"] = fmt.Sprintf(`"%d"`, g.next)
	reply(w, 200, e)
}

func (g *Google) writeTask(w http.ResponseWriter, p []string, body map[string]any) {
	list := g.tasks[p[3]]
	if list == nil {
		http.Error(w, `{"error":{"code":404}}`, 404)
		return
	}
	for k, v := range body {
		if !googleTaskProps[k] {
			g.fail(w, "task property %q is not documented", k)
			return
		}
		if k == "due" || k == "completed" {
			if _, err := time.Parse(time.RFC3339, fmt.Sprint(v)); err != nil {
				g.fail(w, "task %s %v is not RFC 3339", k, v)
				return
			}
		}
	}
	if s := fmt.Sprint(body["status"]); s != "needsAction" && s != "completed" {
		g.fail(w, "task status %q", s)
		return
	}
	var t map[string]any
	if len(p) == 6 {
		if t = list[p[5]]; t == nil {
			http.Error(w, `{"error":{"code":404}}`, 404)
			return
		}
	} else {
		g.next++
		t = map[string]any{"id": fmt.Sprintf("task%d", g.next)}
		list[t["id"].(string)] = t
	}
	for k, v := range body {
		t[k] = v
	}
	t["etag"] = fmt.Sprintf(`"%d"`, g.next)
	reply(w, 200, t)
}
