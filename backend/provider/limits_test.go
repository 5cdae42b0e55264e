package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

var now = time.Date(2026, 12, 1, 14, 5, 0, 0, time.UTC)

func preset(t *testing.T, n Name) Limits {
	t.Helper()
	l, err := Preset(n)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPresetsCarryTheDocumentedFigures(t *testing.T) {
	m, g, i := preset(t, M365), preset(t, Google), preset(t, IMAP)
	if m.MaxMessageBytes != 36700160 || m.MaxConnections != 8 || m.ServerConnections < m.MaxConnections {
		t.Errorf("m365: %+v", m)
	}
	if g.MaxConnections > 15 || g.ServerConnections != 15 || g.DailyUploadBytes != 500e6 || g.DailyDownloadBytes != 2500e6 || g.QuotaWindow != 24*time.Hour {
		t.Errorf("google: %+v", g)
	}
	if i.MaxMessageBytes != 0 || i.MaxConnections != 0 || i.DailyUploadBytes != 0 {
		t.Errorf("imap has limits: %+v", i)
	}
	if M365MaxRaisedMessageBytes != 157286400 {
		t.Errorf("raised limit %d", M365MaxRaisedMessageBytes)
	}
	if l, err := Preset(" Google "); err != nil || l.Provider != Google {
		t.Errorf("case and space: %v %v", l.Provider, err)
	}
	if _, err := Preset("yahoo"); err == nil || !containsAll(err.Error(), "yahoo", "m365, google or imap") {
		t.Errorf("unknown provider: %v", err)
	}
}

func TestPresetIsEditable(t *testing.T) {
	l := preset(t, M365)
	l.MaxMessageBytes = M365MaxRaisedMessageBytes
	if TooLarge(l, 100*mib) {
		t.Error("a raised limit still refuses 100 MiB")
	}
	if !TooLarge(preset(t, M365), 100*mib) {
		t.Error("the preset was changed by editing a copy")
	}
}

func TestEffectiveMaxMessagePrefersTheSmallerAppendLimit(t *testing.T) {
	g := preset(t, Google)
	for _, c := range []struct {
		preset, appendLimit, want int64
	}{
		{35651584, 0, 35651584},
		{35651584, 10 << 20, 10 << 20},
		{35651584, 50 << 20, 35651584},
		{0, 5000, 5000},
		{0, 0, 0},
	} {
		g.MaxMessageBytes = c.preset
		if got := g.EffectiveMaxMessage(c.appendLimit); got != c.want {
			t.Errorf("preset %d, APPENDLIMIT %d: %d, want %d", c.preset, c.appendLimit, got, c.want)
		}
	}
}

func TestConnectionsAreCappedPerProvider(t *testing.T) {
	for _, c := range []struct {
		n          Name
		want, got0 int
	}{{M365, 20, 8}, {Google, 20, 10}, {IMAP, 20, 20}, {M365, 0, 1}, {Google, 4, 4}} {
		if got := preset(t, c.n).Connections(c.want); got != c.got0 {
			t.Errorf("%s wants %d: %d, want %d", c.n, c.want, got, c.got0)
		}
	}
}

func TestThrottleRecognisesEachProvidersAnswer(t *testing.T) {
	m, g := preset(t, M365), preset(t, Google)
	no := func(code imap.ResponseCode, text string) error {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: text}
	}
	cases := []struct {
		name   string
		l      Limits
		err    error
		ok     bool
		wait   time.Duration
		reason string
		daily  bool
		fewer  bool
	}{
		{"exchange NO", m, no("", "Request is throttled. Suggested Backoff Time: 299609 milliseconds"), true, 299609 * time.Millisecond, ReasonExchange, false, false},
		{"exchange BAD", m, &imap.Error{Type: imap.StatusResponseTypeBad, Text: "Request is throttled. Suggested Backoff Time: 500 milliseconds"}, true, 500 * time.Millisecond, ReasonExchange, false, false},
		{"exchange BYE", m, &imap.Error{Type: imap.StatusResponseTypeBye, Text: "Request is throttled. Suggested Backoff Time: 89117 milliseconds"}, true, 89117 * time.Millisecond, ReasonExchange, false, false},
		{"exchange wrapped", m, fmt.Errorf("append to %q: %w", "INBOX", no("", "Request is throttled. Suggested Backoff Time: 1000 milliseconds")), true, time.Second, ReasonExchange, false, false},
		{"exchange without a time", m, no("", "Request is throttled."), true, time.Minute, ReasonExchange, false, false},
		{"exchange absurd time capped", m, no("", "Request is throttled. Suggested Backoff Time: 999999999999 milliseconds"), true, time.Hour, ReasonExchange, false, false},
		{"exchange server unavailable", m, no("", "Server Unavailable. 15"), true, time.Minute, ReasonServerBusy, false, false},
		{"gmail daily OVERQUOTA", g, no(imap.ResponseCodeOverQuota, "Account exceeded command or bandwidth limits."), true, 24 * time.Hour, ReasonGoogleDaily, true, false},
		{"gmail daily ALERT", g, no(imap.ResponseCodeAlert, "Account exceeded command or bandwidth limits. (Failure)"), true, 24 * time.Hour, ReasonGoogleDaily, true, false},
		{"gmail daily in BYE", g, &imap.Error{Type: imap.StatusResponseTypeBye, Code: imap.ResponseCodeAlert, Text: "Account exceeded command or bandwidth limits. (Failure)"}, true, 24 * time.Hour, ReasonGoogleDaily, true, false},
		{"gmail connections", g, no(imap.ResponseCodeAlert, "Too many simultaneous connections. (Failure)"), true, time.Minute, ReasonTooManyConns, false, true},
		{"gmail THROTTLED", g, no("THROTTLED", "Please slow down"), true, time.Minute, ReasonServerThrottled, false, false},
		{"rfc5530 UNAVAILABLE", preset(t, IMAP), no(imap.ResponseCodeUnavailable, "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=16)"), true, 30 * time.Second, ReasonTooManyConns, false, true},
		{"rfc5530 UNAVAILABLE busy", preset(t, IMAP), no(imap.ResponseCodeUnavailable, "Try again later"), true, 30 * time.Second, ReasonServerBusy, false, false},
		{"rfc5530 LIMIT connections", preset(t, IMAP), no(imap.ResponseCodeLimit, "Too many connections for this user"), true, 30 * time.Second, ReasonTooManyConns, false, true},
		{"full mailbox is no throttle", g, no(imap.ResponseCodeOverQuota, "Quota exceeded (mailbox for user is full)"), false, 0, "", false, false},
		{"LIMIT on something else", g, no(imap.ResponseCodeLimit, "Too many folders"), false, 0, "", false, false},
		{"too big is no throttle", g, &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeTooBig, Text: "Message too large. https://support.google.com/mail/answer/6584#limit"}, false, 0, "", false, false},
		{"bad password", m, no(imap.ResponseCodeAuthenticationFailed, "AUTHENTICATE failed."), false, 0, "", false, false},
		{"plain error", m, errors.New("connection reset by peer"), false, 0, "", false, false},
		{"nil", m, nil, false, 0, "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, ok := Throttle(c.l, now, c.err)
			if ok != c.ok {
				t.Fatalf("ok %v, want %v (%+v)", ok, c.ok, p)
			}
			if !ok {
				return
			}
			if p.Wait != c.wait || p.Reason != c.reason || p.Daily != c.daily || p.FewerConnections != c.fewer {
				t.Errorf("got %+v, want wait %v reason %q daily %v fewer %v", p, c.wait, c.reason, c.daily, c.fewer)
			}
			if !p.Until.Equal(now.Add(c.wait)) {
				t.Errorf("until %v, want now+%v", p.Until, c.wait)
			}
		})
	}
}

