// Package timeline turns a project's cutover moment into the dated steps of the
// four-phase migration guide: preparation, pre-migration, cutover, post-migration.
// Due dates are computed in the project's IANA time zone, so daylight-saving changes
// keep wall-clock times; business-day rules skip weekends and the customer's holidays.
// Steps that are done or skipped keep the due date they had, so moving the cutover
// only moves what is still open.
package timeline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"cutover/backend/project"
)

// Phase is one of the four phases.
type Phase string

const (
	Preparation   Phase = "preparation"
	PreMigration  Phase = "pre_migration"
	Cutover       Phase = "cutover"
	PostMigration Phase = "post_migration"
)

// Phases in order, with their titles.
var Phases = []struct {
	Phase Phase  `json:"phase"`
	Title string `json:"title"`
}{
	{Preparation, "Preparation"},
	{PreMigration, "Pre-migration"},
	{Cutover, "Cutover"},
	{PostMigration, "Post-migration"},
}

// Owner is who carries out a step.
type Owner string

const (
	Customer   Owner = "customer"
	Specialist Owner = "specialist"
)

// Status of a step.
type Status string

const (
	Todo       Status = "todo"
	InProgress Status = "in_progress"
	Done       Status = "done"
	Blocked    Status = "blocked"
	Skipped    Status = "skipped"
)

// ParseStatus reads a status as typed.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")); st {
	case Todo, InProgress, Done, Blocked, Skipped:
		return st, nil
	case "to_do", "open", "reopen":
		return Todo, nil
	}
	return "", &project.FieldError{Field: "status", Value: s, Expected: "todo, in_progress, done, blocked or skipped"}
}

// Closed reports whether the status no longer moves with the cutover date.
func (s Status) Closed() bool { return s == Done || s == Skipped }

// rule computes a step's due moment (and optional window) from the cutover.
type rule func(c calendar) (due, windowStart, windowEnd time.Time)

// Def is a step of the guide.
type Def struct {
	Key     string
	Phase   Phase
	Title   string
	Owner   Owner
	Detail  string
	When    string // the rule in words, e.g. "7 days before cutover"
	Contact bool   // a contact step: the contact log hangs off it
	rule    rule
}

// Defs are the steps of the migration guide, in order.
var Defs = []Def{
	{Key: "access_accounts", Phase: Preparation, Owner: Specialist, Title: "Access accounts and create users",
		Detail: "Get admin access to the source and destination; create the users, groups and contacts from the customer's spreadsheets.",
		When:   "15 business days before cutover", rule: businessDaysBefore(15)},
	{Key: "verify_domain", Phase: Preparation, Owner: Customer, Title: "Verify domain ownership (DNS TXT)",
		Detail: "The customer publishes the verification TXT record the destination console gives.",
		When:   "12 business days before cutover", rule: businessDaysBefore(12)},
	{Key: "create_batch", Phase: Preparation, Owner: Specialist, Title: "Create the migration batch",
		Detail: "Link each source mailbox to its destination mailbox.",
		When:   "11 business days before cutover", rule: businessDaysBefore(11)},
	{Key: "environment", Phase: Preparation, Owner: Specialist, Title: "Environment-specific tasks",
		Detail: "Analyse source folder structures; set up admin access for the copy.",
		When:   "11 business days before cutover", rule: businessDaysBefore(11)},
	{Key: "scheduling", Phase: Preparation, Owner: Specialist, Title: "Scheduling",
		Detail: "Fix the cutover date and time with the customer.",
		When:   "10 business days before cutover", rule: businessDaysBefore(10)},

	{Key: "historical_copy", Phase: PreMigration, Owner: Specialist, Title: "Start of historical copy",
		Detail: "Start copying historical mail while users keep working (7 to 10 business days before cutover).",
		When:   "7–10 business days before cutover", rule: businessDayWindow(10, 7)},
	{Key: "pre_contact", Phase: PreMigration, Owner: Specialist, Title: "Pre-migration contact", Contact: true,
		Detail: "Contact the customer: confirm the date, the DNS TTL change and what users will see.",
		When:   "7 days before cutover", rule: daysBefore(7)},
	{Key: "lower_ttl", Phase: PreMigration, Owner: Customer, Title: "Lower DNS TTL",
		Detail: "The customer lowers the TTL of the MX, autodiscover and SPF records (300 s), before the confirmation contact.",
		When:   "before the confirmation contact", rule: daysBefore(3)},
	{Key: "pre_migration", Phase: PreMigration, Owner: Specialist, Title: "Preliminary data migration",
		Detail: "Copy mail older than 30 days for every mailbox.",
		When:   "between the historical copy start and the confirmation contact", rule: businessDayWindow(7, 3)},
	{Key: "confirm_contact", Phase: PreMigration, Owner: Specialist, Title: "Confirmation contact", Contact: true,
		Detail: "Confirm the cutover with the customer; check the TTLs are lowered.",
		When:   "2 days before cutover", rule: daysBefore(2)},

	{Key: "dns_change", Phase: Cutover, Owner: Customer, Title: "DNS record changes",
		Detail: "The customer switches MX, autodiscover and SPF at the cutover time (2-hour availability window).",
		When:   "at the cutover time", rule: atCutover(0, 2*time.Hour)},
	{Key: "final_migration", Phase: Cutover, Owner: Specialist, Title: "Final data migration",
		Detail: "Copy everything not copied yet (1 to 24 hours, typically 2).",
		When:   "after the DNS change, 1–24 h", rule: atCutover(2*time.Hour, 24*time.Hour)},
	{Key: "outlook", Phase: Cutover, Owner: Customer, Title: "Outlook upgrade / profile recreation",
		Detail: "Once Autodiscover has propagated, users recreate their Outlook profiles.",
		When:   "after Autodiscover propagates", rule: atCutover(24*time.Hour, 24*time.Hour)},
	{Key: "mobile", Phase: Cutover, Owner: Customer, Title: "Mobile devices",
		Detail: "Users remove and re-add the mail account on phones and tablets.",
		When:   "after the final migration", rule: atCutover(24*time.Hour, 48*time.Hour)},

	{Key: "followup_contact", Phase: PostMigration, Owner: Specialist, Title: "Follow-up contact", Contact: true,
		Detail: "Follow up with the customer; verify source and destination side by side.",
		When:   "2 business days after cutover", rule: businessDaysAfter(2)},
	{Key: "additional_services", Phase: PostMigration, Owner: Specialist, Title: "Additional services",
		Detail: "Shared mailboxes, calendars, archives and whatever else was agreed.",
		When:   "3 business days after cutover", rule: businessDaysAfter(3)},
	{Key: "close_case", Phase: PostMigration, Owner: Specialist, Title: "Close case",
		Detail: "Export the report and close the case.",
		When:   "5 business days after cutover", rule: businessDaysAfter(5)},
}

