package providertest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cutover/backend/provider"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func message(subject string, size int) []byte {
	head := fmt.Sprintf("From: a@example.com\r\nTo: b@example.com\r\nSubject: %s\r\nMessage-ID: <%s@example.com>\r\n\r\n", subject, strings.ReplaceAll(subject, " ", "."))
	if size < len(head)+2 {
		size = len(head) + 2
	}
	return []byte(head + strings.Repeat("x", size-len(head)-2) + "\r\n")
}

func dial(t *testing.T, addr, user, pass string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

func appendMsg(c *imapclient.Client, mailbox string, msg []byte) error {
	cmd := c.Append(mailbox, int64(len(msg)), nil)
	if _, err := cmd.Write(msg); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

func TestExchangeThrottlesAfterNAppendsAndThenAcceptsAgain(t *testing.T) {
	m365, _ := provider.Preset(provider.M365)
	e := StartExchange(t, ExchangeOptions{ThrottleAfter: 3})
	c := dial(t, e.Addr, e.User, e.Password)
	var answers []string
	for i := 0; i < 8; i++ {
		err := appendMsg(c, "INBOX", message(fmt.Sprintf("m%d", i), 100))
		if err == nil {
			answers = append(answers, "ok")
			continue
		}
		p, ok := provider.Throttle(m365, t0, err)
		if !ok || p.Wait != 500*time.Millisecond || p.Reason != provider.ReasonExchange {
			t.Fatalf("append %d: %v read as %+v %v", i, err, p, ok)
		}
		answers = append(answers, "throttled")
	}
	if got := strings.Join(answers, " "); got != "ok ok ok throttled ok ok ok throttled" {
		t.Errorf("answers: %s", got)
	}
	if n := e.Count(t, "INBOX"); n != 6 {
		t.Errorf("INBOX holds %d, want 6", n)
	}
	if s := e.Stats(); s.Accepted != 6 || s.Throttled != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestExchangeHoldsTheBackoffOnItsClock(t *testing.T) {
	clock := NewClock(t0)
	m365, _ := provider.Preset(provider.M365)
	e := StartExchange(t, ExchangeOptions{ThrottleAfter: 1, Backoff: 2 * time.Second, Clock: clock})
	c := dial(t, e.Addr, e.User, e.Password)
	if err := appendMsg(c, "INBOX", message("first", 100)); err != nil {
		t.Fatal(err)
	}
	err := appendMsg(c, "INBOX", message("second", 100))
	if p, ok := provider.Throttle(m365, clock.Now(), err); !ok || p.Wait != 2*time.Second {
		t.Fatalf("second append: %v", err)
	}
	clock.Advance(1500 * time.Millisecond)
	err = appendMsg(c, "INBOX", message("too early", 100))
	if p, ok := provider.Throttle(m365, clock.Now(), err); !ok || p.Wait != 500*time.Millisecond {
		t.Fatalf("an append inside the backoff: %v, read as %+v", err, p)
	}
	clock.Advance(500 * time.Millisecond)
	if err := appendMsg(c, "INBOX", message("after the wait", 100)); err != nil {
		t.Fatalf("after the backoff: %v", err)
	}
}

func TestExchangeThrottlesWithBADThenBye(t *testing.T) {
	m365, _ := provider.Preset(provider.M365)
	e := StartExchange(t, ExchangeOptions{ThrottleAfter: 1, Style: ThrottleBADThenBye, Backoff: 89117 * time.Millisecond})
	c := dial(t, e.Addr, e.User, e.Password)
	if err := appendMsg(c, "INBOX", message("first", 100)); err != nil {
		t.Fatal(err)
	}
	err := appendMsg(c, "INBOX", message("second", 100))
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeBad {
		t.Fatalf("want a tagged BAD, got %v", err)
	}
	if p, ok := provider.Throttle(m365, t0, err); !ok || p.Wait != 89117*time.Millisecond {
		t.Fatalf("read as %+v %v", p, ok)
	}
	// The connection is over: the next command fails, and a new connection works.
	if err := c.Noop().Wait(); err == nil {
		t.Error("the connection survived the BYE")
	}
	c2 := dial(t, e.Addr, e.User, e.Password)
	if err := appendMsg(c2, "INBOX", message("third", 100)); err != nil {
		t.Errorf("new connection: %v", err)
	}
}

func TestExchangeThrottlesWithBye(t *testing.T) {
	m365, _ := provider.Preset(provider.M365)
	e := StartExchange(t, ExchangeOptions{ThrottleAfter: 1, Style: ThrottleBye, Backoff: 1500 * time.Millisecond})
	var bye provider.ByeRecorder
	c, err := imapclient.DialInsecure(e.Addr, &imapclient.Options{DebugWriter: &bye})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(e.User, e.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := appendMsg(c, "INBOX", message("first", 100)); err != nil {
		t.Fatal(err)
	}
	err = appendMsg(c, "INBOX", message("second", 100))
	if err == nil {
		t.Fatal("the throttled APPEND succeeded")
	}
	// go-imap ends the command with "unexpected EOF" and drops the BYE's text: the recorder
	// has it.
	if _, ok := provider.Throttle(m365, t0, err); ok {
		t.Logf("go-imap now reports the BYE itself: %v", err)
	}
	p, ok := provider.ThrottleText(m365, t0, bye.Last())
	if !ok || p.Wait != 1500*time.Millisecond {
		t.Fatalf("BYE %q read as %+v %v", bye.Last(), p, ok)
	}
	if e.Stats().Throttled != 1 || e.Count(t, "INBOX") != 1 {
		t.Errorf("stats %+v", e.Stats())
	}
	if err := c.Noop().Wait(); err == nil {
		t.Error("the connection survived the BYE")
	}
}

func TestExchangeRefusesMessagesOverItsSizeLimit(t *testing.T) {
	limits, _ := provider.Preset(provider.M365)
	limits.MaxMessageBytes = 2000
	e := StartExchange(t, ExchangeOptions{MaxMessageBytes: limits.MaxMessageBytes})
	c := dial(t, e.Addr, e.User, e.Password)
	if err := appendMsg(c, "INBOX", message("small", 1999)); err != nil {
		t.Fatal(err)
	}
	big := message("big", 2001)
	if !provider.TooLarge(limits, int64(len(big))) {
		t.Fatal("the provider would have sent it")
	}
	err := appendMsg(c, "INBOX", big)
	if err == nil || !provider.RefusedAsTooLarge(err) {
		t.Fatalf("big message: %v", err)
	}
	if _, ok := provider.Throttle(limits, t0, err); ok {
		t.Error("a size refusal read as throttling")
	}
	if e.Count(t, "INBOX") != 1 || e.Stats().TooLarge != 1 {
		t.Errorf("INBOX %d, stats %+v", e.Count(t, "INBOX"), e.Stats())
	}
}

func listFolders(t *testing.T, c *imapclient.Client) []provider.Folder {
	t.Helper()
	data, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var out []provider.Folder
	for _, d := range data {
		out = append(out, provider.Folder{Name: d.Mailbox, Attrs: d.Attrs})
	}
	return out
}

func TestGmailLayoutIsFoundBySpecialUseInEachLocale(t *testing.T) {
	for _, c := range []struct {
		locale        GmailLocale
		allMail, sent string
	}{
		{English, "[Gmail]/All Mail", "[Gmail]/Sent Mail"},
		{German, "[Google Mail]/Alle Nachrichten", "[Google Mail]/Gesendet"},
	} {
		g := StartGmail(t, GmailOptions{Locale: c.locale})
		cl := dial(t, g.Addr, g.User, g.Password)
		if !provider.IsGmail(cl.Caps()) {
			t.Errorf("no X-GM-EXT-1 in %v", cl.Caps())
		}
		if lim, ok := cl.Caps().AppendLimit(); !ok || lim == nil || *lim != GmailAppendLimit {
			t.Errorf("APPENDLIMIT %v %v", lim, ok)
		}
		g.AddLabeled(t, message("hello", 100), `\Inbox`, "Work")
		folders := listFolders(t, cl)
		plan := provider.PlanGmailSource(folders)
		if plan.AllMail != c.allMail {
			t.Errorf("All Mail %q, want %q (%v)", plan.AllMail, c.allMail, folders)
		}
		found := false
		for _, f := range folders {
			if f.Name == c.sent {
				found = len(f.Attrs) > 0
				for _, a := range f.Attrs {
					found = found || a == imap.MailboxAttrSent
				}
			}
		}
		if !found {
			t.Errorf("%q not listed with \\Sent: %v", c.sent, folders)
		}
		if fmt.Sprint(plan.Skipped) == "" || !contains(plan.Skipped, "Work") || !contains(plan.Skipped, "INBOX") {
			t.Errorf("label folders not skipped: %+v", plan)
		}
		// Each message is in All Mail once, and shown again in its label folders.
		if n := g.Count(t, c.allMail); n != 1 {
			t.Errorf("All Mail holds %d", n)
		}
		if g.Count(t, "INBOX") != 1 || g.Count(t, "Work") != 1 {
			t.Error("labels are not shown as folders")
		}
		special, err := cl.List("", "*", &imap.ListOptions{SelectSpecialUse: true}).Collect()
		if err != nil || len(special) != 7 {
			t.Errorf("LIST (SPECIAL-USE): %d folders, %v", len(special), err)
		}
	}
}

func TestGmailLabelsPlaceEachMessageOnce(t *testing.T) {
	g := StartGmail(t, GmailOptions{})
	uids := []imap.UID{
		g.AddLabeled(t, message("one", 100), `\Inbox`, "Work", `\Important`),
		g.AddLabeled(t, message("two", 100), `\Sent`, `\Starred`),
		g.AddLabeled(t, message("three", 100)),
	}
	var msgs []provider.LabeledMessage
	for i, uid := range uids {
		msgs = append(msgs, provider.LabeledMessage{MsgID: uint64(1000 + i), UID: uid, Labels: g.Labels(uid)})
	}
	got := provider.PlaceByLabels(msgs, provider.LabelRules{})
	want := fmt.Sprint([]provider.Placement{
		{MsgID: 1000, UID: uids[0], Folder: "INBOX"},
		{MsgID: 1001, UID: uids[1], SpecialUse: imap.MailboxAttrSent, Flagged: true},
		{MsgID: 1002, UID: uids[2], SpecialUse: imap.MailboxAttrArchive},
	})
	if fmt.Sprint(got) != want {
		t.Errorf("got %v\nwant %s", got, want)
	}
}

func TestGmailRefusesTooBigAndTheSixteenthConnection(t *testing.T) {
	g := StartGmail(t, GmailOptions{MaxConnections: 15})
	google, _ := provider.Preset(provider.Google)
	var clients []*imapclient.Client
	for i := 0; i < 15; i++ {
		clients = append(clients, dial(t, g.Addr, g.User, g.Password))
	}
	c, err := imapclient.DialInsecure(g.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Login(g.User, g.Password).Wait()
	p, ok := provider.Throttle(google, t0, err)
	if !ok || !p.FewerConnections || p.Reason != provider.ReasonTooManyConns {
		t.Fatalf("16th login: %v read as %+v", err, p)
	}
	// Closing one frees a place.
	clients[0].Logout().Wait()
	clients[0].Close()
	g.WaitConnections(t, 14)
	dial(t, g.Addr, g.User, g.Password)

	big := make([]byte, GmailAppendLimit+1)
	copy(big, message("huge", 10))
	err = appendMsg(clients[1], "INBOX", big)
	if !provider.RefusedAsTooLarge(err) {
		t.Errorf("over APPENDLIMIT: %v", err)
	}
}

func TestGmailDailyUploadLimitPausesUntilTheDayIsOver(t *testing.T) {
	clock := NewClock(t0)
	google, _ := provider.Preset(provider.Google)
	g := StartGmail(t, GmailOptions{DailyUploadBytes: 1000, Clock: clock})
	c := dial(t, g.Addr, g.User, g.Password)
	for i := 0; i < 2; i++ {
		if err := appendMsg(c, "INBOX", message(fmt.Sprint("m", i), 400)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	clock.Advance(3 * time.Hour)
	err := appendMsg(c, "INBOX", message("m2", 400))
	p, ok := provider.Throttle(google, clock.Now(), err)
	if !ok || !p.Daily || p.Reason != provider.ReasonGoogleDaily || !p.Until.Equal(clock.Now().Add(24*time.Hour)) {
		t.Fatalf("over the daily upload: %v read as %+v", err, p)
	}
	// Google's day runs from the first byte: 21 hours later the quota is back (Cutover's
	// pause of a full window from the refusal is the safe side of that).
	clock.Advance(21*time.Hour - time.Second)
	if err := appendMsg(c, "INBOX", message("m2", 400)); err == nil {
		t.Fatal("accepted a second before the day is over")
	}
	clock.Advance(time.Second)
	if err := appendMsg(c, "INBOX", message("m2", 400)); err != nil {
		t.Fatalf("after the day: %v", err)
	}
	if up, _ := g.Usage(); up != 400 {
		t.Errorf("usage after the reset: %d", up)
	}
}

func TestGmailDailyDownloadLimit(t *testing.T) {
	clock := NewClock(t0)
	google, _ := provider.Preset(provider.Google)
	g := StartGmail(t, GmailOptions{DailyDownloadBytes: 5000, Clock: clock})
	for i := 0; i < 4; i++ {
		g.Append(t, "INBOX", message(fmt.Sprint("m", i), 2000))
	}
	c := dial(t, g.Addr, g.User, g.Password)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	fetch := func(uid imap.UID) error {
		_, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
		return err
	}
	var errs []error
	for uid := imap.UID(1); uid <= 4; uid++ {
		errs = append(errs, fetch(uid))
	}
	if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatalf("first three fetches: %v", errs)
	}
	p, ok := provider.Throttle(google, clock.Now(), errs[3])
	if !ok || !p.Daily {
		t.Fatalf("fourth fetch over the quota: %v read as %+v", errs[3], p)
	}
	if _, down := g.Usage(); down < 6000 {
		t.Errorf("downloaded %d counted", down)
	}
	clock.Advance(24 * time.Hour)
	if err := fetch(4); err != nil {
		t.Errorf("after the day: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
