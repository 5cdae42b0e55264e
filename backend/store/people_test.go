package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

func peopleStore(t *testing.T) (*Store, int64) {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := s.CreateProject(context.Background(), project.Project{Name: "acme", Provider: project.ProviderM365, Zone: "UTC", Cutover: time.Now(), Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	return s, p.ID
}

func TestSaveUsersManyRowsKeepOrderAndNameTheRowAtFault(t *testing.T) {
	s, pid := peopleStore(t)
	ctx := context.Background()
	fakeSeal := func(ref string, sec secrets.Secret) ([]byte, error) { return []byte("sealed:" + ref), nil }
	var ws []UserWrite
	for i := range 150 {
		w := UserWrite{User: people.User{Address: fmt.Sprintf("u%03d@acme.example", i), SourceLogin: fmt.Sprintf("u%03d", i), Migrate: i%2 == 0}}
		if i%40 == 7 {
			w.SourcePassword = secrets.New("pw")
		}
		ws = append(ws, w)
	}
	if err := s.SaveUsers(ctx, pid, ws, fakeSeal); err != nil {
		t.Fatal(err)
	}
	users, _ := s.Users(ctx, pid)
	entries, _ := s.Batch(ctx, pid)
	if len(users) != 150 || len(entries) != 150 {
		t.Fatalf("%d users, %d entries", len(users), len(entries))
	}
	for i, e := range entries {
		if e.DestLogin != ws[i].User.Address || e.Enabled != ws[i].User.Migrate || e.HasSourcePassword != !ws[i].SourcePassword.IsZero() {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	if !users[7].HasSourcePassword || users[8].HasSourcePassword {
		t.Fatalf("password flags: %+v %+v", users[7], users[8])
	}
	// Row 100 takes a source login another mailbox has: the whole save fails, naming it.
	bad := append([]UserWrite{}, ws...)
	bad = append(bad, UserWrite{User: people.User{Address: "new@acme.example", SourceLogin: "u010"}})
	err := s.SaveUsers(ctx, pid, bad, fakeSeal)
	if !errors.Is(err, ErrDuplicate) || err.Error() != `source login "u010" of new@acme.example is already in the batch for another mailbox: already exists` {
		t.Fatalf("error: %v", err)
	}
	if users, _ := s.Users(ctx, pid); len(users) != 150 {
		t.Fatalf("a failed save left %d users", len(users))
	}
}

func TestUsersKeepTheirAliasesAndSharedFlag(t *testing.T) {
	s, pid := peopleStore(t)
	ctx := context.Background()
	save := func(us ...people.User) {
		t.Helper()
		var ws []UserWrite
		for _, u := range us {
			ws = append(ws, UserWrite{User: u})
		}
		if err := s.SaveUsers(ctx, pid, ws, nil); err != nil {
			t.Fatal(err)
		}
	}
	save(people.User{Address: "alice@acme.example", SourceLogin: "alice", Migrate: true, Aliases: []string{"a.martin@acme.example", "contact@acme.example"}},
		people.User{Address: "info@acme.example", SourceLogin: "info", Migrate: true, Shared: true})
	us, err := s.Users(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 2 || fmt.Sprint(us[0].Aliases) != "[a.martin@acme.example contact@acme.example]" || us[0].Shared || us[1].Aliases != nil || !us[1].Shared {
		t.Fatalf("users %+v", us)
	}
	// A re-import replaces both.
	save(people.User{Address: "alice@acme.example", SourceLogin: "alice", Migrate: true}, people.User{Address: "info@acme.example", SourceLogin: "info", Migrate: true})
	us, _ = s.Users(ctx, pid)
	if us[0].Aliases != nil || us[1].Shared {
		t.Fatalf("after the update %+v", us)
	}
}
