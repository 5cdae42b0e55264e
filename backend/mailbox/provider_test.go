package mailbox_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/provider"
	"cutover/backend/provider/providertest"
	"cutover/backend/secrets"
)

func TestExchangeThrottlingMakesTheMailboxWaitAndGoOn(t *testing.T) {
	// Exchange Online answers an APPEND with "Request is throttled. Suggested Backoff
	// Time: N milliseconds" (as a NO, or a BAD then BYE, or a BYE): no response code, so
	// before package provider read it, the message was reported as refused. The mailbox
	// waits the suggested time and goes on; nothing is refused, lost or copied twice.
	for _, tc := range []struct {
		name  string
		style providertest.ThrottleStyle
	}{
		{"NO", providertest.ThrottleNO},
		{"BAD then BYE", providertest.ThrottleBADThenBye},
		{"BYE", providertest.ThrottleBye},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Separator: "."})
			msgs := killCorpus(60)
			for i := range msgs {
				msgs[i].Folder = "INBOX"
			}
			seed(t, src, "alice", msgs)
			ex := providertest.StartExchange(t, providertest.ExchangeOptions{User: "alice@contoso.test", Password: "pw",
				ThrottleAfter: 15, ThrottleTimes: 2, Backoff: 200 * time.Millisecond, Style: tc.style})
			host, port, _ := net.SplitHostPort(ex.Addr)
			p, _ := strconv.Atoi(port)
			c := copier(openStore(t), src, src, "alice")
			c.Dest = mailbox.Server{Host: host, Port: p, TLS: mailbox.TLSPlain}
			c.DestCreds = mailbox.Credentials{User: "alice@contoso.test", Password: secrets.New("pw")}
			c.DestLimits, _ = provider.Preset("m365")
			var progress progressLog
			c.Progress = progress.add
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, err := c.Run(ctx, mailbox.Options{})
			if err != nil {
				for _, p := range progress.ps {
					if p.Error != "" {
						t.Logf("%s: %s", p.State, p.Error)
					}
				}
				t.Fatalf("pass: %v", err)
			}
			if st := ex.Stats(); st.Throttled < 2 {
				t.Fatalf("the fake throttled %d times: the test did not exercise throttling", st.Throttled)
			}
			if res.Failed != 0 || len(res.Failures) != 0 {
				t.Errorf("%d messages reported refused: %+v; throttling is not a refusal", res.Failed, res.Failures)
			}
			if n := ex.Count(t, "INBOX"); int(n) != len(msgs) || res.Copied+res.Matched != len(msgs) {
				t.Errorf("the destination holds %d, copied %d + found %d; want %d", n, res.Copied, res.Matched, len(msgs))
			}
			saidWhy := false
			for _, p := range progress.ps {
				if p.State == mailbox.StateRetrying && containsAll(p.Error, "paused until", "Exchange throttling") {
					saidWhy = true
				}
			}
			if !saidWhy {
				t.Error("no progress report said the mailbox was paused for Exchange throttling")
			}
		})
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestMessagesOverTheProvidersLimitAreListedBeforeThePassAndNotSent(t *testing.T) {
	// The destination's provider takes messages up to a size (35 MB at Exchange Online by
	// default): the analysis lists the larger ones with their folder and size, and the
	// pass reports each as too large for the destination without sending it.
	src, dst := pair(t, testsrv.DovecotOptions{})
	msgs := append(bigish(5, 2000), bigish(2, 60000)...)
	seed(t, src, "alice", msgs)
	c := copier(openStore(t), src, dst, "alice")
	c.DestLimits = provider.Limits{MaxMessageBytes: 30000}
	stats, err := c.Analyze(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var listed int
	for _, fs := range stats {
		for _, tl := range fs.TooLarge {
			if fs.Name != "INBOX" || tl.Size <= 30000 || tl.Limit != 30000 || !strings.HasPrefix(tl.Subject, "Message ") {
				t.Errorf("listed as too large: %s UID %d %q, %d bytes, limit %d; want INBOX, the subject and a size over the limit", fs.Name, tl.UID, tl.Subject, tl.Size, tl.Limit)
			}
			listed++
		}
	}
	if listed != 2 {
		t.Fatalf("the analysis lists %d messages as too large, want the 2 over 30,000 bytes", listed)
	}
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 5 || res.Failed != 2 {
		t.Fatalf("copied %d, refused %d; want 5 copied and the 2 large ones refused", res.Copied, res.Failed)
	}
	for _, f := range res.Failures {
		if !contains(f.Reason, "too large for the destination") || f.Subject == "" {
			t.Errorf("refusal %+v; want the subject and 'too large for the destination'", f)
		}
	}
	if n := len(snapshot(t, dst, "alice")["INBOX"]); n != 5 {
		t.Errorf("the destination holds %d messages, want the 5 that fit", n)
	}
}
