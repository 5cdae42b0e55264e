package pimtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Graph is a fake of the Microsoft Graph v1.0 endpoints Cutover writes contacts,
// calendars and tasks through. Every request is checked against the documented shape of
// its resource (https://learn.microsoft.com/graph/api/resources/{contact,event,todotask});
// a property Graph does not document, or an event carrying attendees (which would make
// Graph email invitations), fails the test.
type Graph struct {
	URL string // base, like https://graph.microsoft.com/v1.0

	t       testing.TB
	mu      sync.Mutex
	srv     *httptest.Server
	nextID  int
	folders map[string]map[string]any // id → container ({"kind", "displayName"/"name"})
	objects map[string]map[string]any // id → resource, with "_parent", "_kind"
	photos  map[string][]byte
	// Requests counts requests by "METHOD kind".
	Requests map[string]int
	// Authorize, when set, decides whether a bearer token opens the fake (tests check
	// that only the token asked for Graph reaches it); otherwise any bearer token does.
	Authorize func(token string) bool
	// Users counts requests by the mailbox of their path (/users/{id}/...).
	Users map[string]int
	// DenyToDo answers 403 on the To Do lists, as Graph does to an app registration
	// without the Tasks.ReadWrite.All application permission.
	DenyToDo bool
}

var (
	eventProps = set("subject", "body", "start", "end", "isAllDay", "location", "categories", "showAs", "sensitivity",
		"isReminderOn", "reminderMinutesBeforeStart", "recurrence", "singleValueExtendedProperties", "importance", "transactionId")
	contactProps = set("displayName", "givenName", "surname", "middleName", "title", "generation", "companyName", "department",
		"jobTitle", "personalNotes", "categories", "emailAddresses", "mobilePhone", "businessPhones", "homePhones",
		"businessAddress", "homeAddress", "otherAddress", "birthday", "singleValueExtendedProperties", "nickName")
	taskProps = set("title", "status", "body", "dueDateTime", "completedDateTime", "importance", "linkedResources", "reminderDateTime", "isReminderOn")
	dateTime  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$`)
	uidFilter = regexp.MustCompile(`ep/value eq '((?:[^']|'')*)'`)
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// NewGraph starts the fake for a test.
func NewGraph(t testing.TB) *Graph {
	g := &Graph{t: t, folders: map[string]map[string]any{}, objects: map[string]map[string]any{}, photos: map[string][]byte{}, Requests: map[string]int{}, Users: map[string]int{}}
	g.srv = httptest.NewServer(g)
	g.URL = g.srv.URL + "/v1.0"
	t.Cleanup(g.srv.Close)
	return g
}

func (g *Graph) id(prefix string) string {
	g.nextID++
	return fmt.Sprintf("%s-%04d", prefix, g.nextID)
}

func (g *Graph) fail(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	g.t.Errorf("graph fake: %s", msg)
	http.Error(w, `{"error":{"code":"BadRequest","message":`+fmt.Sprintf("%q", msg)+`}}`, http.StatusBadRequest)
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// Objects returns copies of the stored resources of a kind ("contact", "event", "task",
// "exception").
func (g *Graph) Objects(kind string) []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []map[string]any
	for _, o := range g.objects {
		if o["_kind"] == kind {
			out = append(out, o)
		}
	}
	return out
}

// Photo returns a contact's uploaded photo.
func (g *Graph) Photo(id string) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.photos[id]
}

func (g *Graph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || (g.Authorize != nil && !g.Authorize(tok)) {
		http.Error(w, `{"error":{"code":"InvalidAuthenticationToken"}}`, http.StatusUnauthorized)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1.0"), "/"), "/")
	if len(p) < 3 || p[0] != "users" {
		g.fail(w, "unexpected path %s", r.URL.Path)
		return
	}
	g.Users[p[1]]++
	if g.DenyToDo && p[2] == "todo" {
		g.Requests[r.Method+" todo (denied)"]++
		reply(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})
		return
	}
	rest := p[2:]
	if rest[0] == "todo" {
		rest = append([]string{"todo/lists"}, rest[2:]...)
	}
	kind := rest[0]
	g.Requests[r.Method+" "+strings.Join(rest[:min(len(rest), 1)], "")+"/"+last(rest)]++
	var body map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			g.fail(w, "%s %s without a JSON body", r.Method, r.URL.Path)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			g.fail(w, "%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
			return
		}
	}
	switch {
	case len(rest) == 1 && r.Method == http.MethodGet: // containers
		var vals []any
		for id, f := range g.folders {
			if f["_kind"] == kind {
				vals = append(vals, merge(f, map[string]any{"id": id}))
			}
		}
		reply(w, 200, map[string]any{"value": vals})
	case len(rest) == 1 && r.Method == http.MethodPost:
		field := "displayName"
		if kind == "calendars" {
			field = "name"
		}
		if n, _ := body[field].(string); n == "" || len(body) != 1 {
			g.fail(w, "POST %s: want only %q, got %v", kind, field, body)
			return
		}
		id := g.id(kind[:3])
		g.folders[id] = merge(body, map[string]any{"_kind": kind})
		reply(w, 201, merge(body, map[string]any{"id": id}))
	case kind == "events" && len(rest) == 3 && rest[2] == "instances":
		g.instances(w, r, rest[1])
	case kind == "events" && len(rest) == 3 && rest[2] == "attachments" && r.Method == http.MethodPost:
		g.attach(w, rest[1], body)
	case len(rest) == 3 && r.Method == http.MethodGet: // items of a container
		g.listItems(w, r, rest[1], rest[2])
	case len(rest) == 3 && r.Method == http.MethodPost:
		g.create(w, rest[1], rest[2], body)
	case (kind == "events" || kind == "contacts") && len(rest) == 2, kind == "todo/lists" && len(rest) == 4:
		g.item(w, r, last(rest), body)
	case kind == "contacts" && len(rest) == 4 && rest[2] == "photo" && r.Method == http.MethodPut:
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "image/") {
			g.fail(w, "photo without an image content type")
			return
		}
		b, _ := io.ReadAll(r.Body)
		g.photos[rest[1]] = b
		w.WriteHeader(200)
	default:
		g.fail(w, "unexpected %s %s", r.Method, r.URL.Path)
	}
}

