package dnsupdate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"cutover/backend/dnscheck"
	"cutover/backend/fault"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

// readSwitch reads the RRsets a switch to Microsoft 365 changes and plans the switch.
func readSwitch(t *testing.T, p Provider) ([]RRset, Plan) {
	t.Helper()
	cur, err := p.Read(context.Background(), Keys("acme.example", m365))
	if err != nil {
		t.Fatal(err)
	}
	sw, err := PlanSwitch("acme.example", cur, m365)
	if err != nil {
		t.Fatal(err)
	}
	return cur, sw
}

func wantDiff(t *testing.T, p Plan, want string) {
	t.Helper()
	if d := p.Diff(); d != want {
		t.Errorf("%s diff:\n%s\nwant:\n%s", p.Kind, d, want)
	}
}

func set(name, typ string, ttl uint32, values ...string) RRset {
	return RRset{Name: name, Type: typ, TTL: ttl, Values: values}
}

// TestDiffReadsAsTheUserChecksIt: the line for an MX switch is written the way DNS
// hosts' panels show MX records, host then preference.
func TestDiffReadsAsTheUserChecksIt(t *testing.T) {
	p := Plan{Zone: "acme.example", Kind: KindSwitch, Changes: []Change{
		{Old: set("acme.example", "MX", 3600, "10 mail.old.example."), New: set("acme.example", "MX", 3600, "0 acme-example.mail.protection.outlook.com.")},
		{Old: set("autodiscover.acme.example", "CNAME", 300, "mail.old.example."), New: set("autodiscover.acme.example", "CNAME", 300)},
	}}
	want := "MX acme.example 3600: mail.old.example 10 → acme-example.mail.protection.outlook.com 0\n" +
		"CNAME autodiscover.acme.example 300: mail.old.example → (none)\n"
	if d := p.Diff(); d != want {
		t.Errorf("diff:\n%s\nwant:\n%s", d, want)
	}
}

func TestPlanSwitch(t *testing.T) {
	google := dnscheck.Defaults(project.ProviderGoogle, "acme.example", "", "")
	other := dnscheck.Defaults(project.ProviderIMAP, "acme.example", "imap.host.example", "")
	tests := []struct {
		name     string
		current  []RRset
		expected []dnscheck.Record
		diff     string
	}{{
		name:     "already switched: nothing to do",
		current:  []RRset{set("acme.example", "MX", 300, "0 acme-example.mail.protection.outlook.com."), set("autodiscover.acme.example", "CNAME", 300, "autodiscover.outlook.com."), set("acme.example", "TXT", 300, `"v=spf1 include:spf.protection.outlook.com -all"`)},
		expected: m365,
	}, {
		name:     "Google's older ASPMX set is accepted as it is",
		current:  []RRset{set("acme.example", "MX", 300, "1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."), set("acme.example", "TXT", 300, `"v=spf1 include:_spf.google.com ~all"`)},
		expected: google,
	}, {
		name:     "SPF: the all qualifier kept, other TXT records untouched, a missing SPF added",
		current:  []RRset{set("acme.example", "MX", 300, "10 mail.acme.example."), set("acme.example", "TXT", 300, `"v=spf1 a:mail ?all"`, `"keep-me"`)},
		expected: google,
		diff: "MX acme.example 300: mail.acme.example 10 → smtp.google.com 1\n" +
			`TXT acme.example 300: "v=spf1 a:mail ?all" → "v=spf1 include:_spf.google.com ?all" (1 other TXT record unchanged)` + "\n",
	}, {
		name:     "no SPF yet: one is added, with ~all",
		current:  []RRset{set("acme.example", "MX", 300, "1 smtp.google.com."), set("acme.example", "TXT", 3600, `"keep-me"`)},
		expected: google,
		diff:     `TXT acme.example 3600 → 300: (none) → "v=spf1 include:_spf.google.com ~all" (1 other TXT record unchanged)` + "\n",
	}, {
		name:     "two SPF records (an error, RFC 7208 §3.2) become one",
		current:  []RRset{set("acme.example", "MX", 300, "1 smtp.google.com."), set("acme.example", "TXT", 300, `"v=spf1 a -all"`, `"v=spf1 mx -all"`)},
		expected: google,
		diff:     `TXT acme.example 300: "v=spf1 a -all", "v=spf1 mx -all" → "v=spf1 include:_spf.google.com ~all"` + "\n",
	}, {
		name:     "a TTL lowered below the expected one stays low",
		current:  []RRset{set("acme.example", "MX", 60, "10 mail.acme.example."), set("acme.example", "TXT", 60, `"v=spf1 include:_spf.google.com ~all"`)},
		expected: google,
		diff:     "MX acme.example 60: mail.acme.example 10 → smtp.google.com 1\n",
	}, {
		name:     "a record that offers nothing known (IfOffered) is left alone",
		current:  []RRset{set("acme.example", "MX", 300, "10 mail.acme.example.")},
		expected: other,
		diff:     "MX acme.example 300: mail.acme.example 10 → imap.host.example 10\nTXT acme.example 300: (none) → \"v=spf1 a:imap.host.example ~all\"\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanSwitch("acme.example.", tt.current, tt.expected)
			if err != nil {
				t.Fatal(err)
			}
			if d := p.Diff(); d != tt.diff {
				t.Errorf("diff:\n%s\nwant:\n%s", d, tt.diff)
			}
		})
	}
}

