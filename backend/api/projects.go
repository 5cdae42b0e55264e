package api

import (
	"fmt"
	"os/user"
	"strings"
	"time"

	"cutover/backend/project"
	"cutover/backend/store"
	"cutover/backend/timeline"
)

// ProjectSummary is a project as listed: enough to pick one and see where it stands.
type ProjectSummary struct {
	project.Project
	ProviderLabel string         `json:"providerLabel"`
	Phase         timeline.Phase `json:"phase"`
	NextStep      *timeline.Step `json:"nextStep,omitempty"`
	Overdue       int            `json:"overdue"`
	Done          int            `json:"done"`
	Steps         int            `json:"steps"`
}

// Projects lists every project with where it stands.
func (a *API) Projects() ([]ProjectSummary, error) {
	ps, err := a.store.Projects(a.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ProjectSummary, 0, len(ps))
	for _, p := range ps {
		tl, err := a.timeline(p)
		if err != nil {
			return nil, err
		}
		out = append(out, summarize(p, tl))
	}
	return out, nil
}

func summarize(p project.Project, tl timeline.Timeline) ProjectSummary {
	s := ProjectSummary{Project: p, ProviderLabel: p.Provider.Label(), Steps: len(tl.Steps), Phase: timeline.PostMigration}
	for i, st := range tl.Steps {
		if st.Overdue {
			s.Overdue++
		}
		if st.Status.Closed() {
			s.Done++
			continue
		}
		if s.NextStep == nil {
			s.NextStep = &tl.Steps[i]
			s.Phase = st.Phase
		}
	}
	return s
}

// Project returns one project.
func (a *API) Project(name string) (ProjectSummary, error) {
	p, err := a.project(name)
	if err != nil {
		return ProjectSummary{}, err
	}
	tl, err := a.timeline(p)
	if err != nil {
		return ProjectSummary{}, err
	}
	return summarize(p, tl), nil
}

// CreateProject validates and stores a new project.
func (a *API) CreateProject(in project.Input) (project.Project, error) {
	p, err := project.Apply(project.Project{}, in, true, a.now())
	if err != nil {
		return p, err
	}
	p, err = a.store.CreateProject(a.ctx, p)
	if err != nil {
		return p, err
	}
	a.log.Info("project created", "project", p.Name)
	_ = a.store.LogEvent(a.ctx, p.ID, "project", "created")
	a.bus.Publish("project:changed", p.Name, p)
	return p, nil
}

// EditProject changes the fields given in in; open timeline steps follow a new cutover.
func (a *API) EditProject(name string, in project.Input) (project.Project, error) {
	p, err := a.project(name)
	if err != nil {
		return p, err
	}
	p, err = project.Apply(p, in, false, a.now())
	if err != nil {
		return p, err
	}
	p, err = a.store.UpdateProject(a.ctx, p)
	if err != nil {
		return p, err
	}
	_ = a.store.LogEvent(a.ctx, p.ID, "project", "edited")
	a.bus.Publish("project:changed", p.Name, p)
	return p, nil
}

// DeleteProject removes a project and all its data.
func (a *API) DeleteProject(name string) error {
	p, err := a.project(name)
	if err != nil {
		return err
	}
	if err := a.store.DeleteProject(a.ctx, p.ID); err != nil {
		return err
	}
	a.bus.Publish("project:deleted", p.Name, nil)
	return nil
}

// Timeline returns a project's steps with their due dates and status.
func (a *API) Timeline(name string) (timeline.Timeline, error) {
	p, err := a.project(name)
	if err != nil {
		return timeline.Timeline{}, err
	}
	return a.timeline(p)
}

func (a *API) timeline(p project.Project) (timeline.Timeline, error) {
	states, err := a.store.StepStates(a.ctx, p.ID)
	if err != nil {
		return timeline.Timeline{}, err
	}
	return timeline.Build(p, states, a.now()), nil
}

// SetStep sets a step's status (todo, in_progress, done, blocked, skipped) with a note.
// A step that is done or skipped keeps its due date when the cutover moves.
func (a *API) SetStep(name, key, status, note string) (timeline.Step, error) {
	p, err := a.project(name)
	if err != nil {
		return timeline.Step{}, err
	}
	st, err := timeline.ParseStatus(status)
	if err != nil {
		return timeline.Step{}, err
	}
	if key == "close_case" && st == timeline.Done {
		open, err := a.closeOpen(p)
		if err != nil {
			return timeline.Step{}, err
		}
		if len(open) > 0 {
			return timeline.Step{}, &project.FieldError{Field: "step", Value: key,
				Expected: "the follow-up contact and a verification with nothing missing first; still open: " + openText(open) + " (cutover case close --force --reason)"}
		}
	}
	return a.setStep(p, key, st, note, nil)
}