func last(s []string) string { return s[len(s)-1] }

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// check validates a resource's JSON against its documented properties.
func (g *Graph) check(w http.ResponseWriter, what string, body map[string]any) bool {
	allowed := map[string]map[string]bool{"events": eventProps, "contacts": contactProps, "tasks": taskProps}[what]
	for k := range body {
		if !allowed[k] {
			g.fail(w, "%s: property %q is not a documented writable property", what, k)
			return false
		}
	}
	if what == "events" {
		if a, ok := body["attendees"].([]any); ok && len(a) > 0 {
			g.fail(w, "event %q has attendees: Graph would email them invitations", body["subject"])
			return false
		}
		for _, f := range []string{"start", "end"} {
			if v, ok := body[f]; ok {
				m, _ := v.(map[string]any)
				dt, _ := m["dateTime"].(string)
				tz, _ := m["timeZone"].(string)
				if !dateTime.MatchString(dt) || tz == "" || len(m) != 2 {
					g.fail(w, "event %s %v: want {dateTime: yyyy-mm-ddThh:mm:ss, timeZone}", f, v)
					return false
				}
			}
		}
		if rec, ok := body["recurrence"].(map[string]any); ok {
			pat, _ := rec["pattern"].(map[string]any)
			rng, _ := rec["range"].(map[string]any)
			if !set("daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly")[fmt.Sprint(pat["type"])] ||
				!set("endDate", "noEnd", "numbered")[fmt.Sprint(rng["type"])] || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(fmt.Sprint(rng["startDate"])) {
				g.fail(w, "event recurrence %v is not a patternedRecurrence", rec)
				return false
			}
		}
	}
	if what == "tasks" {
		if !set("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred")[fmt.Sprint(body["status"])] {
			g.fail(w, "task status %v", body["status"])
			return false
		}
	}
	return true
}

func kindOf(what string) string {
	return map[string]string{"events": "event", "contacts": "contact", "tasks": "task"}[what]
}

func (g *Graph) create(w http.ResponseWriter, parent, what string, body map[string]any) {
	if _, ok := g.folders[parent]; !ok {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, 404)
		return
	}
	if !g.check(w, what, body) {
		return
	}
	id := g.id(what[:3])
	o := merge(body, map[string]any{"id": id, "_parent": parent, "_kind": kindOf(what), "@odata.etag": fmt.Sprintf(`W/"%s-1"`, id)})
	g.objects[id] = o
	reply(w, 201, o)
}

// attach takes a fileAttachment (https://learn.microsoft.com/graph/api/event-post-attachments).
func (g *Graph) attach(w http.ResponseWriter, id string, body map[string]any) {
	o, ok := g.objects[id]
	if !ok {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, 404)
		return
	}
	data, err := base64.StdEncoding.DecodeString(fmt.Sprint(body["contentBytes"]))
	if body["@odata.type"] != "#microsoft.graph.fileAttachment" || fmt.Sprint(body["name"]) == "" || err != nil || len(data) == 0 || len(body) != 4 {
		g.fail(w, "attachment %v is not a fileAttachment with name, contentType and base64 contentBytes", body)
		return
	}
	if len(data) > 3<<20 {
		http.Error(w, `{"error":{"code":"ErrorAttachmentSizeLimitExceeded","message":"over 3 MB: use an upload session"}}`, http.StatusRequestEntityTooLarge)
		return
	}
	files, _ := o["_attachments"].([]string)
	o["_attachments"] = append(files, fmt.Sprint(body["name"]))
	w.WriteHeader(201)
}

