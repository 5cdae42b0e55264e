package mailbox_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
)

// awkward is a source mailbox with what breaks naive copiers: no Message-ID (twice, in
// the same folder), identical twins, bare LF and lone CR inside bodies, 8-bit headers,
// keywords, every flag, nested and international folder names, special-use folders.
func awkward() []seedMsg {
	twin := mail("twin@old.example", "Twin", "same bytes twice\r\n")
	return []seedMsg{
		{Folder: "INBOX", Body: mail("a1@old.example", "Hello", "plain\r\n"), Flags: []imap.Flag{imap.FlagSeen}, Date: longAgo},
		{Folder: "INBOX", Body: mail("", "No id one", "first without id\r\n"), Date: longAgo.Add(day)},
		{Folder: "INBOX", Body: mail("", "No id two", "second without id\r\n"), Flags: []imap.Flag{imap.FlagFlagged}, Date: longAgo.Add(2 * day)},
		{Folder: "INBOX", Body: twin, Date: longAgo.Add(3 * day)},
		{Folder: "INBOX", Body: twin, Date: longAgo.Add(3 * day)},
		{Folder: "INBOX", Body: []byte("From: x@old.example\r\nSubject: bare\r\nMessage-ID: <lf@old.example>\r\n\r\nline one\nline two\rline three\r\n"), Flags: []imap.Flag{imap.FlagAnswered, "$Forwarded", "ProjectX"}, Date: longAgo.Add(4 * day)},
		{Folder: "INBOX", Body: []byte("From: J\xfcrgen <j@old.example>\r\nSubject: Gr\xfc\xdfe aus K\xf6ln\r\n\r\n8-bit header, no id\r\n"), Date: longAgo.Add(5 * day)},
		{Folder: "Sent", Body: mail("s1@old.example", "Sent one", "sent\r\n"), Flags: []imap.Flag{imap.FlagSeen}, Date: longAgo.Add(6 * day)},
		{Folder: "Work", Body: mail("w1@old.example", "Work", "work\r\n"), Date: now.Add(-2 * day)},
		{Folder: "Work.Projects", Body: mail("p1@old.example", "Project", "nested\r\n"), Flags: []imap.Flag{imap.FlagDraft}, Date: now.Add(-day)},
		{Folder: "Présentation", Body: mail("u1@old.example", "Unicode folder", "é\r\n"), Date: now.Add(-3 * day)},
		{Folder: "Old Stuff", Body: mail("", "Only one", "lonely\r\n"), Date: longAgo},
	}
}

func pair(t *testing.T, destOpts testsrv.DovecotOptions) (src, dst *testsrv.Dovecot) {
	t.Helper()
	src = testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Separator: "."})
	destOpts.Name = "dest"
	if destOpts.Separator == "" {
		destOpts.Separator = "/"
	}
	dst = testsrv.NewDovecot(t, destOpts)
	return src, dst
}

// destName is where the awkward folders land on a "/"-delimited destination.
var destName = map[string]string{"INBOX": "INBOX", "Sent": "Sent", "Work": "Work", "Work.Projects": "Work/Projects",
	"Présentation": "Présentation", "Old Stuff": "Old Stuff", "Drafts": "Drafts", "Trash": "Trash", "Junk": "Junk", "Archive": "Archive", "Archive.2024": "Archive/2024"}

func checkCopied(t *testing.T, source, dest map[string][]snapMsg) {
	t.Helper()
	for folder, msgs := range source {
		sameMultiset(t, fmt.Sprintf("folder %q → %q", folder, destName[folder]), msgs, dest[destName[folder]])
	}
}

func TestPassCopiesEverythingExactlyAndLeavesTheSourceUntouched(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward())
	before := snapshot(t, src, "alice")
	st := openStore(t)

	c := copier(st, src, dst, "alice")
	var progress progressLog
	c.Progress = progress.add
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 12 || res.Failed != 0 || res.Matched != 0 {
		t.Fatalf("copied %d, failed %d, matched %d; want 12 copied: %+v", res.Copied, res.Failed, res.Matched, res)
	}
	progress.check(t, 12, 12)
	after := snapshot(t, src, "alice")
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the source changed during the pass:\nbefore %v\nafter  %v", before, after)
	}
	dest := snapshot(t, dst, "alice")
	checkCopied(t, before, dest)
	if n := len(dest["INBOX"]); n != 7 {
		t.Errorf("destination INBOX holds %d messages, want 7 (two without Message-ID and two identical twins kept apart)", n)
	}

	again, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Copied != 0 || again.Matched != 0 {
		t.Fatalf("second run copied %d and matched %d; want nothing", again.Copied, again.Matched)
	}
	if d2 := snapshot(t, dst, "alice"); !reflect.DeepEqual(dest, d2) {
		t.Fatalf("second run changed the destination")
	}
	if !reflect.DeepEqual(before, snapshot(t, src, "alice")) {
		t.Fatalf("the source changed during the second pass")
	}
}

