package pim_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"cutover/backend/internal/testsrv"
	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

// berlinMailbox fills the Graph source fake with what Outlook in Germany holds: a weekly
// Monday 09:00 meeting from January to December in "W. Europe Standard Time" (one
// occurrence after the change to summer time cancelled, one moved), a call in a custom
// zone Outlook made up long ago, and a single event with a PDF, the original invitation
// (an Outlook item) and a scan over 3 MB attached. Graph serves every time in UTC.
func berlinMailbox(g *pimtest.GraphSource) (pdf []byte) {
	const u = "alice@example.test"
	cal := g.AddContainer(u, "calendars", "Kalender")
	standup := g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "standup-berlin", "subject": "Standup", "type": "seriesMaster",
		"start":                 map[string]any{"dateTime": "2026-01-05T08:00:00.0000000", "timeZone": "UTC"},
		"end":                   map[string]any{"dateTime": "2026-01-05T08:30:00.0000000", "timeZone": "UTC"},
		"originalStartTimeZone": "W. Europe Standard Time", "originalEndTimeZone": "W. Europe Standard Time",
		"recurrence": map[string]any{"pattern": map[string]any{"type": "weekly", "interval": 1, "daysOfWeek": []any{"monday"}, "firstDayOfWeek": "monday"},
			"range": map[string]any{"type": "endDate", "startDate": "2026-01-05", "endDate": "2026-12-28", "recurrenceTimeZone": "W. Europe Standard Time"}}})
	g.CancelOccurrence(u, standup, "2026-07-13")
	g.ChangeOccurrence(u, standup, "2026-07-20", map[string]any{"subject": "Standup (moved)",
		"start": map[string]any{"dateTime": "2026-07-21T08:00:00.0000000", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-07-21T08:30:00.0000000", "timeZone": "UTC"}})
	g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "custom-zone-call", "subject": "Call with Lisbon",
		"start":                 map[string]any{"dateTime": "2026-03-10T15:00:00.0000000", "timeZone": "UTC"},
		"end":                   map[string]any{"dateTime": "2026-03-10T16:00:00.0000000", "timeZone": "UTC"},
		"originalStartTimeZone": "tzone://Microsoft/Custom", "originalEndTimeZone": "tzone://Microsoft/Custom"})
	review := g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "contract-review", "subject": "Contract review",
		"start":                 map[string]any{"dateTime": "2026-06-15T12:00:00.0000000", "timeZone": "UTC"},
		"end":                   map[string]any{"dateTime": "2026-06-15T13:00:00.0000000", "timeZone": "UTC"},
		"originalStartTimeZone": "W. Europe Standard Time", "originalEndTimeZone": "W. Europe Standard Time"})
	pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 0xff, '\r', '\n', ',', ';', ':'}, 3000)...)
	g.Attach(u, review, "file", "Vertrag, Entwurf.pdf", "application/pdf", pdf)
	g.Attach(u, review, "item", "Original invitation", "message/rfc822", []byte("Subject: invitation\r\n\r\n"))
	g.Attach(u, review, "file", "Scan.tiff", "image/tiff", make([]byte, 3<<20+1))
	return pdf
}

