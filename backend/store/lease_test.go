package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/project"
)

func TestMailboxLeaseRefusesASecondOwnerUntilReleasedOrStale(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Provider: project.ProviderIMAP, Zone: "UTC", Cutover: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	alive := func(Lease) bool { return false }
	if err := s.TakeMailLeases(ctx, p.ID, []string{"alice", "bob"}, "host:1:a", now, alive); err != nil {
		t.Fatal(err)
	}
	// Another owner asking for bob and carol gets neither: all or none.
	err = s.TakeMailLeases(ctx, p.ID, []string{"carol", "BOB"}, "host:2:b", now, alive)
	var held *LeaseHeldError
	if !errors.As(err, &held) || held.Lease.Owner != "host:1:a" || !strings.Contains(err.Error(), "mailbox bob is being copied by another Cutover (host:1:a") {
		t.Fatalf("second owner: %v", err)
	}
	if err := s.TakeMailLeases(ctx, p.ID, []string{"carol"}, "host:3:c", now, alive); err != nil {
		t.Fatalf("carol was left leased by the refused owner: %v", err)
	}
	// The owner itself may take its leases again (a resumed pass).
	if err := s.TakeMailLeases(ctx, p.ID, []string{"alice"}, "host:1:a", now, alive); err != nil {
		t.Fatal(err)
	}
	// Released: free for others.
	if err := s.ReleaseMailLease(ctx, p.ID, "alice", "host:1:a"); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeMailLeases(ctx, p.ID, []string{"alice"}, "host:2:b", now, alive); err != nil {
		t.Fatalf("released lease: %v", err)
	}
	// An owner that is gone loses its lease; the check sees when it was last renewed.
	later := now.Add(time.Minute)
	if err := s.RenewMailLeases(ctx, p.ID, "host:1:a", later); err != nil {
		t.Fatal(err)
	}
	var seen time.Time
	gone := func(l Lease) bool { seen = l.Renewed; return true }
	if err := s.TakeMailLeases(ctx, p.ID, []string{"bob"}, "host:2:b", later, gone); err != nil {
		t.Fatalf("stale lease: %v", err)
	}
	if !seen.Equal(later) {
		t.Fatalf("stale check saw renewal %v, want %v", seen, later)
	}
}
