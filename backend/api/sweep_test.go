package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cutover/backend/internal/testsrv"
	"cutover/backend/project"
)

func TestSweepsCopyMailThatStillLandsAtTheOldHostAfterTheSwitch(t *testing.T) {
	// After the final pass and the MX switch, a message still lands at the old host: the
	// next sweep (30 minutes later) copies it, and the status says so; stopping ends them.
	us := []testsrv.User{{Name: "alice", Password: "alice-secret"}}
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Users: us})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Users: us, Separator: "/"})
	if err := src.Fill("alice", 20); err != nil {
		t.Fatal(err)
	}
	clock := &clock{t: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)}
	a := testAPI(t, clock)
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

	clock.t = clock.t.Add(time.Hour) // 18:00, the switch
	status, err := a.SweepStart("acme", SweepInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC); !status.Active || !status.Until.Equal(want) || !status.Next.Equal(clock.t) {
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

	clock.t = clock.t.Add(31 * time.Minute)
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
	clock.t = clock.t.Add(5 * time.Hour)
	if run, err := a.SweepRunDue("acme"); run != nil || err != nil {
		t.Fatalf("a sweep after stopping: %+v, %v", run, err)
	}
	if _, err := a.SweepStart("acme", SweepInput{Until: "yesterday"}); err == nil || !strings.Contains(err.Error(), "until") {
		t.Errorf("a bad end time: %v; want the field named", err)
	}
}

func TestTheCutoverDayGathersTheWindowWhatIsLeftAndTheSweeps(t *testing.T) {
	c := &clock{t: time.Date(2027, 5, 14, 17, 0, 0, 0, time.UTC)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	day, err := a.CutoverDay("acme")
	if err != nil {
		t.Fatal(err)
	}
	if !day.WindowStart.Equal(time.Date(2027, 5, 14, 18, 0, 0, 0, time.UTC)) || day.WindowEnd.Sub(day.WindowStart) != 2*time.Hour {
		t.Errorf("window %v – %v; want the 2 hours from the cutover time", day.WindowStart, day.WindowEnd)
	}
	if len(day.Left) == 0 || day.DNS != nil || day.Sweeps.Text != "no sweeps: start them after the final pass" {
		t.Errorf("day %+v; want the cutover steps left, no DNS check yet, no sweeps", day)
	}
	for _, s := range day.Left {
		if s.Phase != "cutover" && !s.Overdue {
			t.Errorf("step %s (%s) listed as left on the day", s.Key, s.Phase)
		}
	}
}
