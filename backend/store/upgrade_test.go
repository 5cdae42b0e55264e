package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// An old database file, made by a binary that knew only the first migration, opens in
// this one: the newer migrations are applied and the old data is still there.
func TestOldDatabaseFileIsMigratedKeepingItsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ms[0].sql); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 1;
		INSERT INTO project(name, customer, provider, cutover_at, tz, created_at, updated_at)
		VALUES ('legacy', 'Old Co', 'imap', '2030-01-07T18:00', 'Europe/Paris', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
		INSERT INTO project_domain(project_id, domain, position) VALUES (1, 'old.example', 0);`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open old database: %v", err)
	}
	defer s.Close()
	var v int
	s.db.QueryRow("PRAGMA user_version").Scan(&v)
	if v != len(ms) {
		t.Fatalf("schema version %d after opening, want %d", v, len(ms))
	}
	p, err := s.ProjectByName(ctx, "LEGACY") // names are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if p.Customer != "Old Co" || len(p.Domains) != 1 || p.Domains[0] != "old.example" || p.Cutover.Hour() != 18 {
		t.Fatalf("old project read back as %+v", p)
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	db, _ := sql.Open("sqlite", "file:"+path)
	db.Exec("PRAGMA user_version = 999")
	db.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("opened a database from a newer version")
	}
}
