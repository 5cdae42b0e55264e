package dnscheck

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cutover/backend/dnscheck/dnstest"
	"cutover/backend/project"
)

// oldZone is acme.example before the cutover: mail at its own server, long TTLs.
const oldZone = `$ORIGIN acme.example.
$TTL 86400
@            IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@            NS    ns1
ns1          A     127.0.0.1
@            MX    10 mail
@            TXT   "v=spf1 a:mail.acme.example ~all"
@            TXT   "MS=ms" "12345678"
mail         A     192.0.2.10
autodiscover CNAME mail
`

// lowZone is the same with the TTLs lowered to 300.
var lowZone = strings.Replace(oldZone, "$TTL 86400", "$TTL 300", 1)

// newZone is acme.example after the switch to Microsoft 365.
const newZone = `$ORIGIN acme.example.
$TTL 300
@            IN SOA ns1 hostmaster 2 7200 3600 1209600 300
@            NS    ns1
ns1          A     127.0.0.1
@            MX    0 acme-example.mail.protection.outlook.com.
@            TXT   "v=spf1 include:spf.protection.outlook.com -all"
@            TXT   "MS=ms12345678"
autodiscover CNAME autodiscover.outlook.com.
`

func m365(verification string) []Record {
	return Defaults(project.ProviderM365, "acme.example", "", verification)
}

// fixedClock is a clock that tests move by hand.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

func checker(t *testing.T, clock *fixedClock, o Options) *Checker {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second // generous: the machine may be loaded; silent servers get their own
	}
	if o.Tries == 0 {
		o.Tries = 1
	}
	if clock != nil {
		o.Now = clock.now
	}
	return New(o)
}

func ns(s *dnstest.Server, label string) Server { return Server{Addr: s.Addr, Label: label} }

func mustCheck(t *testing.T, c *Checker, req Request) Report {
	t.Helper()
	rep, err := c.Check(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func result(t *testing.T, rep Report, key string, kind Kind) Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Key == key && r.Kind == kind {
			return r
		}
	}
	t.Fatalf("no %s result %q in %+v", kind, key, rep.Results)
	return Result{}
}

func TestBeforeCheckFlagsLongTTLsWithTheRecordToPublish(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: oldZone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1.acme.example")}})
	rep := mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})

	if rep.OK {
		t.Fatal("report OK although every TTL is 86400")
	}
	mx := result(t, rep, "mx", KindTTL)
	if mx.Verdict != TTLHigh || mx.Answers[0].TTL != 86400 {
		t.Errorf("MX TTL check: verdict %s, TTL %d; want ttl_high, 86400", mx.Verdict, mx.Answers[0].TTL)
	}
	if mx.FixRecord != "acme.example. 300 IN MX 10 mail.acme.example." {
		t.Errorf("MX fix record = %q", mx.FixRecord)
	}
	if !strings.Contains(mx.Fix, "from 86400 to 300 s") {
		t.Errorf("MX fix = %q", mx.Fix)
	}
	ad := result(t, rep, "autodiscover", KindTTL)
	if ad.Verdict != TTLHigh || ad.FixRecord != "autodiscover.acme.example. 300 IN CNAME mail.acme.example." {
		t.Errorf("autodiscover: verdict %s, fix %q", ad.Verdict, ad.FixRecord)
	}
	// The mail host the MX and the autodiscover CNAME point to changes too.
	host := result(t, rep, "host-mail.acme.example", KindTTL)
	if host.Name != "mail.acme.example" || host.Type != "A" || host.Verdict != TTLHigh {
		t.Errorf("mail host: %s %s %s", host.Name, host.Type, host.Verdict)
	}
	// The verification TXT, published as two strings, is joined and found.
	v := result(t, rep, "verify", KindValue)
	if v.Verdict != OK || !slices.Contains(v.Answers[0].Values, "MS=ms12345678") {
		t.Errorf("verification: %s %v", v.Verdict, v.Answers[0].Values)
	}
	if rep.Passed != 1 || rep.Failed != 4 {
		t.Errorf("passed %d failed %d, want 1 and 4", rep.Passed, rep.Failed)
	}

	if err := auth.SetZone(lowZone); err != nil {
		t.Fatal(err)
	}
	rep = mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})
	if !rep.OK {
		t.Fatalf("report not OK after lowering the TTLs: %+v", rep.Results)
	}
}

