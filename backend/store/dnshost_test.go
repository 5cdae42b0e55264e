package store

import (
	"context"
	"errors"
	"testing"
)

// TestDNSHostAndChangesRoundTrip: the host is stored without its secret; a rollback
// undoes the latest change not undone yet, then the one before it; a failed change
// is never one to undo.
func TestDNSHostAndChangesRoundTrip(t *testing.T) {
	s, pid := peopleStore(t)
	ctx := context.Background()
	if _, err := s.DNSHost(ctx, pid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no host yet: %v", err)
	}
	h := DNSHost{Kind: "rfc2136", Zone: "acme.example", Server: "192.0.2.53:53", KeyName: "cutover.", Algorithm: "hmac-sha256"}
	if err := s.PutDNSHost(ctx, pid, h); err != nil {
		t.Fatal(err)
	}
	got, err := s.DNSHost(ctx, pid)
	if err != nil || got.Server != h.Server || got.KeyName != h.KeyName || got.Updated.IsZero() {
		t.Fatalf("host %+v %v", got, err)
	}
	if _, err := s.DNSChangeToUndo(ctx, pid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing to undo yet: %v", err)
	}
	add := func(kind, state string, undoes int64) int64 {
		t.Helper()
		id, err := s.AddDNSChange(ctx, pid, DNSChange{Kind: kind, Fingerprint: "f-" + kind, Diff: "d", Snapshot: []byte(`{"zone":"acme.example"}`), Undoes: undoes})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FinishDNSChange(ctx, id, state, ""); err != nil {
			t.Fatal(err)
		}
		return id
	}
	toUndo := func() int64 {
		t.Helper()
		c, err := s.DNSChangeToUndo(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	lower := add("lower", "applied", 0)
	sw := add("switch", "applied", 0)
	add("switch", "failed", 0)
	if id := toUndo(); id != sw {
		t.Errorf("to undo %d, want the switch %d", id, sw)
	}
	add("rollback", "failed", sw)
	if id := toUndo(); id != sw {
		t.Errorf("after a failed rollback, to undo %d, want the switch %d still", id, sw)
	}
	rb := add("rollback", "applied", sw)
	if id := toUndo(); id != lower {
		t.Errorf("after the rollback, to undo %d, want the lowering %d", id, lower)
	}
	all, err := s.DNSChanges(ctx, pid)
	if err != nil || len(all) != 5 || all[0].ID != rb || all[0].Undoes != sw || all[3].UndoneBy != rb || string(all[3].Snapshot) != `{"zone":"acme.example"}` {
		t.Errorf("changes %+v %v", all, err)
	}
}
