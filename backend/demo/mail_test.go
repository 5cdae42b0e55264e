package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cutover/backend/api"
)

// seededDemo is the demo project in a fresh database, pointed at the demo's servers.
func seededDemo(t *testing.T) (*api.API, *MailServers) {
	t.Helper()
	ctx := context.Background()
	a, err := api.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close(a) })
	now := time.Now()
	mail, err := StartMail(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mail.Close)
	if _, err := Seed(a, Options{Now: now, Source: mail.Source.URL(), Dest: mail.Dest.URL()}); err != nil {
		t.Fatal(err)
	}
	if err := SeedMail(a, mail); err != nil {
		t.Fatal(err)
	}
	return a, mail
}

func TestDemoRunsAWholeMigrationWithItsBuiltInServers(t *testing.T) {
	a, _ := seededDemo(t)
	analysis, err := a.MailAnalyze(ProjectName, nil, "30d")
	if err != nil {
		t.Fatal(err)
	}
	total, pre := 0, 0
	for _, m := range analysis {
		if m.Error != "" {
			t.Fatalf("analysis of %s: %s", m.SourceLogin, m.Error)
		}
		for _, f := range m.Folders {
			total += f.Messages
			pre += f.PreMessages
		}
	}
	if len(analysis) != 3 || total == 0 || pre == 0 || pre >= total {
		t.Fatalf("analysis of %d mailboxes: %d messages, %d for the pre pass; want 3 mailboxes with old and recent mail", len(analysis), total, pre)
	}
	res, err := a.MailMigrate(ProjectName, api.MailPassInput{Pass: "pre", OlderThan: "30d"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != pre || res.Failed != 0 || res.Errors != 0 {
		t.Fatalf("pre pass copied %d (want %d), %d refused, %d mailboxes failed", res.Copied, pre, res.Failed, res.Errors)
	}
	final, err := a.MailMigrate(ProjectName, api.MailPassInput{Pass: "final"})
	if err != nil {
		t.Fatal(err)
	}
	if final.Copied != total-pre {
		t.Fatalf("final pass copied %d, want the %d recent messages", final.Copied, total-pre)
	}
	checks, err := a.MailVerify(ProjectName, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if !c.Complete {
			t.Errorf("%s incomplete after both passes: %d missing (%s)", c.SourceLogin, c.Missing, c.Error)
		}
	}
	// Contacts, calendars and tasks, between the demo's DAV servers.
	pre2, err := a.PIMMigrate(ProjectName, api.PIMPassInput{Pass: "pre", OlderThan: "30d"})
	if err != nil || pre2.Errors != 0 || pre2.Failed != 0 {
		t.Fatalf("contacts pre pass: %+v %v", pre2, err)
	}
	// 5, 6 and 7 contacts; per user 3 finished events and 1 completed task.
	if pre2.Copied != 18+3*4 {
		t.Errorf("contacts pre pass copied %d, want 30", pre2.Copied)
	}
	final2, err := a.PIMMigrate(ProjectName, api.PIMPassInput{Pass: "final"})
	if err != nil || final2.Copied != 3+2*4 {
		t.Errorf("contacts final pass: copied %d, want 11 (%v)", final2.Copied, err)
	}
	pchecks, err := a.PIMVerify(ProjectName, nil)
	if err != nil || len(pchecks) != 3 {
		t.Fatal(pchecks, err)
	}
	for _, c := range pchecks {
		if !c.Complete || c.Error != "" {
			t.Errorf("%s: contacts and calendars incomplete: %+v", c.SourceLogin, c)
		}
	}
	counts, err := a.PIMCopied(ProjectName)
	if err != nil || len(counts) != 3 || counts[0].Copied.Contacts == 0 || counts[0].Copied.Tasks != 2 {
		t.Errorf("copied per mailbox: %+v %v", counts, err)
	}
}