func TestVerificationValueMissingOrWrongIsNeverOK(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: lowZone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: Before, Records: m365("")})
	if v := result(t, rep, "verify", KindValue); v.Verdict != Unset || !strings.Contains(v.Fix, "Enter the value") {
		t.Errorf("unset verification: %s %q", v.Verdict, v.Fix)
	}
	rep = mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms99999999")})
	v := result(t, rep, "verify", KindValue)
	if v.Verdict != Missing && v.Verdict != Wrong {
		t.Errorf("wrong verification value: verdict %s", v.Verdict)
	}
	if v.FixRecord != `acme.example. 3600 IN TXT "MS=ms99999999"` {
		t.Errorf("fix record %q", v.FixRecord)
	}
	if rep.OK {
		t.Error("report OK with the wrong verification value")
	}
}

func TestSafeSwitchIsTheDropPlusTheOldTTL(t *testing.T) {
	loc, _ := time.LoadLocation("America/Toronto")
	clock := &fixedClock{t: time.Date(2027, 5, 9, 10, 0, 0, 0, loc)} // Sunday
	auth := dnstest.Start(t, dnstest.Options{Zone: oldZone})
	c := checker(t, clock, Options{Nameservers: []Server{ns(auth, "ns1.acme.example")}})
	var obs []Observation
	run := func() {
		rep := mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})
		obs = append(obs, rep.Observations()...)
	}
	run()
	s := ComputeSafeSwitch(obs, 300, loc, clock.t)
	if s.Known || !strings.Contains(s.Sentence, "still 86400 s on ns1.acme.example: lower it to 300 s, then wait 1 day") {
		t.Errorf("before the drop: %+v", s)
	}

	clock.t = time.Date(2027, 5, 10, 14, 2, 0, 0, loc) // Monday
	if err := auth.SetZone(lowZone); err != nil {
		t.Fatal(err)
	}
	run()
	clock.t = clock.t.Add(3 * time.Hour)
	run()
	s = ComputeSafeSwitch(obs, 300, loc, clock.t)
	want := "TTL lowered from 86400 to 300 at 14:02 on Monday 10 May: safe to switch after 14:02 on Tuesday 11 May."
	if s.Sentence != want || !s.Known || s.Safe {
		t.Errorf("sentence %q (known %v, safe %v), want %q", s.Sentence, s.Known, s.Safe, want)
	}
	if !s.SafeAfter.Equal(time.Date(2027, 5, 11, 14, 2, 0, 0, loc)) {
		t.Errorf("safe after %v", s.SafeAfter)
	}
	s = ComputeSafeSwitch(obs, 300, loc, time.Date(2027, 5, 11, 14, 3, 0, 0, loc))
	if !s.Safe || !strings.HasSuffix(s.Sentence, "(that time has passed).") {
		t.Errorf("a minute after: %+v", s)
	}
}

