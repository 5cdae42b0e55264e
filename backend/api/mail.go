package api

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"cutover/backend/batch"
	"cutover/backend/mailbox"
	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/provider"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// MailPassInput starts a copy pass over a project's batch.
type MailPassInput struct {
	Pass        string   `json:"pass"`                  // "pre" or "final"
	OlderThan   string   `json:"olderThan,omitempty"`   // pre pass cutoff: "30d", "2w", "720h" (default 30d)
	Users       []string `json:"users,omitempty"`       // source logins; empty: the whole enabled batch
	Concurrency int      `json:"concurrency,omitempty"` // mailboxes at a time (default 4)
	// FolderConcurrency is how many folders of one mailbox are copied at once (default
	// mailbox.DefaultPipelines).
	FolderConcurrency int `json:"folderConcurrency,omitempty"`
}

// MailboxRun is a mailbox's result in a pass.
type MailboxRun struct {
	SourceLogin string         `json:"sourceLogin"`
	State       mailbox.State  `json:"state"` // done, partial, failed or stopped
	Error       string         `json:"error,omitempty"`
	Result      mailbox.Result `json:"result"`
}

// MailPassResult is a pass over a batch.
type MailPassResult struct {
	Pass      string       `json:"pass"`
	Cutoff    time.Time    `json:"cutoff,omitempty"`
	Mailboxes []MailboxRun `json:"mailboxes"`
	Copied    int          `json:"copied"`
	Bytes     int64        `json:"bytes"`
	Failed    int          `json:"failed"` // messages refused
	Errors    int          `json:"errors"` // mailboxes that could not finish
	Totals    PassTotals   `json:"totals"` // as last published
}

// MailboxState is one batch entry with its latest pass and live progress.
type MailboxState struct {
	Entry    batch.Entry       `json:"entry"`
	Pass     *store.MailPass   `json:"pass,omitempty"`
	Progress *mailbox.Progress `json:"progress,omitempty"`
	Running  bool              `json:"running"`
}

// CopyProgress is the data of a "copy:progress" event: one mailbox's progress, and the
// pass's totals with it.
type CopyProgress struct {
	SourceLogin string `json:"sourceLogin"`
	Pass        string `json:"pass"`
	mailbox.Progress
	Totals PassTotals `json:"totals"`
}

// SnapshotKey makes progress a snapshot on the event bus: a subscriber that falls
// behind gets each mailbox's latest progress, not every one.
func (p CopyProgress) SnapshotKey() string { return strings.ToLower(p.SourceLogin) }

// PassTotals are a pass's numbers summed over its mailboxes. They are computed here,
// once, and published with every "copy:progress" event; the faces show them as they are.
type PassTotals struct {
	State         mailbox.State `json:"state"`     // running until every mailbox is over, then done, partial, failed or stopped
	Mailboxes     int           `json:"mailboxes"` // in the pass
	Running       int           `json:"running"`   // of those, not over yet (waiting their turn included)
	MessagesDone  int           `json:"messagesDone"`
	MessagesTotal int           `json:"messagesTotal"`
	BytesDone     int64         `json:"bytesDone"`
	BytesTotal    int64         `json:"bytesTotal"`
	Failed        int           `json:"failed"`   // messages refused
	Errors        int           `json:"errors"`   // mailboxes that failed
	Rate          float64       `json:"rate"`     // messages per second, over the mailboxes copying now
	ByteRate      float64       `json:"byteRate"` // bytes per second, likewise
	// ETASeconds is the time the mailboxes copying now need for what they still have to
	// copy, at their current rate (mailboxes planning or waiting their turn are not in
	// it); -1 when unknown (one of them is still sizing up its folders, nothing copied
	// yet) or when the pass is over.
	ETASeconds float64 `json:"etaSeconds"`
}

// passTotals sums the mailboxes of a pass, each given as its latest progress (a mailbox
// that has not started yet: the zero Progress; one that is over: its outcome as State).
func passTotals(ms []mailbox.Progress) PassTotals {
	t := PassTotals{Mailboxes: len(ms), ETASeconds: -1}
	var left int64
	known := true
	stopped, failed, partial := false, false, false
	for _, p := range ms {
		t.MessagesDone += p.MessagesDone
		t.MessagesTotal += p.MessagesTotal
		t.BytesDone += p.BytesDone
		t.BytesTotal += p.BytesTotal
		t.Failed += p.Failed
		switch p.State {
		case mailbox.StateStopped:
			stopped = true
		case mailbox.StateFailed:
			failed = true
			t.Errors++
		case mailbox.StatePartial:
			partial = true
		}
		if p.State.Over() {
			continue
		}
		t.Running++
		if p.State == mailbox.StateCopying {
			t.Rate += p.Rate
			t.ByteRate += p.ByteRate
			left += max(p.BytesTotal-p.BytesDone, 0)
			known = known && p.ETASeconds >= 0
		}
	}
	switch {
	case t.Running > 0:
		t.State = mailbox.StateRunning
		if known && t.ByteRate > 0 {
			t.ETASeconds = float64(left) / t.ByteRate
		}
	case stopped:
		t.State = mailbox.StateStopped
	case failed:
		t.State = mailbox.StateFailed
	case partial || t.Failed > 0:
		t.State = mailbox.StatePartial
	default:
		t.State = mailbox.StateDone
	}
	return t
}

