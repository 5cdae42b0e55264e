package store

import (
	"context"
	"testing"
	"time"

	"cutover/backend/docs"
	"cutover/backend/messages"
	"cutover/backend/project"
)

func TestTheCustomerPackIsKeptPerProjectAndReplacedByTheNextVerification(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	loc, _ := time.LoadLocation("Europe/Paris")
	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Provider: project.ProviderM365, Zone: "Europe/Paris", Cutover: time.Date(2099, 5, 14, 18, 0, 0, 0, loc), Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.CustomerSettings(ctx, p.ID); err != nil || v.Language != "en" {
		t.Fatalf("defaults %+v %v", v, err)
	}
	if sp, err := s.Specialist(ctx); err != nil || sp.SMTPPort != 587 || sp.SMTPSecurity != messages.StartTLS {
		t.Fatalf("specialist defaults %+v %v", sp, err)
	}
	if err := s.PutMessageDraft(ctx, p.ID, messages.Draft{Kind: "pre_contact", To: []string{"Jürgen <j@acme.example>", "ana@acme.example"}, Subject: "Grüße", Body: "Hallo"}); err != nil {
		t.Fatal(err)
	}
	d, ok, err := s.MessageDraft(ctx, p.ID, "pre_contact")
	if err != nil || !ok || len(d.To) != 2 || d.Subject != "Grüße" || !d.Edited {
		t.Fatalf("draft %+v %v %v", d, ok, err)
	}

	at := time.Date(2099, 5, 15, 9, 0, 0, 0, time.UTC)
	first := []docs.Check{{Source: "INBOX", Dest: "Inbox", SourceMessages: 10, DestMessages: 9, Missing: 1}}
	if err := s.PutVerifyFolders(ctx, p.ID, "alice", at, first, []docs.Missing{{Folder: "INBOX", UID: 4, Subject: "Tschüss", Size: 10}}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.VerifyMissing(ctx, p.ID); len(m) != 1 || m[0].Mailbox != "alice" || m[0].Subject != "Tschüss" {
		t.Fatalf("missing %+v", m)
	}
	again := []docs.Check{{Source: "INBOX", Dest: "Inbox", SourceMessages: 10, DestMessages: 10}}
	if err := s.PutVerifyFolders(ctx, p.ID, "alice", at.Add(time.Hour), again, nil); err != nil {
		t.Fatal(err)
	}
	checks, _ := s.VerifyFolders(ctx, p.ID)
	missing, _ := s.VerifyMissing(ctx, p.ID)
	if len(checks) != 1 || checks[0].Missing != 0 || !checks[0].At.Equal(at.Add(time.Hour)) || len(missing) != 0 {
		t.Fatalf("after the second verification: %+v %+v", checks, missing)
	}
}
