package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/dnscheck/dnstest"
)

const cliZone = `$ORIGIN acme.example.
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

func TestDNSCheckCommandExitCodesAndFix(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "m365",
		"--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris"); code != 0 {
		t.Fatalf("create: %d %s", code, stderr)
	}
	auth := dnstest.Start(t, dnstest.Options{Zone: strings.Replace(cliZone, "{ttl}", "86400", 1)})

	// Bad input: exit 2, the field and the value named.
	_, stderr, code := run(t, db, "", "dns", "check", "--project", "acme", "--resolver", "dns.google:53")
	if code != 2 || !strings.Contains(stderr, `resolver: "dns.google:53": expected an IP address, not a host name`) {
		t.Errorf("bad resolver: exit %d: %s", code, stderr)
	}
	_, stderr, code = run(t, db, "", "dns", "check", "--project", "acme", "--phase", "during", "--nameserver", auth.Addr)
	if code != 2 || !strings.Contains(stderr, `phase: "during": expected before or after`) {
		t.Errorf("bad phase: exit %d: %s", code, stderr)
	}
	_, stderr, code = run(t, db, "", "dns", "record", "set", "--project", "acme", "--key", "x", "--type", "HINFO", "--value", "a")
	if code != 2 || !strings.Contains(stderr, `type: "HINFO": expected MX, TXT, CNAME, SRV, A or AAAA`) {
		t.Errorf("bad record: exit %d: %s", code, stderr)
	}

	if _, stderr, code := run(t, db, "", "dns", "set", "--project", "acme", "--verification", "MS=ms12345678", "--nameserver", auth.Addr, "--resolver", auth.Addr); code != 0 {
		t.Fatalf("dns set: %d %s", code, stderr)
	}
	out, stderr, code := run(t, db, "", "dns", "check", "--project", "acme", "--phase", "before")
	if code != 3 {
		t.Fatalf("check with long TTLs: exit %d, want 3: %s %s", code, out, stderr)
	}
	for _, want := range []string{"TTL_HIGH", "fix: Lower the TTL of acme.example MX from 86400 to 300 s", "acme.example. 300 IN MX 10 mail.acme.example.",
		"The TTL of", "still 86400 s", "step lower_ttl [todo]: not yet — DNS check #1 (before, "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	if err := auth.SetZone(strings.Replace(cliZone, "{ttl}", "300", 1)); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = run(t, db, "", "--json", "dns", "check", "--project", "acme", "--phase", "before")
	if code != 0 {
		t.Fatalf("check with lowered TTLs: exit %d: %s", code, stderr)
	}
	var r struct {
		Report struct {
			OK      bool `json:"ok"`
			Results []struct {
				Name    string `json:"name"`
				Verdict string `json:"verdict"`
				Answers []struct {
					TTL uint32 `json:"ttl"`
				} `json:"answers"`
			} `json:"results"`
			Safe struct {
				Sentence string `json:"sentence"`
				Known    bool   `json:"known"`
			} `json:"safe"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if !r.Report.OK || len(r.Report.Results) != 5 || r.Report.Results[1].Answers[0].TTL != 300 {
		t.Errorf("report %+v", r.Report)
	}
	if !r.Report.Safe.Known || !strings.HasPrefix(r.Report.Safe.Sentence, "TTL lowered from 86400 to 300 at ") {
		t.Errorf("safe %+v", r.Report.Safe)
	}
	out, stderr, code = run(t, db, "", "dns", "mark", "--project", "acme", "lower_ttl")
	if code != 0 || !strings.Contains(out, "Lower DNS TTL: done (DNS check #2") {
		t.Errorf("mark: exit %d %s %s", code, out, stderr)
	}
	// The after check finds the old records: some fail, exit 3, with the record to publish.
	out, _, code = run(t, db, "", "dns", "check", "--project", "acme", "--phase", "after", "--resolver", auth.Addr)
	if code != 3 || !strings.Contains(out, "acme.example. 300 IN MX 0 acme-example.mail.protection.outlook.com.") {
		t.Errorf("after: exit %d:\n%s", code, out)
	}
}
