package api_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"cutover/backend/api"
	"cutover/backend/internal/testsrv"
	"cutover/backend/project"
)

func mailProject(t *testing.T, users ...string) (*api.API, *testsrv.Dovecot, *testsrv.Dovecot) {
	t.Helper()
	var us []testsrv.User
	for _, u := range users {
		us = append(us, testsrv.User{Name: u, Password: u + "-secret"})
	}
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Users: us})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Users: us, Separator: "/"})
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close(a) })
	s := func(v string) *string { return &v }
	doms := []string{"acme.example"}
	hol := []string{}
	if _, err := a.CreateProject(project.Input{Name: s("acme"), Domains: &doms, Provider: s("imap"),
		Source: s(fmt.Sprintf("imap+plain://127.0.0.1:%d", src.Port)), Dest: s(fmt.Sprintf("imap+plain://127.0.0.1:%d", dst.Port)),
		Cutover: s("2099-05-14 18:00"), Zone: s("UTC"), Holidays: &hol}); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if _, err := a.BatchSet("acme", api.BatchInput{SourceLogin: u, DestLogin: u, SourcePassword: u + "-secret", DestPassword: u + "-secret"}); err != nil {
			t.Fatal(err)
		}
	}
	return a, src, dst
}

func TestBatchPassesCopyEveryMailboxCompletely(t *testing.T) {
	a, src, _ := mailProject(t, "alice", "bob", "carol")
	for _, u := range []string{"alice", "bob", "carol"} {
		if err := src.Fill(u, 300); err != nil {
			t.Fatal(err)
		}
	}
	pre, err := a.MailMigrate("acme", api.MailPassInput{Pass: "pre", OlderThan: "30d"})
	if err != nil {
		t.Fatal(err)
	}
	final, err := a.MailMigrate("acme", api.MailPassInput{Pass: "final"})
	if err != nil {
		t.Fatal(err)
	}
	if pre.Copied+final.Copied != 900 || pre.Errors+final.Errors+pre.Failed+final.Failed != 0 {
		t.Fatalf("copied %d + %d, errors %d/%d, refused %d/%d; want 900 copied", pre.Copied, final.Copied, pre.Errors, final.Errors, pre.Failed, final.Failed)
	}
	checks, err := a.MailVerify("acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if !c.Complete {
			for _, f := range c.Folders {
				t.Errorf("%s %s: %d → %d, missing %+v", c.SourceLogin, f.Source, f.SourceMessages, f.DestMessages, f.Missing)
			}
		}
	}
}

func TestStoppedPassResumesWithoutDuplicates(t *testing.T) {
	a, src, dst := mailProject(t, "alice")
	// Enough for the pass to be still running when the stop arrives: progress is reported
	// every 250 ms, and 1,500 messages were copied before that.
	const n = 4000
	if err := src.Fill("alice", n); err != nil {
		t.Fatal(err)
	}
	events, stop := api.Events(a).Subscribe()
	defer stop()
	if err := a.MailStart("acme", api.MailPassInput{Pass: "final"}); err != nil {
		t.Fatal(err)
	}
	if err := a.MailStart("acme", api.MailPassInput{Pass: "final"}); err == nil || !api.IsInputError(err) {
		t.Fatalf("a second pass while one runs: %v; want an input error", err)
	}
	// Stop once some progress is reported.
	for ev := range events {
		if p, ok := ev.Data.(api.CopyProgress); ok && ev.Name == "copy:progress" && p.MessagesDone > 200 {
			break
		}
	}
	if err := a.MailStop("acme"); err != nil {
		t.Fatal(err)
	}
	st, err := a.MailStatus("acme")
	if err != nil {
		t.Fatal(err)
	}
	if st[0].Pass == nil || st[0].Pass.State != "stopped" || st[0].Running {
		t.Fatalf("after stop: %+v", st[0].Pass)
	}
	res, err := a.MailMigrate("acme", api.MailPassInput{Pass: "final"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied+res.Mailboxes[0].Result.Matched >= n || res.Copied == 0 {
		t.Fatalf("the resumed pass copied %d and matched %d: it should copy only what the stopped one had not", res.Copied, res.Mailboxes[0].Result.Matched)
	}
	checks, err := a.MailVerify("acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, f := range checks[0].Folders {
		got += f.DestMessages
	}
	if !checks[0].Complete || got != n {
		t.Fatalf("after resuming: complete %v, %d messages at the destination; want all %d, none twice", checks[0].Complete, got, n)
	}
	_ = dst
}
