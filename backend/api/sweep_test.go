package api

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cutover/backend/auth/authtest"
	"cutover/backend/events"
	"cutover/backend/internal/testsrv"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

func TestSweepsCopyMailThatStillLandsAtTheOldHostAfterTheSwitch(t *testing.T) {
	// After the final pass and the MX switch, a message still lands at the old host: the
	// next sweep (30 minutes later) copies it, and the status says so; stopping ends them.
	ctx := context.Background()
	us := []testsrv.User{{Name: "alice", Password: "alice-secret"}}
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Users: us})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Users: us, Separator: "/"})
	if err := src.Fill("alice", 20); err != nil {
		t.Fatal(err)
	}
	clock := authtest.NewClock(time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.LoadOrCreateKey(secrets.KeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	vault, err := secrets.NewVault(key, st)
	if err != nil {
		t.Fatal(err)
	}
	a := New(ctx, Options{Store: st, Vault: vault, Now: clock.Now, Bus: events.NewBus()})
	t.Cleanup(func() { Close(a) })
	s := func(v string) *string { return &v }
	doms, hol := []string{"acme.example"}, []string{}
	if _, err := a.CreateProject(project.Input{Name: s("acme"), Domains: &doms, Provider: s("imap"),
		Source: s(fmt.Sprintf("imap+plain://127.0.0.1:%d", src.Port)), Dest: s(fmt.Sprintf("imap+plain://127.0.0.1:%d", dst.Port)),
		Cutover: s("2026-12-04 18:00"), Zone: s("UTC"), Holidays: &hol}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "alice", DestLogin: "alice", SourcePassword: "alice-secret", DestPassword: "alice-secret"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.SweepStatus("acme"); st.Started || st.Active {
		t.Fatalf("sweeps before they were started: %+v", st)
	}
	if res, err := a.MailMigrate("acme", MailPassInput{Pass: "final"}); err != nil || res.Copied != 20 {
		t.Fatalf("final pass: copied %d, %v", res.Copied, err)
	}

	clock.Advance(time.Hour) // 18:00, the switch
	status, err := a.SweepStart("acme", SweepInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC); !status.Active || !status.Until.Equal(want) || !status.Next.Equal(clock.Now()) {
		t.Fatalf("sweeps started: %+v; want active until %v, the first one due now", status, want)
	}
	run, err := a.SweepRunDue("acme")
	if err != nil || run == nil || run.Copied != 0 {
		t.Fatalf("first sweep: %+v, %v; want it run, nothing new", run, err)
	}
	if again, err := a.SweepRunDue("acme"); again != nil || err != nil {
		t.Fatalf("a second sweep at once: %+v, %v; want none before 18:30", again, err)
	}

	// A sender's retry reaches the old host.
	c, err := imapclient.DialInsecure(src.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice", "alice-secret").Wait(); err != nil {
		t.Fatal(err)
	}
	msg := "From: late@sender.example\r\nTo: alice@acme.example\r\nSubject: Late\r\nMessage-ID: <late@sender.example>\r\n\r\nstill here\r\n"
	cmd := c.Append("INBOX", int64(len(msg)), &imap.AppendOptions{})
	cmd.Write([]byte(msg))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(31 * time.Minute)
	run, err = a.SweepRunDue("acme")
	if err != nil || run == nil || run.Copied != 1 {
		t.Fatalf("second sweep: %+v, %v; want the late message copied", run, err)
	}
	status, _ = a.SweepStatus("acme")
	if want := "sweeping until Mon 18:00 · last sweep 18:31, 1 new message"; status.Text != want || len(status.Runs) != 2 {
		t.Errorf("status %q with %d runs; want %q and 2", status.Text, len(status.Runs), want)
	}
	if status, err = a.SweepStop("acme"); err != nil || status.Active || !strings.HasPrefix(status.Text, "sweeps stopped Fri 18:31") {
		t.Fatalf("stopped: %+v, %v", status, err)
	}
	clock.Advance(5 * time.Hour)
	if run, err := a.SweepRunDue("acme"); run != nil || err != nil {
		t.Fatalf("a sweep after stopping: %+v, %v", run, err)
	}
	if _, err := a.SweepStart("acme", SweepInput{Until: "yesterday"}); err == nil || !strings.Contains(err.Error(), "until") {
		t.Errorf("a bad end time: %v; want the field named", err)
	}
}
