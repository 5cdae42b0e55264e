package api_test

import (
	"testing"

	"cutover/backend/api"
	"cutover/backend/mailbox"
)

// The totals published with each mailbox's progress are the pass's sums, computed once
// by the API: the faces show them as they come.
func TestPassTotalsArePublishedWithProgress(t *testing.T) {
	sizes := map[string]int{"alice": 40, "bob": 70, "carol": 110}
	a, src, _ := mailProject(t, "alice", "bob", "carol")
	for u, n := range sizes {
		if err := src.Fill(u, n); err != nil {
			t.Fatal(err)
		}
	}
	events, stop := api.Events(a).Subscribe()
	defer stop()
	if err := a.MailStart("acme", api.MailPassInput{Pass: "final"}); err != nil {
		t.Fatal(err)
	}
	latest := map[string]api.CopyProgress{}
	var last api.CopyProgress
	var finished api.MailPassResult
	sawRunning := false
	for ev := range events {
		if ev.Name == "copy:finished" {
			finished = ev.Data.(api.MailPassResult)
			break
		}
		p, ok := ev.Data.(api.CopyProgress)
		if ev.Name != "copy:progress" || !ok {
			continue
		}
		if p.Totals.MessagesDone < last.Totals.MessagesDone || p.Totals.MessagesTotal < last.Totals.MessagesTotal {
			t.Fatalf("totals went back: %+v after %+v", p.Totals, last.Totals)
		}
		latest[p.SourceLogin] = p
		last = p
		sum := 0
		for _, q := range latest {
			sum += q.MessagesDone
		}
		if p.Totals.MessagesDone < sum || p.Totals.Mailboxes != 3 {
			t.Fatalf("totals %+v: %d messages done in the mailboxes' progress, 3 mailboxes", p.Totals, sum)
		}
		if p.Totals.State == mailbox.StateRunning && p.Totals.Running > 0 {
			sawRunning = true
		}
	}
	if !sawRunning {
		t.Errorf("no progress while the pass ran said it was running")
	}
	want := api.PassTotals{State: mailbox.StateDone, Mailboxes: 3, MessagesDone: 220, MessagesTotal: 220, ETASeconds: -1}
	for _, m := range finished.Mailboxes {
		want.BytesDone += m.Result.Bytes
		want.BytesTotal += m.Result.Bytes
		if p := latest[m.SourceLogin]; p.State != mailbox.StateDone || p.MessagesDone != sizes[m.SourceLogin] {
			t.Errorf("latest progress of %s: %s, %d done; want done, %d", m.SourceLogin, p.State, p.MessagesDone, sizes[m.SourceLogin])
		}
	}
	if finished.Totals != want {
		t.Errorf("totals at the end: %+v\nwant %+v", finished.Totals, want)
	}
	if last.Totals != want {
		t.Errorf("totals published with the last progress: %+v\nwant %+v", last.Totals, want)
	}
	// A page opened afterwards asks for them.
	if got, err := a.MailTotals("acme"); err != nil || got != want {
		t.Errorf("MailTotals: %+v, %v\nwant %+v", got, err, want)
	}
}