// DefByKey finds a step definition.
func DefByKey(key string) (Def, bool) {
	for _, d := range Defs {
		if d.Key == key {
			return d, true
		}
	}
	return Def{}, false
}

// State is what is stored about a step.
type State struct {
	Status Status
	Due    time.Time // frozen due date when closed
	By     string
	At     time.Time
	Note   string
	// Evidence is set when Cutover wrote the note itself (nil for a typed note).
	Evidence *Evidence
}

// Step is one dated step as shown to people.
type Step struct {
	Key         string    `json:"key"`
	Phase       Phase     `json:"phase"`
	Title       string    `json:"title"`
	Detail      string    `json:"detail"`
	When        string    `json:"when"`
	Owner       Owner     `json:"owner"`
	Contact     bool      `json:"contact"`
	Due         time.Time `json:"due"`
	WindowStart time.Time `json:"windowStart,omitzero"`
	WindowEnd   time.Time `json:"windowEnd,omitzero"`
	Status      Status    `json:"status"`
	By          string    `json:"by,omitempty"`
	At          time.Time `json:"at,omitzero"`
	Note        string    `json:"note,omitempty"`
	Evidence    *Evidence `json:"evidence,omitempty"`
	Overdue     bool      `json:"overdue"`
}

// Timeline is a project's steps in order.
type Timeline struct {
	Project string    `json:"project"`
	Zone    string    `json:"tz"`
	Cutover time.Time `json:"cutover"`
	Now     time.Time `json:"now"`
	Steps   []Step    `json:"steps"`
}

// Build computes the timeline of p at now from the stored states (by step key).
func Build(p project.Project, states map[string]State, now time.Time) Timeline {
	loc := p.Location()
	cal := calendar{cutover: p.Cutover.In(loc), loc: loc, holidays: p.HolidaySet()}
	tl := Timeline{Project: p.Name, Zone: p.Zone, Cutover: cal.cutover, Now: now.In(loc)}
	for _, d := range Defs {
		due, ws, we := d.rule(cal)
		st := Step{Key: d.Key, Phase: d.Phase, Title: d.Title, Detail: d.Detail, When: d.When, Owner: d.Owner,
			Contact: d.Contact, Due: due, WindowStart: ws, WindowEnd: we, Status: Todo}
		if s, ok := states[d.Key]; ok {
			st.Status, st.By, st.At, st.Note, st.Evidence = s.Status, s.By, s.At.In(loc), s.Note, s.Evidence
			if s.Status.Closed() && !s.Due.IsZero() {
				st.Due, st.WindowStart, st.WindowEnd = s.Due.In(loc), time.Time{}, time.Time{}
			}
		}
		deadline := st.Due
		if !st.WindowEnd.IsZero() {
			deadline = st.WindowEnd
		}
		st.Overdue = !st.Status.Closed() && now.After(deadline)
		tl.Steps = append(tl.Steps, st)
	}
	sort.SliceStable(tl.Steps, func(i, j int) bool {
		pi, pj := phaseIndex(tl.Steps[i].Phase), phaseIndex(tl.Steps[j].Phase)
		if pi != pj {
			return pi < pj
		}
		return tl.Steps[i].Due.Before(tl.Steps[j].Due)
	})
	return tl
}

