package provider

import (
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestIsGmailByCapability(t *testing.T) {
	if !IsGmail(imap.CapSet{imap.CapIMAP4rev1: {}, CapGmail: {}}) || IsGmail(imap.CapSet{imap.CapIMAP4rev1: {}}) {
		t.Error("X-GM-EXT-1 decides")
	}
}

func TestPlanGmailSourceReadsAllMailOnceByAttributeNotName(t *testing.T) {
	attrs := func(a ...imap.MailboxAttr) []imap.MailboxAttr { return a }
	for _, c := range []struct {
		name    string
		folders []Folder
		want    GmailSource
	}{
		{"english", []Folder{
			{"INBOX", attrs(imap.MailboxAttrHasNoChildren)},
			{"Work", nil},
			{"[Gmail]", attrs(imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren)},
			{"[Gmail]/All Mail", attrs(imap.MailboxAttrAll)},
			{"[Gmail]/Sent Mail", attrs(imap.MailboxAttrSent)},
			{"[Gmail]/Drafts", attrs(imap.MailboxAttrDrafts)},
			{"[Gmail]/Starred", attrs(imap.MailboxAttrFlagged)},
			{"[Gmail]/Important", attrs(imap.MailboxAttrImportant)},
			{"[Gmail]/Spam", attrs(imap.MailboxAttrJunk)},
			{"[Gmail]/Trash", attrs(imap.MailboxAttrTrash)},
		}, GmailSource{
			AllMail: "[Gmail]/All Mail",
			Folders: []string{"[Gmail]/Spam", "[Gmail]/Trash"},
			Skipped: []string{"INBOX", "Work", "[Gmail]", "[Gmail]/Sent Mail", "[Gmail]/Drafts", "[Gmail]/Starred", "[Gmail]/Important"},
		}},
		{"german, Google Mail", []Folder{
			{"INBOX", nil},
			{"[Google Mail]", attrs(imap.MailboxAttrNoSelect)},
			{"[Google Mail]/Alle Nachrichten", attrs(`\all`)},
			{"[Google Mail]/Gesendet", attrs(imap.MailboxAttrSent)},
			{"[Google Mail]/Papierkorb", attrs(imap.MailboxAttrTrash)},
		}, GmailSource{
			AllMail: "[Google Mail]/Alle Nachrichten",
			Folders: []string{"[Google Mail]/Papierkorb"},
			Skipped: []string{"INBOX", "[Google Mail]", "[Google Mail]/Gesendet"},
		}},
		{"All Mail hidden from IMAP: read folders", []Folder{
			{"INBOX", nil},
			{"[Gmail]", attrs(imap.MailboxAttrNoSelect)},
			{"[Gmail]/Sent Mail", attrs(imap.MailboxAttrSent)},
		}, GmailSource{
			Folders: []string{"INBOX", "[Gmail]/Sent Mail"},
			Skipped: []string{"[Gmail]"},
		}},
	} {
		if got := PlanGmailSource(c.folders); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestIsGmailContainer(t *testing.T) {
	for _, c := range []struct {
		f    Folder
		want bool
	}{
		{Folder{"[Gmail]", []imap.MailboxAttr{imap.MailboxAttrNoSelect}}, true},
		{Folder{"[Google Mail]", []imap.MailboxAttr{imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren}}, true},
		{Folder{"[Gmail]", nil}, false},
		{Folder{"Archive", []imap.MailboxAttr{imap.MailboxAttrNoSelect}}, false},
	} {
		if got := IsGmailContainer(c.f); got != c.want {
			t.Errorf("%+v: %v", c.f, got)
		}
	}
}

func TestPlaceByLabelsCopiesEachMessageOnce(t *testing.T) {
	msgs := []LabeledMessage{
		{MsgID: 101, UID: 1, Labels: []string{`\Inbox`, "Work", `\Important`}},
		{MsgID: 102, UID: 2, Labels: []string{"Work", "Clients/Acme"}},
		{MsgID: 103, UID: 3, Labels: []string{`\Sent`}},
		{MsgID: 104, UID: 4, Labels: []string{`\Sent`, "Work"}},
		{MsgID: 105, UID: 5, Labels: []string{`\Draft`}},
		{MsgID: 106, UID: 6, Labels: []string{`\Starred`}},
		{MsgID: 107, UID: 7, Labels: nil},
		{MsgID: 108, UID: 8, Labels: []string{`\Important`, `\Muted`}},
		{MsgID: 109, UID: 9, Labels: []string{`\Inbox`, `\Starred`}},
		{MsgID: 101, UID: 1, Labels: []string{`\Inbox`}}, // the same message listed twice
		{MsgID: 110, UID: 10, Labels: []string{"Reçus", "Reçus"}},
	}
	got := PlaceByLabels(msgs, LabelRules{})
	want := []Placement{
		{MsgID: 101, UID: 1, Folder: "INBOX"},
		{MsgID: 102, UID: 2, Folder: "Clients/Acme"},
		{MsgID: 103, UID: 3, SpecialUse: imap.MailboxAttrSent},
		{MsgID: 104, UID: 4, Folder: "Work"},
		{MsgID: 105, UID: 5, SpecialUse: imap.MailboxAttrDrafts},
		{MsgID: 106, UID: 6, SpecialUse: imap.MailboxAttrArchive, Flagged: true},
		{MsgID: 107, UID: 7, SpecialUse: imap.MailboxAttrArchive},
		{MsgID: 108, UID: 8, SpecialUse: imap.MailboxAttrArchive},
		{MsgID: 109, UID: 9, Folder: "INBOX", Flagged: true},
		{MsgID: 110, UID: 10, Folder: "Reçus"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	ids := map[uint64]int{}
	for _, p := range got {
		ids[p.MsgID]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %d placed %d times", id, n)
		}
	}
}

func TestPlaceByLabelsWithAllLabelsRule(t *testing.T) {
	msgs := []LabeledMessage{
		{MsgID: 1, UID: 11, Labels: []string{"Work", `\Inbox`, `\Sent`, "Work"}},
		{MsgID: 2, UID: 12, Labels: []string{`\Important`}},
	}
	got := PlaceByLabels(msgs, LabelRules{AllLabels: true, Archive: "All Mail"})
	want := []Placement{
		{MsgID: 1, UID: 11, Folder: "INBOX"},
		{MsgID: 1, UID: 11, Folder: "Work"},
		{MsgID: 1, UID: 11, SpecialUse: imap.MailboxAttrSent},
		{MsgID: 2, UID: 12, Folder: "All Mail"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
}
