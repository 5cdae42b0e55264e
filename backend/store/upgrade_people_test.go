package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/batch"
	"cutover/backend/people"
)

// A database made before migration 010 kept a user's source login and migrate flag both in
// person and in the batch entry, and showed the entry's when there was one. Upgraded, every
// user reads back exactly as it was shown, the batch lists the same entries under the same
// ids (the sealed passwords' references name them), and person no longer holds either.
func TestUpgradeMovesSourceLoginsAndMigrateFlagsToTheBatch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v9.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:9] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	const at = "2026-11-01T00:00:00Z"
	if _, err := db.Exec(`PRAGMA user_version = 9;
		INSERT INTO project(id, name, customer, provider, cutover_at, tz, created_at, updated_at)
		VALUES (1, 'acme', 'Acme', 'imap', '2030-01-07T18:00', 'UTC', '` + at + `', '` + at + `');
		INSERT INTO person(project_id, address, display_name, source_login, migrate, created_at, updated_at) VALUES
			(1, 'alice@acme.example', 'Alice', 'alice', 1, '` + at + `', '` + at + `'),
			(1, 'bob@acme.example', 'Bob', 'bob', 1, '` + at + `', '` + at + `'),
			(1, 'carol@acme.example', 'Carol', 'carol', 1, '` + at + `', '` + at + `'),
			(1, 'dave@acme.example', 'Dave', 'dave', 1, '` + at + `', '` + at + `'),
			(1, 'erin@acme.example', 'Erin', 'alice', 0, '` + at + `', '` + at + `');
		INSERT INTO batch_entry(id, project_id, source_login, dest_login, name, enabled, created_at, updated_at) VALUES
			(7, 1, 'alice', 'alice@acme.example', 'Alice', 1, '` + at + `', '` + at + `'),
			(8, 1, 'carol.old', 'carol@acme.example', 'Carol', 1, '` + at + `', '` + at + `'),
			(9, 1, 'dave', 'dave@acme.example', 'Dave', 0, '` + at + `', '` + at + `'),
			(10, 1, 'frank', 'frank@acme.example', 'Frank', 1, '` + at + `', '` + at + `');
		INSERT INTO secret(ref, project_id, sealed, updated_at) VALUES ('batch/7/source', 1, x'00', '` + at + `'), ('batch/9/dest', 1, x'00', '` + at + `');`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open the version 9 database: %v", err)
	}
	defer s.Close()
	users, err := s.Users(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, fmt.Sprintf("%s/%s/%v/%v/%v", u.Address, u.SourceLogin, u.Migrate, u.HasSourcePassword, u.HasPassword))
	}
	// bob had no entry: his login stays, not migrated. carol's entry changed her login and
	// dave's disabled his mailbox: the entries win, as they did on every read. erin's
	// login was alice's too: she keeps it without taking alice's mailbox.
	want := "alice@acme.example/alice/true/true/false bob@acme.example/bob/false/false/false carol@acme.example/carol.old/true/false/false " +
		"dave@acme.example/dave/false/false/true erin@acme.example/alice/false/false/false"
	if g := strings.Join(got, " "); g != want {
		t.Fatalf("users after the upgrade:\n%s\nwant\n%s", g, want)
	}
	entries, err := s.Batch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%d:%s>%s:%v", e.ID, e.SourceLogin, e.DestLogin, e.Enabled))
	}
	if g := strings.Join(got, " "); g != "7:alice>alice@acme.example:true 8:carol.old>carol@acme.example:true 9:dave>dave@acme.example:false 10:frank>frank@acme.example:true" {
		t.Fatalf("batch after the upgrade: %s", g)
	}
	if _, err := s.db.Exec(`SELECT source_login FROM person`); err == nil {
		t.Fatal("person still has a source_login column")
	}
	if _, err := s.db.Exec(`SELECT migrate FROM person`); err == nil {
		t.Fatal("person still has a migrate column")
	}

	// Putting bob's mailbox in the batch makes its entry the one holding his login.
	if _, _, err := s.PutBatchEntry(ctx, 1, batch.Input{SourceLogin: "bob", DestLogin: "bob@acme.example"}); err != nil {
		t.Fatal(err)
	}
	var rows int
	s.db.QueryRow(`SELECT COUNT(*) FROM batch_entry WHERE dest_login = 'bob@acme.example'`).Scan(&rows)
	if users, _ = s.Users(ctx, 1); users[1].SourceLogin != "bob" || !users[1].Migrate || rows != 1 {
		t.Fatalf("bob back in the batch: %+v, %d entries", users[1], rows)
	}
}

// A user's source login lives in its batch entry only; when the entry leaves the batch
// (taken out, or pointed at another mailbox) the user keeps the login, not migrated, and
// the batch no longer lists it; removing the user forgets it.
func TestUserKeepsItsLoginWhenItsEntryLeavesTheBatch(t *testing.T) {
	ctx := context.Background()
	s, pid := peopleStore(t)
	if err := s.SaveUsers(ctx, pid, []UserWrite{
		{User: userOf("alice@acme.example", "alice", true)},
		{User: userOf("bob@acme.example", "bob", true)},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBatchEntry(ctx, pid, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PutBatchEntry(ctx, pid, batch.Input{SourceLogin: "bob", DestLogin: "robert@acme.example"}); err != nil {
		t.Fatal(err)
	}
	show := func() string {
		us, _ := s.Users(ctx, pid)
		es, _ := s.Batch(ctx, pid)
		var b strings.Builder
		for _, u := range us {
			fmt.Fprintf(&b, "%s/%s/%v ", u.Address, u.SourceLogin, u.Migrate)
		}
		b.WriteString("|")
		for _, e := range es {
			fmt.Fprintf(&b, " %s>%s", e.SourceLogin, e.DestLogin)
		}
		return b.String()
	}
	if got := show(); got != "alice@acme.example/alice/false bob@acme.example/bob/false | bob>robert@acme.example" {
		t.Fatalf("after the entries left: %s", got)
	}
	// A kept login blocks nothing: another mailbox may take it, and taking alice out again is "not found".
	if _, _, err := s.PutBatchEntry(ctx, pid, batch.Input{SourceLogin: "alice", DestLogin: "alice.b@acme.example"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBatchEntry(ctx, pid, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBatchEntry(ctx, pid, "alice"); err == nil {
		t.Fatal("removed an entry that is not in the batch")
	}
	if err := s.RemovePerson(ctx, pid, "users", "alice@acme.example"); err != nil {
		t.Fatal(err)
	}
	var kept int
	s.db.QueryRow(`SELECT COUNT(*) FROM batch_entry WHERE removed_at IS NOT NULL`).Scan(&kept)
	if got := show(); got != "bob@acme.example/bob/false | bob>robert@acme.example" || kept != 1 {
		t.Fatalf("after alice was removed: %s (%d kept)", got, kept)
	}
}

func userOf(address, login string, migrate bool) people.User {
	return people.User{Address: address, DisplayName: address, SourceLogin: login, Migrate: migrate}
}