func (g *Graph) item(w http.ResponseWriter, r *http.Request, id string, body map[string]any) {
	o, ok := g.objects[id]
	if !ok {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, 404)
		return
	}
	switch r.Method {
	case http.MethodGet:
		reply(w, 200, o)
	case http.MethodDelete:
		if o["_kind"] != "occurrence" && o["_kind"] != "exception" {
			g.fail(w, "DELETE of %s %s: Cutover deletes nothing but cancelled instances of its own series", o["_kind"], id)
			return
		}
		o["_kind"] = "cancelled"
		w.WriteHeader(204)
	case http.MethodPatch:
		if m := r.Header.Get("If-Match"); m != "" && m != o["@odata.etag"] {
			http.Error(w, `{"error":{"code":"ErrorIrresolvableConflict"}}`, http.StatusPreconditionFailed)
			return
		}
		what := map[string]string{"event": "events", "occurrence": "events", "exception": "events", "contact": "contacts", "task": "tasks"}[fmt.Sprint(o["_kind"])]
		if !g.check(w, what, body) {
			return
		}
		for k, v := range body {
			o[k] = v
		}
		if o["_kind"] == "occurrence" {
			o["_kind"] = "exception"
		}
		var n int
		fmt.Sscanf(fmt.Sprint(o["@odata.etag"]), `W/"`+id+`-%d"`, &n)
		o["@odata.etag"] = fmt.Sprintf(`W/"%s-%d"`, id, n+1)
		if master, ok := g.objects[fmt.Sprint(o["seriesMasterId"])]; ok {
			master["@odata.etag"] = fmt.Sprintf(`W/"%s-x%d"`, master["id"], g.nextID)
		}
		reply(w, 200, o)
	default:
		g.fail(w, "unexpected %s on an item", r.Method)
	}
}

func (g *Graph) listItems(w http.ResponseWriter, r *http.Request, parent, what string) {
	var want string
	if f := r.URL.Query().Get("$filter"); f != "" {
		m := uidFilter.FindStringSubmatch(f)
		if m == nil || !strings.Contains(f, "singleValueExtendedProperties/Any(") {
			g.fail(w, "unexpected $filter %q", f)
			return
		}
		want = strings.ReplaceAll(m[1], "''", "'")
	}
	var vals []any
	for _, o := range g.objects {
		if o["_parent"] != parent || o["_kind"] != kindOf(what) {
			continue
		}
		if want != "" && uidOf2(o) != want {
			continue
		}
		vals = append(vals, o)
	}
	reply(w, 200, map[string]any{"value": vals})
}

func uidOf2(o map[string]any) string {
	props, _ := o["singleValueExtendedProperties"].([]any)
	for _, p := range props {
		m, _ := p.(map[string]any)
		return fmt.Sprint(m["value"])
	}
	return ""
}

// instances expands a weekly or daily series into its occurrences in the window (enough
// for the fixtures), creating occurrence resources the client may PATCH or DELETE.
func (g *Graph) instances(w http.ResponseWriter, r *http.Request, id string) {
	master, ok := g.objects[id]
	if !ok {
		http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, 404)
		return
	}
	from, err1 := time.Parse(time.RFC3339, r.URL.Query().Get("startDateTime"))
	to, err2 := time.Parse(time.RFC3339, r.URL.Query().Get("endDateTime"))
	if err1 != nil || err2 != nil {
		g.fail(w, "instances without startDateTime/endDateTime")
		return
	}
	rec, _ := master["recurrence"].(map[string]any)
	pat, _ := rec["pattern"].(map[string]any)
	rng, _ := rec["range"].(map[string]any)
	start, _ := time.Parse("2006-01-02", fmt.Sprint(rng["startDate"]))
	end := to
	if rng["type"] == "endDate" {
		end, _ = time.Parse("2006-01-02", fmt.Sprint(rng["endDate"]))
	}
	days := map[string]bool{}
	if ds, ok := pat["daysOfWeek"].([]any); ok {
		for _, d := range ds {
			days[fmt.Sprint(d)] = true
		}
	}
	startTime := ""
	if s, ok := master["start"].(map[string]any); ok && len(fmt.Sprint(s["dateTime"])) >= 19 {
		startTime = fmt.Sprint(s["dateTime"])[10:19]
	}
	var vals []any
	for d := start; !d.After(end) && d.Before(to); d = d.AddDate(0, 0, 1) {
		if d.Before(from) || (pat["type"] == "weekly" && !days[strings.ToLower(d.Weekday().String())]) {
			continue
		}
		orig := d.Format("2006-01-02") + startTime
		occID := id + "-occ-" + d.Format("20060102")
		o, ok := g.objects[occID]
		if !ok {
			o = map[string]any{"id": occID, "_kind": "occurrence", "seriesMasterId": id, "originalStart": orig + "Z", "@odata.etag": `W/"` + occID + `-1"`}
			g.objects[occID] = o
		}
		if o["_kind"] != "cancelled" {
			vals = append(vals, map[string]any{"id": occID, "originalStart": o["originalStart"]})
		}
	}
	reply(w, 200, map[string]any{"value": vals})
}
