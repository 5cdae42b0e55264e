package dnscheck

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"cutover/backend/dnscheck/dnstest"
	"cutover/backend/internal/testsrv"
)

// nsdZone is acme.example as a customer's DNS host serves it, at a given serial and TTL.
// The apex TXT RRset is larger than a 1232-byte UDP answer, so nsd truncates it.
func nsdZone(serial int, ttl int, after bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN acme.example.\n$TTL %d\n@ IN SOA ns1 hostmaster %d 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.1\n", ttl, serial)
	b.WriteString("@ TXT \"MS=ms\" \"12345678\"\n")
	for i := range 6 {
		fmt.Fprintf(&b, "@ TXT \"filler-%d-%s\"\n", i, strings.Repeat("x", 240))
	}
	if after {
		b.WriteString("@ MX 0 acme-example.mail.protection.outlook.com.\n@ TXT \"v=spf1 include:spf.protection.outlook.com -all\"\nautodiscover CNAME autodiscover.outlook.com.\n")
	} else {
		b.WriteString("@ MX 10 mail\n@ TXT \"v=spf1 a:mail ~all\"\nmail A 192.0.2.10\nautodiscover CNAME mail\n")
	}
	return b.String()
}

// TestAgainstNSD runs the checks a cutover goes through against Debian's nsd, a real
// authoritative server, on loopback: TTLs lowered (and the safe-switch time), the
// switch, truncation to TCP, NXDOMAIN and REFUSED from a real server.
func TestAgainstNSD(t *testing.T) {
	nsd := testsrv.NSDStart(t, "acme.example", nsdZone(1, 86400, false))
	loc, _ := time.LoadLocation("Europe/Paris")
	clock := &fixedClock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, loc)}
	// A resolver that knows where acme.example's NS points (127.0.0.1), and the port nsd
	// listens on: the authoritative server is found through NS.
	_, port, _ := net.SplitHostPort(nsd.Addr)
	finder := dnstest.Start(t, dnstest.Options{Zone: nsdZone(1, 86400, false), Resolver: true})
	c := checker(t, clock, Options{Resolvers: []Server{ns(finder, "finder")}, NSPort: port, Timeout: 2 * time.Second, Tries: 2})
	recs := append(m365("MS=ms12345678"),
		Record{Domain: "acme.example", Key: "webmail", Purpose: "Webmail", Name: "webmail.acme.example", Type: "A", Value: "192.0.2.20", Match: MatchExact, TTL: 300},
	)
	var obs []Observation

	rep := mustCheck(t, c, Request{Phase: Before, Records: recs})
	obs = append(obs, rep.Observations()...)
	if len(rep.Nameservers) != 1 || rep.Nameservers[0].Addr != nsd.Addr || rep.Nameservers[0].Label != "ns1.acme.example" {
		t.Fatalf("nameservers %+v (problems %v)", rep.Nameservers, rep.Problems)
	}
	if v := result(t, rep, "verify", KindValue); v.Verdict != OK {
		t.Errorf("verification: %s %+v", v.Verdict, v.Answers)
	}
	spf := result(t, rep, "spf", KindTTL)
	if spf.Verdict != TTLHigh || !spf.Answers[0].TCP || len(spf.Answers[0].Values) != 8 {
		t.Errorf("SPF TTL over TCP: %s tcp=%v %d values", spf.Verdict, spf.Answers[0].TCP, len(spf.Answers[0].Values))
	}
	if mx := result(t, rep, "mx", KindTTL); mx.Verdict != TTLHigh || mx.FixRecord != "acme.example. 300 IN MX 10 mail.acme.example." {
		t.Errorf("MX: %s %q", mx.Verdict, mx.FixRecord)
	}

	clock.t = time.Date(2027, 5, 10, 14, 2, 0, 0, loc)
	nsd.NSDSetZone(nsdZone(2, 300, false), 2)
	rep = mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})
	obs = append(obs, rep.Observations()...)
	if !rep.OK {
		t.Errorf("after lowering: %+v", rep.Results)
	}
	s := ComputeSafeSwitch(obs, 300, loc, clock.t)
	if want := "TTL lowered from 86400 to 300 at 14:02 on Monday 10 May: safe to switch after 14:02 on Tuesday 11 May."; s.Sentence != want {
		t.Errorf("safe switch %q, want %q", s.Sentence, want)
	}

	clock.t = time.Date(2027, 5, 14, 18, 5, 0, 0, loc)
	nsd.NSDSetZone(nsdZone(3, 300, true), 3)
	fresh := resolvers(t, 2, nsdZone(3, 300, true), "fresh-")
	c = checker(t, clock, Options{Nameservers: []Server{{Addr: nsd.Addr, Label: "nsd"}}, Resolvers: fresh, Timeout: 2 * time.Second, Tries: 2})
	recs = append(m365("MS=ms12345678"),
		Record{Domain: "acme.example", Key: "missing", Name: "missing.acme.example", Type: "A", Value: "192.0.2.30", Match: MatchExact, TTL: 300},
		Record{Domain: "other.example", Key: "mx", Name: "other.example", Type: "MX", Value: "10 mx.other.example.", Match: MatchExact, TTL: 300},
	)
	rep = mustCheck(t, c, Request{Phase: After, Records: recs})
	for _, key := range []string{"mx", "spf", "autodiscover"} {
		r, _ := rep.Result("acme.example", key, KindValue)
		if r.Verdict != OK || r.Summary != "2 of 2 resolvers see the new "+shortPurpose(Record{Key: key}) {
			t.Errorf("%s: %s %q", key, r.Verdict, r.Summary)
		}
	}
	if r, _ := rep.Result("acme.example", "missing", KindValue); r.Verdict != NXDomain || r.Answers[0].Rcode != "NXDOMAIN" {
		t.Errorf("missing name: %s", r.Verdict)
	}
	if r, _ := rep.Result("other.example", "mx", KindValue); r.Verdict != Refused || r.Answers[0].Rcode != "REFUSED" {
		t.Errorf("other zone: %s %+v", r.Verdict, r.Answers)
	}
	if rep.OK || rep.Failed != 2 {
		t.Errorf("OK %v, failed %d; want false, 2", rep.OK, rep.Failed)
	}
}
