package pimtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// recorder keeps the failures a fake reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestSourceFakesFailOnAnyWrite(t *testing.T) {
	rec := &recorder{TB: t}
	graph, google := NewGraphSource(rec), NewGoogleSource(rec)
	for _, u := range []string{graph.URL + "/users/alice/contacts", google.CalendarBase + "/calendars/c1/events", google.PeopleBase + "/people:createContact"} {
		for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
			req, _ := http.NewRequest(method, u, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer t")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s %s: %d", method, u, resp.StatusCode)
			}
		}
	}
	if len(rec.errs) != 12 || !strings.Contains(rec.errs[0], "the source is only read") {
		t.Errorf("the fakes reported %d failures: %v", len(rec.errs), rec.errs)
	}
}

func TestGraphSourceFakeFailsOnUndocumentedReads(t *testing.T) {
	rec := &recorder{TB: t}
	g := NewGraphSource(rec)
	cal := g.AddContainer("alice", "calendars", "Calendar")
	id := g.Add("alice", "calendars/"+cal, map[string]any{"subject": "Weekly",
		"start":      map[string]any{"dateTime": "2026-01-05T08:00:00.0000000", "timeZone": "UTC"},
		"end":        map[string]any{"dateTime": "2026-01-05T08:30:00.0000000", "timeZone": "UTC"},
		"recurrence": map[string]any{"pattern": map[string]any{"type": "weekly", "interval": 1, "daysOfWeek": []any{"monday"}}, "range": map[string]any{"type": "numbered", "numberOfOccurrences": 3, "startDate": "2026-01-05"}}})
	window := "startDateTime=2026-01-01T00:00:00Z&endDateTime=2026-02-01T00:00:00Z"
	get := func(path string, utc bool) int {
		req, _ := http.NewRequest(http.MethodGet, g.URL+path, nil)
		req.Header.Set("Authorization", "Bearer t")
		if utc {
			req.Header.Set("Prefer", `outlook.timezone="UTC"`)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		path string
		utc  bool
		want int
	}{
		{"/users/alice/events/" + id + "/instances?" + window + "&$select=id,type,originalStart", true, 200},
		{"/users/alice/events/" + id + "/instances?" + window, false, 400},                       // without Prefer UTC
		{"/users/alice/events/" + id + "/instances?$select=id", true, 400},                       // without the window
		{"/users/alice/events/" + id + "/instances?" + window + "&$select=id,colour", true, 400}, // no such property
		{"/users/alice/events/" + id + "/instances?" + window + "&$expand=attachments", true, 400},
		{"/users/alice/contacts?$select=id", false, 400},
		{"/users/alice/contacts/none/photo/$value", false, 404},
		{"/users/alice/contacts/x/photo", false, 404},
		{"/groups/alice/contacts", false, 400},
	} {
		if got := get(c.path, c.utc); got != c.want {
			t.Errorf("GET %s: %d, want %d", c.path, got, c.want)
		}
	}
	if len(rec.errs) != 6 {
		t.Errorf("the fake reported %d failures, want 6: %v", len(rec.errs), rec.errs)
	}
}