func phaseIndex(p Phase) int {
	for i, ph := range Phases {
		if ph.Phase == p {
			return i
		}
	}
	return len(Phases)
}

// Step returns the step with key, if any.
func (t Timeline) Step(key string) (Step, bool) {
	for _, s := range t.Steps {
		if s.Key == key {
			return s, true
		}
	}
	return Step{}, false
}

// calendar knows the project's zone, holidays and cutover.
type calendar struct {
	cutover  time.Time
	loc      *time.Location
	holidays map[string]bool
}

// dayStartHour is when day-level steps are due: the start of the business day.
const dayStartHour = 9

func (c calendar) isBusinessDay(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.holidays[t.Format("2006-01-02")]
}

// at returns 09:00 on the given local day. time.Date normalises across DST changes,
// so the wall-clock hour is kept whatever the UTC offset that day.
func (c calendar) at(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, dayStartHour, 0, 0, 0, c.loc)
}

// addBusinessDays moves n business days from the cutover's day (n < 0: before).
func (c calendar) addBusinessDays(n int) time.Time {
	y, m, d := c.cutover.Date()
	day := c.at(y, m, d)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day = c.at(day.Year(), day.Month(), day.Day()+step)
		if c.isBusinessDay(day) {
			n--
		}
	}
	return day
}

// previousBusinessDay returns day itself when it is a business day, else the last one before it.
func (c calendar) previousBusinessDay(day time.Time) time.Time {
	for !c.isBusinessDay(day) {
		day = c.at(day.Year(), day.Month(), day.Day()-1)
	}
	return day
}

func businessDaysBefore(n int) rule {
	return func(c calendar) (time.Time, time.Time, time.Time) {
		return c.addBusinessDays(-n), time.Time{}, time.Time{}
	}
}

func businessDaysAfter(n int) rule {
	return func(c calendar) (time.Time, time.Time, time.Time) {
		return c.addBusinessDays(n), time.Time{}, time.Time{}
	}
}

// businessDayWindow is due at its earliest day, with a window from `from` to `to`
// business days before cutover (from > to).
func businessDayWindow(from, to int) rule {
	return func(c calendar) (time.Time, time.Time, time.Time) {
		start, end := c.addBusinessDays(-from), c.addBusinessDays(-to)
		return start, start, end
	}
}

// daysBefore counts calendar days; a contact that falls on a weekend or holiday moves
// to the business day before it (nobody answers the phone on a Sunday).
func daysBefore(n int) rule {
	return func(c calendar) (time.Time, time.Time, time.Time) {
		y, m, d := c.cutover.Date()
		return c.previousBusinessDay(c.at(y, m, d-n)), time.Time{}, time.Time{}
	}
}

// atCutover is due offset after the cutover moment, within a window of length span.
func atCutover(offset, span time.Duration) rule {
	return func(c calendar) (time.Time, time.Time, time.Time) {
		start := c.cutover.Add(offset)
		if offset == 0 {
			return start, start, start.Add(span)
		}
		return start, c.cutover, c.cutover.Add(span)
	}
}

// String renders the timeline as text for the terminal.
func (t Timeline) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — cutover %s (%s)\n", t.Project, t.Cutover.Format("Mon 2006-01-02 15:04 MST"), t.Zone)
	var phase Phase
	for _, s := range t.Steps {
		if s.Phase != phase {
			phase = s.Phase
			for _, ph := range Phases {
				if ph.Phase == phase {
					fmt.Fprintf(&b, "\n%s\n", ph.Title)
				}
			}
		}
		mark := map[Status]string{Todo: "[ ]", InProgress: "[~]", Done: "[x]", Blocked: "[!]", Skipped: "[-]"}[s.Status]
		late := ""
		if s.Overdue {
			late = "  OVERDUE"
		}
		fmt.Fprintf(&b, "  %s %-19s %-37s %-10s %s%s\n", mark, s.Key, s.Title, s.Owner, s.Due.Format("Mon 2006-01-02 15:04"), late)
	}
	return b.String()
}
