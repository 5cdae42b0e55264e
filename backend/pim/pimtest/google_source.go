package pimtest

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// GoogleSource is a fake of Google's People, Calendar and Tasks APIs as a source: it
// serves the reads Cutover makes (people/me/connections, calendarList and events, task
// lists and tasks) with Google's payloads and pages them with nextPageToken. Any request
// but GET fails the test (a source is never written), and so does a connections listing
// without personFields or an events listing without singleEvents=false (which would
// expand series and lose their recurrence).
type GoogleSource struct {
	PeopleBase, CalendarBase, TasksBase string
	PageSize                            int // entries per page (2 unless set)
	// Authorize, when set, decides whether a bearer token opens the fake.
	Authorize func(token string) bool

	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	next   int
	people []map[string]any
	cals   []*googleColl
	lists  []*googleColl
	// Gets counts the GET requests.
	Gets int
}

type googleColl struct {
	id, name string
	items    []map[string]any
}

// NewGoogleSource starts the fake for a test.
func NewGoogleSource(t testing.TB) *GoogleSource {
	g := &GoogleSource{t: t, PageSize: 2}
	g.srv = httptest.NewServer(g)
	g.PeopleBase, g.CalendarBase, g.TasksBase = g.srv.URL+"/people/v1", g.srv.URL+"/calendar/v3", g.srv.URL+"/tasks/v1"
	t.Cleanup(g.srv.Close)
	return g
}

func (g *GoogleSource) stamp(o map[string]any, n int) {
	o["etag"] = fmt.Sprintf(`"%s-%d"`, o["id"], n)
}

// AddPerson adds a connection (a People API person without resourceName) and returns
// its resource name.
func (g *GoogleSource) AddPerson(p map[string]any) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	o := maps.Clone(p)
	o["resourceName"] = fmt.Sprintf("people/c%d", 7000+g.next)
	o["id"] = o["resourceName"]
	g.stamp(o, 1)
	g.people = append(g.people, o)
	return o["resourceName"].(string)
}

// AddCalendar adds a calendar to the calendar list; AddList a task list. Both return
// the new ID.
func (g *GoogleSource) AddCalendar(summary string) string {
	return g.addColl(&g.cals, summary)
}

func (g *GoogleSource) AddList(title string) string { return g.addColl(&g.lists, title) }

func (g *GoogleSource) addColl(to *[]*googleColl, name string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	id := fmt.Sprintf("c%d", g.next)
	*to = append(*to, &googleColl{id: id, name: name})
	return id
}

// AddEvent adds an event (Calendar API JSON; an override carries recurringEventId and
// originalStartTime) and returns its ID; AddTask adds a task.
func (g *GoogleSource) AddEvent(cal string, ev map[string]any) string { return g.add(g.cals, cal, ev) }

func (g *GoogleSource) AddTask(list string, task map[string]any) string {
	return g.add(g.lists, list, task)
}

func (g *GoogleSource) add(colls []*googleColl, id string, item map[string]any) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range colls {
		if c.id == id {
			g.next++
			o := maps.Clone(item)
			if o["id"] == nil {
				o["id"] = fmt.Sprintf("i%d", g.next)
			}
			g.stamp(o, 1)
			c.items = append(c.items, o)
			return o["id"].(string)
		}
	}
	g.t.Fatalf("google source fake: no collection %s", id)
	return ""
}

// Change updates an event, task or person's fields and its etag, as an edit does.
func (g *GoogleSource) Change(id string, fields map[string]any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	all := append([]map[string]any{}, g.people...)
	for _, c := range append(append([]*googleColl{}, g.cals...), g.lists...) {
		all = append(all, c.items...)
	}
	for _, o := range all {
		if o["id"] == id {
			maps.Copy(o, fields)
			var n int
			fmt.Sscanf(strings.TrimPrefix(fmt.Sprint(o["etag"]), `"`+id+"-"), "%d", &n)
			g.stamp(o, n+1)
			return
		}
	}
	g.t.Fatalf("google source fake: no item %s", id)
}

func (g *GoogleSource) fail(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	g.t.Errorf("google source fake: %s", msg)
	http.Error(w, `{"error":{"code":400,"message":`+strconv.Quote(msg)+`}}`, http.StatusBadRequest)
}

func (g *GoogleSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !readOnly(w, r, g.Authorize, `{"error":{"code":401}}`, g.fail) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Gets++
	q := r.URL.Query()
	path := r.URL.Path
	field := "items"
	var vals []map[string]any
	strip := func(o map[string]any) map[string]any {
		c := maps.Clone(o)
		if strings.HasPrefix(path, "/people/") {
			delete(c, "id")
		}
		return c
	}
	switch {
	case path == "/people/v1/people/me/connections":
		if q.Get("personFields") == "" {
			g.fail(w, "connections without personFields (the People API refuses it)")
			return
		}
		field, vals = "connections", g.people
	case path == "/calendar/v3/users/me/calendarList":
		for _, c := range g.cals {
			vals = append(vals, map[string]any{"id": c.id, "summary": c.name, "accessRole": "owner"})
		}
	case path == "/tasks/v1/users/@me/lists":
		for _, c := range g.lists {
			vals = append(vals, map[string]any{"id": c.id, "title": c.name})
		}
	case strings.HasPrefix(path, "/calendar/v3/calendars/") && strings.HasSuffix(path, "/events"):
		if q.Get("singleEvents") != "false" {
			g.fail(w, "events listed without singleEvents=false: series would be expanded")
			return
		}
		c := g.find(g.cals, strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/v3/calendars/"), "/events"))
		if c == nil {
			http.Error(w, `{"error":{"code":404}}`, http.StatusNotFound)
			return
		}
		vals = c.items
	case strings.HasPrefix(path, "/tasks/v1/lists/") && strings.HasSuffix(path, "/tasks"):
		if q.Get("showCompleted") != "true" || q.Get("showHidden") != "true" {
			g.fail(w, "tasks listed without showCompleted=true&showHidden=true: completed tasks would be left out")
			return
		}
		c := g.find(g.lists, strings.TrimSuffix(strings.TrimPrefix(path, "/tasks/v1/lists/"), "/tasks"))
		if c == nil {
			http.Error(w, `{"error":{"code":404}}`, http.StatusNotFound)
			return
		}
		vals = c.items
	default:
		g.fail(w, "unexpected GET %s", r.URL)
		return
	}
	from, _ := strconv.Atoi(q.Get("pageToken"))
	to := min(from+g.PageSize, len(vals))
	out := []map[string]any{}
	for _, v := range vals[min(from, len(vals)):to] {
		out = append(out, strip(v))
	}
	page := map[string]any{field: out}
	if to < len(vals) {
		page["nextPageToken"] = strconv.Itoa(to)
	}
	reply(w, http.StatusOK, page)
}

func (g *GoogleSource) find(colls []*googleColl, id string) *googleColl {
	for _, c := range colls {
		if c.id == id {
			return c
		}
	}
	return nil
}