func TestSafeSwitchUsesTheLongestTTLSeenBeforeTheDrop(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2027, 5, 10, h, 0, 0, 0, time.UTC) }
	o := func(h int, ttl uint32) Observation {
		return Observation{At: at(h), Kind: KindTTL, Role: Authoritative, Name: "acme.example", Type: "MX", Server: "ns1", TTL: ttl, HasTTL: true}
	}
	// 86400, then 3600 (a first, partial lowering), then 300: a resolver may still hold
	// the 86400 answer it got just before 3600 was published... but only until 86400 s
	// after that. The longest TTL seen before the drop to 300 counts.
	obs := []Observation{o(1, 86400), o(2, 3600), o(5, 300), o(6, 300)}
	s := ComputeSafeSwitch(obs, 300, time.UTC, at(6))
	if s.Records[0].OldTTL != 86400 || !s.SafeAfter.Equal(at(5).Add(24*time.Hour)) {
		t.Errorf("old %d, safe after %v", s.Records[0].OldTTL, s.SafeAfter)
	}
	// Resolvers' and value observations do not count.
	extra := Observation{At: at(7), Kind: KindValue, Role: Authoritative, Name: "acme.example", Type: "MX", Server: "ns1", TTL: 86400, HasTTL: true}
	if s2 := ComputeSafeSwitch(append(obs, extra), 300, time.UTC, at(8)); !s2.SafeAfter.Equal(s.SafeAfter) {
		t.Errorf("a value observation moved the safe time to %v", s2.SafeAfter)
	}
	// Always low: the old TTL is unknown, and the sentence says so.
	s = ComputeSafeSwitch([]Observation{o(5, 300)}, 300, time.UTC, at(6))
	if s.Known || !strings.Contains(s.Sentence, "never saw the longer TTL") {
		t.Errorf("always low: %+v", s)
	}
}

// resolvers starts n resolvers answering from zone.
func resolvers(t *testing.T, n int, zone string, label string) []Server {
	var out []Server
	for i := range n {
		s := dnstest.Start(t, dnstest.Options{Zone: zone, Resolver: true})
		out = append(out, Server{Addr: s.Addr, Label: label + string(rune('A'+i))})
	}
	return out
}

func TestAfterCheckCountsResolversThatSeeTheNewRecords(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone})
	res := resolvers(t, 4, newZone, "fresh-")
	res = append(res, resolvers(t, 1, oldZone, "stale-")...) // still caches the old answers
	loc, _ := time.LoadLocation("Europe/Paris")
	clock := &fixedClock{t: time.Date(2027, 5, 14, 18, 5, 0, 0, loc)}
	c := checker(t, clock, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: res, Location: loc})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("MS=ms12345678")})

	mx := result(t, rep, "mx", KindValue)
	// The stale resolver answered with what is left of its 86400 s: a day from now.
	if !strings.HasSuffix(mx.Fix, "drop it when its TTL runs out, by 18:05 on Saturday 15 May at the latest.") {
		t.Errorf("MX fix %q", mx.Fix)
	}
	if mx.Verdict != Propagating || mx.Summary != "4 of 5 resolvers see the new MX" {
		t.Errorf("MX: %s, %q", mx.Verdict, mx.Summary)
	}
	if len(mx.Lingering) != 1 || !strings.Contains(mx.Lingering[0], "stale-A still answers 10 mail.acme.example.") {
		t.Errorf("lingering %q", mx.Lingering)
	}
	ad := result(t, rep, "autodiscover", KindValue)
	if ad.Summary != "4 of 5 resolvers see the new Autodiscover" || ad.Step != "outlook" {
		t.Errorf("autodiscover: %q step %q", ad.Summary, ad.Step)
	}
	spf := result(t, rep, "spf", KindValue)
	if spf.Seen != 4 || !strings.Contains(strings.Join(spf.Lingering, ""), "v=spf1 a:mail.acme.example ~all") {
		t.Errorf("spf: seen %d, lingering %q", spf.Seen, spf.Lingering)
	}
	if rep.OK || rep.Failed != 3 {
		t.Errorf("OK %v failed %d; want false, 3", rep.OK, rep.Failed)
	}
	for _, r := range rep.Results {
		if r.Key == "verify" {
			t.Error("the after check repeats the verification")
		}
	}
}