func TestThrottleTextReadsRawStatusLines(t *testing.T) {
	m, g := preset(t, M365), preset(t, Google)
	for _, c := range []struct {
		l      Limits
		line   string
		ok     bool
		wait   time.Duration
		reason string
	}{
		{m, "1069 NO Request is throttled. Suggested Backoff Time: 299609 milliseconds", true, 299609 * time.Millisecond, ReasonExchange},
		{m, "AV3 BAD Request is throttled. Suggested Backoff Time: 201317 milliseconds", true, 201317 * time.Millisecond, ReasonExchange},
		{m, "* BYE Request is throttled. Suggested Backoff Time: 500 milliseconds", true, 500 * time.Millisecond, ReasonExchange},
		{g, "A7 NO [OVERQUOTA] Account exceeded command or bandwidth limits.", true, 24 * time.Hour, ReasonGoogleDaily},
		{g, "a NO [ALERT] Too many simultaneous connections. (Failure)", true, time.Minute, ReasonTooManyConns},
		{g, "A3 NO [OVERQUOTA] Mailbox is full", false, 0, ""},
		{g, "A00000002 OK Success [THROTTLED]", false, 0, ""},
		{g, "command: FETCH => [OVERQUOTA] Account exceeded command or bandwidth limits.", true, 24 * time.Hour, ReasonGoogleDaily},
	} {
		p, ok := ThrottleText(c.l, now, c.line)
		if ok != c.ok || p.Wait != c.wait || p.Reason != c.reason {
			t.Errorf("%q: %+v %v, want wait %v reason %q ok %v", c.line, p, ok, c.wait, c.reason, c.ok)
		}
	}
}

