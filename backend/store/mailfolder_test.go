package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cutover/backend/mailbox"
	"cutover/backend/project"
)

// A Gmail source's analysis has a row per label of All Mail, and each row keeps the
// messages too large for the destination: both are read back as stored.
func TestMailFolderAnalysisKeepsLabelsAndTooLargeMessages(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Provider: project.ProviderGoogle, Zone: "UTC", Cutover: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	big := mailbox.TooLarge{UID: 42, Subject: "Grüße, scans", Size: 40 << 20, Date: at.AddDate(-1, 0, 0), Limit: 35 << 20}
	in := []MailFolder{
		{SourceLogin: "alice", Folder: "[Gmail]/All Mail", Label: "INBOX", Dest: "INBOX", TooLarge: []mailbox.TooLarge{}, AnalyzedAt: at},
		{SourceLogin: "alice", Folder: "[Gmail]/All Mail", Label: "Work", Dest: "Work", TooLarge: []mailbox.TooLarge{big}, AnalyzedAt: at},
	}
	if err := s.PutMailFolders(ctx, p.ID, "alice", in); err != nil {
		t.Fatal(err)
	}
	out, err := s.MailFolders(ctx, p.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out) != fmt.Sprint(in) {
		t.Errorf("read back\n%v\nwant\n%v", out, in)
	}
}
