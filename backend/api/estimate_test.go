package api

import (
	"testing"

	"cutover/backend/mailbox"
	"cutover/backend/project"
	"cutover/backend/store"
)

func TestThePrePassEstimateFollowsTheProvidersDailyQuota(t *testing.T) {
	// 3 GB to move into Google Workspace, which takes 500 MB a day by IMAP: six days, and
	// the Analyse page says the destination's limits set it. The excluded folder and the
	// final-pass-only messages do not count; the too-large messages are counted apart.
	p := project.Project{Provider: project.ProviderGoogle}
	folders := []store.MailFolder{
		{Folder: "INBOX", PreMessages: 20000, PreBytes: 2_000_000_000, TooLarge: []mailbox.TooLarge{{UID: 7, Subject: "Scans", Size: 40 << 20}}},
		{Folder: "Archive", PreMessages: 10000, PreBytes: 1_000_000_000, TodoMessages: 10500},
		{Folder: "Junk", PreMessages: 900, PreBytes: 9_000_000_000, Excluded: true},
	}
	e := estimate(p, folders)
	if e.Messages != 30000 || e.Bytes != 3_000_000_000 || e.TooLarge != 1 {
		t.Errorf("estimate counts %d messages, %d bytes, %d too large; want 30000, 3 GB, 1", e.Messages, e.Bytes, e.TooLarge)
	}
	if days := e.Seconds / 86400; days != 6 || e.Why != "the destination's limits (google)" {
		t.Errorf("estimate %.2f days because of %q; want 6 days, the destination's limits", days, e.Why)
	}
	// An IMAP host to another: nothing but the network holds it back.
	if e := estimate(project.Project{Provider: project.ProviderIMAP}, folders); e.Seconds != 0 || e.Why != "" {
		t.Errorf("IMAP to IMAP: %+v; want no limit", e)
	}
}