func TestPauseMessageShowsTheResumeTimeInTheProjectZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	p := Pause{Until: now.Add(2 * time.Hour), Reason: ReasonGoogleDaily}
	if got, want := p.Message(now, paris), "paused until 17:05 (Google daily limit)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	p.Until = now.Add(24 * time.Hour)
	if got, want := p.Message(now, paris), "paused until Wed 2 Dec 15:05 (Google daily limit)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestOversizedListsWhatTheDestinationWouldRefuse(t *testing.T) {
	m := preset(t, M365)
	msgs := []Message{
		{"INBOX", 7, "small", 1000},
		{"Projects", 3, "plans.zip", 40 * mib},
		{"INBOX", 9, "video", 36700161},
		{"INBOX", 2, "exactly the limit", 36700160},
		{"INBOX", 1, "scan", 80 * mib},
	}
	got := Oversized(m, msgs)
	want := []Message{{"INBOX", 1, "scan", 80 * mib}, {"INBOX", 9, "video", 36700161}, {"Projects", 3, "plans.zip", 40 * mib}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if got := Oversized(preset(t, IMAP), msgs); len(got) != 0 {
		t.Errorf("no limit, yet %v", got)
	}
	m.MaxMessageBytes = M365MaxRaisedMessageBytes
	if got := Oversized(m, msgs); len(got) != 0 {
		t.Errorf("raised to 150 MB, yet %v", got)
	}
}

func TestRefusedAsTooLarge(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeTooBig, Text: "Message too large. https://support.google.com/mail/answer/6584#limit"}, true},
		{&imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTooBig, Text: "Literals are limited to 100 bytes for this command"}, true},
		{&imap.Error{Type: imap.StatusResponseTypeBad, Text: "maximum message size exceeded"}, true},
		{&imap.Error{Type: imap.StatusResponseTypeNo, Text: "Request is throttled. Suggested Backoff Time: 5 milliseconds"}, false},
		{&imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeOverQuota, Text: "Quota exceeded"}, false},
		{errors.New("BAD [ALERT] Message too large."), true},
		{nil, false},
	} {
		if got := RefusedAsTooLarge(c.err); got != c.want {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
}

func TestEstimatePrePassUnderDailyQuotas(t *testing.T) {
	m, g, i := preset(t, M365), preset(t, Google), preset(t, IMAP)
	day := 24 * time.Hour
	for _, c := range []struct {
		name         string
		src, dst     Limits
		bytes, nmsgs int64
		want         time.Duration
	}{
		{"3 GB to Gmail takes 6 days at 500 MB a day", i, g, 3000 * mb, 0, 6 * day},
		{"within one day's upload quota", i, g, 400 * mb, 0, 0},
		{"5 GB from Gmail: the download quota, 2 days", g, i, 5000 * mb, 0, 2 * day},
		{"Gmail to Gmail: upload is the bound", g, g, 5000 * mb, 0, 10 * day},
		{"half a window", i, g, 750 * mb, 0, day + day/2},
		{"M365 paces messages: 14,400 at 4 a second is an hour", i, m, 1 * mb, 14400, time.Hour},
		{"plain IMAP: no bound", i, i, 50000 * mb, 100000, 0},
		{"nothing to copy", i, g, 0, 0, 0},
	} {
		if got := EstimatePrePass(c.src, c.dst, c.bytes, c.nmsgs); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
