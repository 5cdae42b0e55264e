package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/project"
	"cutover/backend/store"
	"cutover/backend/sweep"
)

// SweepInput starts a project's sweeps.
type SweepInput struct {
	// Until overrides when sweeps end, "2006-01-02 15:04" in the project's zone; empty: 72
	// hours after the switch, and at least the old MX TTL after a resolver last answered it.
	Until string `json:"until"`
}

// SweepStatus is where a project's sweeps stand, for the Mailboxes page and the timeline.
type SweepStatus struct {
	Active   bool             `json:"active"`   // sweeps go on: started, not stopped, not over
	SwitchAt time.Time        `json:"switchAt"` // the MX switch the schedule counts from
	Until    time.Time        `json:"until"`
	Next     time.Time        `json:"next"`     // when the next sweep is due (zero when none)
	Started  bool             `json:"started"`  // sweeps were ever started
	Stopped  time.Time        `json:"stopped"`  // stopped by the user
	Runs     []store.SweepRun `json:"runs"`     // newest first
	Text     string           `json:"text"`     // "sweeping until Thu 18:00 · last sweep 14:30, 3 new messages"
	UntilWhy string           `json:"untilWhy"` // what sets Until
}

// SweepStart starts the sweeps of a project: the final pass again for every mailbox of the
// batch, on the schedule of package sweep, counted from the MX switch (the latest switch
// Cutover applied at the DNS host, else the project's cutover time).
func (a *API) SweepStart(projectName string, in SweepInput) (SweepStatus, error) {
	p, err := a.project(projectName)
	if err != nil {
		return SweepStatus{}, err
	}
	switchAt, err := a.switchTime(p)
	if err != nil {
		return SweepStatus{}, err
	}
	until, _, err := a.sweepUntil(p, switchAt)
	if err != nil {
		return SweepStatus{}, err
	}
	if s := strings.TrimSpace(in.Until); s != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", strings.Replace(s, "T", " ", 1), p.Location())
		if err != nil {
			return SweepStatus{}, &project.FieldError{Field: "until", Value: s, Expected: `a date and time like "2027-05-17 18:00", in the project's time zone`}
		}
		if !t.After(a.now()) {
			return SweepStatus{}, &project.FieldError{Field: "until", Value: s, Expected: "a time in the future: sweeps would end before they start"}
		}
		until = t
	}
	if err := a.store.PutSweep(a.ctx, p.ID, store.Sweep{SwitchAt: switchAt, Until: until, StartedAt: a.now()}); err != nil {
		return SweepStatus{}, err
	}
	st, err := a.sweepStatus(p)
	if err == nil {
		a.bus.Publish("sweep:changed", p.Name, st)
	}
	return st, err
}

// SweepStop stops a project's sweeps; a sweep running now finishes.
func (a *API) SweepStop(projectName string) (SweepStatus, error) {
	p, err := a.project(projectName)
	if err != nil {
		return SweepStatus{}, err
	}
	sw, err := a.store.Sweep(a.ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return SweepStatus{}, &project.FieldError{Field: "sweep", Expected: "sweeps started first (cutover sweep start)"}
	}
	if err != nil {
		return SweepStatus{}, err
	}
	if sw.StoppedAt.IsZero() {
		sw.StoppedAt = a.now()
		if err := a.store.PutSweep(a.ctx, p.ID, sw); err != nil {
			return SweepStatus{}, err
		}
	}
	st, err := a.sweepStatus(p)
	if err == nil {
		a.bus.Publish("sweep:changed", p.Name, st)
	}
	return st, err
}

// SweepStatus says where a project's sweeps stand.
func (a *API) SweepStatus(projectName string) (SweepStatus, error) {
	p, err := a.project(projectName)
	if err != nil {
		return SweepStatus{}, err
	}
	return a.sweepStatus(p)
}