// mailRuns are the passes running in this process, by project name.
type mailRuns struct {
	mu       sync.Mutex
	once     sync.Once
	running  map[string]*mailRun
	progress map[string]map[string]mailbox.Progress // project → login → latest
	totals   map[string]PassTotals                  // project → of its latest pass in this process
	// stopWait is how long MailStop waits for a pass to end (0: 20 s). dial, when set,
	// opens the passes' TCP connections: tests use both to make a pass that cannot stop
	// in time.
	stopWait time.Duration
	dial     mailbox.NetDialer
}

type mailRun struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (a *API) mail() *mailRuns {
	m := &a.ext.mail
	m.once.Do(func() {
		m.running = map[string]*mailRun{}
		m.progress = map[string]map[string]mailbox.Progress{}
		m.totals = map[string]PassTotals{}
		a.ext.closers = append(a.ext.closers, func() {
			m.mu.Lock()
			runs := make([]*mailRun, 0, len(m.running))
			for _, r := range m.running {
				r.cancel()
				runs = append(runs, r)
			}
			m.mu.Unlock()
			for _, r := range runs {
				<-r.done
			}
		})
	})
	return m
}

// ParseAge reads "30d", "2w", "12h" or "90m" (or a bare number of days).
func ParseAge(field, s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	bad := &mailbox.InputError{Field: field, Value: s, Expected: `an age such as "30d", "2w" or "12h"`}
	if s == "" {
		return 0, bad
	}
	unit := time.Duration(24 * time.Hour)
	num := s
	switch s[len(s)-1] {
	case 'd':
		num = s[:len(s)-1]
	case 'w':
		unit, num = 7*24*time.Hour, s[:len(s)-1]
	case 'h':
		unit, num = time.Hour, s[:len(s)-1]
	case 'm':
		unit, num = time.Minute, s[:len(s)-1]
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 {
		return 0, bad
	}
	return time.Duration(n * float64(unit)), nil
}

func serverOf(s project.Server) mailbox.Server {
	return mailbox.Server{Host: s.Host, Port: s.Port, TLS: mailbox.TLSMode(s.TLS), AllowPlain: s.AllowPlain, CAFile: s.CAFile, SkipVerify: s.SkipVerify}
}

// adminRef is the vault reference of a project's administrator password on side.
func adminRef(projectID int64, side string) string {
	return fmt.Sprintf("mailadmin/%d/%s", projectID, side)
}

// copierFor builds the copier of one batch entry, with the user's password or the
// project's administrator access.
func (a *API) copierFor(p project.Project, e batch.Entry, admins map[string]store.MailAdmin) (*mailbox.Copier, error) {
	if p.Source.IsZero() {
		return nil, &project.FieldError{Field: "source", Expected: "the project's source IMAP server (project edit --source)"}
	}
	if p.Dest.IsZero() {
		return nil, &project.FieldError{Field: "dest", Expected: "the project's destination IMAP server (project edit --dest)"}
	}
	srcPw, dstPw, err := a.batchPasswords(e)
	if err != nil {
		return nil, err
	}
	sc, err := a.credsFor(p, "source", e.SourceLogin, srcPw, admins)
	if err != nil {
		return nil, err
	}
	dc, err := a.credsFor(p, "dest", e.DestLogin, dstPw, admins)
	if err != nil {
		return nil, err
	}
	return mailbox.NewCopier(mailbox.Copier{
		Job:    fmt.Sprintf("p%d/%s", p.ID, strings.ToLower(e.SourceLogin)),
		Source: serverOf(p.Source), SourceCreds: sc,
		Dest: serverOf(p.Dest), DestCreds: dc,
		Ledger: a.store.MailLedger(), Log: a.log, Now: a.now,
		SourceLimits: sourceLimits(p), DestLimits: destLimits(p), Zone: p.Location(),
	}), nil
}

// sourceLimits are the limits of the project's source host, known by its name: Gmail's
// and Exchange Online's IMAP hosts have their provider's; any other host none.
func sourceLimits(p project.Project) provider.Limits {
	host := strings.ToLower(p.Source.Host)
	name := provider.IMAP
	switch {
	case host == "imap.gmail.com" || host == "imap.googlemail.com":
		name = provider.Google
	case host == "outlook.office365.com" || host == "outlook.office.com" || strings.HasSuffix(host, ".outlook.com"):
		name = provider.M365
	}
	l, _ := provider.Preset(name)
	return l
}

// destLimits are the limits of the project's destination host (its provider's preset).
func destLimits(p project.Project) provider.Limits {
	l, err := provider.Preset(provider.Name(p.Provider))
	if err != nil {
		return provider.Limits{}
	}
	return l
}

func (a *API) credsFor(p project.Project, side, login string, pw secrets.Secret, admins map[string]store.MailAdmin) (mailbox.Credentials, error) {
	if c, ok, err := a.signInCreds(p, side, login); ok || err != nil { // signin.go: OAuth 2.0 sides
		return c, err
	}
	c := mailbox.Credentials{User: login, Password: pw}
	if !pw.IsZero() {
		return c, nil
	}
	ad, ok := admins[side]
	if !ok {
		what := map[string]string{"source": "source", "dest": "destination"}[side]
		return c, &mailbox.InputError{Field: side + " password", Value: login,
			Expected: fmt.Sprintf("a %s password for this mailbox (cutover batch set) or the %s server's administrator login (cutover mail admin)", what, what)}
	}
	secret, err := a.vault.Get(a.ctx, adminRef(p.ID, side))
	if err != nil {
		return c, fmt.Errorf("%s administrator password: %w", side, err)
	}
	c.Admin, c.AdminPassword, c.AdminMode = ad.Login, secret, ad.Mode
	return c, nil
}

// entries returns the enabled batch entries, or those named.
func (a *API) entries(p project.Project, users []string) ([]batch.Entry, error) {
	all, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		var out []batch.Entry
		for _, e := range all {
			if e.Enabled {
				out = append(out, e)
			}
		}
		if len(out) == 0 {
			return nil, &mailbox.InputError{Field: "batch", Expected: "at least one enabled mailbox in the batch (cutover batch set)"}
		}
		return out, nil
	}
	var out []batch.Entry
	for _, u := range users {
		found := false
		for _, e := range all {
			if strings.EqualFold(e.SourceLogin, u) || strings.EqualFold(e.DestLogin, u) {
				out, found = append(out, e), true
				break
			}
		}
		if !found {
			return nil, &mailbox.InputError{Field: "user", Value: u, Expected: "a source login of the batch (cutover batch list)"}
		}
	}
	return out, nil
}

