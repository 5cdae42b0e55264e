package dnsupdate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cutover/backend/fault"
	"cutover/backend/secrets"
)

const (
	cfZoneID = "023e105f4ecef8ad9ca31a8372d0c353"
	cfToken  = "cf-token-Y2xvdWRmbGFyZQ"
)

// cfFake is Cloudflare's DNS records API (v4) as documented, for one zone: it checks
// each request's method, path, bearer token and JSON body, and answers in the API's
// envelope, listing page by page.
type cfFake struct {
	t        *testing.T
	pageSize int
	failAt   int // the failAt-th write answers HTTP 500 (0: none)

	mu     sync.Mutex
	recs   []map[string]any
	nextID int
	writes int
	log    []string // "METHOD path?query body"
}

func newCFFake(t *testing.T, pageSize int, recs ...string) (*cfFake, *Cloudflare) {
	f := &cfFake{t: t, pageSize: pageSize}
	for _, r := range recs {
		f.add(r)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewCloudflare(CloudflareConfig{Zone: "acme.example", ZoneID: cfZoneID, Token: secrets.New(cfToken)})
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = srv.URL + "/client/v4"
	return f, c
}

// add stores a record given as "TYPE name ttl content [priority]".
func (f *cfFake) add(s string) {
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

func (f *cfFake) insert(rec map[string]any) map[string]any {
	f.nextID++
	rec["id"] = fmt.Sprintf("%032x", f.nextID)
	rec["zone_id"], rec["zone_name"] = cfZoneID, "acme.example"
	rec["proxiable"], rec["locked"] = rec["type"] == "CNAME", false
	rec["comment"], rec["tags"], rec["meta"] = nil, []string{}, map[string]any{"auto_added": false}
	rec["created_on"], rec["modified_on"] = "2027-05-01T09:00:00.000000Z", "2027-05-01T09:00:00.000000Z"
	f.recs = append(f.recs, rec)
	return rec
}

// state is every record as "TYPE name ttl content [priority]", sorted.
func (f *cfFake) state() []string {
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

func (f *cfFake) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.log
	f.log = nil
	return out
}

func (f *cfFake) answer(w http.ResponseWriter, status int, result any, info map[string]any, errs ...map[string]any) {
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

func (f *cfFake) bad(w http.ResponseWriter, format string, args ...any) {
	f.t.Errorf("Cloudflare fake: "+format, args...)
	f.answer(w, http.StatusBadRequest, nil, nil, map[string]any{"code": 9000, "message": fmt.Sprintf(format, args...)})
}

func (f *cfFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if r.Header.Get("Authorization") != "Bearer "+cfToken {
		f.answer(w, http.StatusForbidden, nil, nil, map[string]any{"code": 10000, "message": "Authentication error"})
		return
	}
	base := "/client/v4/zones/" + cfZoneID + "/dns_records"
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
func (f *cfFake) write(w http.ResponseWriter) bool {
	f.writes++
	if f.writes == f.failAt {
		f.answer(w, http.StatusInternalServerError, nil, nil, map[string]any{"code": 10001, "message": "Internal error"})
		return false
	}
	return true
}

// checkBody checks the fields a record's body must have: type, name, content, ttl,
// proxied false, and priority for MX only.
func (f *cfFake) checkBody(w http.ResponseWriter, r *http.Request, body map[string]any) bool {
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

func (f *cfFake) list(w http.ResponseWriter, r *http.Request) {
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

var cfOldZone = []string{
	"MX acme.example 3600 mail.acme.example 10",
	`TXT acme.example 3600 "MS=ms" "12345678"`,
	"TXT acme.example 3600 v=spf1 a:mail ~all",
	"TXT acme.example 3600 google-site-verification=abc",
	"CNAME autodiscover.acme.example 3600 mail.acme.example",
}

func wantCF(t *testing.T, f *cfFake, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if got := f.state(); !slices.Equal(got, want) {
		t.Errorf("records at Cloudflare:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func withTTL(ttl string, recs []string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		p := strings.SplitN(r, " ", 4)
		p[2] = ttl
		out[i] = strings.Join(p, " ")
	}
	return out
}

// TestCloudflareLowerSwitchAndRollBack: the same cutover as at Knot, through the API:
// records edited in place, other TXT records untouched, the listing read page by page.
func TestCloudflareLowerSwitchAndRollBack(t *testing.T) {
	f, c := newCFFake(t, 2, cfOldZone...)
	ctx := context.Background()
	keys := Keys("acme.example", m365)
	cur, err := c.Read(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	lower := PlanLowerTTL("acme.example", cur, 300)
	if d := lower.Diff(); !strings.Contains(d, "MX acme.example 3600 → 300: mail.acme.example 10 (unchanged)\n") || len(lower.Changes) != 3 {
		t.Errorf("lower diff:\n%s", d)
	}
	f.requests()
	if err := c.Apply(ctx, lower); err != nil {
		t.Fatal(err)
	}
	lowered := withTTL("300", cfOldZone)
	wantCF(t, f, lowered...)
	wantRequests(t, f.requests(),
		"GET /zones/"+cfZoneID+"/dns_records?name=acme.example&page=1&per_page=100&type=MX",
		"GET /zones/"+cfZoneID+"/dns_records?name=autodiscover.acme.example&page=1&per_page=100&type=CNAME",
		"GET /zones/"+cfZoneID+"/dns_records?name=acme.example&page=1&per_page=100&type=TXT",
		"GET /zones/"+cfZoneID+"/dns_records?name=acme.example&page=2&per_page=100&type=TXT",
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000001 {"content":"mail.acme.example","name":"acme.example","priority":10,"proxied":false,"ttl":300,"type":"MX"}`,
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000005 {"content":"mail.acme.example","name":"autodiscover.acme.example","proxied":false,"ttl":300,"type":"CNAME"}`,
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000002 {"content":"\"MS=ms\" \"12345678\"","name":"acme.example","proxied":false,"ttl":300,"type":"TXT"}`,
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000003 {"content":"v=spf1 a:mail ~all","name":"acme.example","proxied":false,"ttl":300,"type":"TXT"}`,
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000004 {"content":"google-site-verification=abc","name":"acme.example","proxied":false,"ttl":300,"type":"TXT"}`,
	)

	cur, err = c.Read(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	sw, err := PlanSwitch("acme.example", cur, m365)
	if err != nil {
		t.Fatal(err)
	}
	want := "MX acme.example 300: mail.acme.example 10 → acme-example.mail.protection.outlook.com 0\n" +
		"CNAME autodiscover.acme.example 300: mail.acme.example → autodiscover.outlook.com\n" +
		"TXT acme.example 300: \"v=spf1 a:mail ~all\" → \"v=spf1 include:spf.protection.outlook.com ~all\" (2 other TXT records unchanged)\n"
	if d := sw.Diff(); d != want {
		t.Errorf("switch diff:\n%s\nwant:\n%s", d, want)
	}
	snap := sw.Snapshot()
	f.requests()
	if err := c.Apply(ctx, sw); err != nil {
		t.Fatal(err)
	}
	wantCF(t, f,
		"MX acme.example 300 acme-example.mail.protection.outlook.com 0",
		`TXT acme.example 300 "MS=ms" "12345678"`,
		"TXT acme.example 300 v=spf1 include:spf.protection.outlook.com ~all",
		"TXT acme.example 300 google-site-verification=abc",
		"CNAME autodiscover.acme.example 300 autodiscover.outlook.com",
	)
	wantRequests(t, writes(f.requests()),
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000001 {"content":"acme-example.mail.protection.outlook.com","name":"acme.example","priority":0,"proxied":false,"ttl":300,"type":"MX"}`,
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000005 {"content":"autodiscover.outlook.com","name":"autodiscover.acme.example","proxied":false,"ttl":300,"type":"CNAME"}`,
		`PATCH /zones/`+cfZoneID+`/dns_records/00000000000000000000000000000003 {"content":"v=spf1 include:spf.protection.outlook.com ~all","name":"acme.example","proxied":false,"ttl":300,"type":"TXT"}`,
	)

	cur, err = c.Read(ctx, snap.Keys())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, PlanRollback(cur, snap)); err != nil {
		t.Fatal(err)
	}
	wantCF(t, f, lowered...)
}

func wantRequests(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// writes are the requests that change something.
func writes(reqs []string) []string {
	return slices.DeleteFunc(reqs, func(r string) bool { return strings.HasPrefix(r, "GET ") })
}

// TestCloudflareAddsBeforeItDeletes: a name without Autodiscover gets a new record
// (POST), two MX records become one (the first edited, the second deleted after every
// edit), and the rollback deletes the added record and adds the MX back.
func TestCloudflareAddsBeforeItDeletes(t *testing.T) {
	f, c := newCFFake(t, 100,
		"MX acme.example 300 mail.acme.example 10",
		"MX acme.example 300 backup.acme.example 20",
		"TXT acme.example 300 v=spf1 mx -all",
	)
	ctx := context.Background()
	cur, err := c.Read(ctx, Keys("acme.example", m365))
	if err != nil {
		t.Fatal(err)
	}
	sw, err := PlanSwitch("acme.example", cur, m365)
	if err != nil {
		t.Fatal(err)
	}
	want := "MX acme.example 300: mail.acme.example 10, backup.acme.example 20 → acme-example.mail.protection.outlook.com 0\n" +
		"CNAME autodiscover.acme.example 300: (none) → autodiscover.outlook.com\n" +
		"TXT acme.example 300: \"v=spf1 mx -all\" → \"v=spf1 include:spf.protection.outlook.com -all\"\n"
	if d := sw.Diff(); d != want {
		t.Errorf("switch diff:\n%s\nwant:\n%s", d, want)
	}
	f.requests()
	if err := c.Apply(ctx, sw); err != nil {
		t.Fatal(err)
	}
	got := writes(f.requests())
	methods := make([]string, len(got))
	for i, r := range got {
		methods[i] = strings.Fields(r)[0]
	}
	if want := []string{"PATCH", "POST", "PATCH", "DELETE"}; !slices.Equal(methods, want) {
		t.Errorf("requests %v, want %v:\n  %s", methods, want, strings.Join(got, "\n  "))
	}
	wantCF(t, f,
		"MX acme.example 300 acme-example.mail.protection.outlook.com 0",
		"TXT acme.example 300 v=spf1 include:spf.protection.outlook.com -all",
		"CNAME autodiscover.acme.example 300 autodiscover.outlook.com",
	)
	cur, err = c.Read(ctx, sw.Snapshot().Keys())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, PlanRollback(cur, sw.Snapshot())); err != nil {
		t.Fatal(err)
	}
	wantCF(t, f,
		"MX acme.example 300 mail.acme.example 10",
		"MX acme.example 300 backup.acme.example 20",
		"TXT acme.example 300 v=spf1 mx -all",
	)
}

// TestCloudflareListsEveryPage: an RRset longer than a page is read whole.
func TestCloudflareListsEveryPage(t *testing.T) {
	var recs []string
	for i := range 7 {
		recs = append(recs, fmt.Sprintf("TXT acme.example 3600 text-%d", i))
	}
	f, c := newCFFake(t, 2, recs...)
	got, err := c.Read(context.Background(), []Key{{"acme.example", "TXT"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Values) != 7 || got[0].TTL != 3600 {
		t.Errorf("read %+v", got)
	}
	if n := len(f.requests()); n != 4 {
		t.Errorf("%d requests for 7 records 2 a page, want 4", n)
	}
}

// TestCloudflareBadTokenIsRefused: the API's authentication error is reported as a
// refusal that says what the token needs, without the token.
func TestCloudflareBadTokenIsRefused(t *testing.T) {
	f, c := newCFFake(t, 100, cfOldZone...)
	c.token = secrets.New("not-the-token")
	_, err := c.Read(context.Background(), Keys("acme.example", m365))
	var ref *RefusedError
	if !errors.As(err, &ref) {
		t.Fatalf("error %T %v, want a RefusedError", err, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "10000 Authentication error") || !strings.Contains(msg, "Zone › DNS › Edit") || strings.Contains(msg, "not-the-token") {
		t.Errorf("error %q", msg)
	}
	wantCF(t, f, cfOldZone...)
}

// TestCloudflarePlanWhoseRecordsChangedIsRefused: a plan is compared with every RRset
// it changes before the first write; one that differs stops all of it.
func TestCloudflarePlanWhoseRecordsChangedIsRefused(t *testing.T) {
	f, c := newCFFake(t, 100, cfOldZone...)
	ctx := context.Background()
	cur, err := c.Read(ctx, Keys("acme.example", m365))
	if err != nil {
		t.Fatal(err)
	}
	sw, err := PlanSwitch("acme.example", cur, m365)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.recs[4]["content"] = "autodiscover.elsewhere.example"
	f.mu.Unlock()
	f.requests()
	err = c.Apply(ctx, sw)
	var stale *StaleError
	if !errors.As(err, &stale) || len(stale.Records) != 1 || !strings.HasPrefix(stale.Records[0], "CNAME autodiscover.acme.example: the plan saw mail.acme.example. (TTL 3600), now autodiscover.elsewhere.example. (TTL 3600)") {
		t.Fatalf("error %v", err)
	}
	if w := writes(f.requests()); len(w) != 0 {
		t.Errorf("writes after a refusal: %v", w)
	}
}

// TestCloudflareFailureMidwayIsPartial: a write that fails after others says what
// was done, as partly done work.
func TestCloudflareFailureMidwayIsPartial(t *testing.T) {
	f, c := newCFFake(t, 100, cfOldZone...)
	f.failAt = 2
	ctx := context.Background()
	cur, err := c.Read(ctx, Keys("acme.example", m365))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Apply(ctx, PlanLowerTTL("acme.example", cur, 300))
	var part *PartialError
	if !errors.As(err, &part) || len(part.Done) != 1 || part.Done[0] != "MX acme.example TTL 300" {
		t.Fatalf("error %v", err)
	}
	if !fault.Is(err, fault.KindPartial) || !strings.Contains(err.Error(), "10001 Internal error") {
		t.Errorf("error %q classified %s", err, fault.Classify(err).Kind)
	}
}

// TestCloudflareAutomaticTTLIsFiveMinutes: records at "automatic" TTL (1) read as
// 300 s, so lowering to 300 leaves them alone and a switch keeps them as they are.
func TestCloudflareAutomaticTTLIsFiveMinutes(t *testing.T) {
	f, c := newCFFake(t, 100, "MX acme.example 1 mail.acme.example 10", "TXT acme.example 1 v=spf1 include:spf.protection.outlook.com -all")
	ctx := context.Background()
	cur, err := c.Read(ctx, Keys("acme.example", m365))
	if err != nil {
		t.Fatal(err)
	}
	if cur[0].TTL != 300 {
		t.Errorf("MX TTL %d", cur[0].TTL)
	}
	if p := PlanLowerTTL("acme.example", cur, 300); !p.Empty() {
		t.Errorf("lowering automatic TTLs: %s", p.Diff())
	}
	sw, err := PlanSwitch("acme.example", cur, m365)
	if err != nil {
		t.Fatal(err)
	}
	if d := sw.Diff(); d != "MX acme.example 300: mail.acme.example 10 → acme-example.mail.protection.outlook.com 0\nCNAME autodiscover.acme.example 300: (none) → autodiscover.outlook.com\n" {
		t.Errorf("switch:\n%s", d)
	}
	f.requests()
	if err := c.Apply(ctx, sw); err != nil {
		t.Fatal(err)
	}
	if w := writes(f.requests()); len(w) != 2 {
		t.Errorf("writes %v", w)
	}
}
