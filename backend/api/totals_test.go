package api

import (
	"testing"

	"cutover/backend/mailbox"
)

// What a pass's totals say, mailbox by mailbox: the sums, which mailboxes still run, the
// pass's state and a time left only when it can be known.
func TestPassTotalsSumMailboxes(t *testing.T) {
	copying := func(done, total int64, byteRate float64) mailbox.Progress {
		return mailbox.Progress{State: mailbox.StateCopying, MessagesDone: int(done), MessagesTotal: int(total), BytesDone: done * 1000, BytesTotal: total * 1000,
			Rate: byteRate / 1000, ByteRate: byteRate, ETASeconds: float64(total-done) * 1000 / byteRate}
	}
	over := func(st mailbox.State, done, total, failed int) mailbox.Progress {
		return mailbox.Progress{State: st, MessagesDone: done, MessagesTotal: total, BytesDone: int64(done) * 1000, BytesTotal: int64(total) * 1000, Failed: failed, ETASeconds: -1}
	}
	for _, tc := range []struct {
		name    string
		ms      []mailbox.Progress
		state   mailbox.State
		running int
		eta     float64
	}{
		{"two copying: the bytes left of both at their summed rate", []mailbox.Progress{copying(10, 30, 1000), copying(0, 20, 3000)}, mailbox.StateRunning, 2, 10},
		{"one planning is not in the time left yet", []mailbox.Progress{copying(10, 30, 1000), {State: mailbox.StatePlanning, ETASeconds: -1}}, mailbox.StateRunning, 2, 20},
		{"one copying while its totals still grow: no time left yet", []mailbox.Progress{copying(10, 30, 1000), {State: mailbox.StateCopying, ByteRate: 500, ETASeconds: -1}}, mailbox.StateRunning, 2, -1},
		{"nothing copied yet: no time left", []mailbox.Progress{{State: mailbox.StateCopying, BytesTotal: 5000, ETASeconds: -1}}, mailbox.StateRunning, 1, -1},
		{"one waiting its turn counts as running", []mailbox.Progress{copying(10, 30, 1000), {}}, mailbox.StateRunning, 2, 20},
		{"a failed mailbox's rest is not waited for", []mailbox.Progress{copying(10, 30, 1000), over(mailbox.StateFailed, 5, 50, 0)}, mailbox.StateRunning, 1, 20},
		{"all done", []mailbox.Progress{over(mailbox.StateDone, 30, 30, 0), over(mailbox.StateDone, 20, 20, 0)}, mailbox.StateDone, 0, -1},
		{"done with refusals is partial", []mailbox.Progress{over(mailbox.StateDone, 29, 30, 1), over(mailbox.StateDone, 20, 20, 0)}, mailbox.StatePartial, 0, -1},
		{"a failure outweighs refusals", []mailbox.Progress{over(mailbox.StatePartial, 29, 30, 1), over(mailbox.StateFailed, 0, 20, 0)}, mailbox.StateFailed, 0, -1},
		{"a stop outweighs a failure", []mailbox.Progress{over(mailbox.StateStopped, 10, 30, 0), over(mailbox.StateFailed, 0, 20, 0)}, mailbox.StateStopped, 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := passTotals(tc.ms)
			done, total, failed := 0, 0, 0
			for _, m := range tc.ms {
				done, total, failed = done+m.MessagesDone, total+m.MessagesTotal, failed+m.Failed
			}
			if got.State != tc.state || got.Running != tc.running || got.ETASeconds != tc.eta || got.Mailboxes != len(tc.ms) ||
				got.MessagesDone != done || got.MessagesTotal != total || got.BytesDone != int64(done)*1000 || got.Failed != failed {
				t.Fatalf("%+v; want %s, %d running, ETA %v, %d/%d messages, %d refused", got, tc.state, tc.running, tc.eta, done, total, failed)
			}
		})
	}
}
