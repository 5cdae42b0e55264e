package pim_test

import (
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

func TestGoogleImportKeepsUIDsSendsNothingAndResumesWithoutDuplicates(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	hc := oauth2.NewClient(nil, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token"}))
	dst := &pim.Google{CalendarBase: fake.CalendarBase, TasksBase: fake.TasksBase, HTTP: hc}
	f, err := pim.ReadFiles("testdata/outlook-calendar.ics", "testdata/google-calendar.ics", "testdata/apple-tasks.ics")
	if err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: f, Dest: dst, Ledger: openLedger(t, t.TempDir()+"/g.db")}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 7 || res.Failed != 1 || !strings.Contains(res.Failures[0].Reason, "no journals") {
		t.Errorf("copied %d, failures %+v; want 7 and the journal refused", res.Copied, res.Failures)
	}
	var attachNote bool
	for _, n := range res.Notes {
		attachNote = attachNote || (n.Summary == "Quartalsabschluss Q3" && strings.Contains(n.Reason, "inline attachments not copied"))
	}
	if !attachNote {
		t.Errorf("notes %+v: want the inline attachment Google cannot take named", res.Notes)
	}
	var series, moved map[string]any
	for _, e := range fake.Events() {
		if e["summary"] == "Team-Jour-fixe" {
			series = e
		}
		if e["summary"] == "Team-Jour-fixe (verschoben)" {
			moved = e
		}
	}
	if series == nil || moved == nil {
		t.Fatalf("series %v, exception %v", series, moved)
	}
	if series["start"].(map[string]any)["timeZone"] != "Europe/Berlin" || len(series["attendees"].([]any)) != 1 {
		t.Errorf("series %v: want the Windows zone as Europe/Berlin and the attendee kept (import sends nothing)", series)
	}
	rec := strings.Join(toStrings(series["recurrence"]), "\n")
	if !strings.Contains(rec, "RRULE:FREQ=WEEKLY;UNTIL=20260302T083000Z") || !strings.Contains(rec, "EXDATE;TZID=Europe/Berlin:20260126T093000") {
		t.Errorf("recurrence %q", rec)
	}
	if moved["recurringEventId"] != series["id"] || moved["iCalUID"] != series["iCalUID"] {
		t.Errorf("exception %v not tied to its series", moved)
	}
	// A rerun without the ledger imports the same UIDs again: updates, no duplicates.
	imports := fake.Imports
	fresh := &pim.Copier{Job: "alice", Source: f, Dest: &pim.Google{CalendarBase: fake.CalendarBase, TasksBase: fake.TasksBase, HTTP: hc}, Ledger: openLedger(t, t.TempDir()+"/lost.db")}
	if _, err := fresh.Run(t.Context(), pim.Options{}); err != nil {
		t.Fatal(err)
	}
	if fake.Imports == imports || len(fake.Events()) != 6 || len(fake.Tasks()) != 2 {
		t.Errorf("after a rerun without ledger: %d events (want 5 and 1 exception), %d tasks (want 2)", len(fake.Events()), len(fake.Tasks()))
	}
	if missing := missingAfter(t, c); missing != 1 {
		t.Errorf("verify: %d missing, want the journal only", missing)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
