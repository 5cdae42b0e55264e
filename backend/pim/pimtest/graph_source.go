package pimtest

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// GraphSource is a fake of Microsoft Graph v1.0 as a source of contacts, calendars and
// To Do tasks: it serves the reads Cutover makes (contact folders and contacts,
// calendars and events, To Do lists and tasks) with Graph's payloads and pages them with
// @odata.nextLink. Any request but GET fails the test (a source is never written), and so
// does an events listing without Prefer: outlook.timezone="UTC" or a query parameter
// Cutover does not send.
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
	// Gets counts the GET requests.
	Gets int
}

type graphContainer struct {
	path, id, name string
	items          []map[string]any
}

// NewGraphSource starts the fake for a test.
func NewGraphSource(t testing.TB) *GraphSource {
	g := &GraphSource{t: t, PageSize: 2, boxes: map[string]map[string]*graphContainer{}}
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
// @odata.etag as Graph gives them.
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
	for k := range q {
		if k != "$skiptoken" {
			g.fail(w, "unexpected query parameter %s in %s", k, r.URL)
			return
		}
	}
	p := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1.0"), "/"), "/")
	if len(p) < 3 || p[0] != "users" {
		g.fail(w, "unexpected path %s", r.URL.Path)
		return
	}
	b := g.box(p[1])
	rest := strings.Join(p[2:], "/")
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
	from, _ := strconv.Atoi(q.Get("$skiptoken"))
	to := min(from+g.PageSize, len(vals))
	page := map[string]any{"value": vals[min(from, len(vals)):to]}
	if to < len(vals) {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		u.RawQuery = url.Values{"$skiptoken": {strconv.Itoa(to)}}.Encode()
		page["@odata.nextLink"] = u.String()
	}
	reply(w, http.StatusOK, page)
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
