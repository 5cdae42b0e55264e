package mailbox_test

import (
	"context"
	"fmt"
	"net"
	"sort"
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

func TestGmailSourceCopiesEachMessageOnceIntoTheFolderOfItsLabel(t *testing.T) {
	// Gmail shows a message in All Mail and again in INBOX and in a folder per label: a
	// copy that reads every folder copies it two, three, four times. Read from All Mail by
	// label, each message lands once, where the user looks for it; Trash is read as a
	// folder (All Mail does not hold it). The German names prove that the special folders
	// are found by their attributes.
	g := providertest.StartGmail(t, providertest.GmailOptions{User: "alice@example.test", Password: "pw", Locale: providertest.German})
	msg := func(n int) []byte {
		return mail(fmt.Sprintf("g%d@gmail.example", n), fmt.Sprintf("Gmail message %d", n), fmt.Sprintf("body %d\r\n", n))
	}
	want := map[string][]string{ // destination folder → subjects
		"INBOX":         {"Gmail message 1"},
		"Work":          {"Gmail message 2"},
		"Clients":       {"Gmail message 3"},
		"Projekte/2024": {"Gmail message 4"},
		"Sent":          {"Gmail message 5"},
		"Archive":       {"Gmail message 6"},
		"Trash":         {"Gmail message 7"},
	}
	g.AddLabeled(t, msg(1), `\Inbox`, "Work", `\Important`)
	g.AddLabeled(t, msg(2), "Work")
	g.AddLabeled(t, msg(3), "Work", "Clients")
	g.AddLabeled(t, msg(4), "Projekte/2024")
	g.AddLabeled(t, msg(5), `\Sent`, `\Starred`)
	g.AddLabeled(t, msg(6))
	g.Append(t, g.Folders["trash"], msg(7))

	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Separator: "/"})
	host, port, _ := net.SplitHostPort(g.Addr)
	p, _ := strconv.Atoi(port)
	c := mailbox.NewCopier(mailbox.Copier{
		Job: "test/gmail", Source: mailbox.Server{Host: host, Port: p, TLS: mailbox.TLSPlain},
		SourceCreds: mailbox.Credentials{User: "alice@example.test", Password: secrets.New("pw")},
		Dest:        plainServer(dst), DestCreds: creds(dst, "alice"), Ledger: openStore(t).MailLedger(),
	})
	ctx := context.Background()

	stats, err := c.Analyze(ctx, mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	todo, excluded := 0, map[string]string{}
	for _, fs := range stats {
		todo += fs.TodoMessages
		if fs.Mapping.Excluded {
			excluded[fs.Name] = fs.Mapping.Reason
		}
	}
	if todo != 7 {
		t.Errorf("the analysis counts %d messages to copy, want 7 (each once): %+v", todo, stats)
	}
	for _, view := range []string{"INBOX", "Work", g.Folders["sent"], g.Folders["starred"]} {
		if !strings.Contains(excluded[view], "Gmail view of All Mail") {
			t.Errorf("%s is not listed as a view of All Mail: %q", view, excluded[view])
		}
	}

	res, err := c.Run(ctx, mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 7 || res.Failed != 0 {
		t.Fatalf("copied %d, refused %d; want 7 copied", res.Copied, res.Failed)
	}
	got := map[string][]string{}
	for folder, msgs := range snapshot(t, dst, "alice") {
		for _, m := range msgs {
			got[folder] = append(got[folder], subjectOf(m.Body))
		}
		sort.Strings(got[folder])
		if len(got[folder]) == 0 {
			delete(got, folder)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the destination holds\n%v\nwant\n%v", got, want)
	}
	if sent := snapshot(t, dst, "alice")["Sent"]; len(sent) != 1 || !strings.Contains(sent[0].Flags, `\Flagged`) {
		t.Errorf("the starred sent message is %+v; want it in Sent with \\Flagged", sent)
	}

	again, err := c.Run(ctx, mailbox.Options{})
	if err != nil || again.Copied != 0 || again.Matched != 0 {
		t.Fatalf("second run: copied %d, found %d, err %v; want nothing to do", again.Copied, again.Matched, err)
	}
	checks, err := c.Verify(ctx, mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fc := range checks {
		if len(fc.Missing) > 0 {
			t.Errorf("verify: %s (label %q) → %s misses %+v", fc.Source, fc.Label, fc.Dest, fc.Missing)
		}
	}
}

func subjectOf(body []byte) string {
	for _, l := range strings.Split(string(body), "\r\n") {
		if s, ok := strings.CutPrefix(l, "Subject: "); ok {
			return s
		}
	}
	return ""
}

func TestGoogleDailyUploadLimitPausesTheMailboxUntilTheWindowFreesUp(t *testing.T) {
	// Google takes about 500 MB a day by IMAP into a mailbox and blocks the account for up
	// to a day past it. Cutover keeps within the limit on its own (the server never
	// refuses) or, when the user's own clients spent the quota first, waits out the
	// refusal; either way progress says "paused until … (Google daily limit)", nothing is
	// refused or lost, and the pass goes on by itself. The day passes on a test clock.
	for _, tc := range []struct {
		name         string
		cutoverLimit int64 // the preset, as the project has it
		wantRefusals bool
	}{
		{"Cutover paces itself", 60_000, false},
		{"the server refuses first", 500_000_000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Separator: "."})
			msgs := bigish(20, 10_000)
			seed(t, src, "alice", msgs)
			clock := providertest.NewClock(longAgo.Add(400 * 24 * time.Hour))
			g := providertest.StartGmail(t, providertest.GmailOptions{User: "alice@example.test", Password: "pw",
				DailyUploadBytes: 60_000, Clock: clock})
			host, port, _ := net.SplitHostPort(g.Addr)
			p, _ := strconv.Atoi(port)
			limits, _ := provider.Preset(provider.Google)
			limits.DailyUploadBytes = tc.cutoverLimit
			var progress progressLog
			c := mailbox.NewCopier(mailbox.Copier{
				Job: "test/quota", Source: plainServer(src), SourceCreds: creds(src, "alice"),
				Dest:      mailbox.Server{Host: host, Port: p, TLS: mailbox.TLSPlain},
				DestCreds: mailbox.Credentials{User: "alice@example.test", Password: secrets.New("pw")},
				Ledger:    openStore(t).MailLedger(), DestLimits: limits, Zone: time.UTC,
				Now: clock.Now, Sleep: clock.Wait, Progress: progress.add,
			})
			start := clock.Now()
			res, err := c.Run(context.Background(), mailbox.Options{})
			if err != nil {
				t.Fatalf("pass: %v", err)
			}
			if res.Copied != len(msgs) || res.Failed != 0 {
				t.Fatalf("copied %d, refused %d (%+v); want all %d copied", res.Copied, res.Failed, res.Failures, len(msgs))
			}
			if n := g.Count(t, "INBOX"); int(n) != len(msgs) {
				t.Errorf("the destination holds %d, want %d", n, len(msgs))
			}
			if r := g.DailyRefusals(); (r > 0) != tc.wantRefusals {
				t.Errorf("the server refused %d times for the daily limit", r)
			}
			// 20 messages of about 10 kB at 60 kB a day: at least three days.
			if days := clock.Now().Sub(start) / (24 * time.Hour); days < 3 {
				t.Errorf("the pass took %v of the test clock, want at least 3 days", clock.Now().Sub(start))
			}
			paused := ""
			for _, p := range progress.ps {
				if p.State == mailbox.StateRetrying && containsAll(p.Error, "paused until", "(Google daily limit)") {
					paused = p.Error
				}
			}
			if paused == "" {
				t.Error(`no progress report said "paused until … (Google daily limit)"`)
			}
		})
	}
}

