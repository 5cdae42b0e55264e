package api

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/mailbox"
	"cutover/backend/project"
)

// MailStop says so when the pass is still running after its wait, instead of reporting
// success; once the pass has ended, it succeeds.
func TestMailStopReportsAPassThatDidNotStop(t *testing.T) {
	a, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(a) })
	s := func(v string) *string { return &v }
	doms, hol := []string{"acme.example"}, []string{}
	if _, err := a.CreateProject(project.Input{Name: s("acme"), Domains: &doms, Provider: s("imap"),
		Source: s("imap+plain://127.0.0.1:9"), Dest: s("imap+plain://127.0.0.1:9"),
		Cutover: s("2099-05-14 18:00"), Zone: s("UTC"), Holidays: &hol}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "alice", DestLogin: "alice", SourcePassword: "a", DestPassword: "b"}); err != nil {
		t.Fatal(err)
	}
	// A server that never answers, and connections that do not give up when told to stop.
	dialing, release := make(chan struct{}, 32), make(chan struct{})
	m := a.mail()
	m.dial = func(context.Context, string, string) (net.Conn, error) {
		dialing <- struct{}{}
		<-release
		return nil, errors.New("connection refused")
	}
	m.stopWait = time.Millisecond

	if err := a.MailStart("acme", MailPassInput{Pass: "final"}); err != nil {
		t.Fatal(err)
	}
	<-dialing
	err = a.MailStop("acme")
	if err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("MailStop with the pass still running: %v; want an error saying it is still running", err)
	}
	if IsInputError(err) {
		t.Errorf("a pass that did not stop is not the user's bad input: %v", err)
	}

	close(release)
	m.stopWait = 0 // the default wait: the pass ends as soon as its connections return
	if err := a.MailStop("acme"); err != nil {
		t.Fatalf("MailStop once the pass can end: %v", err)
	}
	st, err := a.MailStatus("acme")
	if err != nil {
		t.Fatal(err)
	}
	if st[0].Running || st[0].Pass == nil || st[0].Pass.State != mailbox.StateStopped {
		t.Fatalf("after the stop: running %v, pass %+v; want stopped", st[0].Running, st[0].Pass)
	}
}