func TestAfterCheckOnTheOldZoneSaysWhatToPublish(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: oldZone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("MS=ms12345678")})
	mx := result(t, rep, "mx", KindValue)
	if mx.Verdict != Wrong || mx.FixRecord != "acme.example. 300 IN MX 0 acme-example.mail.protection.outlook.com." {
		t.Errorf("MX: %s %q", mx.Verdict, mx.FixRecord)
	}
	spf := result(t, rep, "spf", KindValue)
	if spf.FixRecord != `acme.example. 300 IN TXT "v=spf1 a:mail.acme.example include:spf.protection.outlook.com ~all"` {
		t.Errorf("SPF fix %q", spf.FixRecord)
	}
	ad := result(t, rep, "autodiscover", KindValue)
	if ad.Verdict != Wrong || ad.FixRecord != "autodiscover.acme.example. 300 IN CNAME autodiscover.outlook.com." {
		t.Errorf("autodiscover: %s %q", ad.Verdict, ad.FixRecord)
	}
}

func TestOldMXLeftBesideTheNewOneIsFlagged(t *testing.T) {
	zone := strings.Replace(newZone, "@            MX    0 acme", "@            MX    10 mail.old.example.\n@            MX    0 acme", 1)
	auth := dnstest.Start(t, dnstest.Options{Zone: zone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	mx := result(t, rep, "mx", KindValue)
	if mx.Verdict != Extra || !strings.Contains(mx.Fix, "acme.example. 300 IN MX 10 mail.old.example.") {
		t.Errorf("MX: %s %q", mx.Verdict, mx.Fix)
	}
}

func TestTwoSPFRecordsAreAPermanentError(t *testing.T) {
	zone := strings.Replace(newZone, `"MS=ms12345678"`, `"MS=ms12345678"`+"\n@ TXT \"v=spf1 a:mail.acme.example ~all\"", 1)
	auth := dnstest.Start(t, dnstest.Options{Zone: zone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	spf := result(t, rep, "spf", KindValue)
	if spf.Verdict != Wrong || !strings.Contains(spf.Summary, "2 SPF records") {
		t.Errorf("SPF: %s %q", spf.Verdict, spf.Summary)
	}
	if !strings.Contains(spf.Fix, "Replace the 2 SPF record(s)") || !strings.Contains(spf.FixRecord, `"v=spf1 include:spf.protection.outlook.com a:mail.acme.example -all"`) {
		t.Errorf("SPF fix %q / %q", spf.Fix, spf.FixRecord)
	}
}

func TestBrokenServersAreReportedAsWhatTheyAre(t *testing.T) {
	for _, tc := range []struct {
		mode  dnstest.Mode
		want  Verdict
		rcode string
	}{
		{dnstest.ServFail, ServFail, "SERVFAIL"},
		{dnstest.Refused, Refused, "REFUSED"},
		{dnstest.Silent, Timeout, "TIMEOUT"},
		{dnstest.WrongQuestion, Failed, "ERROR"},
	} {
		t.Run(tc.rcode+"/"+string(tc.want), func(t *testing.T) {
			good := dnstest.Start(t, dnstest.Options{Zone: newZone})
			bad := dnstest.Start(t, dnstest.Options{Zone: newZone, Mode: tc.mode})
			goodRes := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true})
			badRes := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true, Mode: tc.mode})
			timeout := 5 * time.Second
			if tc.mode == dnstest.Silent {
				timeout = time.Second // the time the silent servers are given
			}
			c := checker(t, nil, Options{
				Nameservers: []Server{ns(good, "ns1"), ns(bad, "ns2")},
				Resolvers:   []Server{ns(goodRes, "good"), ns(badRes, "bad")},
				Timeout:     timeout,
			})
			rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
			mx := result(t, rep, "mx", KindValue)
			if mx.Verdict != tc.want {
				t.Errorf("verdict %s, want %s", mx.Verdict, tc.want)
			}
			for _, a := range mx.Answers {
				wantOK := a.Label == "ns1" || a.Label == "good"
				if (a.Verdict == OK) != wantOK {
					t.Errorf("%s: verdict %s", a.Label, a.Verdict)
				}
				if !wantOK && a.Rcode != tc.rcode {
					t.Errorf("%s: rcode %s, want %s", a.Label, a.Rcode, tc.rcode)
				}
			}
			if !strings.Contains(mx.Summary, "1 of 2 authoritative servers") || !strings.Contains(mx.Fix, "ns2 ("+bad.Addr+")") {
				t.Errorf("summary %q fix %q", mx.Summary, mx.Fix)
			}
			if rep.OK {
				t.Error("report OK")
			}
		})
	}
}

