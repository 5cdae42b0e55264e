// Package dnsupdatetest is a fake of Cloudflare's DNS records API (v4) for tests: one
// zone, served by httptest on loopback. It checks what the documentation asks of each
// request — method and path (GET/POST /zones/{zone_id}/dns_records, PATCH/DELETE
// …/dns_records/{id}), the bearer token, the JSON body's type, name, content, ttl,
// proxied (false) and priority (MX only) — and answers in the API's envelope
// ({"success", "errors", "messages", "result", "result_info"}), listing page by page.
package dnsupdatetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// StartCloudflare serves zone acme.example with ID zoneID to token, pageSize records a
// page, holding records given as "TYPE name ttl content [priority]", until the test ends.
func StartCloudflare(t testing.TB, token, zoneID string, pageSize int, records ...string) *Cloudflare {
	f := NewCloudflare(t.Errorf, token, zoneID, pageSize, records...)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/client/v4"
	return f
}

// NewCloudflare is the fake as an http.Handler (under /client/v4), for a server of the
// caller's: report is called with each request that breaks the documented shapes (a
// test's Errorf; a command's logger). The caller sets URL.
func NewCloudflare(report func(format string, args ...any), token, zoneID string, pageSize int, records ...string) *Cloudflare {
	f := &Cloudflare{report: report, token: token, zoneID: zoneID, pageSize: pageSize}
	for _, r := range records {
		f.Add(r)
	}
	return f
}

// FailAt makes the n-th write from now answer HTTP 500.
func (f *Cloudflare) FailAt(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt, f.writes = n, 0
}

// Set changes a field of the i-th record stored, as someone at the DNS host would.
func (f *Cloudflare) Set(i int, field string, value any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs[i][field] = value
}

// Cloudflare is Cloudflare's DNS records API (v4) as documented, for one zone: it checks
// each request's method, path, bearer token and JSON body, and answers in the API's
// envelope, listing page by page.
type Cloudflare struct {
	// URL is the API's base address, as Cloudflare's https://api.cloudflare.com/client/v4.
	URL           string
	report        func(format string, args ...any)
	token, zoneID string
	pageSize      int
	failAt        int // the failAt-th write answers HTTP 500 (0: none)

	mu     sync.Mutex
	recs   []map[string]any
	nextID int
	writes int
	log    []string // "METHOD path?query body"
}

// Add stores a record given as "TYPE name ttl content [priority]".
func (f *Cloudflare) Add(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.SplitN(s, " ", 4)
	ttl, _ := strconv.Atoi(p[2])
	rec := map[string]any{"type": p[0], "name": p[1], "ttl": float64(ttl), "content": p[3], "proxied": false}
	if p[0] == "MX" {
		c := strings.Fields(p[3])
		prio, _ := strconv.Atoi(c[1])
		rec["content"], rec["priority"] = c[0], float64(prio)
	}
	f.insert(rec)
}

func (f *Cloudflare) insert(rec map[string]any) map[string]any {
	f.nextID++
	rec["id"] = fmt.Sprintf("%032x", f.nextID)
	rec["zone_id"], rec["zone_name"] = f.zoneID, "acme.example"
	rec["proxiable"], rec["locked"] = rec["type"] == "CNAME", false
	rec["comment"], rec["tags"], rec["meta"] = nil, []string{}, map[string]any{"auto_added": false}
	rec["created_on"], rec["modified_on"] = "2027-05-01T09:00:00.000000Z", "2027-05-01T09:00:00.000000Z"
	f.recs = append(f.recs, rec)
	return rec
}