// setStep records a step's status, with no rule about which step may close; ev is what
// Cutover saw when it writes the note itself (nil for a typed note).
func (a *API) setStep(p project.Project, key string, st timeline.Status, note string, ev *timeline.Evidence) (timeline.Step, error) {
	tl, err := a.timeline(p)
	if err != nil {
		return timeline.Step{}, err
	}
	step, ok := tl.Step(key)
	if !ok {
		keys := make([]string, len(timeline.Defs))
		for i, d := range timeline.Defs {
			keys[i] = d.Key
		}
		return timeline.Step{}, &project.FieldError{Field: "step", Value: key, Expected: "one of " + strings.Join(keys, ", ")}
	}
	state := timeline.State{Status: st, By: whoAmI(), At: a.now(), Note: strings.TrimSpace(note), Evidence: ev}
	if st.Closed() {
		state.Due = step.Due
	}
	if err := a.store.PutStepState(a.ctx, p.ID, key, state); err != nil {
		return timeline.Step{}, err
	}
	_ = a.store.LogEvent(a.ctx, p.ID, "step", fmt.Sprintf("%s: %s", key, st))
	tl, err = a.timeline(p)
	if err != nil {
		return timeline.Step{}, err
	}
	step, _ = tl.Step(key)
	a.bus.Publish("timeline:changed", p.Name, step)
	return step, nil
}

func whoAmI() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "specialist"
}

// ContactInput is one contact with the customer as typed.
type ContactInput struct {
	Step    string `json:"step"`
	Channel string `json:"channel"`
	Summary string `json:"summary"`
	At      string `json:"at"` // "2006-01-02 15:04" in the project's zone; empty: now
}

// AddContact records a contact with the customer (phone, email, meeting, other).
func (a *API) AddContact(name string, in ContactInput) (store.ContactEntry, error) {
	p, err := a.project(name)
	if err != nil {
		return store.ContactEntry{}, err
	}
	c := store.ContactEntry{StepKey: strings.TrimSpace(in.Step), Channel: strings.ToLower(strings.TrimSpace(in.Channel)), Summary: strings.TrimSpace(in.Summary), At: a.now()}
	switch c.Channel {
	case "phone", "email", "meeting", "other":
	case "e-mail", "mail":
		c.Channel = "email"
	default:
		return c, &project.FieldError{Field: "channel", Value: in.Channel, Expected: "phone, email, meeting or other"}
	}
	if c.Summary == "" {
		return c, &project.FieldError{Field: "summary", Expected: "a summary of the contact is required"}
	}
	if c.StepKey != "" {
		if d, ok := timeline.DefByKey(c.StepKey); !ok || !d.Contact {
			return c, &project.FieldError{Field: "step", Value: c.StepKey, Expected: "a contact step: pre_contact, confirm_contact or followup_contact"}
		}
	}
	if s := strings.TrimSpace(in.At); s != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", strings.Replace(s, "T", " ", 1), p.Location())
		if err != nil {
			return c, &project.FieldError{Field: "at", Value: s, Expected: `a date and time like "2027-05-10 14:30"`}
		}
		c.At = t
	}
	c, err = a.store.AddContact(a.ctx, p.ID, c)
	if err != nil {
		return c, err
	}
	a.bus.Publish("timeline:contact", p.Name, c)
	if c.StepKey != "" {
		// A logged contact is the evidence of its contact step.
		ev := &timeline.Evidence{Kind: timeline.ContactLogged, Channel: c.Channel, Note: c.Summary}
		if err := a.markByEvidence(p, c.StepKey, fmt.Sprintf("%s contact logged: %s", c.Channel, c.Summary), ev); err != nil {
			return c, err
		}
	}
	return c, nil
}

// ContactLog lists a project's contacts with the customer.
func (a *API) ContactLog(name string) ([]store.ContactEntry, error) {
	p, err := a.project(name)
	if err != nil {
		return nil, err
	}
	return a.store.ContactLog(a.ctx, p.ID)
}

// File is a download: a name, a MIME type and the bytes.
type File struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data"`
}

// TimelineICS exports the timeline as an iCalendar file.
func (a *API) TimelineICS(name string) (File, error) {
	tl, err := a.Timeline(name)
	if err != nil {
		return File{}, err
	}
	b, err := tl.ICS(a.now())
	if err != nil {
		return File{}, err
	}
	return File{Name: tl.Project + "-timeline.ics", MIME: "text/calendar", Data: b}, nil
}