func TestNXDomainAndNoDataAreNotOK(t *testing.T) {
	zone := strings.Replace(newZone, "autodiscover CNAME autodiscover.outlook.com.\n", "", 1)
	auth := dnstest.Start(t, dnstest.Options{Zone: zone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	ad := result(t, rep, "autodiscover", KindValue)
	if ad.Verdict != NXDomain || ad.Answers[0].Rcode != "NXDOMAIN" {
		t.Errorf("autodiscover: %s %s", ad.Verdict, ad.Answers[0].Rcode)
	}
	if ad.FixRecord != "autodiscover.acme.example. 300 IN CNAME autodiscover.outlook.com." {
		t.Errorf("fix %q", ad.FixRecord)
	}
	// Before the cutover a missing name has no TTL to lower, but its negative answer is
	// cached for the SOA minimum (300 here): fine.
	rep = mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})
	if r := result(t, rep, "autodiscover", KindTTL); r.Verdict != OK || r.Answers[0].TTL != 300 {
		t.Errorf("before: %s TTL %d", r.Verdict, r.Answers[0].TTL)
	}
}

func TestTruncatedUDPAnswerIsAskedAgainOverTCP(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone, Mode: dnstest.Truncate})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	mx := result(t, rep, "mx", KindValue)
	if mx.Verdict != OK || !mx.Answers[0].TCP {
		t.Errorf("MX over TCP: %s tcp=%v %v", mx.Verdict, mx.Answers[0].TCP, mx.Answers[0].Values)
	}
}

func TestSlowServerWithinTheTimeIsAnswered(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone, Delay: 50 * time.Millisecond})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Timeout: 5 * time.Second})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	if !rep.OK {
		t.Errorf("slow server: %+v", rep.Results)
	}
}

func TestCNAMEChainsAreFollowed(t *testing.T) {
	zone := oldZone + "webmail CNAME imap\nimap CNAME mail\nloop1 CNAME loop2\nloop2 CNAME loop1\n"
	res := dnstest.Start(t, dnstest.Options{Zone: zone, Resolver: true})
	auth := dnstest.Start(t, dnstest.Options{Zone: zone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: []Server{ns(res, "r")}})
	recs := []Record{
		{Domain: "acme.example", Key: "webmail", Name: "webmail.acme.example", Type: "A", Value: "192.0.2.10", Match: MatchExact, TTL: 300},
		{Domain: "acme.example", Key: "loop", Name: "loop1.acme.example", Type: "A", Value: "192.0.2.10", Match: MatchExact, TTL: 300},
	}
	rep := mustCheck(t, c, Request{Phase: After, Records: recs})
	w := result(t, rep, "webmail", KindValue)
	if w.Verdict != OK || !slices.Equal(w.Answers[1].Chain, []string{"imap.acme.example.", "mail.acme.example."}) {
		t.Errorf("webmail: %s chain %v", w.Verdict, w.Answers[1].Chain)
	}
	l := result(t, rep, "loop", KindValue)
	if l.Verdict != Failed || !strings.Contains(l.Answers[0].Detail, "CNAME loop") {
		t.Errorf("loop: %s %q", l.Verdict, l.Answers[0].Detail)
	}
}

