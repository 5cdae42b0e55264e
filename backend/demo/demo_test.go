package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cutover/backend/api"
)

func TestDemoProjectIsReadyToClickThrough(t *testing.T) {
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close(a)
	now := time.Now()
	name, err := Seed(a, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := a.Timeline(name)
	if err != nil {
		t.Fatal(err)
	}
	if !tl.Cutover.After(now.Add(6 * 24 * time.Hour)) {
		t.Fatalf("demo cutover %s is not a week ahead", tl.Cutover)
	}
	done := 0
	for _, s := range tl.Steps {
		if s.Status == "done" {
			done++
		}
	}
	if done != 6 {
		t.Fatalf("%d steps done, want the 5 preparation steps and the historical copy start", done)
	}
	log, _ := a.ContactLog(name)
	if len(log) != 1 {
		t.Fatalf("%d contacts, want 1", len(log))
	}
	users, _ := a.Users(name)
	groups, _ := a.Groups(name)
	contacts, _ := a.Contacts(name)
	entries, _ := a.Batch(name)
	if len(users) != 3 || len(groups) != 2 || len(contacts) != 2 || len(entries) != 3 {
		t.Fatalf("demo people: %d users, %d groups, %d contacts, %d batch entries; want 3, 2, 2, 3", len(users), len(groups), len(contacts), len(entries))
	}
}

func TestDemoCustomerPackIsWrittenWithTheDemosValues(t *testing.T) {
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close(a)
	name, err := Seed(a, Options{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.MessageDraft(name, "pre_contact")
	if err != nil {
		t.Fatal(err)
	}
	if d.From != "Alex Martin <alex@northwind.example>" || len(d.To) != 1 || d.To[0] != "Dana Whitfield <dana@acme.example>" {
		t.Errorf("draft from %q to %q", d.From, d.To)
	}
	for _, k := range []string{"tasks", "guide"} {
		if f, err := a.CustomerDocument(name, k, "pdf"); err != nil || len(f.Data) == 0 {
			t.Errorf("%s: %v", k, err)
		}
	}
}
