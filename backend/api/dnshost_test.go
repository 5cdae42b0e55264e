package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"cutover/backend/dnsupdate"
	"cutover/backend/dnsupdate/dnsupdatetest"
	"cutover/backend/fault"
	"cutover/backend/internal/testsrv"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// knotMX is the MX RRset knot serves, as "TTL preference host".
func knotMX(t *testing.T, k *testsrv.KnotServer) string {
	return strings.Join(k.Records(t, "acme.example", dns.TypeMX), ", ")
}

// TestDnsChangesNeedTheConfirmationTheUserSaw: the DNS host is set (its secret sealed,
// never shown); each change is planned, shown and applied only with its plan's
// fingerprint; lower, switch and two rollbacks walk a real server there and back.
func TestDnsChangesNeedTheConfirmationTheUserSaw(t *testing.T) {
	k := testsrv.KnotStart(t, "acme.example", testsrv.AcmeZone)
	c := &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsChangePlan("acme", "lower"); !IsInputError(err) || !strings.Contains(err.Error(), "DNS host") {
		t.Fatalf("plan without a host: %v", err)
	}

	// Bad settings name their fields; nothing is stored.
	_, err := a.DnsHostSet("acme", DnsHostInput{Kind: "rfc2136", Zone: "other.example", Server: k.Addr, KeyName: k.KeyName, Algorithm: "md5"})
	env := fault.Classify(err)
	var fields []string
	for _, f := range env.Fields {
		fields = append(fields, f.Field)
	}
	if env.Kind != fault.KindInput || strings.Join(fields, ",") != "zone" {
		t.Errorf("bad zone: %+v", env)
	}
	_, err = a.DnsHostSet("acme", DnsHostInput{Kind: "rfc2136", Server: k.Addr, KeyName: k.KeyName, Algorithm: "md5"})
	fields = nil
	for _, f := range fault.Classify(err).Fields {
		fields = append(fields, f.Field)
	}
	if strings.Join(fields, ",") != "algorithm,secret" {
		t.Errorf("bad algorithm, no secret: %v", err)
	}

	v, err := a.DnsHostSet("acme", DnsHostInput{Kind: "rfc2136", Server: k.Addr, KeyName: k.KeyName, Secret: secrets.New(k.Secret)})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(v); !v.HasSecret || v.Zone != "acme.example" || strings.Contains(string(b), k.Secret) {
		t.Errorf("host view %s", b)
	}
	// Changing the key name keeps the stored secret.
	if _, err := a.DnsHostSet("acme", DnsHostInput{Kind: "rfc2136", Server: k.Addr, KeyName: k.KeyName, Algorithm: "hmac-sha256"}); err != nil {
		t.Fatal(err)
	}

	plan, err := a.DnsChangePlan("acme", "lower")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Lines) != 3 || plan.Lines[0] != "MX acme.example 3600 → 300: mail.acme.example 10 (unchanged)" || plan.Fingerprint == "" {
		t.Fatalf("lower plan %+v", plan)
	}
	if len(plan.Timing) != 1 || !strings.HasPrefix(plan.Timing[0], "Timeline: Lower DNS TTL, due ") {
		t.Errorf("lower timing %q", plan.Timing)
	}
	for _, confirm := range []string{"", "0123456789ab"} {
		if _, err := a.DnsChangeApply("acme", "lower", confirm); !IsInputError(err) || fault.Classify(err).Fields[0].Field != "confirm" {
			t.Errorf("confirm %q: %v", confirm, err)
		}
	}
	if got := knotMX(t, k); got != "3600 10 mail.acme.example." {
		t.Fatalf("changed without the confirmation: %s", got)
	}
	res, err := a.DnsChangeApply("acme", "lower", plan.Fingerprint)
	if err != nil || res.State != "applied" || res.ID == 0 {
		t.Fatalf("lower: %+v %v", res, err)
	}
	if got := knotMX(t, k); got != "300 10 mail.acme.example." {
		t.Errorf("after lowering: %s", got)
	}
	// The lowering's fingerprint no longer names a plan: lowering again changes nothing.
	if again, err := a.DnsChangeApply("acme", "lower", plan.Fingerprint); err != nil || again.ID != 0 || len(again.Lines) != 0 {
		t.Errorf("lower twice: %+v %v", again, err)
	}

	sw, err := a.DnsChangePlan("acme", "switch")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"MX acme.example 300: mail.acme.example 10 → acme-example.mail.protection.outlook.com 0",
		`TXT acme.example 300: "v=spf1 a:mail ~all" → "v=spf1 include:spf.protection.outlook.com ~all" (1 other TXT record unchanged)`,
		"CNAME autodiscover.acme.example 300: mail.acme.example → autodiscover.outlook.com",
	}
	if len(sw.Timing) != 2 || !strings.HasPrefix(sw.Timing[0], "Timeline: DNS record changes, due Fri 2027-05-14 18:00 UTC") || !strings.HasPrefix(sw.Timing[1], "No DNS check has seen the TTLs lowered") {
		t.Errorf("switch timing %q", sw.Timing)
	}
	if !slices.Equal(sw.Lines, want) {
		t.Errorf("switch lines:\n%s", strings.Join(sw.Lines, "\n"))
	}
	if _, err := a.DnsChangeApply("acme", "switch", plan.Fingerprint); !IsInputError(err) {
		t.Errorf("the lowering's fingerprint confirms the switch: %v", err)
	}
	if _, err := a.DnsChangeApply("acme", "switch", sw.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if got := knotMX(t, k); got != "300 0 acme-example.mail.protection.outlook.com." {
		t.Errorf("after the switch: %s", got)
	}

	rb, err := a.DnsChangePlan("acme", "rollback")
	if err != nil || rb.Undoes == 0 || len(rb.Lines) != 3 || rb.Lines[0] != "MX acme.example 300: acme-example.mail.protection.outlook.com 0 → mail.acme.example 10" {
		t.Fatalf("rollback plan %+v %v", rb, err)
	}
	if _, err := a.DnsChangeApply("acme", "rollback", rb.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if got := knotMX(t, k); got != "300 10 mail.acme.example." {
		t.Errorf("after the rollback: %s", got)
	}
	// The next rollback undoes the lowering.
	rb, err = a.DnsChangePlan("acme", "rollback")
	if err != nil || rb.Undoes != res.ID {
		t.Fatalf("second rollback %+v %v", rb, err)
	}
	if _, err := a.DnsChangeApply("acme", "rollback", rb.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if got := knotMX(t, k); got != "3600 10 mail.acme.example." {
		t.Errorf("after the second rollback: %s", got)
	}
	if _, err := a.DnsChangePlan("acme", "rollback"); !IsInputError(err) {
		t.Errorf("nothing left to roll back: %v", err)
	}
	changes, err := a.DnsChanges("acme")
	if err != nil || len(changes) != 4 || changes[3].Kind != "lower" || changes[3].UndoneBy != changes[0].ID {
		t.Errorf("changes %+v %v", changes, err)
	}
	var snap dnsupdate.Snapshot
	if err := json.Unmarshal(mustChange(t, a, changes[2].ID).Snapshot, &snap); err != nil || snap.Kind != "switch" || len(snap.Before) != 3 {
		t.Errorf("switch snapshot %+v %v", snap, err)
	}
}

func mustChange(t *testing.T, a *API, id int64) store.DNSChange {
	t.Helper()
	cs, err := a.DnsChanges("acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no change %d", id)
	return store.DNSChange{}
}

// TestDnsChangeAtCloudflareFailingMidwayIsPartialAndRollsBack: a switch through
// Cloudflare's API whose second request fails is recorded as partly applied, with its
// snapshot, and the rollback puts back what it had changed.
func TestDnsChangeAtCloudflareFailingMidwayIsPartialAndRollsBack(t *testing.T) {
	const zoneID, token = "023e105f4ecef8ad9ca31a8372d0c353", "cf-api-token"
	old := []string{"MX acme.example 300 mail.acme.example 10", "TXT acme.example 300 v=spf1 a:mail ~all", "CNAME autodiscover.acme.example 300 mail.acme.example"}
	cf := dnsupdatetest.StartCloudflare(t, token, zoneID, 100, old...)
	a := testAPI(t, &clock{t: time.Date(2027, 5, 14, 17, 0, 0, 0, time.UTC)})
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsHostSet("acme", DnsHostInput{Kind: "cloudflare", ZoneID: zoneID, Secret: secrets.New(token), APIURL: ptr(cf.URL)}); err != nil {
		t.Fatal(err)
	}
	sw, err := a.DnsChangePlan("acme", "switch")
	if err != nil || len(sw.Lines) != 3 {
		t.Fatalf("switch plan %+v %v", sw, err)
	}
	cf.FailAt(2)
	res, err := a.DnsChangeApply("acme", "switch", sw.Fingerprint)
	if !fault.Is(err, fault.KindPartial) || res.State != "partial" || res.ID == 0 {
		t.Fatalf("switch: %+v %v", res, err)
	}
	if got := cf.State(); !slices.Contains(got, "MX acme.example 300 acme-example.mail.protection.outlook.com 0") || !slices.Contains(got, "TXT acme.example 300 v=spf1 a:mail ~all") {
		t.Errorf("after a partial switch: %q", got)
	}
	rb, err := a.DnsChangePlan("acme", "rollback")
	if err != nil || rb.Undoes != res.ID || len(rb.Lines) != 1 || !strings.HasPrefix(rb.Lines[0], "MX acme.example 300: acme-example.mail.protection.outlook.com 0 → mail.acme.example 10") {
		t.Fatalf("rollback plan %+v %v", rb, err)
	}
	if _, err := a.DnsChangeApply("acme", "rollback", rb.Fingerprint); err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(old))
	if got := cf.State(); !slices.Equal(got, want) {
		t.Errorf("after the rollback: %q, want %q", got, want)
	}
}

// TestTheDNSHostsTokenGoesOnlyOverTLSOrToThisMachine: an API address that would carry
// Cloudflare's token in clear across the network, or hold a password itself, is refused
// before anything is stored; https and loopback http are taken.
func TestTheDNSHostsTokenGoesOnlyOverTLSOrToThisMachine(t *testing.T) {
	a := testAPI(t, &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)})
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	const zoneID = "023e105f4ecef8ad9ca31a8372d0c353"
	for _, tc := range []struct{ url, want string }{
		{"http://api.cloudflare.example/client/v4", "plain http only to this machine"},
		{"https://user:pw@api.cloudflare.example/client/v4", "without login or password"},
		{"ftp://127.0.0.1/", "Cloudflare's API"},
	} {
		_, err := a.DnsHostSet("acme", DnsHostInput{Kind: "cloudflare", ZoneID: zoneID, Secret: secrets.New("tok"), APIURL: ptr(tc.url)})
		if err == nil || !strings.Contains(err.Error(), "api url") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw@") {
			t.Errorf("%s: %v; want it refused, naming api url and %q", tc.url, err, tc.want)
		}
		if _, err := a.DnsHost("acme"); err == nil {
			t.Fatalf("%s: a DNS host was stored", tc.url)
		}
	}
	for _, ok := range []string{"https://api.cloudflare.example/client/v4", "http://127.0.0.1:8080/client/v4"} {
		if _, err := a.DnsHostSet("acme", DnsHostInput{Kind: "cloudflare", ZoneID: zoneID, Secret: secrets.New("tok"), APIURL: ptr(ok)}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