func (a *API) rules(p project.Project, login string) ([]mailbox.Rule, error) {
	rs, err := a.store.MailRules(a.ctx, p.ID, login)
	if err != nil {
		return nil, err
	}
	out := make([]mailbox.Rule, len(rs))
	for i, r := range rs {
		out[i] = r.Rule
	}
	return out, nil
}

func (a *API) cutoff(in MailPassInput) (time.Time, error) {
	switch in.Pass {
	case "final":
		return time.Time{}, nil
	case "pre":
		age := in.OlderThan
		if age == "" {
			age = "30d"
		}
		d, err := ParseAge("older-than", age)
		if err != nil {
			return time.Time{}, err
		}
		return a.now().Add(-d), nil
	}
	return time.Time{}, &mailbox.InputError{Field: "pass", Value: in.Pass, Expected: `"pre" (older mail, before the cutover) or "final" (everything left, after it)`}
}

// MailMigrate runs a pass over the batch and returns when it is over (the command line's
// way); progress goes out as "copy:progress" events. Cancelling stops it cleanly: run it
// again to resume.
func (a *API) MailMigrate(projectName string, in MailPassInput) (MailPassResult, error) {
	return a.mailPass(a.ctx, projectName, in)
}

func (a *API) mailPass(ctx context.Context, projectName string, in MailPassInput) (MailPassResult, error) {
	out := MailPassResult{Pass: in.Pass, Mailboxes: []MailboxRun{}, Totals: PassTotals{ETASeconds: -1}}
	p, err := a.project(projectName)
	if err != nil {
		return out, err
	}
	cutoff, err := a.cutoff(in)
	if err != nil {
		return out, err
	}
	out.Cutoff = cutoff
	pipelines, err := folderConcurrency(in.FolderConcurrency)
	if err != nil {
		return out, err
	}
	entries, err := a.entries(p, in.Users)
	if err != nil {
		return out, err
	}
	admins, err := a.store.MailAdmins(a.ctx, p.ID)
	if err != nil {
		return out, err
	}
	logins := make([]string, 0, len(entries))
	for _, e := range entries {
		logins = append(logins, e.SourceLogin)
	}
	release, err := a.holdMailboxes(p, logins)
	if err != nil {
		return out, err
	}
	defer release()
	m := a.mail()
	var copiers []*mailbox.Copier
	byJob := map[*mailbox.Copier]batch.Entry{}
	passes := map[*mailbox.Copier]store.MailPass{}
	// outcome holds each mailbox's result state once it is over (guarded by m.mu).
	outcome := map[string]mailbox.State{}
	totals := func() PassTotals { // with m.mu held
		ms := make([]mailbox.Progress, 0, len(entries))
		for _, e := range entries {
			key := strings.ToLower(e.SourceLogin)
			pr := m.progress[p.Name][key]
			if st, ok := outcome[key]; ok {
				pr.State = st
			} else if pr.State == mailbox.StateDone && pr.Failed > 0 {
				pr.State = mailbox.StatePartial
			}
			ms = append(ms, pr)
		}
		return passTotals(ms)
	}
	for _, e := range entries {
		c, err := a.copierFor(p, e, admins)
		if err != nil {
			return out, err
		}
		c.Pipelines = pipelines
		login := e.SourceLogin
		c.Progress = func(pr mailbox.Progress) {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.progress[p.Name] == nil {
				m.progress[p.Name] = map[string]mailbox.Progress{}
			}
			m.progress[p.Name][strings.ToLower(login)] = pr
			m.totals[p.Name] = totals()
			// Published under the lock, so that totals reach subscribers in the order
			// they were computed and never go back.
			a.bus.Publish("copy:progress", p.Name, CopyProgress{SourceLogin: login, Pass: in.Pass, Progress: pr, Totals: m.totals[p.Name]})
		}
		copiers = append(copiers, c)
		byJob[c] = e
	}
	conc := in.Concurrency
	if conc <= 0 {
		conc = 4
	}
	rules := map[*mailbox.Copier][]mailbox.Rule{}
	for _, c := range copiers {
		if rules[c], err = a.rules(p, byJob[c].SourceLogin); err != nil {
			return out, err
		}
	}
	// Progress of an earlier pass must not pass for this one's.
	m.mu.Lock()
	for _, e := range entries {
		delete(m.progress[p.Name], strings.ToLower(e.SourceLogin))
	}
	m.totals[p.Name] = totals()
	m.mu.Unlock()
	for _, c := range copiers {
		if err := a.store.MarkInterruptedMailPasses(a.ctx, p.ID, byJob[c].SourceLogin); err != nil {
			return out, err
		}
		pass, err := a.store.StartMailPass(a.ctx, p.ID, store.MailPass{SourceLogin: byJob[c].SourceLogin, Kind: in.Pass, State: mailbox.StateRunning, Cutoff: cutoff, Started: a.now()})
		if err != nil {
			return out, err
		}
		passes[c] = pass
	}
	var mu sync.Mutex
	mailbox.RunAll(ctx, copiers, conc, func(c *mailbox.Copier) mailbox.Options {
		return mailbox.Options{Cutoff: cutoff, Rules: rules[c]}
	}, func(c *mailbox.Copier, res mailbox.Result, err error) {
		e := byJob[c]
		run := MailboxRun{SourceLogin: e.SourceLogin, Result: res, State: mailbox.StateDone}
		pass := passes[c]
		pass.Finished = a.now()
		switch {
		case errors.Is(err, context.Canceled):
			run.State, pass.Error = mailbox.StateStopped, "stopped: run the pass again to resume"
		case err != nil:
			run.State, pass.Error = mailbox.StateFailed, err.Error()
			run.Error = err.Error()
		case res.Failed > 0:
			run.State = mailbox.StatePartial
		}
		pass.State = run.State
		m.mu.Lock()
		if pr, ok := m.progress[p.Name][strings.ToLower(e.SourceLogin)]; ok {
			pass.MessagesTotal, pass.MessagesDone, pass.BytesTotal, pass.BytesDone = pr.MessagesTotal, pr.MessagesDone, pr.BytesTotal, pr.BytesDone
		}
		outcome[strings.ToLower(e.SourceLogin)] = run.State
		m.totals[p.Name] = totals()
		m.mu.Unlock()
		pass.Failed = res.Failed
		pass.Failures = res.Failures
		if pass.Failures == nil {
			pass.Failures = []mailbox.Failure{}
		}
		if uerr := a.store.UpdateMailPass(context.WithoutCancel(ctx), pass); uerr != nil {
			a.log.Error("record pass", "mailbox", e.SourceLogin, "err", uerr)
		}
		a.bus.Publish("copy:done", p.Name, run)
		mu.Lock()
		out.Mailboxes = append(out.Mailboxes, run)
		out.Copied += res.Copied
		out.Bytes += res.Bytes
		out.Failed += res.Failed
		if err != nil {
			out.Errors++
		}
		mu.Unlock()
	})
	m.mu.Lock()
	out.Totals = m.totals[p.Name]
	m.mu.Unlock()
	// One event for the whole pass: the faces tell the user (a line in the app, a desktop
	// notification) that it ended, and how.
	a.bus.Publish("pass:done", p.Name, PassDone{Pass: in.Pass, Copied: out.Copied, Failed: out.Failed, Errors: out.Errors,
		Mailboxes: len(out.Mailboxes), Stopped: ctx.Err() != nil})
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("pass stopped: run it again to resume: %w", err)
	}
	return out, a.passEvidence(p)
}

