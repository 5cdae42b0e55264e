package timeline

import (
	"bytes"

	"github.com/emersion/go-ical"
	"testing"
	"time"

	"cutover/backend/project"
)

func mustProject(t *testing.T, cutover, tz string, holidays ...string) project.Project {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	c, err := time.ParseInLocation("2006-01-02 15:04", cutover, loc)
	if err != nil {
		t.Fatal(err)
	}
	return project.Project{Name: "acme", Zone: tz, Cutover: c, Holidays: holidays}
}

func dueOf(t *testing.T, tl Timeline, key string) string {
	t.Helper()
	s, ok := tl.Step(key)
	if !ok {
		t.Fatalf("no step %s", key)
	}
	return s.Due.Format("Mon 2006-01-02 15:04 MST")
}

func TestDueDatesFollowTheCutover(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		cutover  string
		tz       string
		holidays []string
		want     map[string]string
	}{
		{name: "cutover on a Monday", cutover: "2027-05-17 18:00", tz: "America/Toronto", want: map[string]string{
			"access_accounts":  "Mon 2027-04-26 09:00 EDT", // 15 business days before
			"pre_contact":      "Mon 2027-05-10 09:00 EDT", // 7 days before
			"confirm_contact":  "Fri 2027-05-14 09:00 EDT", // 2 days before is a Saturday: moved to Friday
			"dns_change":       "Mon 2027-05-17 18:00 EDT",
			"final_migration":  "Mon 2027-05-17 20:00 EDT",
			"followup_contact": "Wed 2027-05-19 09:00 EDT", // 2 business days after
			"close_case":       "Mon 2027-05-24 09:00 EDT",
		}},
		{name: "cutover on a Friday", cutover: "2027-05-14 18:00", tz: "America/Toronto", want: map[string]string{
			"pre_contact":      "Fri 2027-05-07 09:00 EDT",
			"confirm_contact":  "Wed 2027-05-12 09:00 EDT",
			"historical_copy":  "Fri 2027-04-30 09:00 EDT", // 10 business days before
			"followup_contact": "Tue 2027-05-18 09:00 EDT", // weekend skipped
		}},
		{name: "across the start of daylight saving time", cutover: "2027-03-16 18:00", tz: "America/Toronto", want: map[string]string{
			"pre_contact":      "Tue 2027-03-09 09:00 EST", // before the change: still 09:00 local
			"confirm_contact":  "Fri 2027-03-12 09:00 EST", // Sunday 14th moved back to Friday
			"dns_change":       "Tue 2027-03-16 18:00 EDT",
			"followup_contact": "Thu 2027-03-18 09:00 EDT",
		}},
		{name: "across the end of daylight saving time in Europe", cutover: "2027-11-02 08:00", tz: "Europe/Paris", want: map[string]string{
			"pre_contact": "Tue 2027-10-26 09:00 CEST",
			"dns_change":  "Tue 2027-11-02 08:00 CET",
		}},
		{name: "a holiday in the business-day window", cutover: "2027-05-21 18:00", tz: "America/Toronto", holidays: []string{"2027-05-24"}, want: map[string]string{
			"followup_contact": "Wed 2027-05-26 09:00 EDT", // Monday 24th is a holiday
		}},
		{name: "a contact that falls on a holiday", cutover: "2027-05-26 18:00", tz: "America/Toronto", holidays: []string{"2027-05-24"}, want: map[string]string{
			"confirm_contact": "Fri 2027-05-21 09:00 EDT", // Monday 24th is a holiday, then the weekend
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl := Build(mustProject(t, c.cutover, c.tz, c.holidays...), nil, now)
			for key, want := range c.want {
				if got := dueOf(t, tl, key); got != want {
					t.Errorf("%s due %s, want %s", key, got, want)
				}
			}
		})
	}
}