// State is every record as "TYPE name ttl content [priority]", sorted.
func (f *Cloudflare) State() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.recs {
		s := fmt.Sprintf("%s %s %v %s", r["type"], r["name"], r["ttl"], r["content"])
		if r["type"] == "MX" {
			s += fmt.Sprintf(" %v", r["priority"])
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Requests are the requests received since the last call, as "METHOD path?query body".
func (f *Cloudflare) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.log
	f.log = nil
	return out
}

func (f *Cloudflare) answer(w http.ResponseWriter, status int, result any, info map[string]any, errs ...map[string]any) {
	env := map[string]any{"success": status/100 == 2, "errors": []any{}, "messages": []any{}, "result": result}
	if len(errs) > 0 {
		env["errors"] = errs
	}
	if info != nil {
		env["result_info"] = info
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(env)
}

func (f *Cloudflare) bad(w http.ResponseWriter, format string, args ...any) {
	f.report("Cloudflare fake: "+format, args...)
	f.answer(w, http.StatusBadRequest, nil, nil, map[string]any{"code": 9000, "message": fmt.Sprintf(format, args...)})
}

func (f *Cloudflare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	if r.Body != nil && (r.Method == http.MethodPost || r.Method == http.MethodPatch) {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			f.bad(w, "%s %s: Content-Type %q", r.Method, r.URL.Path, ct)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			f.bad(w, "%s %s: body: %v", r.Method, r.URL.Path, err)
			return
		}
	}
	b, _ := json.Marshal(body)
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+strings.TrimPrefix(r.URL.RequestURI(), "/client/v4")+" "+map[bool]string{true: string(b)}[body != nil]))
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		f.answer(w, http.StatusForbidden, nil, nil, map[string]any{"code": 10000, "message": "Authentication error"})
		return
	}
	base := "/client/v4/zones/" + f.zoneID + "/dns_records"
	id, hasID := strings.CutPrefix(r.URL.Path, base+"/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == base:
		f.list(w, r)
	case r.Method == http.MethodPost && r.URL.Path == base:
		if f.checkBody(w, r, body) && f.write(w) {
			f.answer(w, http.StatusOK, f.insert(body), nil)
		}
	case (r.Method == http.MethodPatch || r.Method == http.MethodDelete) && hasID && !strings.Contains(id, "/"):
		i := slices.IndexFunc(f.recs, func(rec map[string]any) bool { return rec["id"] == id })
		if i < 0 {
			f.answer(w, http.StatusNotFound, nil, nil, map[string]any{"code": 81044, "message": "Record does not exist."})
			return
		}
		if r.Method == http.MethodDelete {
			if f.write(w) {
				f.recs = slices.Delete(f.recs, i, i+1)
				f.answer(w, http.StatusOK, map[string]any{"id": id}, nil)
			}
			return
		}
		if f.checkBody(w, r, body) && f.write(w) {
			for k, v := range body {
				f.recs[i][k] = v
			}
			f.answer(w, http.StatusOK, f.recs[i], nil)
		}
	default:
		f.answer(w, http.StatusNotFound, nil, nil, map[string]any{"code": 7003, "message": "Could not route to " + r.URL.Path + ", perhaps your object identifier is invalid?"})
	}
}

// write counts a write and fails it when it is the one to fail.
func (f *Cloudflare) write(w http.ResponseWriter) bool {
	f.writes++
	if f.writes == f.failAt {
		f.answer(w, http.StatusInternalServerError, nil, nil, map[string]any{"code": 10001, "message": "Internal error"})
		return false
	}
	return true
}

// checkBody checks the fields a record's body must have: type, name, content, ttl,
// proxied false, and priority for MX only.
func (f *Cloudflare) checkBody(w http.ResponseWriter, r *http.Request, body map[string]any) bool {
	typ, _ := body["type"].(string)
	name, _ := body["name"].(string)
	content, _ := body["content"].(string)
	ttl, ttlOK := body["ttl"].(float64)
	proxied, proxiedOK := body["proxied"].(bool)
	_, hasPrio := body["priority"].(float64)
	switch {
	case typ != "MX" && typ != "TXT" && typ != "CNAME":
		f.bad(w, "%s: type %v", r.Method, body["type"])
	case name != "acme.example" && name != "autodiscover.acme.example":
		f.bad(w, "%s: name %v", r.Method, body["name"])
	case content == "" || (typ != "TXT" && strings.HasSuffix(content, ".")):
		f.bad(w, "%s: content %v", r.Method, body["content"])
	case !ttlOK || (ttl != 1 && (ttl < 60 || ttl > 86400)):
		f.bad(w, "%s: ttl %v", r.Method, body["ttl"])
	case !proxiedOK || proxied:
		f.bad(w, "%s: proxied %v", r.Method, body["proxied"])
	case hasPrio != (typ == "MX"):
		f.bad(w, "%s: priority %v for %s", r.Method, body["priority"], typ)
	default:
		return true
	}
	return false
}

func (f *Cloudflare) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var match []map[string]any
	for _, rec := range f.recs {
		if (q.Get("name") == "" || rec["name"] == q.Get("name")) && (q.Get("type") == "" || rec["type"] == q.Get("type")) {
			match = append(match, rec)
		}
	}
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	if page < 1 {
		page = 1
	}
	if per < 1 || per > f.pageSize {
		per = f.pageSize
	}
	from, to := min((page-1)*per, len(match)), min(page*per, len(match))
	f.answer(w, http.StatusOK, append([]map[string]any{}, match[from:to]...), map[string]any{
		"page": page, "per_page": per, "count": to - from, "total_count": len(match), "total_pages": (len(match) + per - 1) / per,
	})
}