// PassDone is the data of a "pass:done" event: a pass over the batch ended.
type PassDone struct {
	Pass      string `json:"pass"`
	Mailboxes int    `json:"mailboxes"`
	Copied    int    `json:"copied"`
	Failed    int    `json:"failed"` // messages refused
	Errors    int    `json:"errors"` // mailboxes that failed
	Stopped   bool   `json:"stopped"`
}

// MailStart starts a pass over the batch in the background; follow it with MailStatus
// and "copy:progress" events, stop it with MailStop.
func (a *API) MailStart(projectName string, in MailPassInput) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	if _, err := a.cutoff(in); err != nil {
		return err
	}
	m := a.mail()
	m.mu.Lock()
	if _, busy := m.running[p.Name]; busy {
		m.mu.Unlock()
		return &mailbox.InputError{Field: "pass", Value: in.Pass, Expected: "no other pass running in this project (stop it first)"}
	}
	ctx, cancel := context.WithCancel(a.ctx)
	if d := a.mail().dial; d != nil {
		ctx = mailbox.WithNetDialer(ctx, d)
	}
	run := &mailRun{cancel: cancel, done: make(chan struct{})}
	m.running[p.Name] = run
	delete(m.progress, p.Name) // what MailStatus shows from now on is this pass's
	delete(m.totals, p.Name)
	m.mu.Unlock()
	go func() {
		defer close(run.done)
		defer func() {
			m.mu.Lock()
			delete(m.running, p.Name)
			m.mu.Unlock()
			cancel()
		}()
		// Mail when the project has IMAP servers or nothing else to copy, as `cutover
		// migrate` decides: a contacts-only project's pass is not a mail error.
		res := MailPassResult{Pass: in.Pass, Mailboxes: []MailboxRun{}, Totals: PassTotals{ETASeconds: -1}}
		withMail, _, err := a.MigrateParts(p.Name, nil)
		if err == nil && withMail {
			res, err = a.mailPass(ctx, p.Name, in)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("copy pass", "project", p.Name, "err", err)
			a.bus.Publish("copy:error", p.Name, err.Error())
		}
		// Then the same mailboxes' contacts, calendars and tasks, when the project has
		// DAV servers (pim.go): the window's pass covers them as `cutover migrate` does.
		if ctx.Err() == nil {
			if _, err := a.pimPass(ctx, p.Name, PIMPassInput{Pass: in.Pass, OlderThan: in.OlderThan, Users: in.Users}); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("contacts and calendars pass", "project", p.Name, "err", err)
				a.bus.Publish("copy:error", p.Name, err.Error())
			}
		}
		a.bus.Publish("copy:finished", p.Name, res)
	}()
	return nil
}