// TestFingerprintNamesExactlyThePlan: the same plan made twice has one fingerprint;
// a plan that saw other records, or would write others, has another.
func TestFingerprintNamesExactlyThePlan(t *testing.T) {
	cur := []RRset{set("acme.example", "MX", 3600, "10 mail.acme.example.", "20 b.acme.example.")}
	a, b := PlanLowerTTL("acme.example", cur, 300), PlanLowerTTL("acme.example", []RRset{set("acme.example", "MX", 3600, "20 b.acme.example.", "10 mail.acme.example.")}, 300)
	if a.Fingerprint() != b.Fingerprint() || len(a.Fingerprint()) != 12 {
		t.Errorf("same plan, fingerprints %s and %s", a.Fingerprint(), b.Fingerprint())
	}
	for name, other := range map[string]Plan{
		"other TTL":     PlanLowerTTL("acme.example", cur, 600),
		"other records": PlanLowerTTL("acme.example", []RRset{set("acme.example", "MX", 3600, "10 mail.acme.example.")}, 300),
		"old TTL":       PlanLowerTTL("acme.example", []RRset{set("acme.example", "MX", 7200, "10 mail.acme.example.", "20 b.acme.example.")}, 300),
	} {
		if other.Fingerprint() == a.Fingerprint() {
			t.Errorf("%s: same fingerprint %s", name, a.Fingerprint())
		}
	}
}

func TestSnapshotRoundTripsAndRollsBackOnlyWhatDiffers(t *testing.T) {
	cur := []RRset{set("acme.example", "MX", 300, "10 mail.acme.example."), set("autodiscover.acme.example", "CNAME", 300)}
	sw, err := PlanSwitch("acme.example", cur, m365)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sw.Snapshot())
	snap, err := ParseSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Fingerprint != sw.Fingerprint() || snap.Kind != KindSwitch {
		t.Errorf("snapshot %+v", snap)
	}
	// After the switch someone already put the MX back by hand: only the CNAME goes.
	now := []RRset{set("acme.example", "MX", 300, "10 mail.acme.example."), set("autodiscover.acme.example", "CNAME", 300, "autodiscover.outlook.com."), set("acme.example", "TXT", 300, `"v=spf1 include:spf.protection.outlook.com ~all"`)}
	rb := PlanRollback(now, snap)
	want := "CNAME autodiscover.acme.example 300: autodiscover.outlook.com → (none)\n" +
		`TXT acme.example 300: "v=spf1 include:spf.protection.outlook.com ~all" → (none)` + "\n"
	if d := rb.Diff(); d != want {
		t.Errorf("rollback:\n%s\nwant:\n%s", d, want)
	}
}

func TestParseKind(t *testing.T) {
	if k, err := ParseKind(" Switch "); err != nil || k != KindSwitch {
		t.Errorf("ParseKind: %v %v", k, err)
	}
	_, err := ParseKind("raise")
	if env := fault.Classify(err); env.Kind != fault.KindInput || env.Fields[0].Field != "kind" {
		t.Errorf("envelope %+v", env)
	}
}

// TestConfigurationsNameTheirBadFieldsAndNeverTheSecret
func TestConfigurationsNameTheirBadFieldsAndNeverTheSecret(t *testing.T) {
	_, err := NewRFC2136(RFC2136Config{Server: "", Zone: "acme..example", KeyName: "", Algorithm: "md5", Secret: secrets.New("not base64 !!")})
	env := fault.Classify(err)
	var fields []string
	for _, f := range env.Fields {
		fields = append(fields, f.Field)
	}
	if env.Kind != fault.KindInput || strings.Join(fields, ",") != "server,zone,key name,algorithm,secret" {
		t.Errorf("envelope %+v", env)
	}
	if strings.Contains(err.Error(), "not base64") {
		t.Errorf("error shows the secret: %v", err)
	}
	if p, err := NewRFC2136(RFC2136Config{Server: "ns1.acme.example", Zone: "acme.example.", KeyName: "k", Secret: secrets.New("c2VjcmV0")}); err != nil || p.server != "ns1.acme.example:53" || p.alg != "hmac-sha256." {
		t.Errorf("defaults: %+v %v", p, err)
	}
	cfg := CloudflareConfig{Zone: "acme.example", ZoneID: "nope", Token: secrets.New("tok-SECRET")}
	_, err = NewCloudflare(cfg)
	if env := fault.Classify(err); env.Kind != fault.KindInput || len(env.Fields) != 1 || env.Fields[0].Field != "zone id" {
		t.Errorf("envelope %+v", env)
	}
	if s := fmt.Sprintf("%v %+v %s", cfg, cfg, mustJSON(cfg)); strings.Contains(s, "tok-SECRET") {
		t.Errorf("configuration prints its token: %s", s)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// FuzzTXTValueRoundTrips: any text written as TXT RDATA reads back as the same text,
// and Canon keeps it so (SPF records are rebuilt from text).
func FuzzTXTValueRoundTrips(f *testing.F) {
	for _, s := range []string{"v=spf1 -all", `quo"te`, `back\slash`, strings.Repeat("x", 600), "", "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := txtValue(s)
		c, err := Canon("TXT", v)
		if err != nil {
			return // text the zone-file syntax cannot hold (control bytes): refused, not mangled
		}
		if got := txtText(c); got != s {
			t.Errorf("%q → %s → %s → %q", s, v, c, got)
		}
	})
}
