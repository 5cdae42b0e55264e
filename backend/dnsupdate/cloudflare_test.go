package dnsupdate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"cutover/backend/dnsupdate/dnsupdatetest"
	"cutover/backend/fault"
	"cutover/backend/secrets"
)

const (
	cfZoneID = "023e105f4ecef8ad9ca31a8372d0c353"
	cfToken  = "cf-token-Y2xvdWRmbGFyZQ"
)

func newCFFake(t *testing.T, pageSize int, recs ...string) (*dnsupdatetest.Cloudflare, *Cloudflare) {
	f := dnsupdatetest.StartCloudflare(t, cfToken, cfZoneID, pageSize, recs...)
	c, err := NewCloudflare(CloudflareConfig{Zone: "acme.example", ZoneID: cfZoneID, Token: secrets.New(cfToken)})
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = f.URL
	return f, c
}

var cfOldZone = []string{
	"MX acme.example 3600 mail.acme.example 10",
	`TXT acme.example 3600 "MS=ms" "12345678"`,
	"TXT acme.example 3600 v=spf1 a:mail ~all",
	"TXT acme.example 3600 google-site-verification=abc",
	"CNAME autodiscover.acme.example 3600 mail.acme.example",
}

func wantCF(t *testing.T, f *dnsupdatetest.Cloudflare, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if got := f.State(); !slices.Equal(got, want) {
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
	f.Requests()
	if err := c.Apply(ctx, lower); err != nil {
		t.Fatal(err)
	}
	lowered := withTTL("300", cfOldZone)
	wantCF(t, f, lowered...)
	wantRequests(t, f.Requests(),
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

	_, sw := readSwitch(t, c)
	want := "MX acme.example 300: mail.acme.example 10 → acme-example.mail.protection.outlook.com 0\n" +
		"CNAME autodiscover.acme.example 300: mail.acme.example → autodiscover.outlook.com\n" +
		"TXT acme.example 300: \"v=spf1 a:mail ~all\" → \"v=spf1 include:spf.protection.outlook.com ~all\" (2 other TXT records unchanged)\n"
	wantDiff(t, sw, want)
	snap := sw.Snapshot()
	f.Requests()
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
	wantRequests(t, writes(f.Requests()),
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
	_, sw := readSwitch(t, c)
	want := "MX acme.example 300: mail.acme.example 10, backup.acme.example 20 → acme-example.mail.protection.outlook.com 0\n" +
		"CNAME autodiscover.acme.example 300: (none) → autodiscover.outlook.com\n" +
		"TXT acme.example 300: \"v=spf1 mx -all\" → \"v=spf1 include:spf.protection.outlook.com -all\"\n"
	wantDiff(t, sw, want)
	f.Requests()
	if err := c.Apply(ctx, sw); err != nil {
		t.Fatal(err)
	}
	got := writes(f.Requests())
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
	cur, err := c.Read(ctx, sw.Snapshot().Keys())
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
	if n := len(f.Requests()); n != 4 {
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
	_, sw := readSwitch(t, c)
	f.Set(4, "content", "autodiscover.elsewhere.example")
	f.Requests()
	err := c.Apply(ctx, sw)
	var stale *StaleError
	if !errors.As(err, &stale) || len(stale.Records) != 1 || !strings.HasPrefix(stale.Records[0], "CNAME autodiscover.acme.example: the plan saw mail.acme.example. (TTL 3600), now autodiscover.elsewhere.example. (TTL 3600)") {
		t.Fatalf("error %v", err)
	}
	if w := writes(f.Requests()); len(w) != 0 {
		t.Errorf("writes after a refusal: %v", w)
	}
}

// TestCloudflareFailureMidwayIsPartial: a write that fails after others says what
// was done, as partly done work.
func TestCloudflareFailureMidwayIsPartial(t *testing.T) {
	f, c := newCFFake(t, 100, cfOldZone...)
	f.FailAt(2)
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
	_, sw := readSwitch(t, c)
	if d := sw.Diff(); d != "MX acme.example 300: mail.acme.example 10 → acme-example.mail.protection.outlook.com 0\nCNAME autodiscover.acme.example 300: (none) → autodiscover.outlook.com\n" {
		t.Errorf("switch:\n%s", d)
	}
	f.Requests()
	if err := c.Apply(ctx, sw); err != nil {
		t.Fatal(err)
	}
	if w := writes(f.Requests()); len(w) != 2 {
		t.Errorf("writes %v", w)
	}
}