func (a *API) sweepStatus(p project.Project) (SweepStatus, error) {
	st := SweepStatus{Runs: []store.SweepRun{}}
	sw, err := a.store.Sweep(a.ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		st.Text = "no sweeps: start them after the final pass"
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if st.Runs, err = a.store.SweepRuns(a.ctx, p.ID); err != nil {
		return st, err
	}
	st.Started, st.SwitchAt, st.Until, st.Stopped = true, sw.SwitchAt, sw.Until, sw.StoppedAt
	if _, why, err := a.sweepUntil(p, sw.SwitchAt); err == nil {
		st.UntilWhy = why
	}
	var last time.Time
	if len(st.Runs) > 0 {
		last = st.Runs[0].StartedAt
	}
	next, more := sweep.Next(sw.SwitchAt, sw.Until, last)
	st.Active = more && sw.StoppedAt.IsZero()
	if st.Active {
		st.Next = next
	}
	loc := p.Location()
	switch {
	case !sw.StoppedAt.IsZero():
		st.Text = "sweeps stopped " + sw.StoppedAt.In(loc).Format("Mon 15:04")
	case st.Active:
		st.Text = "sweeping until " + sw.Until.In(loc).Format("Mon 15:04")
	default:
		st.Text = "sweeps ended " + sw.Until.In(loc).Format("Mon 15:04")
	}
	if len(st.Runs) > 0 {
		r := st.Runs[0]
		found := fmt.Sprintf("%d new message%s", r.Copied, plural(r.Copied))
		if r.FinishedAt.IsZero() {
			found = "running"
		} else if r.Error != "" {
			found = "failed: " + r.Error
		}
		st.Text += fmt.Sprintf(" · last sweep %s, %s", r.StartedAt.In(loc).Format("15:04"), found)
	}
	return st, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// switchTime is when the MX switched: the latest switch Cutover applied at the DNS host,
// else the project's cutover time.
func (a *API) switchTime(p project.Project) (time.Time, error) {
	changes, err := a.store.DNSChanges(a.ctx, p.ID)
	if err != nil {
		return time.Time{}, err
	}
	for _, c := range changes { // newest first
		if c.Kind == "switch" && c.State == "applied" && c.UndoneBy == 0 {
			return c.At, nil
		}
	}
	return p.Cutover, nil
}

// sweepUntil is when sweeps end by the DNS: 72 hours after the switch, and at least the old
// MX's TTL after the latest check after the switch that still saw a resolver answer it.
func (a *API) sweepUntil(p project.Project, switchAt time.Time) (time.Time, string, error) {
	c, err := a.store.LatestDNSCheck(a.ctx, p.ID, dnscheck.After)
	if errors.Is(err, store.ErrNotFound) {
		return sweep.Until(switchAt, time.Time{}, 0), "72 hours after the switch", nil
	}
	if err != nil {
		return time.Time{}, "", err
	}
	var seen time.Time
	var ttl time.Duration
	for _, r := range c.Report.Results {
		if r.Type != "MX" || r.Kind != dnscheck.KindValue || len(r.Lingering) == 0 {
			continue
		}
		seen = c.Report.At
		for _, an := range r.Answers {
			if an.Role == dnscheck.Resolver && an.Verdict != dnscheck.OK && an.HasTTL {
				ttl = max(ttl, time.Duration(an.TTL)*time.Second)
			}
		}
	}
	until := sweep.Until(switchAt, seen, ttl)
	if until.After(switchAt.Add(sweep.For)) {
		return until, fmt.Sprintf("a resolver still answered the old MX at %s (TTL %s)", seen.In(p.Location()).Format("Mon 15:04"), ttl), nil
	}
	return until, "72 hours after the switch", nil
}

// SweepRunDue runs the project's sweep if one is due now: the final pass over the batch,
// recorded with what it found. It returns nil when none was due.
func (a *API) SweepRunDue(projectName string) (*store.SweepRun, error) {
	return a.sweepRunDue(a.ctx, projectName)
}

func (a *API) sweepRunDue(ctx context.Context, projectName string) (*store.SweepRun, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	st, err := a.sweepStatus(p)
	if err != nil || !st.Active || a.now().Before(st.Next) {
		return nil, err
	}
	run, err := a.store.StartSweepRun(ctx, p.ID, a.now())
	if err != nil {
		return nil, err
	}
	a.bus.Publish("sweep:started", p.Name, run)
	res, perr := a.mailPass(ctx, p.Name, MailPassInput{Pass: "final"})
	run.FinishedAt, run.Copied, run.Failed, run.Errors = a.now(), res.Copied, res.Failed, res.Errors
	if perr != nil {
		run.Error = perr.Error()
	}
	if err := a.store.FinishSweepRun(context.WithoutCancel(ctx), run); err != nil {
		return &run, err
	}
	a.bus.Publish("sweep:done", p.Name, run)
	return &run, perr
}

// SweepProjects are the projects whose sweeps go on.
func (a *API) SweepProjects() ([]string, error) {
	ps, err := a.store.Projects(a.ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ps {
		st, err := a.sweepStatus(p)
		if err != nil {
			return nil, err
		}
		if st.Active {
			out = append(out, p.Name)
		}
	}
	return out, nil
}

// SweepTicks ticks once a minute until ctx ends: often enough that a due sweep starts
// within a minute, and that one missed while the machine slept starts when it wakes.
func SweepTicks(ctx context.Context) <-chan time.Time {
	out := make(chan time.Time)
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				select {
				case out <- now:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// RunSweeps runs every project's due sweeps, and the DNS changes confirmed for this
// time, each time tick fires, until ctx ends: the window and `cutover serve` run it in the
// background. Times are compared with the clock
// at each tick, so a sweep missed while the machine slept runs when it wakes.
func RunSweeps(ctx context.Context, a *API, tick <-chan time.Time) {
	for {
		a.runDueDNSChanges(ctx) // dnsscheduled.go: the changes confirmed for this time
		names, err := a.SweepProjects()
		if err != nil {
			a.log.Warn("sweeps", "err", err)
		}
		for _, name := range names {
			if _, err := a.sweepRunDue(ctx, name); err != nil && ctx.Err() == nil {
				a.log.Warn("sweep", "project", name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