func TestAuthoritativeServersAreFoundThroughNS(t *testing.T) {
	// The resolver and the authoritative server share a port number on different
	// loopback addresses? Not portable: instead the NS host's address is 127.0.0.1 and
	// the checker is told the port the test's authoritative server listens on.
	auth := dnstest.Start(t, dnstest.Options{Zone: lowZone})
	_, port, _ := net.SplitHostPort(auth.Addr)
	res := dnstest.Start(t, dnstest.Options{Zone: lowZone, Resolver: true})
	c := checker(t, nil, Options{Resolvers: []Server{ns(res, "r")}, NSPort: port})
	rep := mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})
	if len(rep.Nameservers) != 1 || rep.Nameservers[0].Label != "ns1.acme.example" || rep.Nameservers[0].Addr != auth.Addr {
		t.Fatalf("nameservers %+v", rep.Nameservers)
	}
	if !rep.OK || auth.Queries() == 0 {
		t.Errorf("OK %v, queries to the authoritative server %d", rep.OK, auth.Queries())
	}
	// A sub-domain without its own NS walks up to the zone apex.
	recs := Defaults(project.ProviderM365, "sales.acme.example", "", "")
	rep = mustCheck(t, c, Request{Phase: After, Records: recs})
	if len(rep.Nameservers) != 1 || len(rep.Problems) != 0 {
		t.Errorf("sub-domain: nameservers %+v problems %v", rep.Nameservers, rep.Problems)
	}
}

func TestNoResolverAndNoNameserverIsAProblemNotASuccess(t *testing.T) {
	c := checker(t, nil, Options{})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	if rep.OK || len(rep.Problems) == 0 || result(t, rep, "mx", KindValue).Verdict != Failed {
		t.Errorf("OK %v problems %v", rep.OK, rep.Problems)
	}
}

func TestCancelledCheckReportsNothingAsOK(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone, Mode: dnstest.Silent})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for auth.Queries() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	rep, err := c.Check(ctx, Request{Phase: After, Records: m365("x")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Passed != 0 {
		t.Errorf("cancelled check: OK %v passed %d", rep.OK, rep.Passed)
	}
	for _, r := range rep.Results {
		if r.Answers[0].Verdict != Timeout && r.Answers[0].Verdict != Failed {
			t.Errorf("%s: %s", r.Key, r.Answers[0].Verdict)
		}
	}
}

func TestOtherIMAPHostSRVRecords(t *testing.T) {
	zone := `$ORIGIN acme.example.
$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 127.0.0.1
@ MX 10 mail.host.example.
@ TXT "v=spf1 a:mail.host.example ~all"
_imaps._tcp SRV 0 1 993 mail.host.example.
_submission._tcp SRV 0 1 2587 mail.host.example.
`
	auth := dnstest.Start(t, dnstest.Options{Zone: zone})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: Defaults(project.ProviderIMAP, "acme.example", "mail.host.example", "")})
	for _, key := range []string{"mx", "spf", "srv-imaps"} {
		if r := result(t, rep, key, KindValue); r.Verdict != OK {
			t.Errorf("%s: %s %s", key, r.Verdict, r.Summary)
		}
	}
	// The submission SRV points at the right host but the wrong port (RFC 6186: 587).
	sub := result(t, rep, "srv-submission", KindValue)
	if sub.Verdict != Wrong || sub.FixRecord != "_submission._tcp.acme.example. 300 IN SRV 0 1 587 mail.host.example." {
		t.Errorf("submission: %s %q", sub.Verdict, sub.FixRecord)
	}
}

