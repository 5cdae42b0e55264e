package mailbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
)

// TestAFolderNamedLikeDraftsIsNotMergedIntoTheSourcesOwnDrafts is issue 11, point 4, on
// real servers: the source's Drafts has \Drafts and is empty, and the user keeps mail in a
// folder of their own called "Entwürfe" (German for drafts). The copy must give that folder
// its own place at the destination and leave Drafts empty; analyze, plan and verify must
// say the same.
func TestAFolderNamedLikeDraftsIsNotMergedIntoTheSourcesOwnDrafts(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	var msgs []seedMsg
	for i := range 3 {
		msgs = append(msgs, seedMsg{Folder: "Entwürfe", Body: mail(fmt.Sprintf("e%d@old.example", i), fmt.Sprintf("Entwurf %d", i), "noch nicht fertig\r\n"),
			Flags: []imap.Flag{imap.FlagDraft}, Date: longAgo.Add(day * 1)})
	}
	msgs = append(msgs, seedMsg{Folder: "INBOX", Body: mail("i1@old.example", "Hallo", "inbox\r\n"), Date: longAgo})
	seed(t, src, "alice", msgs)
	before := snapshot(t, src, "alice")
	if len(before["Drafts"]) != 0 || len(before["Entwürfe"]) != 3 {
		t.Fatalf("source set up wrong: Drafts %d, Entwürfe %d messages", len(before["Drafts"]), len(before["Entwürfe"]))
	}
	srcFolders, err := mailbox.ListFolders(dial(t, src, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if !hasSpecialUse(srcFolders, "Drafts", `\Drafts`) {
		t.Fatalf("the source's Drafts has no \\Drafts: %+v", srcFolders)
	}

	st := openStore(t)
	c := copier(st, src, dst, "alice")
	_, _, mapping, err := c.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]mailbox.Mapping{}
	for _, m := range mapping {
		planned[m.Source] = m
	}
	if m := planned["Entwürfe"]; m.Dest != "Entwürfe" || m.Reason != `Drafts at the source has \Drafts; Entwürfe keeps its name` {
		t.Errorf("plan: Entwürfe → %q (%s); want it to keep its name and say why", m.Dest, m.Reason)
	}
	stats, err := c.Analyze(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if p := planned[s.Name]; s.Mapping.Dest != p.Dest || s.Mapping.Reason != p.Reason {
			t.Errorf("analyze maps %q to %q (%s), the plan to %q (%s)", s.Name, s.Mapping.Dest, s.Mapping.Reason, p.Dest, p.Reason)
		}
	}

	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 4 || res.Failed != 0 {
		t.Fatalf("copied %d, failed %d; want 4 copied", res.Copied, res.Failed)
	}
	dest := snapshot(t, dst, "alice")
	sameMultiset(t, `source "Entwürfe" → destination "Entwürfe"`, before["Entwürfe"], dest["Entwürfe"])
	sameMultiset(t, "INBOX", before["INBOX"], dest["INBOX"])
	if n := len(dest["Drafts"]); n != 0 {
		t.Errorf("the destination's Drafts holds %d messages; the source's Drafts is empty", n)
	}

	checks, err := c.Verify(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fc := range checks {
		if p := planned[fc.Source]; fc.Dest != p.Dest || len(fc.Missing) != 0 || fc.SourceMessages != fc.DestMessages {
			t.Errorf("verify: %q → %q (plan: %q): %d at the source, %d at the destination, %d missing", fc.Source, fc.Dest, p.Dest, fc.SourceMessages, fc.DestMessages, len(fc.Missing))
		}
	}
}

func hasSpecialUse(fs []mailbox.Folder, name, use string) bool {
	for _, f := range fs {
		if f.Name == name && f.SpecialUse == use {
			return true
		}
	}
	return false
}

func TestAFolderMergedByAnEarlierVersionGetsItsOwnFolderOnTheNextPass(t *testing.T) {
	// A pass of an earlier version put Entwürfe's messages into the destination's Drafts
	// (a mapping that says so stands for it). The next pass maps Entwürfe to its own
	// folder: its messages go there, once, with their flags; the old copies are left in
	// Drafts, and no flag change meant for them is written onto another message.
	src, dst := pair(t, testsrv.DovecotOptions{})
	var msgs []seedMsg
	for i := range 3 {
		msgs = append(msgs, seedMsg{Folder: "Entwürfe", Body: mail(fmt.Sprintf("e%d@old.example", i), fmt.Sprintf("Entwurf %d", i), "noch nicht fertig\r\n"),
			Flags: []imap.Flag{imap.FlagDraft}, Date: longAgo})
	}
	seed(t, src, "alice", msgs)
	st := openStore(t)
	old := copier(st, src, dst, "alice")
	if _, err := old.Run(context.Background(), mailbox.Options{Mapping: []mailbox.Mapping{{Source: "Entwürfe", Dest: "Drafts"}}}); err != nil {
		t.Fatal(err)
	}
	// The user reads a draft at the source meanwhile: a flag change the next pass brings.
	c := dial(t, src, "alice")
	if _, err := c.Select("Entwürfe", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}

	res, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 3 {
		t.Errorf("copied %d into Entwürfe's own folder, want 3", res.Copied)
	}
	source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
	sameMultiset(t, "Entwürfe in its own folder", source["Entwürfe"], dest["Entwürfe"])
	if n := len(dest["Drafts"]); n != 3 {
		t.Errorf("Drafts holds %d messages; the 3 old copies are left where they are", n)
	}
	for _, m := range dest["Drafts"] {
		if strings.Contains(m.Flags, `\Seen`) {
			t.Errorf("a flag change meant for Entwürfe's message was written into Drafts: %s", m.Flags)
		}
	}
	again, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil || again.Copied != 0 {
		t.Errorf("a third pass copied %d (%v); want nothing", again.Copied, err)
	}
}