func TestPrePassCopiesOldMailAndFinalPassTheRestWithFlagChanges(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward())
	st := openStore(t)
	cutoff := now.Add(-30 * day)

	pre, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{Cutoff: cutoff})
	if err != nil {
		t.Fatal(err)
	}
	if pre.Copied != 9 {
		t.Fatalf("pre pass copied %d, want the 9 messages older than 30 days", pre.Copied)
	}
	dest := snapshot(t, dst, "alice")
	if n := len(dest["Work"]) + len(dest["Work/Projects"]) + len(dest["Présentation"]); n != 0 {
		t.Fatalf("pre pass copied %d recent messages", n)
	}

	// At the source, the user reads the first unseen message and unflags another; new mail arrives.
	c := dial(t, src, "alice")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen, "Later"}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	seed(t, src, "alice", []seedMsg{{Folder: "INBOX", Body: mail("new@old.example", "New", "arrived late\r\n"), Date: now}})
	source := snapshot(t, src, "alice")

	final, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if final.Copied != 4 {
		t.Errorf("final pass copied %d, want 4 (3 recent + 1 new)", final.Copied)
	}
	updated := 0
	for _, f := range final.Folders {
		updated += f.FlagsUpdated
	}
	if updated != 2 {
		t.Errorf("final pass updated flags of %d messages, want 2", updated)
	}
	checkCopied(t, source, snapshot(t, dst, "alice"))
}

func TestMessagesAlreadyAtTheDestinationAreNeitherDuplicatedNorLost(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	msgs := awkward()
	seed(t, src, "alice", msgs)
	// An earlier manual copy brought one twin and one message without Message-ID; new
	// mail arrived at the destination after the MX switch.
	seed(t, dst, "alice", []seedMsg{
		{Folder: "INBOX", Body: msgs[3].Body, Date: msgs[3].Date},
		{Folder: "INBOX", Body: msgs[1].Body, Date: msgs[1].Date},
		{Folder: "INBOX", Body: mail("after-mx@new.example", "Delivered to the new server", "hi\r\n"), Date: now},
	})
	st := openStore(t)
	res, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 2 || res.Copied != 10 {
		t.Fatalf("matched %d and copied %d; want 2 found at the destination and 10 copied", res.Matched, res.Copied)
	}
	dest := snapshot(t, dst, "alice")
	inbox := dest["INBOX"]
	if len(inbox) != 8 {
		t.Fatalf("destination INBOX has %d messages, want 8 (7 from the source + 1 delivered there)", len(inbox))
	}
	count := func(substr string) int {
		n := 0
		for _, m := range inbox {
			if strings.Contains(string(m.Body), substr) {
				n++
			}
		}
		return n
	}
	for substr, want := range map[string]int{"same bytes twice": 2, "first without id": 1, "second without id": 1, "Delivered to the new server": 1} {
		if got := count(substr); got != want {
			t.Errorf("%q: %d copies at the destination, want %d", substr, got, want)
		}
	}
}

func TestRefusedMessageIsReportedAndThePassGoesOn(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{MaxMailSize: 20000})
	msgs := awkward()
	msgs = append(msgs, seedMsg{Folder: "Work", Body: mail("big@old.example", "Quarterly report", strings.Repeat("x", 30000)+"\r\n"), Date: now})
	seed(t, src, "alice", msgs)
	st := openStore(t)
	res, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 12 || res.Failed != 1 || len(res.Failures) != 1 {
		t.Fatalf("copied %d, failed %d; want 12 copied and 1 refused: %+v", res.Copied, res.Failed, res.Failures)
	}
	f := res.Failures[0]
	if f.Folder != "Work" || f.UID != 2 || f.Subject != "Quarterly report" || !strings.Contains(f.Reason, "Mail size is larger than the maximum size") {
		t.Errorf("failure reported as %+v; want folder Work, UID 2, subject and the server's reason", f)
	}
	if n := len(snapshot(t, dst, "alice")["Work"]); n != 1 {
		t.Errorf("destination Work holds %d messages, want 1", n)
	}
}

func TestEightBitSubjectIsReadable(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{MaxMailSize: 100})
	seed(t, src, "alice", []seedMsg{{Folder: "INBOX", Body: []byte("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n" + strings.Repeat("y", 200) + "\r\n"), Date: now}})
	res, err := copier(openStore(t), src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || res.Failures[0].Subject != "Grüße" {
		t.Fatalf("failures %+v; want one with subject Grüße", res.Failures)
	}
}

func TestSourceFolderRecreatedWithANewUIDValidityIsNotCopiedTwice(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	msgs := awkward()
	seed(t, src, "alice", msgs)
	st := openStore(t)
	if _, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{}); err != nil {
		t.Fatal(err)
	}
	// The old server rebuilds "Work": same messages, new UIDVALIDITY and UIDs.
	c := dial(t, src, "alice")
	if err := c.Delete("Work.Projects").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("Work").Wait(); err != nil {
		t.Fatal(err)
	}
	var work []seedMsg
	for _, m := range msgs {
		if strings.HasPrefix(m.Folder, "Work") {
			work = append(work, m)
		}
	}
	seed(t, src, "alice", work)
	res, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 0 || res.Matched != 2 {
		t.Fatalf("after the source folders were recreated: copied %d, matched %d; want 0 copied and the 2 messages found at the destination", res.Copied, res.Matched)
	}
	checkCopied(t, snapshot(t, src, "alice"), snapshot(t, dst, "alice"))
}