func TestM365EventsKeepTheirTimeZoneAndAttachmentsAtRadicale(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	pdf := berlinMailbox(g)
	srv := testsrv.NewRadicale(t)
	dst := dial(t, srv, "alice")
	src := &pim.GraphSource{Base: g.URL, User: "alice@example.test", HTTP: bearer("t"),
		Now: func() time.Time { return time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC) }}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed != 0 || res.Copied != 3 {
		t.Fatalf("pass: %+v %v", res, err)
	}
	if g.Attachments != 2 {
		t.Errorf("%d attachment list pages read, want the review's two (three attachments, two a page); the others have none", g.Attachments)
	}
	got := map[string]*ical.Calendar{}
	for summary, text := range destText(t, dst) {
		cal, err := ical.NewDecoder(strings.NewReader(text)).Decode()
		if err != nil {
			t.Fatalf("%s at Radicale: %v\n%s", summary, err, text)
		}
		got[summary] = cal
	}

	// The series: 09:00 Berlin with its zone, still 09:00 (07:00Z) in summer.
	series := got["Standup"]
	if series == nil {
		t.Fatal("the series did not arrive")
	}
	master, moved := events(t, series)
	if p := master.Props.Get(ical.PropDateTimeStart); p.Params.Get(ical.ParamTimezoneID) != "Europe/Berlin" || p.Value != "20260105T090000" {
		t.Errorf("DTSTART %v %q, want 09:00 Europe/Berlin", p.Params, p.Value)
	}
	if !hasTimezone(series, "Europe/Berlin") {
		t.Error("no VTIMEZONE Europe/Berlin with the series")
	}
	if rr := master.Props.Get(ical.PropRecurrenceRule).Value; !strings.Contains(rr, "UNTIL=20261228T080000Z") {
		t.Errorf("RRULE %s, want UNTIL the last Monday's 09:00 Berlin in UTC", rr)
	}
	set, err := master.RecurrenceSet(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time { v, _ := time.Parse("2006-01-02T15:04Z", s); return v }
	july := set.Between(utc("2026-07-01T00:00Z"), utc("2026-08-01T00:00Z"), true)
	want := []time.Time{utc("2026-07-06T07:00Z"), utc("2026-07-20T07:00Z"), utc("2026-07-27T07:00Z")} // the 13th is cancelled
	if len(july) != len(want) {
		t.Fatalf("July occurrences %v, want %v", july, want)
	}
	for i := range want {
		if !july[i].Equal(want[i]) {
			t.Errorf("July occurrence %v, want %v (09:00 Berlin summer time)", july[i].UTC(), want[i])
		}
	}
	// The moved occurrence replaces the 20 July one: its RECURRENCE-ID is that instant,
	// in the series' zone.
	if moved == nil {
		t.Fatal("the moved occurrence did not arrive")
	}
	rid := moved.Props.Get(ical.PropRecurrenceID)
	if at, err := rid.DateTime(time.UTC); err != nil || !at.Equal(want[1]) || rid.Params.Get(ical.ParamTimezoneID) != "Europe/Berlin" {
		t.Errorf("RECURRENCE-ID %v %q (%v), want 20 July 09:00 Europe/Berlin", rid.Params, rid.Value, at)
	}
	if at, _ := moved.Props.DateTime(ical.PropDateTimeStart, time.UTC); !at.Equal(utc("2026-07-21T08:00Z")) {
		t.Errorf("the moved occurrence starts at %v, want 21 July 10:00 Berlin", at)
	}
	ex := master.Props.Values(ical.PropExceptionDates)
	if len(ex) != 1 || ex[0].Params.Get(ical.ParamTimezoneID) != "Europe/Berlin" || ex[0].Value != "20260713T090000" {
		t.Errorf("EXDATEs %+v, want 13 July 09:00 Europe/Berlin only", ex)
	}

	// The call in a zone no database knows: in UTC, noted.
	call, _ := events(t, got["Call with Lisbon"])
	if p := call.Props.Get(ical.PropDateTimeStart); p.Value != "20260310T150000Z" || p.Params.Get(ical.ParamTimezoneID) != "" {
		t.Errorf("the call's DTSTART %v %q, want 15:00 UTC", p.Params, p.Value)
	}
	notes := map[string]string{}
	for _, n := range res.Notes {
		notes[n.Summary] += n.Reason + "; "
	}
	if !strings.Contains(notes["Call with Lisbon"], `"tzone://Microsoft/Custom" not known: times kept in UTC`) {
		t.Errorf("notes %+v, want the call's unknown zone", res.Notes)
	}

	// The review: its PDF byte for byte; the invitation and the scan noted.
	evs, err := pim.ParseEvents(pim.Item{UID: "contract-review", Data: []byte(encode(t, got["Contract review"]))})
	if err != nil {
		t.Fatal(err)
	}
	if f := evs[0].Files; len(f) != 1 || f[0].Name != "Vertrag, Entwurf.pdf" || f[0].Type != "application/pdf" || !bytes.Equal(f[0].Data, pdf) {
		t.Errorf("attachments %d, want the PDF byte for byte", len(f))
	}
	for _, w := range []string{`"Original invitation" not copied: an Outlook item`, `"Scan.tiff" not copied: over 3 MB`} {
		if !strings.Contains(notes["Contract review"], w) {
			t.Errorf("the review's notes %q lack %q", notes["Contract review"], w)
		}
	}
	if p := evs[0].Start; p.Zone != "Europe/Berlin" || p.DateTime != "2026-06-15T14:00:00" {
		t.Errorf("the review starts %+v, want 14:00 Europe/Berlin", p)
	}

	// A re-run copies nothing and reads no attachment.
	reads := g.Attachments
	again, err := c.Run(t.Context(), pim.Options{})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 || g.Attachments != reads {
		t.Errorf("second pass: %+v %v; %d attachment reads, want none", again, err, g.Attachments-reads)
	}
}

// events are a calendar object's master VEVENT and its (last) override.
func events(t *testing.T, cal *ical.Calendar) (master, override *ical.Component) {
	t.Helper()
	if cal == nil {
		t.Fatal("no such object at the destination")
	}
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		if c.Props.Get(ical.PropRecurrenceID) == nil {
			master = c
		} else {
			override = c
		}
	}
	if master == nil {
		t.Fatal("no master VEVENT")
	}
	return master, override
}

func hasTimezone(cal *ical.Calendar, tzid string) bool {
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone && c.Props.Get(ical.PropTimezoneID) != nil && c.Props.Get(ical.PropTimezoneID).Value == tzid {
			return len(c.Children) > 0
		}
	}
	return false
}

func encode(t *testing.T, cal *ical.Calendar) string {
	t.Helper()
	var b strings.Builder
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestM365EventAttachmentsArriveAtAGraphDestination(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	berlinMailbox(g)
	fake := pimtest.NewGraph(t)
	src := &pim.GraphSource{Base: g.URL, User: "alice@example.test", HTTP: bearer("t"),
		Now: func() time.Time { return time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC) }}
	c := &pim.Copier{Job: "alice", Source: src, Dest: graphDest(fake), Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed != 0 || res.Copied != 3 {
		t.Fatalf("pass: %+v %v", res, err)
	}
	for _, e := range fake.Objects("event") {
		switch e["subject"] {
		case "Contract review":
			if files, _ := e["_attachments"].([]string); len(files) != 1 || files[0] != "Vertrag, Entwurf.pdf" {
				t.Errorf("the review's attachments at Graph: %v", e["_attachments"])
			}
			if st := e["start"].(map[string]any); st["timeZone"] != "Europe/Berlin" || st["dateTime"] != "2026-06-15T14:00:00" {
				t.Errorf("the review starts %v at Graph, want 14:00 Europe/Berlin", st)
			}
		case "Standup":
			if rng := e["recurrence"].(map[string]any)["range"].(map[string]any); rng["recurrenceTimeZone"] != "Europe/Berlin" {
				t.Errorf("the series repeats in %v at Graph, want Europe/Berlin", rng["recurrenceTimeZone"])
			}
		}
	}
}