func TestGoogleMXAcceptsTheOlderASPMXSet(t *testing.T) {
	zone := func(mx string) string {
		return "$ORIGIN acme.example.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.1\n" +
			"@ TXT \"v=spf1 include:_spf.google.com ~all\"\n" + mx
	}
	aspmx := "@ MX 1 aspmx.l.google.com.\n@ MX 5 alt1.aspmx.l.google.com.\n@ MX 5 alt2.aspmx.l.google.com.\n@ MX 10 alt3.aspmx.l.google.com.\n@ MX 10 alt4.aspmx.l.google.com.\n"
	for _, tc := range []struct {
		name, mx string
		want     Verdict
	}{
		{"smtp.google.com", "@ MX 1 smtp.google.com.\n", OK},
		{"the ASPMX set", aspmx, OK},
		{"the ASPMX set beside the old server", aspmx + "@ MX 20 mail.acme.example.\n", Extra},
		{"the old server only", "@ MX 10 mail.acme.example.\n", Wrong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := dnstest.Start(t, dnstest.Options{Zone: zone(tc.mx)})
			c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}})
			rep := mustCheck(t, c, Request{Phase: After, Records: Defaults(project.ProviderGoogle, "acme.example", "", "")})
			mx := result(t, rep, "mx", KindValue)
			if mx.Verdict != tc.want {
				t.Errorf("MX %s: %s", mx.Verdict, mx.Answers[0].Detail)
			}
			if tc.want == Extra && mx.FixRecord != "acme.example. 300 IN MX 1 smtp.google.com." || tc.want == Extra && !strings.Contains(mx.Fix, "Remove the old MX record at acme.example (acme.example. 300 IN MX 20 mail.acme.example.)") {
				t.Errorf("fix %q / %q", mx.Fix, mx.FixRecord)
			}
			if !strings.Contains(mx.Expected, "1 aspmx.l.google.com.") {
				t.Errorf("expected %q does not name the ASPMX set", mx.Expected)
			}
		})
	}
}

func TestQueriesRunConcurrently(t *testing.T) {
	const delay = 300 * time.Millisecond
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone, Delay: delay})
	var res []Server
	for i := range 5 {
		s := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true, Delay: delay})
		res = append(res, ns(s, "r"+strconv.Itoa(i)))
	}
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: res})
	start := time.Now()
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
	took := time.Since(start)
	// 3 records × 6 servers one after the other would take 18 × 300 ms = 5.4 s.
	if !rep.OK || took > 2*time.Second {
		t.Errorf("OK %v in %s; want OK well under 5.4 s", rep.OK, took)
	}
}

func TestCheckIsBoundInTime(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone, Mode: dnstest.Silent})
	res := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true, Mode: dnstest.Silent})
	// Each query may wait a minute; the whole check may take 300 ms.
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: []Server{ns(res, "r")}, Timeout: time.Minute, Bound: 300 * time.Millisecond})
	start := time.Now()
	rep := mustCheck(t, c, Request{Phase: Before, Records: m365("MS=ms12345678")})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("check took %s with a bound of 300 ms", took)
	}
	if rep.OK || rep.Passed != 0 || len(rep.Results) == 0 {
		t.Fatalf("OK %v passed %d results %d", rep.OK, rep.Passed, len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Verdict != Timeout {
			t.Errorf("%s %s: %s, want timeout", r.Key, r.Kind, r.Verdict)
		}
	}
}

func TestOtherIMAPHostAutoconfigIsCheckedOnlyWhereTheHostOffersIt(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: `$ORIGIN acme.example.
$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 127.0.0.1
autoconfig CNAME autoconfig.host.example.
`})
	// The resolver sees the Internet as one zone: host.example offers autoconfig but no
	// Autodiscover.
	res := dnstest.Start(t, dnstest.Options{Resolver: true, Zone: `$ORIGIN example.
$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
autoconfig.acme CNAME autoconfig.host.example.
autoconfig.host CNAME mail.host
mail.host A 192.0.2.50
`})
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: []Server{ns(res, "r")}})
	rep := mustCheck(t, c, Request{Phase: After, Records: Defaults(project.ProviderIMAP, "acme.example", "mail.host.example", "")})
	if r := result(t, rep, "autoconfig", KindValue); r.Verdict != OK || r.Summary != "1 of 1 resolvers see the new autoconfig" {
		t.Errorf("autoconfig: %s %q", r.Verdict, r.Summary)
	}
	if r, ok := rep.Result("acme.example", "autodiscover", KindValue); ok {
		t.Errorf("autodiscover checked although host.example offers none: %s %s", r.Verdict, r.Summary)
	}
	if len(rep.Notes) != 1 || rep.Notes[0] != "autodiscover.acme.example CNAME not checked: autodiscover.host.example does not exist, so the host does not offer it" {
		t.Errorf("notes %q", rep.Notes)
	}
}

