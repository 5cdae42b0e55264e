package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/mailbox"
)

func openTemp(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "c.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func ledgerEntries(n int, folder string) []mailbox.Entry {
	out := make([]mailbox.Entry, n)
	for i := range out {
		out[i] = mailbox.Entry{Job: "acme/alice", Folder: folder, UIDValidity: 7, UID: imap.UID(i + 1),
			Key: fmt.Sprintf("m:%040d", i), DestFolder: folder, DestUID: imap.UID(1000 + i),
			Flags: []string{`\Seen`, "$Label1"}, Size: int64(2000 + i), Matched: i%7 == 0}
	}
	return out
}

// Every entry of a batch is read back as written, whatever the batch size (the insert is
// split into statements of several rows), and recording an entry again updates it.
func TestLedgerRecordRoundTrip(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t).MailLedger()
	for _, n := range []int{1, 63, 64, 65, 300} {
		folder := fmt.Sprintf("F%d", n)
		want := ledgerEntries(n, folder)
		if err := l.Record(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := l.Copied(ctx, "acme/alice", folder, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%s: %d entries read back, want %d", folder, len(got), n)
		}
		for _, e := range want {
			if !reflect.DeepEqual(got[e.UID], e) {
				t.Fatalf("%s UID %d: read back %+v, want %+v", folder, e.UID, got[e.UID], e)
			}
		}
	}
	// The same UID recorded again (a message matched, then copied) replaces the entry.
	e := ledgerEntries(1, "F1")[0]
	e.Key, e.DestUID, e.Flags, e.Matched = "h:other:12", 4242, []string{`\Flagged`}, false
	if err := l.Record(ctx, []mailbox.Entry{e}); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Copied(ctx, "acme/alice", "F1", 7)
	if len(got) != 1 || !reflect.DeepEqual(got[1], e) {
		t.Fatalf("after recording again: %+v, want %+v", got, e)
	}
	// Another UIDVALIDITY is another folder as far as the ledger is concerned.
	if got, _ := l.Copied(ctx, "acme/alice", "F1", 8); len(got) != 0 {
		t.Fatalf("entries under another UIDVALIDITY: %d", len(got))
	}
}

// BenchmarkLedgerRecord commits batches of 256 entries, as a copy does.
func BenchmarkLedgerRecord(b *testing.B) {
	ctx := context.Background()
	l := openTemp(b).MailLedger()
	batch := ledgerEntries(256, "INBOX")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range batch {
			batch[j].UID = imap.UID(i*256 + j + 1)
		}
		if err := l.Record(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*256)/1000, "µs/entry")
}