// MailStop stops the project's running pass; what was copied stays recorded and the next
// pass resumes from there.
func (a *API) MailStop(projectName string) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	m := a.mail()
	m.mu.Lock()
	run := m.running[p.Name]
	m.mu.Unlock()
	if run == nil {
		return nil
	}
	run.cancel()
	wait := m.stopWait
	if wait <= 0 {
		wait = 20 * time.Second
	}
	select {
	case <-run.done:
		return nil
	case <-time.After(wait):
		return fmt.Errorf("the pass of project %q is still running %s after it was told to stop: it stops once its connections give up; check with the mailbox status before starting another", p.Name, wait)
	}
}

// MailStatus lists the batch with each mailbox's latest pass and live progress.
func (a *API) MailStatus(projectName string) ([]MailboxState, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	all, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	passes, err := a.store.LatestMailPasses(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	m := a.mail()
	m.mu.Lock()
	defer m.mu.Unlock()
	_, running := m.running[p.Name]
	out := make([]MailboxState, 0, len(all))
	for _, e := range all {
		st := MailboxState{Entry: e}
		if ps, ok := passes[strings.ToLower(e.SourceLogin)]; ok {
			st.Pass = &ps
			st.Running = running && ps.State == mailbox.StateRunning
		}
		if pr, ok := m.progress[p.Name][strings.ToLower(e.SourceLogin)]; ok {
			st.Progress = &pr
		}
		out = append(out, st)
	}
	return out, nil
}

// MailTotals returns the totals of the project's latest pass: as last published when it
// ran in this process, otherwise summed from the latest pass recorded for each mailbox.
func (a *API) MailTotals(projectName string) (PassTotals, error) {
	p, err := a.project(projectName)
	if err != nil {
		return PassTotals{}, err
	}
	m := a.mail()
	m.mu.Lock()
	t, ok := m.totals[p.Name]
	m.mu.Unlock()
	if ok {
		return t, nil
	}
	passes, err := a.store.LatestMailPasses(a.ctx, p.ID)
	if err != nil {
		return PassTotals{}, err
	}
	ms := make([]mailbox.Progress, 0, len(passes))
	for _, ps := range passes {
		ms = append(ms, mailbox.Progress{State: ps.State, MessagesDone: ps.MessagesDone, MessagesTotal: ps.MessagesTotal,
			BytesDone: ps.BytesDone, BytesTotal: ps.BytesTotal, Failed: ps.Failed})
	}
	return passTotals(ms), nil
}

// MailboxAnalysis is one mailbox's folders analysed.
type MailboxAnalysis struct {
	SourceLogin string             `json:"sourceLogin"`
	Folders     []store.MailFolder `json:"folders"`
	Estimate    PrePassEstimate    `json:"estimate"`
	Error       string             `json:"error,omitempty"`
}

// PrePassEstimate is what the pre pass of a mailbox has to copy and the least time it
// takes under its hosts' limits (daily quotas, paced messages per second): 0 when no limit
// holds it back, the network then sets the pace.
type PrePassEstimate struct {
	Messages int64 `json:"messages"`
	Bytes    int64 `json:"bytes"`
	// Seconds is the least time; Why names the limit that sets it ("" when none does).
	Seconds float64 `json:"seconds"`
	Why     string  `json:"why,omitempty"`
	// TooLarge counts the messages over the destination's size limit, not copied.
	TooLarge int `json:"tooLarge"`
}

// estimate is the pre pass estimate of a mailbox from its analysed folders.
func estimate(p project.Project, folders []store.MailFolder) PrePassEstimate {
	var e PrePassEstimate
	for _, f := range folders {
		if f.Excluded {
			continue
		}
		e.Messages += int64(f.PreMessages)
		e.Bytes += f.PreBytes
		e.TooLarge += len(f.TooLarge)
	}
	src, dst := sourceLimits(p), destLimits(p)
	d := provider.EstimatePrePass(src, dst, e.Bytes, e.Messages)
	e.Seconds = d.Seconds()
	switch {
	case d == 0:
	case d == provider.EstimatePrePass(provider.Limits{}, dst, e.Bytes, e.Messages):
		e.Why = "the destination's limits (" + string(dst.Provider) + ")"
	default:
		e.Why = "the source's limits (" + string(src.Provider) + ")"
	}
	return e
}

// MailEstimates gives each analysed mailbox's pre pass estimate from the stored analysis.
func (a *API) MailEstimates(projectName string) (map[string]PrePassEstimate, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	folders, err := a.store.MailFolders(a.ctx, p.ID, "")
	if err != nil {
		return nil, err
	}
	by := map[string][]store.MailFolder{}
	for _, f := range folders {
		by[f.SourceLogin] = append(by[f.SourceLogin], f)
	}
	out := map[string]PrePassEstimate{}
	for login, fs := range by {
		out[login] = estimate(p, fs)
	}
	return out, nil
}

// MailAnalyze analyses the source mailboxes (every folder with delimiter, special use,
// counts, bytes, oldest and newest, what pre and final passes would copy) and stores it.
func (a *API) MailAnalyze(projectName string, users []string, olderThan string) ([]MailboxAnalysis, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	if olderThan == "" {
		olderThan = "30d"
	}
	age, err := ParseAge("older-than", olderThan)
	if err != nil {
		return nil, err
	}
	entries, err := a.entries(p, users)
	if err != nil {
		return nil, err
	}
	admins, err := a.store.MailAdmins(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := []MailboxAnalysis{}
	for _, e := range entries {
		ma := MailboxAnalysis{SourceLogin: e.SourceLogin, Folders: []store.MailFolder{}}
		c, err := a.copierFor(p, e, admins)
		if err != nil {
			return nil, err
		}
		rules, err := a.rules(p, e.SourceLogin)
		if err != nil {
			return nil, err
		}
		stats, err := c.Analyze(a.ctx, mailbox.Options{Cutoff: a.now().Add(-age), Rules: rules})
		if err != nil {
			if a.ctx.Err() != nil {
				return out, a.ctx.Err()
			}
			ma.Error = err.Error()
			out = append(out, ma)
			continue
		}
		at := a.now()
		for _, s := range stats {
			tooLarge := s.TooLarge
			if tooLarge == nil {
				tooLarge = []mailbox.TooLarge{}
			}
			ma.Folders = append(ma.Folders, store.MailFolder{SourceLogin: e.SourceLogin, Folder: s.Name, Label: s.Mapping.Label, Delim: s.Delim, SpecialUse: s.SpecialUse,
				Messages: s.Messages, Bytes: s.Bytes, Oldest: s.Oldest, Newest: s.Newest, PreMessages: s.PreMessages, PreBytes: s.PreBytes,
				TodoMessages: s.TodoMessages, TodoBytes: s.TodoBytes, Dest: s.Mapping.Dest, Reason: s.Mapping.Reason, Excluded: s.Mapping.Excluded || s.NoSelect,
				TooLarge: tooLarge, AnalyzedAt: at})
		}
		ma.Estimate = estimate(p, ma.Folders)
		if err := a.store.PutMailFolders(a.ctx, p.ID, e.SourceLogin, ma.Folders); err != nil {
			return out, err
		}
		a.bus.Publish("mail:analyzed", p.Name, ma)
		out = append(out, ma)
	}
	return out, nil
}

// MailFolders returns the stored analysis of one mailbox ("" for every mailbox).
func (a *API) MailFolders(projectName, sourceLogin string) ([]store.MailFolder, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	out, err := a.store.MailFolders(a.ctx, p.ID, sourceLogin)
	if out == nil {
		out = []store.MailFolder{}
	}
	return out, err
}

// FolderPlan is where each folder of a mailbox will go.
type FolderPlan struct {
	SourceLogin string            `json:"sourceLogin"`
	Source      []mailbox.Folder  `json:"source"`
	Dest        []mailbox.Folder  `json:"dest"`
	Mapping     []mailbox.Mapping `json:"mapping"`
	Rules       []store.MailRule  `json:"rules"`
}

// MailPlan connects to both servers and shows the folder mapping of one mailbox before
// anything is copied.
func (a *API) MailPlan(projectName, user string) (FolderPlan, error) {
	out := FolderPlan{SourceLogin: user}
	p, err := a.project(projectName)
	if err != nil {
		return out, err
	}
	entries, err := a.entries(p, []string{user})
	if err != nil {
		return out, err
	}
	admins, err := a.store.MailAdmins(a.ctx, p.ID)
	if err != nil {
		return out, err
	}
	c, err := a.copierFor(p, entries[0], admins)
	if err != nil {
		return out, err
	}
	rs, err := a.store.MailRules(a.ctx, p.ID, entries[0].SourceLogin)
	if err != nil {
		return out, err
	}
	rules := make([]mailbox.Rule, len(rs))
	for i, r := range rs {
		rules[i] = r.Rule
	}
	out.SourceLogin = entries[0].SourceLogin
	out.Rules = rs
	if out.Rules == nil {
		out.Rules = []store.MailRule{}
	}
	out.Source, out.Dest, out.Mapping, err = c.Plan(a.ctx, rules)
	return out, err
}

// MailRuleInput is a folder rule as the user gives it.
type MailRuleInput struct {
	SourceLogin string `json:"sourceLogin"` // "" for every mailbox
	Pattern     string `json:"pattern"`
	Action      string `json:"action"`
	Target      string `json:"target"`
}

// MailRuleAdd adds a folder rule (rename by pattern, or exclude).
func (a *API) MailRuleAdd(projectName string, in MailRuleInput) (store.MailRule, error) {
	p, err := a.project(projectName)
	if err != nil {
		return store.MailRule{}, err
	}
	r := mailbox.Rule{Pattern: strings.TrimSpace(in.Pattern), Action: strings.TrimSpace(in.Action), Target: strings.TrimSpace(in.Target)}
	if err := mailbox.ValidateRule(r); err != nil {
		return store.MailRule{}, err
	}
	return a.store.AddMailRule(a.ctx, p.ID, store.MailRule{SourceLogin: strings.TrimSpace(in.SourceLogin), Rule: r})
}

// MailRules lists the project's folder rules.
func (a *API) MailRules(projectName string) ([]store.MailRule, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	out, err := a.store.MailRules(a.ctx, p.ID, "")
	if out == nil {
		out = []store.MailRule{}
	}
	return out, err
}

// MailRuleRemove deletes a folder rule.
func (a *API) MailRuleRemove(projectName string, id int64) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	return a.store.RemoveMailRule(a.ctx, p.ID, id)
}

// MailAdminInput is administrator access to a project's server.
type MailAdminInput struct {
	Side     string         `json:"side"` // "source" or "dest"
	Login    string         `json:"login"`
	Mode     string         `json:"mode"`     // "plain-authzid" (default) or "dovecot-master"
	Password secrets.Secret `json:"password"` // typed in; never printed, logged or sent back
}

// MailAdminSet stores administrator access for a side, sealing the password: mailboxes
// without their own password are then opened on the user's behalf.
func (a *API) MailAdminSet(projectName string, in MailAdminInput) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	if in.Side != "source" && in.Side != "dest" {
		return &mailbox.InputError{Field: "side", Value: in.Side, Expected: `"source" or "dest"`}
	}
	in.Login = strings.TrimSpace(in.Login)
	if in.Login == "" {
		return &mailbox.InputError{Field: "login", Expected: "the administrator's login"}
	}
	if why := people.LoginFault(in.Login); why != "" { // the rule every login follows (package people)
		return &mailbox.InputError{Field: "login", Value: in.Login, Expected: people.ExpectedLogin + " (this one " + why + ")"}
	}
	mode := mailbox.AdminMode(in.Mode)
	if in.Mode == "" {
		mode = mailbox.AdminPlainAuthz
	}
	if mode != mailbox.AdminPlainAuthz && mode != mailbox.AdminDovecotMaster {
		return &mailbox.InputError{Field: "mode", Value: in.Mode, Expected: `"plain-authzid" (AUTHENTICATE PLAIN with an authorization identity) or "dovecot-master" (user*admin)`}
	}
	if !in.Password.IsZero() {
		if err := a.vault.Put(a.ctx, adminRef(p.ID, in.Side), p.ID, in.Password); err != nil {
			return fmt.Errorf("seal the %s administrator password: %w", in.Side, err)
		}
	}
	return a.store.PutMailAdmin(a.ctx, p.ID, store.MailAdmin{Side: in.Side, Login: in.Login, Mode: mode})
}