func TestAResolverThatFailsIsNotCalledPropagation(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone})
	good := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true})
	old := dnstest.Start(t, dnstest.Options{Zone: oldZone, Resolver: true})
	silent := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true, Mode: dnstest.Silent})
	refusing := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true, Mode: dnstest.Refused})
	for _, tc := range []struct {
		name      string
		resolvers []Server
		want      Verdict
		fix       string
	}{
		{"silent", []Server{ns(good, "good"), ns(silent, "silent")}, Timeout, "silent (" + silent.Addr + ") did not answer properly (no answer in time)"},
		{"refusing", []Server{ns(good, "good"), ns(refusing, "refusing")}, Refused, "refusing (" + refusing.Addr + ") did not answer properly"},
		{"old and silent", []Server{ns(old, "old"), ns(silent, "silent")}, Propagating, "Resolvers still holding the old answer drop it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: tc.resolvers, Timeout: 500 * time.Millisecond})
			rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})
			mx := result(t, rep, "mx", KindValue)
			if mx.Verdict != tc.want || !strings.Contains(mx.Fix, tc.fix) || rep.OK {
				t.Errorf("verdict %s, fix %q; want %s, %q", mx.Verdict, mx.Fix, tc.want, tc.fix)
			}
		})
	}
}

// A resolver that fails holds no old answer: it is named in the fix as broken, not
// listed among those still answering the old values (Lingering), which is for
// resolvers that cache an old record or an old "no such record".
func TestLingeringListsResolversHoldingOldAnswersNotBrokenOnes(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Options{Zone: newZone})
	noAutodiscover := strings.Replace(newZone, "autodiscover CNAME autodiscover.outlook.com.\n", "", 1)
	res := resolvers(t, 1, newZone, "fresh-")
	res = append(res, resolvers(t, 1, oldZone, "stale-")...)
	res = append(res, resolvers(t, 1, noAutodiscover, "negative-")...)
	bad := dnstest.Start(t, dnstest.Options{Zone: newZone, Resolver: true, Mode: dnstest.ServFail})
	res = append(res, ns(bad, "broken"))
	c := checker(t, nil, Options{Nameservers: []Server{ns(auth, "ns1")}, Resolvers: res})
	rep := mustCheck(t, c, Request{Phase: After, Records: m365("x")})

	mx := result(t, rep, "mx", KindValue)
	if mx.Verdict != Propagating || mx.Summary != "2 of 4 resolvers see the new MX" {
		t.Errorf("MX: %s, %q", mx.Verdict, mx.Summary)
	}
	if len(mx.Lingering) != 1 || !strings.Contains(mx.Lingering[0], "stale-A still answers 10 mail.acme.example.") {
		t.Errorf("MX lingering %q; want only stale-A", mx.Lingering)
	}
	if !strings.Contains(mx.Fix, "broken ("+bad.Addr+") did not answer properly") {
		t.Errorf("MX fix %q does not name the broken resolver", mx.Fix)
	}
	ad := result(t, rep, "autodiscover", KindValue)
	if len(ad.Lingering) != 2 || !strings.Contains(strings.Join(ad.Lingering, "\n"), "negative-A: ") {
		t.Errorf("autodiscover lingering %q; want stale-A and negative-A (a cached \"no such record\")", ad.Lingering)
	}
	for _, l := range append(mx.Lingering, ad.Lingering...) {
		if strings.Contains(l, "broken") {
			t.Errorf("a failing resolver is listed as lingering: %q", l)
		}
	}
}
