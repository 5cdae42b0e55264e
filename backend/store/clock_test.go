package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cutover/backend/batch"
	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

// A store given a clock stamps everything it writes with that clock's "now", so a
// test (or the API) that fixes the time sees it in the database, not the wall clock.
func TestStoreStampsWritesWithItsClock(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	fixed := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return fixed })

	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Provider: project.ProviderM365, Zone: "UTC", Cutover: fixed.AddDate(0, 0, 10), Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.ProjectByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(fixed) || !got.Updated.Equal(fixed) {
		t.Errorf("project created %v, updated %v; want %v", got.Created, got.Updated, fixed)
	}

	seal := func(ref string, sec secrets.Secret) ([]byte, error) { return []byte("sealed:" + ref), nil }
	steps := []struct {
		what string
		do   func() error
	}{
		{"save users", func() error {
			return s.SaveUsers(ctx, p.ID, []UserWrite{{User: people.User{Address: "ann@acme.example", SourceLogin: "ann", Migrate: true}, SourcePassword: secrets.New("pw")}}, seal)
		}},
		{"save groups", func() error {
			return s.SaveGroups(ctx, p.ID, []people.Group{{Address: "sales@acme.example", Name: "Sales", Members: []string{"ann@acme.example"}}})
		}},
		{"save contacts", func() error {
			return s.SaveContacts(ctx, p.ID, []people.Contact{{Address: "x@partner.example", DisplayName: "X"}})
		}},
		{"put batch entry", func() error {
			_, _, err := s.PutBatchEntry(ctx, p.ID, batch.Input{SourceLogin: "bob", DestLogin: "bob@acme.example"})
			return err
		}},
		{"remove batch entry", func() error { return s.RemoveBatchEntry(ctx, p.ID, "ann") }}, // ann keeps her login: a removed entry
		{"put secret", func() error { return s.PutSecret(ctx, "test/ref", p.ID, []byte("x")) }},
		{"log event", func() error { return s.LogEvent(ctx, p.ID, "test", "clock") }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
	}

	want := fmtTime(fixed)
	for _, q := range []string{
		`SELECT created_at FROM project UNION SELECT updated_at FROM project`,
		`SELECT created_at FROM person UNION SELECT updated_at FROM person`,
		`SELECT created_at FROM mail_group UNION SELECT updated_at FROM mail_group`,
		`SELECT created_at FROM contact UNION SELECT updated_at FROM contact`,
		`SELECT created_at FROM batch_entry UNION SELECT updated_at FROM batch_entry UNION SELECT removed_at FROM batch_entry WHERE removed_at IS NOT NULL`,
		`SELECT updated_at FROM secret`,
		`SELECT at FROM event_log`,
	} {
		var stamps []string
		if err := queryStrings(ctx, s.db, &stamps, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(stamps) != 1 || stamps[0] != want {
			t.Errorf("%s: %q; want only %q", q, stamps, want)
		}
	}
}
