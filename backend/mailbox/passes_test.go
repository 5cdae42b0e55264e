package mailbox_test

import (
	"context"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
)

func TestPreAndFinalPassesOverASampleMailboxLeaveNothingMissing(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	if err := src.Fill("alice", 300); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	pre, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{Cutoff: now.Add(-30 * day)})
	if err != nil {
		t.Fatal(err)
	}
	final, err := copier(st, src, dst, "alice").Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pre.Copied+final.Copied != 300 || pre.Matched+final.Matched != 0 {
		t.Errorf("pre copied %d, final %d (matched %d, %d); want 300 in all, none matched", pre.Copied, final.Copied, pre.Matched, final.Matched)
	}
	checks, err := copier(st, src, dst, "alice").Verify(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if len(c.Missing) > 0 || c.SourceMessages != c.DestMessages {
			t.Errorf("%s → %s: %d source, %d destination, missing %+v", c.Source, c.Dest, c.SourceMessages, c.DestMessages, c.Missing)
		}
	}
	checkCopied(t, snapshot(t, src, "alice"), snapshot(t, dst, "alice"))
}
