package api

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/dnscheck/dnstest"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

const zoneTmpl = `$ORIGIN acme.example.
$TTL {ttl}
@            IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@            NS    ns1
ns1          A     127.0.0.1
@            MX    10 mail
@            TXT   "v=spf1 a:mail ~all"
@            TXT   "MS=ms12345678"
mail         A     192.0.2.10
autodiscover CNAME mail
`

const m365Zone = `$ORIGIN acme.example.
$TTL 300
@            IN SOA ns1 hostmaster 2 7200 3600 1209600 300
@            NS    ns1
ns1          A     127.0.0.1
@            MX    0 acme-example.mail.protection.outlook.com.
@            TXT   "v=spf1 include:spf.protection.outlook.com -all"
autodiscover CNAME autodiscover.outlook.com.
`

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testAPI(t *testing.T, c *clock) *API {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.LoadOrCreateKey(secrets.KeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	vault, err := secrets.NewVault(key, st)
	if err != nil {
		t.Fatal(err)
	}
	a := New(ctx, Options{Store: st, Vault: vault, Now: c.now})
	// Never the public resolvers in a test: a loopback port nobody serves.
	a.ext.dnsDefaults = func() []dnscheck.Server { return []dnscheck.Server{{Addr: "127.0.0.1:9", Label: "test default"}} }
	t.Cleanup(func() { Close(a) })
	return a
}

func ptr[T any](v T) *T { return &v }

func TestDnsChecksDriveTheTimeline(t *testing.T) {
	loc, _ := time.LoadLocation("America/Toronto")
	c := &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, loc)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2027-05-14 18:00"), Zone: ptr("America/Toronto")}); err != nil {
		t.Fatal(err)
	}
	auth := dnstest.Start(t, dnstest.Options{Zone: strings.Replace(zoneTmpl, "{ttl}", "86400", 1)})
	res := dnstest.Start(t, dnstest.Options{Zone: strings.Replace(zoneTmpl, "{ttl}", "86400", 1), Resolver: true})

	// Bad settings are refused with the field named, and nothing is stored.
	_, err := a.DnsSetSettings("acme", DnsSettingsInput{Resolvers: &[]string{"dns.google:53"}, Verification: map[string]string{"other.example": "x"}})
	if !IsInputError(err) || !strings.Contains(err.Error(), `resolver: "dns.google:53"`) || !strings.Contains(err.Error(), `verification domain: "other.example"`) {
		t.Fatalf("bad settings: %v", err)
	}
	if _, err := a.DnsSetSettings("acme", DnsSettingsInput{Verification: map[string]string{"": "MS=ms12345678"},
		Nameservers: &[]string{auth.Addr}, Resolvers: &[]string{res.Addr}}); err != nil {
		t.Fatal(err)
	}
	setup, err := a.DnsSetup("acme")
	if err != nil {
		t.Fatal(err)
	}
	if setup.Records[0].Key != "verify" || setup.Records[0].Value != "MS=ms12345678" {
		t.Errorf("verification record %+v", setup.Records[0])
	}

	r, err := a.DnsCheck("acme", DnsCheckOptions{Phase: "before"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Report.OK || !strings.Contains(r.Report.Safe.Sentence, "still 86400 s") {
		t.Errorf("first check: OK %v, safe %q", r.Report.OK, r.Report.Safe.Sentence)
	}
	// The mail host of the source server is among the TTLs checked.
	if _, ok := r.Report.Result("acme.example", "host-mail.acme.example", dnscheck.KindTTL); !ok {
		t.Error("no TTL check of mail.acme.example")
	}
	if _, err := a.DnsMarkStep("acme", "lower_ttl"); !IsInputError(err) || !strings.Contains(err.Error(), "do not pass yet") {
		t.Errorf("marking lower_ttl on a failing check: %v", err)
	}
	step, err := a.DnsMarkStep("acme", "verify_domain")
	if err != nil || step.Status != "done" || !strings.Contains(step.Note, "verification TXT records — all 1 pass") {
		t.Fatalf("verify_domain: %+v %v", step, err)
	}

	c.t = time.Date(2027, 5, 10, 14, 2, 0, 0, loc)
	if err := auth.SetZone(strings.Replace(zoneTmpl, "{ttl}", "300", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsCheck("acme", DnsCheckOptions{Phase: "before"}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	latest, err := a.DnsLatest("acme", "")
	if err != nil || latest == nil {
		t.Fatalf("latest: %v", err)
	}
	want := "TTL lowered from 86400 to 300 at 14:02 on Monday 10 May: safe to switch after 14:02 on Tuesday 11 May."
	if latest.Report.Safe.Sentence != want {
		t.Errorf("safe sentence %q, want %q", latest.Report.Safe.Sentence, want)
	}
	step, err = a.DnsMarkStep("acme", "lower_ttl")
	if err != nil || step.Status != "done" || !strings.HasPrefix(step.Note, "DNS check #2 (before, 2027-05-10 14:02 EDT)") || !strings.HasSuffix(step.Note, want) {
		t.Fatalf("lower_ttl: %+v %v", step, err)
	}
	if _, err := a.DnsMarkStep("acme", "dns_change"); !IsInputError(err) || !strings.Contains(err.Error(), "a DNS check of the right phase first") {
		t.Errorf("dns_change before any after check: %v", err)
	}

	// The switch: the authoritative server has the new records, the resolver not yet.
	c.t = time.Date(2027, 5, 14, 18, 30, 0, 0, loc)
	if err := auth.SetZone(m365Zone); err != nil {
		t.Fatal(err)
	}
	r, err = a.DnsCheck("acme", DnsCheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Report.Phase != dnscheck.After {
		t.Fatalf("phase after the cutover time: %s", r.Report.Phase)
	}
	ev := map[string]StepEvidence{}
	for _, e := range r.Evidence {
		ev[e.Step] = e
	}
	if !ev["dns_change"].Passed || ev["outlook"].Passed || !strings.Contains(ev["outlook"].Summary, "0 of 1 resolvers see the new Autodiscover") {
		t.Errorf("evidence %+v", ev)
	}
	if _, err := a.DnsMarkStep("acme", "outlook"); !IsInputError(err) {
		t.Errorf("outlook before Autodiscover propagated: %v", err)
	}
	if err := res.SetZone(m365Zone); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsCheck("acme", DnsCheckOptions{Phase: "after"}); err != nil {
		t.Fatal(err)
	}
	if step, err := a.DnsMarkStep("acme", "outlook"); err != nil || step.Status != "done" {
		t.Errorf("outlook: %+v %v", step, err)
	}
	tl, _ := a.Timeline("acme")
	for _, k := range []string{"verify_domain", "lower_ttl", "outlook"} {
		if s, _ := tl.Step(k); s.Status != "done" {
			t.Errorf("%s: %s", k, s.Status)
		}
	}
}

func TestDnsRecordEditsAreValidatedAndReset(t *testing.T) {
	c := &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("google"),
		Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	_, err := a.DnsSetRecord("acme", dnscheck.RecordInput{Key: "mx", Name: "@", Type: "MX", Value: "not a host!"})
	var fes project.InputErrors
	if !errors.As(err, &fes) || fes[0].Field != "value" {
		t.Fatalf("bad MX: %v", err)
	}
	if _, err := a.DnsSetRecord("acme", dnscheck.RecordInput{Key: "mx", Name: "@", Type: "MX", Value: "1 aspmx.l.google.com"}); err != nil {
		t.Fatal(err)
	}
	setup, _ := a.DnsSetup("acme")
	var mx dnscheck.Record
	for _, r := range setup.Records {
		if r.Key == "mx" {
			mx = r
		}
	}
	if mx.Value != "1 aspmx.l.google.com." || !mx.Custom || mx.Step != "dns_change" {
		t.Errorf("edited MX %+v", mx)
	}
	if err := a.DnsResetRecord("acme", "acme.example", "mx"); err != nil {
		t.Fatal(err)
	}
	setup, _ = a.DnsSetup("acme")
	for _, r := range setup.Records {
		if r.Key == "mx" && r.Value != "1 smtp.google.com." {
			t.Errorf("reset MX %+v", r)
		}
	}
	if err := a.DnsResetRecord("acme", "acme.example", "mx"); !IsNotFound(err) {
		t.Errorf("second reset: %v", err)
	}
}

func TestDnsChangeIsDoneWhenEveryAuthoritativeServerPublishes(t *testing.T) {
	auth := func(v dnscheck.Verdict) dnscheck.Answer {
		return dnscheck.Answer{Role: dnscheck.Authoritative, Verdict: v}
	}
	res := func(v dnscheck.Verdict) dnscheck.Answer { return dnscheck.Answer{Role: dnscheck.Resolver, Verdict: v} }
	for _, tc := range []struct {
		answers []dnscheck.Answer
		want    bool
	}{
		{[]dnscheck.Answer{auth(dnscheck.OK), auth(dnscheck.OK), res(dnscheck.Timeout), res(dnscheck.Wrong)}, true},
		{[]dnscheck.Answer{auth(dnscheck.OK), auth(dnscheck.Wrong), res(dnscheck.OK)}, false},
		{[]dnscheck.Answer{auth(dnscheck.OK), auth(dnscheck.Timeout)}, false},
		{[]dnscheck.Answer{res(dnscheck.OK)}, false},
	} {
		if got := authoritativeOK(dnscheck.Result{Answers: tc.answers}); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.answers, got, tc.want)
		}
	}
}
