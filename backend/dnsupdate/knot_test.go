package dnsupdate

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"cutover/backend/dnscheck"
	"cutover/backend/internal/testsrv"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

// knotZone is acme.example at its DNS host before the cutover: the old mail server,
// an SPF record among other TXT records (one of them in two character-strings).
const knotZone = `$ORIGIN acme.example.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 127.0.0.1
@ MX 10 mail
@ TXT "MS=ms" "12345678"
@ TXT "v=spf1 a:mail ~all"
@ TXT "google-site-verification=abc"
mail A 192.0.2.10
autodiscover CNAME mail
`

func startKnot(t *testing.T, zone string) (*testsrv.KnotServer, *RFC2136) {
	t.Helper()
	k := testsrv.KnotStart(t, "acme.example", zone)
	p, err := NewRFC2136(RFC2136Config{Server: k.Addr, Zone: "acme.example", KeyName: k.KeyName, Algorithm: k.Algorithm, Secret: secrets.New(k.Secret)})
	if err != nil {
		t.Fatal(err)
	}
	return k, p
}

func wantServed(t *testing.T, k *testsrv.KnotServer, name string, qtype uint16, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if got := k.Records(t, name, qtype); !slices.Equal(got, want) {
		t.Errorf("%s %s served:\n  %s\nwant:\n  %s", dns.TypeToString[qtype], name, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

var (
	m365     = dnscheck.Defaults(project.ProviderM365, "acme.example", "", "MS=ms12345678")
	oldState = map[uint16][]string{
		dns.TypeMX:    {"10 mail.acme.example."},
		dns.TypeTXT:   {`"MS=ms" "12345678"`, `"v=spf1 a:mail ~all"`, `"google-site-verification=abc"`},
		dns.TypeCNAME: {"mail.acme.example."},
	}
)

// wantState checks every RRset Cutover may change, at ttl, with the old records or
// the switched ones.
func wantState(t *testing.T, k *testsrv.KnotServer, ttl string, switched bool) {
	t.Helper()
	pre := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = ttl + " " + v
		}
		return out
	}
	mx, txt, cname := oldState[dns.TypeMX], oldState[dns.TypeTXT], oldState[dns.TypeCNAME]
	if switched {
		mx = []string{"0 acme-example.mail.protection.outlook.com."}
		txt = []string{txt[0], `"v=spf1 include:spf.protection.outlook.com ~all"`, txt[2]}
		cname = []string{"autodiscover.outlook.com."}
	}
	wantServed(t, k, "acme.example", dns.TypeMX, pre(mx)...)
	wantServed(t, k, "acme.example", dns.TypeTXT, pre(txt)...)
	wantServed(t, k, "autodiscover.acme.example", dns.TypeCNAME, pre(cname)...)
}

// TestLowerSwitchAndRollBackAtKnot goes through a cutover's DNS changes at a real
// server taking signed dynamic updates: TTLs lowered, records switched (the other
// TXT records kept), the switch rolled back from its snapshot; each step checked by
// asking the server.
func TestLowerSwitchAndRollBackAtKnot(t *testing.T) {
	k, p := startKnot(t, knotZone)
	ctx := context.Background()
	keys := Keys("acme.example", m365)
	if want := []Key{{"acme.example", "MX"}, {"autodiscover.acme.example", "CNAME"}, {"acme.example", "TXT"}}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	cur, err := p.Read(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	lower := PlanLowerTTL("acme.example", cur, 300)
	want := "MX acme.example 3600 → 300: mail.acme.example 10 (unchanged)\n" +
		"CNAME autodiscover.acme.example 3600 → 300: mail.acme.example (unchanged)\n" +
		"TXT acme.example 3600 → 300: \"MS=ms\" \"12345678\", \"v=spf1 a:mail ~all\", \"google-site-verification=abc\" (unchanged)\n"
	wantDiff(t, lower, want)
	serial, _ := k.Serial()
	if err := p.Apply(ctx, lower); err != nil {
		t.Fatal(err, k.Logs())
	}
	wantState(t, k, "300", false)
	if s, _ := k.Serial(); s <= serial {
		t.Errorf("serial %d after the update, was %d", s, serial)
	}

	cur, err = p.Read(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if again := PlanLowerTTL("acme.example", cur, 300); !again.Empty() {
		t.Errorf("lowering twice changes %v", again.Changes)
	}
	_, sw := readSwitch(t, p)
	want = "MX acme.example 300: mail.acme.example 10 → acme-example.mail.protection.outlook.com 0\n" +
		"CNAME autodiscover.acme.example 300: mail.acme.example → autodiscover.outlook.com\n" +
		"TXT acme.example 300: \"v=spf1 a:mail ~all\" → \"v=spf1 include:spf.protection.outlook.com ~all\" (2 other TXT records unchanged)\n"
	wantDiff(t, sw, want)
	js, err := json.Marshal(sw.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx, sw); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, "300", true)

	snap, err := ParseSnapshot(js)
	if err != nil {
		t.Fatal(err)
	}
	cur, err = p.Read(ctx, snap.Keys())
	if err != nil {
		t.Fatal(err)
	}
	rb := PlanRollback(cur, snap)
	want = "MX acme.example 300: acme-example.mail.protection.outlook.com 0 → mail.acme.example 10\n" +
		"CNAME autodiscover.acme.example 300: autodiscover.outlook.com → mail.acme.example\n" +
		"TXT acme.example 300: \"v=spf1 include:spf.protection.outlook.com ~all\" → \"v=spf1 a:mail ~all\" (2 other TXT records unchanged)\n"
	wantDiff(t, rb, want)
	if err := p.Apply(ctx, rb); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, "300", false)
}

// TestWrongTSIGKeyIsRefusedAndChangesNothing: an update signed with a key the server
// does not know is refused as a whole, with an error that says to check the key.
func TestWrongTSIGKeyIsRefusedAndChangesNothing(t *testing.T) {
	k, good := startKnot(t, knotZone)
	ctx := context.Background()
	cur, err := good.Read(ctx, Keys("acme.example", m365))
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := k.Serial()
	for name, cfg := range map[string]RFC2136Config{
		"wrong secret": {Server: k.Addr, Zone: "acme.example", KeyName: k.KeyName, Secret: secrets.New("d3Jvbmcgc2VjcmV0IHdyb25nIHNlY3JldCB3cm9uZyE=")},
		"unknown key":  {Server: k.Addr, Zone: "acme.example", KeyName: "someone-else", Secret: secrets.New(k.Secret)},
	} {
		t.Run(name, func(t *testing.T) {
			bad, err := NewRFC2136(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = bad.Apply(ctx, PlanLowerTTL("acme.example", cur, 300))
			var ref *RefusedError
			if !errors.As(err, &ref) {
				t.Fatalf("error %T %v, want a RefusedError", err, err)
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{"NOTAUTH", "TSIG", "nothing was changed", "check the key name"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, k.Secret) || strings.Contains(msg, cfg.Secret.Reveal()) {
				t.Errorf("error %q shows a secret", msg)
			}
		})
	}
	wantState(t, k, "3600", false)
	if s, _ := k.Serial(); s != serial {
		t.Errorf("serial %d, was %d: the zone changed", s, serial)
	}
}

// TestPlanWhoseRecordsChangedIsRefused: someone changed the MX after the plan was
// made; the update's prerequisites fail at the server, which applies none of the
// plan, and the error names the MX and what it is now.
func TestPlanWhoseRecordsChangedIsRefused(t *testing.T) {
	k, p := startKnot(t, knotZone)
	ctx := context.Background()
	cur, sw := readSwitch(t, p)
	// Meanwhile, in the DNS host's own tools: another MX.
	other := Plan{Zone: "acme.example", Kind: KindSwitch, Changes: []Change{{
		Old: cur[0], New: RRset{Name: "acme.example", Type: "MX", TTL: 3600, Values: []string{"20 backup.example.net."}},
	}}}
	if err := p.Apply(ctx, other); err != nil {
		t.Fatal(err)
	}
	serial, _ := k.Serial()

	err := p.Apply(ctx, sw)
	var stale *StaleError
	if !errors.As(err, &stale) {
		t.Fatalf("error %T %v, want a StaleError", err, err)
	}
	if len(stale.Records) != 1 || !strings.Contains(stale.Records[0], "MX acme.example: the plan saw 10 mail.acme.example. (TTL 3600), now 20 backup.example.net. (TTL 3600)") {
		t.Errorf("stale records %q", stale.Records)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "nothing was changed; make the plan again") {
		t.Errorf("error %q", err)
	}
	wantServed(t, k, "acme.example", dns.TypeMX, "3600 20 backup.example.net.")
	wantServed(t, k, "autodiscover.acme.example", dns.TypeCNAME, "3600 mail.acme.example.")
	wantServed(t, k, "acme.example", dns.TypeTXT, "3600 "+oldState[dns.TypeTXT][0], "3600 "+oldState[dns.TypeTXT][1], "3600 "+oldState[dns.TypeTXT][2])
	if s, _ := k.Serial(); s != serial {
		t.Errorf("serial %d, was %d: the zone changed", s, serial)
	}
}

// TestCNAMEBesideOtherRecordsIsRefused: Autodiscover as an A record cannot become a
// CNAME beside it; the server refuses the whole switch and the error says why.
func TestCNAMEBesideOtherRecordsIsRefused(t *testing.T) {
	k, p := startKnot(t, strings.Replace(knotZone, "autodiscover CNAME mail", "autodiscover A 192.0.2.10", 1))
	_, sw := readSwitch(t, p)
	err := p.Apply(context.Background(), sw)
	var stale *StaleError
	if !errors.As(err, &stale) || !strings.Contains(err.Error(), "autodiscover.acme.example has records of other types, and a CNAME cannot sit beside them") {
		t.Fatalf("error %v", err)
	}
	wantServed(t, k, "acme.example", dns.TypeMX, "3600 10 mail.acme.example.")
	wantServed(t, k, "autodiscover.acme.example", dns.TypeA, "3600 192.0.2.10")
}
