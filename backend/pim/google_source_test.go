package pim_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

func TestGoogleSourceToDAVKeepsSeriesWithTheirExceptionsThenCopiesOnlyChanges(t *testing.T) {
	g := pimtest.NewGoogleSource(t)
	g.Authorize = func(tok string) bool { return tok == "google-token" }
	for _, p := range []map[string]any{
		{"names": []any{map[string]any{"displayName": "Max Muster", "givenName": "Max", "familyName": "Muster"}},
			"emailAddresses": []any{map[string]any{"value": "max@supplier.example", "type": "work"}},
			"phoneNumbers":   []any{map[string]any{"value": "+49 170 1234567", "type": "mobile"}},
			"organizations":  []any{map[string]any{"name": "Muster GmbH", "title": "Einkauf"}},
			"birthdays":      []any{map[string]any{"date": map[string]any{"month": 4, "day": 1}}}},
		{"names": []any{map[string]any{"displayName": "Zoë Ørsted"}}, "biographies": []any{map[string]any{"value": "met at the fair; call back"}}},
		{"emailAddresses": []any{map[string]any{"value": "nameless@example.test"}}},
	} {
		g.AddPerson(p)
	}
	cal := g.AddCalendar("alice@example.test")
	g.AddEvent(cal, map[string]any{"id": "series1", "iCalUID": "series1@google.com", "status": "confirmed", "summary": "Standup",
		"start":      map[string]any{"dateTime": "2026-01-05T09:00:00+01:00", "timeZone": "Europe/Berlin"},
		"end":        map[string]any{"dateTime": "2026-01-05T09:15:00+01:00", "timeZone": "Europe/Berlin"},
		"recurrence": []any{"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "EXDATE;TZID=Europe/Berlin:20260106T090000"},
		"attendees":  []any{map[string]any{"email": "bob@example.test", "responseStatus": "accepted"}},
		"organizer":  map[string]any{"email": "alice@example.test"}})
	moved := g.AddEvent(cal, map[string]any{"id": "series1_20260107T080000Z", "iCalUID": "series1@google.com", "status": "confirmed", "summary": "Standup (late)",
		"recurringEventId": "series1", "originalStartTime": map[string]any{"dateTime": "2026-01-07T09:00:00+01:00", "timeZone": "Europe/Berlin"},
		"start": map[string]any{"dateTime": "2026-01-07T11:00:00+01:00", "timeZone": "Europe/Berlin"},
		"end":   map[string]any{"dateTime": "2026-01-07T11:15:00+01:00", "timeZone": "Europe/Berlin"}})
	g.AddEvent(cal, map[string]any{"id": "series1_20260108T080000Z", "iCalUID": "series1@google.com", "status": "cancelled",
		"recurringEventId": "series1", "originalStartTime": map[string]any{"dateTime": "2026-01-08T09:00:00+01:00", "timeZone": "Europe/Berlin"}})
	g.AddEvent(cal, map[string]any{"id": "holiday", "iCalUID": "holiday@google.com", "status": "confirmed", "summary": "Holiday", "transparency": "transparent",
		"start": map[string]any{"date": "2026-05-01"}, "end": map[string]any{"date": "2026-05-02"}})
	list := g.AddList("My Tasks")
	g.AddTask(list, map[string]any{"title": "Order paper", "status": "needsAction", "due": "2026-12-10T00:00:00.000Z", "notes": "A4, 80g"})
	g.AddTask(list, map[string]any{"title": "File taxes", "status": "completed", "completed": "2026-04-30T10:00:00.000Z"})

	dav, dst := aliceDAV(t)
	hc := bearer("google-token")
	src := &pim.GoogleSource{PeopleBase: g.PeopleBase, CalendarBase: g.CalendarBase, TasksBase: g.TasksBase, User: "alice@example.test", HTTP: hc,
		Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}

	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed != 0 || res.Copied != 3+2+2 || dav.Count("alice") != 7 {
		t.Fatalf("first pass: copied %d, destination %d, %v: %+v", res.Copied, dav.Count("alice"), err, res)
	}
	got := map[string]string{}
	colls, _ := dst.Collections(t.Context())
	for _, col := range colls {
		items, err := dst.Items(t.Context(), col)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			got[it.UID] = string(it.Data)
		}
	}
	series := got["series1@google.com"]
	for _, w := range []string{"DTSTART;TZID=Europe/Berlin:20260105T090000", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
		"EXDATE;TZID=Europe/Berlin:20260106T090000", "EXDATE;TZID=Europe/Berlin:20260108T090000",
		"RECURRENCE-ID;TZID=Europe/Berlin:20260107T090000", "DTSTART;TZID=Europe/Berlin:20260107T110000", "SUMMARY:Standup (late)",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.test"} {
		if !strings.Contains(series, w) {
			t.Errorf("the series lacks %q:\n%s", w, series)
		}
	}
	// One VTIMEZONE for Europe/Berlin, with the clock changes of the series' span (the
	// endless series: two years past now), so any CalDAV client reads 09:00 in summer too.
	if strings.Count(series, "BEGIN:VTIMEZONE") != 1 || !strings.Contains(series, "TZID:Europe/Berlin") ||
		!strings.Contains(series, "DTSTART:20260329T020000") || !strings.Contains(series, "DTSTART:20280326T020000") {
		t.Errorf("the series lacks its VTIMEZONE for Europe/Berlin 2026–2028:\n%s", series)
	}
	if strings.Count(series, "BEGIN:VEVENT") != 2 {
		t.Errorf("the series should be one object with its master and one override:\n%s", series)
	}
	if h := got["holiday@google.com"]; !strings.Contains(h, "DTSTART;VALUE=DATE:20260501") || !strings.Contains(h, "TRANSP:TRANSPARENT") {
		t.Errorf("holiday:\n%s", h)
	}
	var cards []string
	for _, v := range got {
		if strings.HasPrefix(v, "BEGIN:VCARD") {
			cards = append(cards, v)
		}
	}
	all := strings.Join(cards, "\n")
	for _, w := range []string{"EMAIL;TYPE=INTERNET,WORK,PREF:max@supplier.example", "TEL;TYPE=CELL:+49 170 1234567", "ORG:Muster GmbH;",
		"BDAY:--0401", "FN:Zoë Ørsted", `NOTE:met at the fair\; call back`, "FN:nameless@example.test"} {
		if !strings.Contains(all, w) {
			t.Errorf("the contacts lack %q:\n%s", w, all)
		}
	}

	again, err := c.Run(t.Context(), pim.Options{})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 {
		t.Fatalf("second pass: %+v %v", again, err)
	}
	// The moved instance moves again: the series is copied again, over its copy.
	g.Change(moved, map[string]any{"start": map[string]any{"dateTime": "2026-01-07T12:00:00+01:00", "timeZone": "Europe/Berlin"},
		"end": map[string]any{"dateTime": "2026-01-07T12:15:00+01:00", "timeZone": "Europe/Berlin"}})
	third, err := c.Run(t.Context(), pim.Options{})
	if err != nil || third.Updated != 1 || third.Copied != 0 || third.Failed != 0 || dav.Count("alice") != 7 {
		t.Fatalf("after the change: %+v %v", third, err)
	}
}
