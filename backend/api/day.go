package api

import (
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/store"
	"cutover/backend/timeline"
)

// CutoverDay is the day at a glance, the page a specialist keeps open: the switch window,
// the DNS as the latest check after the switch saw it, the final pass per mailbox, the
// sweeps, the messages to the customer and what is left to do.
type CutoverDay struct {
	Now         time.Time            `json:"now"`
	WindowStart time.Time            `json:"windowStart"` // the 2-hour window of the DNS switch
	WindowEnd   time.Time            `json:"windowEnd"`
	DNS         *DayDNS              `json:"dns"` // nil before any check after the switch
	Mailboxes   []MailboxState       `json:"mailboxes"`
	Totals      PassTotals           `json:"totals"`
	Sweeps      SweepStatus          `json:"sweeps"`
	Messages    []store.ContactEntry `json:"messages"` // contacts logged on the cutover and post-migration steps
	Left        []timeline.Step      `json:"left"`     // steps of the cutover phase (and overdue ones) not done
}

// DayDNS is the latest check after the switch, record by record.
type DayDNS struct {
	At      time.Time   `json:"at"`
	OK      bool        `json:"ok"`
	Records []DayRecord `json:"records"`
}

// DayRecord is one record's propagation.
type DayRecord struct {
	Purpose   string           `json:"purpose"`
	Name      string           `json:"name"`
	Type      string           `json:"type"`
	Verdict   dnscheck.Verdict `json:"verdict"`
	Summary   string           `json:"summary"`
	Seen      int              `json:"seen"`
	Asked     int              `json:"asked"`
	Lingering []string         `json:"lingering,omitempty"`
}

// CutoverDay gathers the day at a glance.
func (a *API) CutoverDay(projectName string) (CutoverDay, error) {
	p, err := a.project(projectName)
	if err != nil {
		return CutoverDay{}, err
	}
	day := CutoverDay{Now: a.now(), Messages: []store.ContactEntry{}, Left: []timeline.Step{}}
	tl, err := a.Timeline(projectName)
	if err != nil {
		return day, err
	}
	phaseOf := map[string]timeline.Phase{}
	for _, s := range tl.Steps {
		phaseOf[s.Key] = s.Phase
		if s.Key == "dns_change" && !s.WindowStart.IsZero() {
			day.WindowStart, day.WindowEnd = s.WindowStart, s.WindowEnd
		}
		open := s.Status != timeline.Done && s.Status != timeline.Skipped
		if open && (s.Phase == timeline.Cutover || s.Overdue) {
			day.Left = append(day.Left, s)
		}
	}
	if day.WindowStart.IsZero() {
		day.WindowStart, day.WindowEnd = p.Cutover, p.Cutover.Add(2*time.Hour)
	}
	if c, err := a.DnsLatest(projectName, string(dnscheck.After)); err != nil {
		return day, err
	} else if c != nil {
		d := &DayDNS{At: c.Report.At, OK: c.Report.OK, Records: []DayRecord{}}
		for _, r := range c.Report.Results {
			if r.Kind != dnscheck.KindValue {
				continue
			}
			d.Records = append(d.Records, DayRecord{Purpose: r.Purpose, Name: r.Name, Type: r.Type, Verdict: r.Verdict,
				Summary: r.Summary, Seen: r.Seen, Asked: r.Asked, Lingering: r.Lingering})
		}
		day.DNS = d
	}
	if day.Mailboxes, err = a.MailStatus(projectName); err != nil {
		return day, err
	}
	if day.Totals, err = a.MailTotals(projectName); err != nil {
		return day, err
	}
	if day.Sweeps, err = a.sweepStatus(p); err != nil {
		return day, err
	}
	log, err := a.ContactLog(projectName)
	if err != nil {
		return day, err
	}
	for _, c := range log {
		if ph := phaseOf[c.StepKey]; ph == timeline.Cutover || ph == timeline.PostMigration {
			day.Messages = append(day.Messages, c)
		}
	}
	return day, nil
}