func TestGmailDestinationGetsTheSpecialFoldersBySpecialUseAndTheOthersAsLabels(t *testing.T) {
	// Into Gmail, Sent goes to the folder with \Sent whatever its localised name
	// ("[Google Mail]/Gesendet"), Trash to \Trash, and the user's folders become labels
	// with their nesting.
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Separator: "."})
	var msgs []seedMsg
	for i, f := range []string{"INBOX", "Sent", "Trash", "Work", "Work.Clients"} {
		msgs = append(msgs, seedMsg{Folder: f, Body: mail(fmt.Sprintf("d%d@old.example", i), "In "+f, "body\r\n"), Date: longAgo})
	}
	seed(t, src, "alice", msgs)
	g := providertest.StartGmail(t, providertest.GmailOptions{User: "alice@example.test", Password: "pw", Locale: providertest.German})
	host, port, _ := net.SplitHostPort(g.Addr)
	p, _ := strconv.Atoi(port)
	limits, _ := provider.Preset(provider.Google)
	c := mailbox.NewCopier(mailbox.Copier{
		Job: "test/to-gmail", Source: plainServer(src), SourceCreds: creds(src, "alice"),
		Dest:      mailbox.Server{Host: host, Port: p, TLS: mailbox.TLSPlain},
		DestCreds: mailbox.Credentials{User: "alice@example.test", Password: secrets.New("pw")},
		Ledger:    openStore(t).MailLedger(), DestLimits: limits,
	})
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil || res.Copied != len(msgs) {
		t.Fatalf("copied %d, err %v; want %d", res.Copied, err, len(msgs))
	}
	for folder, want := range map[string]uint32{"INBOX": 1, g.Folders["sent"]: 1, g.Folders["trash"]: 1, "Work": 1, "Work/Clients": 1} {
		if n := g.Count(t, folder); n != want {
			t.Errorf("%s holds %d, want %d", folder, n, want)
		}
	}
}