func TestFoldersMergedIntoOneDestinationFolderKeepEveryMessage(t *testing.T) {
	// "Sent" and Outlook's "Sent Items" both go to the destination's Sent folder (a rename
	// rule merges them: MapFolders never does by a guess), and the same message sits in
	// both: folders are copied several at a time, but never two into one destination folder
	// at once, or one would count the other's copy as its own.
	src, dst := pair(t, testsrv.DovecotOptions{})
	shared := mail("shared@old.example", "In both", "sent twice\r\n")
	msgs := []seedMsg{
		{Folder: "Sent", Body: shared, Date: longAgo},
		{Folder: "Sent Items", Body: shared, Date: longAgo},
		{Folder: "Sent", Body: mail("s1@old.example", "Only in Sent", "one\r\n"), Date: longAgo},
		{Folder: "Sent Items", Body: mail("s2@old.example", "Only in Sent Items", "two\r\n"), Date: longAgo},
	}
	for i := 0; i < 5; i++ {
		f := fmt.Sprintf("Folder%d", i)
		msgs = append(msgs, seedMsg{Folder: f, Body: mail(fmt.Sprintf("f%d@old.example", i), f, "x\r\n"), Date: longAgo})
	}
	seed(t, src, "alice", msgs)
	st := openStore(t)
	c := copier(st, src, dst, "alice")
	c.Pipelines = 4
	merge := []mailbox.Rule{{Pattern: "Sent Items", Action: "rename", Target: "Sent"}}
	res, err := c.Run(context.Background(), mailbox.Options{Rules: merge})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != len(msgs) || res.Matched != 0 {
		t.Fatalf("copied %d, matched %d; want %d copied", res.Copied, res.Matched, len(msgs))
	}
	dest := snapshot(t, dst, "alice")
	if n := len(dest["Sent"]); n != 4 {
		t.Fatalf("destination Sent holds %d messages, want 4 (both folders' messages, the shared one twice)", n)
	}
	var copied []string
	for _, f := range res.Folders {
		if f.Copied > 0 {
			copied = append(copied, f.Source)
		}
	}
	if want := "Folder0 Folder1 Folder2 Folder3 Folder4 Sent Sent Items"; strings.Join(copied, " ") != want {
		t.Errorf("result lists the folders copied as %q, want %q (each once, in plan order)", strings.Join(copied, " "), want)
	}
	again, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{Rules: merge})
	if err != nil || again.Copied != 0 || again.Matched != 0 {
		t.Fatalf("second run: copied %d, matched %d, err %v; want nothing", again.Copied, again.Matched, err)
	}
}

// A destination with MULTIAPPEND saves a group of messages as one transaction, and
// refuses all of it when it refuses one: the others are appended again one by one, each
// message ends up there once, only the refused one is reported, and the ledger knows the
// destination UID of every copy (taken from the APPENDUID sets).
func TestRefusalInsideAGroupLosesNothingAndDuplicatesNothing(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{MaxMailSize: 20000})
	var msgs []seedMsg
	for i := 1; i <= 130; i++ {
		body := fmt.Sprintf("message %d\r\n", i)
		if i == 77 {
			body = strings.Repeat("x", 30000) + "\r\n"
		}
		msgs = append(msgs, seedMsg{Folder: "INBOX", Body: mail(fmt.Sprintf("m%d@old.example", i), fmt.Sprintf("Message %d", i), body), Date: now})
	}
	seed(t, src, "alice", msgs)
	st := openStore(t)
	res, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 129 || res.Failed != 1 || len(res.Failures) != 1 || res.Failures[0].UID != 77 {
		t.Fatalf("copied %d, failed %d (%+v); want 129 copied and UID 77 refused", res.Copied, res.Failed, res.Failures)
	}
	got := snapshot(t, dst, "alice")["INBOX"]
	if len(got) != 129 {
		t.Fatalf("destination INBOX holds %d messages, want 129", len(got))
	}
	// Every ledger entry points at the destination message with its Message-ID.
	c := dial(t, dst, "alice")
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[imap.UID]string{}
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Message-ID"}, Peek: true}
	bufs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{hdr}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bufs {
		ids[b.UID] = strings.TrimSpace(strings.SplitN(strings.TrimSpace(string(b.FindBodySection(hdr))), ":", 2)[1])
	}
	sc := dial(t, src, "alice")
	ssel, err := sc.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := st.MailLedger().Copied(context.Background(), "test/alice", "INBOX", ssel.UIDValidity)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 129 {
		t.Fatalf("ledger holds %d entries, want 129", len(ledger))
	}
	for uid, e := range ledger {
		want := fmt.Sprintf("<m%d@old.example>", uid)
		if e.DestUID == 0 || !strings.EqualFold(ids[e.DestUID], want) {
			t.Fatalf("ledger: source UID %d → destination UID %d (UIDVALIDITY %d), which holds %q; want %s", uid, e.DestUID, sel.UIDValidity, ids[e.DestUID], want)
		}
	}
}