// MailAdmins lists the administrator logins of a project (never their passwords).
func (a *API) MailAdmins(projectName string) ([]store.MailAdmin, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	m, err := a.store.MailAdmins(a.ctx, p.ID)
	out := []store.MailAdmin{}
	for _, side := range []string{"source", "dest"} {
		if ad, ok := m[side]; ok {
			out = append(out, ad)
		}
	}
	return out, err
}

// MailboxCheck is one mailbox verified.
type MailboxCheck struct {
	SourceLogin string                `json:"sourceLogin"`
	Complete    bool                  `json:"complete"`
	Missing     int                   `json:"missing"`
	Folders     []mailbox.FolderCheck `json:"folders"`
	Error       string                `json:"error,omitempty"`
}

// MailVerify compares source and destination folder by folder and lists what is missing.
func (a *API) MailVerify(projectName string, users []string) ([]MailboxCheck, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	entries, err := a.entries(p, users)
	if err != nil {
		return nil, err
	}
	admins, err := a.store.MailAdmins(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := []MailboxCheck{}
	for _, e := range entries {
		c, err := a.copierFor(p, e, admins)
		if err != nil {
			return nil, err
		}
		rules, err := a.rules(p, e.SourceLogin)
		if err != nil {
			return nil, err
		}
		mc := MailboxCheck{SourceLogin: e.SourceLogin}
		mc.Folders, err = c.Verify(a.ctx, mailbox.Options{Rules: rules})
		if err != nil {
			if a.ctx.Err() != nil {
				return out, a.ctx.Err()
			}
			mc.Error = err.Error()
		}
		for _, f := range mc.Folders {
			mc.Missing += len(f.Missing)
		}
		mc.Complete = err == nil && mc.Missing == 0
		if mc.Folders == nil {
			mc.Folders = []mailbox.FolderCheck{}
		}
		state := mailbox.StateComplete
		if !mc.Complete {
			state = mailbox.StateIncomplete
		}
		if _, err := a.store.StartMailPass(a.ctx, p.ID, store.MailPass{SourceLogin: e.SourceLogin, Kind: "verify", State: state, Started: a.now()}); err != nil {
			return out, err
		}
		if err := a.saveVerification(p, mc); err != nil {
			return out, err
		}
		out = append(out, mc)
	}
	return out, a.passEvidence(p)
}

// CopyInput is one mailbox copy without a project (`cutover copy`).
type CopyInput struct {
	From         string         `json:"from"` // imap[s]://USER@HOST[:PORT] (imap+plain:// on loopback)
	To           string         `json:"to"`
	FromPassword secrets.Secret `json:"-"`
	ToPassword   secrets.Secret `json:"-"`
	OlderThan    string         `json:"olderThan,omitempty"`
	FromCAFile   string         `json:"fromCAFile,omitempty"`
	ToCAFile     string         `json:"toCAFile,omitempty"`
	Insecure     bool           `json:"insecure,omitempty"` // skip certificate checks on both sides
	// AllowPlainFrom / AllowPlainTo allow imap+plain:// to a host that is not loopback.
	AllowPlainFrom bool `json:"allowPlainFrom,omitempty"`
	AllowPlainTo   bool `json:"allowPlainTo,omitempty"`
	// FolderConcurrency is how many folders are copied at once (default mailbox.DefaultPipelines).
	FolderConcurrency int `json:"folderConcurrency,omitempty"`
	// FromTokenFile / ToTokenFile: an OAuth 2.0 token file (signin_tokens.go) instead of a password.
	FromTokenFile string `json:"fromTokenFile,omitempty"`
	ToTokenFile   string `json:"toTokenFile,omitempty"`
}

// ParseMailboxURL reads imap[s]://USER@HOST[:PORT] into a server and a login, checked by
// the rules of a project's servers (allowPlain: plain text allowed to a host that is not
// loopback).
func ParseMailboxURL(field, raw string, allowPlain bool) (mailbox.Server, string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil || u.User.Username() == "" {
		return mailbox.Server{}, "", &mailbox.InputError{Field: field, Value: raw, Expected: "a mailbox like imaps://alice@mail.example.com:993 (imap:// for STARTTLS, imap+plain:// for no TLS on loopback)"}
	}
	if _, has := u.User.Password(); has {
		return mailbox.Server{}, "", &mailbox.InputError{Field: field, Value: u.Redacted(), Expected: "no password in the URL: use CUTOVER_FROM_PASSWORD / CUTOVER_TO_PASSWORD or the prompt"}
	}
	login := u.User.Username()
	u.User = nil
	s, err := project.ParseServer(field, u.String())
	if err != nil {
		return mailbox.Server{}, "", err
	}
	s.AllowPlain = allowPlain
	if err := s.CheckPlain(field, "--allow-plain-"+field); err != nil {
		return mailbox.Server{}, "", err
	}
	return serverOf(s), login, nil
}

// folderConcurrency checks how many folders of a mailbox may be copied at once; 0 is the
// default. Each folder at once costs a connection to the source and two to the
// destination, and providers cap connections per mailbox (Gmail at 15).
func folderConcurrency(n int) (int, error) {
	if n < 0 || n > 5 {
		return 0, &mailbox.InputError{Field: "folder-concurrency", Value: strconv.Itoa(n),
			Expected: fmt.Sprintf("1 to 5 folders copied at once (default %d)", mailbox.DefaultPipelines)}
	}
	if n == 0 {
		return mailbox.DefaultPipelines, nil
	}
	return n, nil
}

// CopyJob is the ledger key of a `cutover copy` pair.
func CopyJob(from, to string) string {
	return "copy/" + strings.ToLower(from) + " → " + strings.ToLower(to)
}

// MailCopy copies one mailbox from one server to another with the same engine and ledger
// as the project passes.
func (a *API) MailCopy(in CopyInput) (mailbox.Result, error) {
	src, srcUser, err := ParseMailboxURL("from", in.From, in.AllowPlainFrom)
	if err != nil {
		return mailbox.Result{}, err
	}
	dst, dstUser, err := ParseMailboxURL("to", in.To, in.AllowPlainTo)
	if err != nil {
		return mailbox.Result{}, err
	}
	src.CAFile, dst.CAFile = in.FromCAFile, in.ToCAFile
	src.SkipVerify, dst.SkipVerify = in.Insecure, in.Insecure
	pipelines, err := folderConcurrency(in.FolderConcurrency)
	if err != nil {
		return mailbox.Result{}, err
	}
	var cutoff time.Time
	if in.OlderThan != "" {
		d, err := ParseAge("older-than", in.OlderThan)
		if err != nil {
			return mailbox.Result{}, err
		}
		cutoff = a.now().Add(-d)
	}
	sc, dc, err := a.copyCreds(in, srcUser, dstUser) // signin_tokens.go: passwords or token files
	if err != nil {
		return mailbox.Result{}, err
	}
	job := CopyJob(in.From, in.To)
	c := mailbox.NewCopier(mailbox.Copier{Job: job, Source: src, SourceCreds: sc,
		Dest: dst, DestCreds: dc,
		Ledger: a.store.MailLedger(), Log: a.log, Now: a.now, Pipelines: pipelines,
		Progress: func(p mailbox.Progress) {
			a.bus.Publish("copy:progress", "", CopyProgress{SourceLogin: srcUser, Pass: "copy", Progress: p, Totals: passTotals([]mailbox.Progress{p})})
		}})
	return c.Run(a.ctx, mailbox.Options{Cutoff: cutoff})
}
