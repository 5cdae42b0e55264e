package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cutover/backend/pim"
	"cutover/backend/project"
)

func TestPIMLedgerSettingsAndRunsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Domains: []string{"acme.example"}, Provider: project.ProviderM365,
		Cutover: time.Date(2099, 5, 14, 18, 0, 0, 0, time.UTC), Zone: "UTC", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	l := s.PIMLedger()
	e := pim.Entry{Job: "p1/alice", Collection: "/alice/cal/", Href: "/alice/cal/a.ics", ETag: `"1"`, UID: "a", Kind: pim.KindEvent,
		DestCollection: "/alice/cal/", DestHref: "/alice/cal/a.ics", DestETag: `"x"`}
	card := pim.Entry{Job: "p1/alice#files", Collection: "file/c", Href: "c.vcf#b", ETag: "h", UID: "b", Kind: pim.KindContact}
	if err := l.Record(ctx, []pim.Entry{e, card}); err != nil {
		t.Fatal(err)
	}
	e.ETag, e.DestETag = `"2"`, `"y"` // changed at the source, written again
	if err := l.Record(ctx, []pim.Entry{e}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Copied(ctx, "p1/alice", "/alice/cal/")
	if err != nil || len(got) != 1 || got[e.Href] != e {
		t.Fatalf("copied %+v %v, want %+v", got, err, e)
	}
	counts, err := l.PIMCopied(ctx, "p1/")
	if err != nil || counts["p1/alice"].Events != 1 || counts["p1/alice#files"].Contacts != 1 {
		t.Fatalf("counts %+v %v", counts, err)
	}
	if set, err := s.PIMSetting(ctx, p.ID); err != nil || set != (PIMSetting{}) {
		t.Fatalf("no setting yet: %+v %v", set, err)
	}
	want := PIMSetting{SourceURL: "https://old.example:2080/", DestURL: "dav.new.example"}
	if err := s.SetPIMSetting(ctx, p.ID, want); err != nil {
		t.Fatal(err)
	}
	if set, _ := s.PIMSetting(ctx, p.ID); set != want {
		t.Fatalf("setting %+v, want %+v", set, want)
	}
	for _, want := range []PIMSetting{{SourceURL: "https://old.example/", DestKind: "graph"}, {DestKind: "google", DestURL: "http://127.0.0.1:9/base"}, {SourceURL: "https://old.example/", DestKind: "dav"}} {
		if err := s.SetPIMSetting(ctx, p.ID, want); err != nil {
			t.Fatal(err)
		}
		if set, _ := s.PIMSetting(ctx, p.ID); set != want {
			t.Fatalf("setting %+v, want %+v", set, want)
		}
	}
	if err := s.SetPIMSetting(ctx, p.ID, want); err != nil {
		t.Fatal(err)
	}
	run := PIMRun{SourceLogin: "Alice", Pass: "pre", State: "partial", Copied: 3, Failed: 1,
		Failures: []pim.Failure{{Collection: "c", UID: "z", Kind: pim.KindJournal, Summary: "Notizen", Reason: "no journals"}}, Finished: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	if err := s.RecordPIMRun(ctx, p.ID, run); err != nil {
		t.Fatal(err)
	}
	run.Copied = 4
	if err := s.RecordPIMRun(ctx, p.ID, run); err != nil {
		t.Fatal(err)
	}
	runs, err := s.PIMRuns(ctx, p.ID)
	if err != nil || len(runs) != 1 || runs["alice"].Copied != 4 || runs["alice"].Failures[0].Summary != "Notizen" || len(runs["alice"].Notes) != 0 || !runs["alice"].Finished.Equal(run.Finished) {
		t.Fatalf("runs %+v %v", runs, err)
	}
}
