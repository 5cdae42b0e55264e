package pim_test

import (
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

func graphDest(g *pimtest.Graph) *pim.Graph {
	hc := oauth2.NewClient(nil, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token"}))
	return &pim.Graph{Base: g.URL, User: "alice@acme.example", HTTP: hc}
}

func TestGraphDestinationTakesEverythingItCanAndSendsNoInvitation(t *testing.T) {
	fake := pimtest.NewGraph(t)
	dst := graphDest(fake)
	l := openLedger(t, t.TempDir()+"/g.db")
	c := &pim.Copier{Job: "alice", Source: fixtureFiles(t), Dest: dst, Ledger: l}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Refused, each with its reason: the journal and the contact group.
	reasons := map[string]string{}
	for _, f := range res.Failures {
		reasons[f.Summary] = f.Reason
	}
	if len(res.Failures) != 2 || !strings.Contains(reasons["Notizen zum Kick-off"], "no journals") || !strings.Contains(reasons["Project Cutover team"], "contact groups") {
		t.Errorf("failures %+v", res.Failures)
	}
	if res.Copied != 13 {
		t.Errorf("copied %d, want 13", res.Copied)
	}
	// The meeting with an attendee is copied with the attendee in its text, noted.
	var noted bool
	for _, n := range res.Notes {
		noted = noted || (n.Summary == "Team-Jour-fixe" && strings.Contains(n.Reason, "not invited"))
	}
	if !noted {
		t.Errorf("notes %+v, want the Jour-fixe's attendee noted", res.Notes)
	}
	events := fake.Objects("event")
	var series map[string]any
	for _, e := range events {
		if e["subject"] == "Team-Jour-fixe" {
			series = e
		}
	}
	if series == nil {
		t.Fatalf("no series among %d events", len(events))
	}
	body := series["body"].(map[string]any)["content"].(string)
	if !strings.Contains(body, "Attendee: Zoë Ñandú <zoe@example.es>") || !strings.Contains(body, "Organiser: Dr. José Müller") {
		t.Errorf("attendees not listed in the body: %q", body)
	}
	rec := series["recurrence"].(map[string]any)
	if p := rec["pattern"].(map[string]any); p["type"] != "weekly" || p["daysOfWeek"].([]any)[0] != "monday" {
		t.Errorf("pattern %v", p)
	}
	if r := rec["range"].(map[string]any); r["type"] != "endDate" || r["endDate"] != "2026-03-02" || r["recurrenceTimeZone"] != "W. Europe Standard Time" {
		t.Errorf("range %v", r)
	}
	// EXDATE 26 January: that instance deleted; 9 February moved to the 10th.
	if n := len(fake.Objects("cancelled")); n != 1 {
		t.Errorf("%d cancelled instances, want 1", n)
	}
	ex := fake.Objects("exception")
	if len(ex) != 1 || ex[0]["subject"] != "Team-Jour-fixe (verschoben)" || ex[0]["start"].(map[string]any)["dateTime"] != "2026-02-10T10:30:00" {
		t.Errorf("exceptions %v", ex)
	}
	// Photos of José, Søren and Łukasz.
	photos := 0
	for _, ct := range fake.Objects("contact") {
		if len(fake.Photo(ct["id"].(string))) > 100 {
			photos++
		}
	}
	if photos != 3 {
		t.Errorf("%d photos, want 3", photos)
	}
	for _, e := range events {
		if e["subject"] == "Quartalsabschluss Q3" {
			if a, _ := e["_attachments"].([]string); len(a) != 1 || a[0] != "Tagesordnung.txt" {
				t.Errorf("inline attachment not uploaded: %v", e["_attachments"])
			}
		}
	}
	tasks := fake.Objects("task")
	if len(tasks) != 2 {
		t.Fatalf("tasks %v", tasks)
	}
	for _, tk := range tasks {
		if tk["title"] == "Steuererklärung abgeben" && tk["status"] != "completed" {
			t.Errorf("completed task arrived as %v", tk["status"])
		}
	}

	// Again: nothing. With the ledger lost (a crash before any commit): the copies are
	// found by their UID and updated, not created twice.
	again, err := c.Run(t.Context(), pim.Options{})
	if err != nil || again.Copied+again.Updated+again.Matched != 0 {
		t.Errorf("rerun %+v %v", again, err)
	}
	fresh := &pim.Copier{Job: "alice", Source: fixtureFiles(t), Dest: dst, Ledger: openLedger(t, t.TempDir()+"/lost.db")}
	lost, err := fresh.Run(t.Context(), pim.Options{})
	if err != nil || lost.Matched != 13 || lost.Copied != 0 {
		t.Errorf("run without ledger: copied %d matched %d (%v), want 0 and 13", lost.Copied, lost.Matched, err)
	}
	if n := len(fake.Objects("event")) + len(fake.Objects("contact")) + len(fake.Objects("task")); n != 13 {
		t.Errorf("destination holds %d items, want 13", n)
	}
	if missing := missingAfter(t, c); missing != 2 { // the journal and the group, refused
		t.Errorf("verify: %d missing, want 2", missing)
	}
}

// missingAfter is how many source items Verify finds missing at the destination.
func missingAfter(t *testing.T, c *pim.Copier) int {
	t.Helper()
	checks, err := c.Verify(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, ch := range checks {
		missing += len(ch.Missing)
	}
	return missing
}

func TestGraphDestinationWithoutToDoPermissionRefusesEachTaskWithWhatToGrantAndCopiesTheRest(t *testing.T) {
	fake := pimtest.NewGraph(t)
	fake.DenyToDo = true
	c := &pim.Copier{Job: "alice", Source: fixtureFiles(t), Dest: graphDest(fake), Ledger: openLedger(t, t.TempDir()+"/g.db")}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Copied != 11 {
		t.Fatalf("pass: copied %d (%v), want the 11 contacts and events", res.Copied, err)
	}
	tasks := 0
	for _, f := range res.Failures {
		if f.Kind == pim.KindTask {
			tasks++
			if !strings.Contains(f.Reason, "needs the Tasks.ReadWrite.All application permission with admin consent") {
				t.Errorf("task %q refused with %q", f.Summary, f.Reason)
			}
		}
	}
	if tasks != 2 {
		t.Errorf("%d tasks refused, want 2: %+v", tasks, res.Failures)
	}
	if n := fake.Requests["GET todo (denied)"]; n != 1 {
		t.Errorf("To Do asked %d times, want once: the refusal is remembered", n)
	}
	if n := len(fake.Objects("contact")) + len(fake.Objects("event")); n != 11 {
		t.Errorf("Graph holds %d contacts and events, want 11", n)
	}
}
