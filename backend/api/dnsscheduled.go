package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"cutover/backend/dnsupdate"
	"cutover/backend/fault"
	"cutover/backend/project"
	"cutover/backend/store"
)

// DnsScheduleInput confirms a change to be made later, at the time the timeline says.
type DnsScheduleInput struct {
	Kind    string `json:"kind"`    // lower or switch
	Confirm string `json:"confirm"` // the fingerprint of the plan shown
	// At is "2006-01-02 15:04" in the project's zone; empty: the timeline's time (the TTL
	// lowering step's due time; the switch window's start).
	At string `json:"at"`
}

// DnsChangeSchedule confirms a change now for Cutover to make at the timeline's time: the
// plan shown (its fingerprint) is stored, and at that time the change is planned again and
// made only if it is still the same; otherwise nothing changes and the schedule says why.
func (a *API) DnsChangeSchedule(projectName string, in DnsScheduleInput) (store.DNSScheduled, error) {
	p, err := a.project(projectName)
	if err != nil {
		return store.DNSScheduled{}, err
	}
	kind, err := dnsupdate.ParseKind(in.Kind)
	if err != nil {
		return store.DNSScheduled{}, err
	}
	if kind == dnsupdate.KindRollback {
		return store.DNSScheduled{}, &fault.FieldError{Field: "kind", Value: in.Kind, Expected: "lower or switch: a rollback is made at once, when it is needed"}
	}
	plan, undoes, _, err := a.dnsPlan(p, string(kind))
	if err != nil {
		return store.DNSScheduled{}, err
	}
	v := planView(plan, undoes)
	if plan.Empty() {
		return store.DNSScheduled{}, &fault.FieldError{Field: "kind", Value: in.Kind, Expected: "a change with something to do: the records are already as they should be"}
	}
	if strings.TrimSpace(in.Confirm) != v.Fingerprint {
		return store.DNSScheduled{}, &fault.FieldError{Field: "confirm", Value: in.Confirm, Expected: "the fingerprint of the plan as it is now (cutover dns change shows it)"}
	}
	at, err := a.scheduleTime(p, kind, in.At)
	if err != nil {
		return store.DNSScheduled{}, err
	}
	d, err := a.store.AddDNSScheduled(a.ctx, p.ID, store.DNSScheduled{Kind: string(kind), Fingerprint: v.Fingerprint, Diff: v.Diff, At: at})
	if err == nil {
		a.bus.Publish("dns:scheduled", p.Name, d)
	}
	return d, err
}

// scheduleTime is when a scheduled change is made: at, or the timeline's time.
func (a *API) scheduleTime(p project.Project, kind dnsupdate.Kind, at string) (time.Time, error) {
	if s := strings.TrimSpace(at); s != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", strings.Replace(s, "T", " ", 1), p.Location())
		if err != nil {
			return t, &fault.FieldError{Field: "at", Value: s, Expected: `a date and time like "2027-05-14 18:00", in the project's time zone`}
		}
		if t.Before(a.now()) {
			return t, &fault.FieldError{Field: "at", Value: s, Expected: "a time to come: to make the change now, apply it"}
		}
		return t, nil
	}
	tl, err := a.timeline(p)
	if err != nil {
		return time.Time{}, err
	}
	step, _ := tl.Step(map[dnsupdate.Kind]string{dnsupdate.KindLower: "lower_ttl", dnsupdate.KindSwitch: "dns_change"}[kind])
	t := step.Due
	if !step.WindowStart.IsZero() {
		t = step.WindowStart
	}
	if t.Before(a.now()) {
		return t, &fault.FieldError{Field: "at", Expected: "a time: the timeline's time for this change has passed (" + t.In(p.Location()).Format("Mon 2006-01-02 15:04") + "); apply it now or give a time"}
	}
	return t, nil
}

// DnsScheduled lists the project's scheduled DNS changes, the latest first.
func (a *API) DnsScheduled(projectName string) ([]store.DNSScheduled, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	return a.store.DNSScheduledList(a.ctx, p.ID)
}

// DnsScheduleCancel cancels a scheduled change that has not been made.
func (a *API) DnsScheduleCancel(projectName string, id int64) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	err = a.store.FinishDNSScheduled(a.ctx, p.ID, id, "cancelled", 0, "")
	if errors.Is(err, store.ErrNotFound) {
		return &fault.FieldError{Field: "id", Expected: "a scheduled change not made yet (cutover dns scheduled lists them)"}
	}
	if err == nil {
		a.bus.Publish("dns:scheduled", p.Name, id)
	}
	return err
}

// runDueDNSChanges makes the scheduled changes that are due, each only if its plan is
// still the one confirmed.
func (a *API) runDueDNSChanges(ctx context.Context) {
	due, err := a.store.DueDNSScheduled(ctx, a.now())
	if err != nil {
		a.log.Warn("scheduled DNS changes", "err", err)
		return
	}
	for _, d := range due {
		res, err := a.DnsChangeApply(d.Project, d.Kind, d.Fingerprint)
		state, text := res.State, ""
		if err != nil {
			text = err.Error()
			if fault.Is(err, fault.KindInput) {
				// The records changed since the confirmation: nothing was made.
				state, text = "refused", "not made: the records at the DNS host changed since the change was confirmed ("+text+"); show the plan again"
			}
		}
		if state == "" {
			state = "applied" // nothing left to change
		}
		if ferr := a.store.FinishDNSScheduled(context.WithoutCancel(ctx), mustProjectID(a, d.Project), d.ID, state, res.ID, text); ferr != nil {
			a.log.Warn("record a scheduled DNS change", "project", d.Project, "err", ferr)
		}
		d.State, d.Error, d.ChangeID = state, text, res.ID
		a.bus.Publish("dns:scheduled-done", d.Project, d)
	}
}

func mustProjectID(a *API, name string) int64 {
	p, err := a.project(name)
	if err != nil {
		return 0
	}
	return p.ID
}
