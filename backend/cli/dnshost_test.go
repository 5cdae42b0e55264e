package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"cutover/backend/dnsupdate/dnsupdatetest"
	"cutover/backend/internal/testsrv"
)

func servedMX(t *testing.T, k *testsrv.KnotServer) string {
	return strings.Join(k.Records(t, "acme.example", dns.TypeMX), ", ")
}

// TestDNSChangeCommandAppliesOnlyTheConfirmedChange: without a terminal the command
// shows the change and its fingerprint and changes nothing; --yes applies it only
// with that fingerprint; the secret is read from standard input and never shown.
func TestDNSChangeCommandAppliesOnlyTheConfirmedChange(t *testing.T) {
	k := testsrv.KnotStart(t, "acme.example", testsrv.AcmeZone)
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "m365",
		"--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("create: %d %s", code, stderr)
	}
	_, stderr, code := run(t, db, "", "dns", "host", "set", "--project", "acme", "--kind", "rfc2136", "--server", k.Addr, "--key-name", k.KeyName)
	if code != 2 || !strings.Contains(stderr, "secret: the TSIG key's secret in base64") {
		t.Errorf("no secret: exit %d: %s", code, stderr)
	}
	out, stderr, code := run(t, db, k.Secret+"\n", "dns", "host", "set", "--project", "acme", "--kind", "rfc2136", "--server", k.Addr, "--key-name", k.KeyName, "--secret")
	if code != 0 || !strings.Contains(out, "zone acme.example at "+k.Addr+" (RFC 2136), TSIG key cutover-test. (hmac-sha256), secret stored") {
		t.Fatalf("host set: exit %d: %s %s", code, out, stderr)
	}
	if out, _, _ := run(t, db, "", "--json", "dns", "host", "show", "--project", "acme"); strings.Contains(out, k.Secret) || !strings.Contains(out, `"hasSecret": true`) {
		t.Errorf("host show: %s", out)
	}

	out, stderr, code = run(t, db, "", "dns", "change", "--project", "acme", "lower")
	if code != 0 || !strings.Contains(out, "Lower in zone acme.example, 3 changes:\n  MX acme.example 3600 → 300: mail.acme.example 10 (unchanged)\n") || !strings.Contains(out, "Nothing changed. To apply: cutover dns change --project acme lower --yes --fingerprint ") {
		t.Fatalf("plan: exit %d:\n%s%s", code, out, stderr)
	}
	fp := regexp.MustCompile(`Fingerprint: ([0-9a-f]{12})`).FindStringSubmatch(out)[1]
	if got := servedMX(t, k); got != "3600 10 mail.acme.example." {
		t.Fatalf("changed by showing the plan: %s", got)
	}
	if _, stderr, code := run(t, db, "", "dns", "change", "--project", "acme", "lower", "--yes"); code != 2 || !strings.Contains(stderr, "--yes needs --fingerprint") {
		t.Errorf("--yes alone: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "dns", "change", "--project", "acme", "lower", "--yes", "--fingerprint", "000000000000"); code != 2 || !strings.Contains(stderr, "confirm:") {
		t.Errorf("wrong fingerprint: exit %d: %s", code, stderr)
	}
	if got := servedMX(t, k); got != "3600 10 mail.acme.example." {
		t.Fatalf("changed with a wrong fingerprint: %s", got)
	}
	out, stderr, code = run(t, db, "", "dns", "change", "--project", "acme", "lower", "--yes", "--fingerprint", fp)
	if code != 0 || !strings.Contains(out, "Change #1 (lower) applied:") {
		t.Fatalf("apply: exit %d: %s %s", code, out, stderr)
	}
	if got := servedMX(t, k); got != "300 10 mail.acme.example." {
		t.Errorf("after lowering: %s", got)
	}

	for _, step := range []struct{ kind, mx string }{{"switch", "300 0 acme-example.mail.protection.outlook.com."}, {"rollback", "300 10 mail.acme.example."}} {
		out, stderr, code = run(t, db, "", "--json", "dns", "change", "--project", "acme", step.kind)
		var plan struct {
			Fingerprint string   `json:"fingerprint"`
			Lines       []string `json:"lines"`
		}
		if err := json.Unmarshal([]byte(out), &plan); err != nil || code != 0 || plan.Fingerprint == "" {
			t.Fatalf("%s plan: exit %d: %v %s %s", step.kind, code, err, out, stderr)
		}
		if _, stderr, code := run(t, db, "", "dns", "change", "--project", "acme", step.kind, "--yes", "--fingerprint", plan.Fingerprint); code != 0 {
			t.Fatalf("%s: exit %d: %s", step.kind, code, stderr)
		}
		if got := servedMX(t, k); got != step.mx {
			t.Errorf("after %s: %s, want %s", step.kind, got, step.mx)
		}
	}
	out, _, _ = run(t, db, "", "dns", "changes", "--project", "acme")
	if !strings.Contains(out, "#2 ") || !strings.Contains(out, "switch applied (") || !strings.Contains(out, ", rolled back by #3)") {
		t.Errorf("changes:\n%s", out)
	}
}