func TestDaylightSavingKeepsWallClockNotDuration(t *testing.T) {
	p := mustProject(t, "2027-03-16 18:00", "America/Toronto")
	tl := Build(p, nil, time.Time{})
	s, _ := tl.Step("pre_contact")
	if got := s.Due.UTC().Format("15:04"); got != "14:00" { // 09:00 EST = 14:00 UTC
		t.Fatalf("pre-contact at %s UTC, want 14:00", got)
	}
}

func TestMovingCutoverRecomputesOpenStepsAndKeepsDoneOnes(t *testing.T) {
	p := mustProject(t, "2027-05-17 18:00", "America/Toronto")
	first := Build(p, nil, time.Time{})
	doneStep, _ := first.Step("pre_contact")
	states := map[string]State{"pre_contact": {Status: Done, Due: doneStep.Due, By: "sam", At: time.Date(2027, 5, 10, 14, 0, 0, 0, time.UTC)}}

	p = mustProject(t, "2027-05-31 18:00", "America/Toronto") // two weeks later
	tl := Build(p, states, time.Time{})
	if got := dueOf(t, tl, "pre_contact"); got != "Mon 2027-05-10 09:00 EDT" {
		t.Errorf("done step moved to %s", got)
	}
	if got := dueOf(t, tl, "confirm_contact"); got != "Fri 2027-05-28 09:00 EDT" {
		t.Errorf("open step due %s, want it recomputed to Fri 2027-05-28", got)
	}
}

func TestOverdueOnlyForOpenStepsPastTheirDeadline(t *testing.T) {
	p := mustProject(t, "2027-05-17 18:00", "America/Toronto")
	now := time.Date(2027, 5, 12, 12, 0, 0, 0, time.UTC)
	tl := Build(p, map[string]State{"verify_domain": {Status: Done}}, now)
	want := map[string]bool{"pre_contact": true, "verify_domain": false, "confirm_contact": false, "historical_copy": true}
	for key, w := range want {
		s, _ := tl.Step(key)
		if s.Overdue != w {
			t.Errorf("%s overdue = %v, want %v", key, s.Overdue, w)
		}
	}
}

func TestStepsAreOrderedByPhaseThenDue(t *testing.T) {
	tl := Build(mustProject(t, "2027-05-17 18:00", "America/Toronto"), nil, time.Time{})
	if len(tl.Steps) != len(Defs) {
		t.Fatalf("%d steps, want %d", len(tl.Steps), len(Defs))
	}
	for i := 1; i < len(tl.Steps); i++ {
		a, b := tl.Steps[i-1], tl.Steps[i]
		if phaseIndex(a.Phase) > phaseIndex(b.Phase) || (a.Phase == b.Phase && a.Due.After(b.Due)) {
			t.Errorf("%s (%s %s) before %s (%s %s)", a.Key, a.Phase, a.Due, b.Key, b.Phase, b.Due)
		}
	}
}

func TestParseStatusNamesTheField(t *testing.T) {
	if _, err := ParseStatus("finished"); err == nil || err.Error() != `status: "finished": expected todo, in_progress, done, blocked or skipped` {
		t.Fatalf("err = %v", err)
	}
}

func TestICSHasOneEventPerStepInUTC(t *testing.T) {
	tl := Build(mustProject(t, "2027-05-17 18:00", "America/Toronto"), nil, time.Time{})
	b, err := tl.ICS(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decode our own calendar: %v", err)
	}
	evs := cal.Events()
	if len(evs) != len(Defs) {
		t.Fatalf("%d events, want %d", len(evs), len(Defs))
	}
	for _, ev := range evs {
		uid, _ := ev.Props.Text(ical.PropUID)
		if uid != "dns_change.acme@cutover" {
			continue
		}
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2027, 5, 17, 22, 0, 0, 0, time.UTC); !start.Equal(want) { // 18:00 EDT
			t.Fatalf("DNS change starts %s, want %s", start, want)
		}
		return
	}
	t.Fatal("no event for dns_change")
}