// TestDNSChangeAtCloudflareFailingMidwayExits3: a change applied in part exits 3 and
// says what was done; the token comes from CUTOVER_DNS_SECRET.
func TestDNSChangeAtCloudflareFailingMidwayExits3(t *testing.T) {
	const zoneID, token = "023e105f4ecef8ad9ca31a8372d0c353", "cf-api-token"
	cf := dnsupdatetest.StartCloudflare(t, token, zoneID, 100,
		"MX acme.example 300 mail.acme.example 10", "TXT acme.example 300 v=spf1 a:mail ~all", "CNAME autodiscover.acme.example 300 mail.acme.example")
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "m365",
		"--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("create: %d %s", code, stderr)
	}
	t.Setenv("CUTOVER_DNS_SECRET", token)
	out, stderr, code := run(t, db, "", "dns", "host", "set", "--project", "acme", "--kind", "cloudflare", "--zone-id", zoneID, "--api-url", cf.URL)
	if code != 0 || strings.Contains(out+stderr, token) || !strings.Contains(out, "zone acme.example at Cloudflare, zone ID "+zoneID+", API token stored") {
		t.Fatalf("host set: exit %d: %s %s", code, out, stderr)
	}
	out, _, _ = run(t, db, "", "dns", "change", "--project", "acme", "switch")
	fp := regexp.MustCompile(`Fingerprint: ([0-9a-f]{12})`).FindStringSubmatch(out)[1]
	cf.FailAt(2)
	out, stderr, code = run(t, db, "", "dns", "change", "--project", "acme", "switch", "--yes", "--fingerprint", fp)
	if code != 3 || !strings.Contains(out, "Change #1 (switch) partial:") || !strings.Contains(stderr, "the plan was applied in part (done: MX acme.example") {
		t.Errorf("partial switch: exit %d:\n%s\n%s", code, out, stderr)
	}
}

func TestDNSChangeCanBeScheduledForTheSwitchWindowAndCancelled(t *testing.T) {
	const zoneID, token = "023e105f4ecef8ad9ca31a8372d0c353", "cf-api-token"
	cf := dnsupdatetest.StartCloudflare(t, token, zoneID, 100,
		"MX acme.example 300 mail.acme.example 10", "TXT acme.example 300 v=spf1 a:mail ~all", "CNAME autodiscover.acme.example 300 mail.acme.example")
	db := filepath.Join(t.TempDir(), "c.db")
	run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "m365", "--cutover", "2099-05-14 18:00", "--tz", "UTC")
	t.Setenv("CUTOVER_DNS_SECRET", token)
	run(t, db, "", "dns", "host", "set", "--project", "acme", "--kind", "cloudflare", "--zone-id", zoneID, "--api-url", cf.URL)
	out, _, _ := run(t, db, "", "dns", "change", "--project", "acme", "switch")
	fp := regexp.MustCompile(`Fingerprint: ([0-9a-f]{12})`).FindStringSubmatch(out)[1]
	before := cf.State()
	out, stderr, code := run(t, db, "", "dns", "change", "--project", "acme", "switch", "--schedule", "--fingerprint", fp)
	if code != 0 || !strings.HasPrefix(out, "Scheduled #1: switch at 2099-05-14 18:00 UTC, if the records are still as shown") {
		t.Fatalf("schedule: exit %d: %s%s", code, out, stderr)
	}
	if got := cf.State(); !slices.Equal(got, before) {
		t.Fatalf("scheduling changed the records: %v", got)
	}
	if out, _, code = run(t, db, "", "dns", "scheduled", "--project", "acme", "--cancel", "1"); code != 0 || !strings.Contains(out, "#1 switch at 2099-05-14 18:00 UTC: cancelled") {
		t.Fatalf("cancel: exit %d: %s", code, out)
	}
	if _, stderr, code = run(t, db, "", "dns", "change", "--project", "acme", "switch", "--schedule", "--fingerprint", fp, "--at", "2001-01-01 00:00"); code != ExitUsage || !strings.Contains(stderr, "a time to come") {
		t.Fatalf("a time past: exit %d: %s", code, stderr)
	}
}
