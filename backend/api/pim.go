package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"cutover/backend/batch"
	"cutover/backend/docs"
	"cutover/backend/fault"
	"cutover/backend/mailbox"
	"cutover/backend/pim"
	"cutover/backend/project"
	"cutover/backend/store"
)

// PIMSettingInput sets where a project's contacts, calendars and tasks live: per side a
// kind (dav, graph, google; empty: DAV when a URL is set, else the project's provider's)
// and a CalDAV/CardDAV URL (or a domain, found by SRV and /.well-known). For graph and
// google the URL is the API's base, empty for the real service.
type PIMSettingInput struct {
	SourceURL  string `json:"sourceUrl"`
	DestURL    string `json:"destUrl"`
	SourceKind string `json:"sourceKind,omitempty"`
	DestKind   string `json:"destKind,omitempty"`
}

// PIMSettingSet stores the project's contacts and calendars settings ("" leaves a side
// without DAV).
func (a *API) PIMSettingSet(projectName string, in PIMSettingInput) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	set := store.PIMSetting{SourceURL: strings.TrimSpace(in.SourceURL), DestURL: strings.TrimSpace(in.DestURL),
		SourceKind: strings.ToLower(strings.TrimSpace(in.SourceKind)), DestKind: strings.ToLower(strings.TrimSpace(in.DestKind))}
	var bad fault.FieldErrors
	sides := []struct{ side, kind, url string }{{"source", set.SourceKind, set.SourceURL}, {"destination", set.DestKind, set.DestURL}}
	for _, f := range sides {
		if err := checkPIMSide(f.side, f.kind, f.url); err != nil {
			bad = append(bad, err)
		}
	}
	if len(bad) > 0 {
		return bad
	}
	return a.store.SetPIMSetting(a.ctx, p.ID, set)
}

// checkPIMSide checks a side's kind and address.
func checkPIMSide(side, kind, u string) *fault.FieldError {
	if err := checkPIMKind(side+" contacts and calendars", kind); err != nil {
		return err
	}
	switch kind {
	case PIMGraph, PIMGoogle:
		if u != "" && !strings.Contains(u, "://") {
			return &fault.FieldError{Field: side + " " + kind + " URL", Value: u, Expected: "the API's base URL (https://..., or empty for the real service)"}
		}
		return checkDAVAddress(side+" "+kind+" URL", u)
	}
	return checkDAVAddress(side+" DAV URL", u)
}

// checkDAVAddress accepts an https URL, an http URL to a loopback address (passwords go
// in clear text over http, as project.CheckPlain rules for IMAP), or a bare domain.
func checkDAVAddress(field, v string) *fault.FieldError {
	if v == "" {
		return nil
	}
	bad := &fault.FieldError{Field: field, Value: v, Expected: "https://host[:port]/path, http:// to a loopback address only, or a domain (found by DNS SRV, RFC 6764)"}
	if !strings.Contains(v, "://") {
		if strings.ContainsAny(v, " /:@") || !strings.Contains(v, ".") {
			return bad
		}
		return nil
	}
	return checkSecureURL(field, v, bad.Expected)
}

// PIMSetting returns the project's contacts and calendars settings, each side's kind
// as it applies (dav, or the project's provider's API when no DAV URL is set).
func (a *API) PIMSetting(projectName string) (store.PIMSetting, error) {
	p, err := a.project(projectName)
	if err != nil {
		return store.PIMSetting{}, err
	}
	set, err := a.store.PIMSetting(a.ctx, p.ID)
	if err != nil {
		return set, err
	}
	set.DestKind = pimKind(p, set.DestKind, set.DestURL)
	if set.SourceKind == "" {
		set.SourceKind = PIMDAV // a source is read through an API only when chosen
	}
	return set, nil
}

// PIMPassInput shapes a pass over contacts, calendars and tasks.
type PIMPassInput struct {
	Pass      string   `json:"pass"` // "pre" or "final"
	OlderThan string   `json:"olderThan,omitempty"`
	Users     []string `json:"users,omitempty"`
	Only      []string `json:"only,omitempty"` // contacts, calendars, tasks; empty: all
}

// PIMRun is one mailbox's pass.
type PIMRun struct {
	SourceLogin string        `json:"sourceLogin"`
	State       mailbox.State `json:"state"`
	Error       string        `json:"error,omitempty"`
	Result      pim.Result    `json:"result"`
}

// PIMPassResult is a pass over the batch's contacts, calendars and tasks.
type PIMPassResult struct {
	Pass      string    `json:"pass"`
	Cutoff    time.Time `json:"cutoff,omitempty"`
	Mailboxes []PIMRun  `json:"mailboxes"`
	Copied    int       `json:"copied"`
	Updated   int       `json:"updated"`
	Failed    int       `json:"failed"` // items refused
	Errors    int       `json:"errors"` // mailboxes that could not finish
}

// PIMProgress is the "pim:progress" event: a mailbox's contacts, calendars and tasks
// pass as it stands (pim.Progress: the collection being copied, done of total per class).
type PIMProgress struct {
	SourceLogin string `json:"sourceLogin"`
	Pass        string `json:"pass"`
	pim.Progress
}

// SnapshotKey makes a newer progress of the mailbox replace an undelivered one.
func (p PIMProgress) SnapshotKey() string { return "pim/" + strings.ToLower(p.SourceLogin) }

// parseOnly checks the classes named by --only.
func parseOnly(only []string) ([]pim.Class, error) {
	var out []pim.Class
	for _, o := range only {
		c := pim.Class(strings.ToLower(strings.TrimSpace(o)))
		if !slices.Contains(pim.Classes, c) {
			return nil, &mailbox.InputError{Field: "only", Value: o, Expected: "mail, contacts, calendars or tasks"}
		}
		out = append(out, c)
	}
	return out, nil
}

// pimJob is the ledger key of a mailbox's DAV copy; files imported for it are kept apart.
func pimJob(p project.Project, login string) string {
	return fmt.Sprintf("p%d/%s", p.ID, strings.ToLower(login))
}

// pimCopier connects a batch entry's source and destination accounts.
func (a *API) pimCopier(ctx context.Context, p project.Project, set store.PIMSetting, e batch.Entry) (*pim.Copier, error) {
	src, err := a.pimSource(ctx, p, set, e)
	if err != nil {
		return nil, err
	}
	dst, err := a.pimDest(ctx, p, set, e)
	if err != nil {
		return nil, err
	}
	return &pim.Copier{Job: pimJob(p, e.SourceLogin), Source: src, Dest: dst, Ledger: a.store.PIMLedger(), Log: a.log}, nil
}

// hasPIMSource reports whether the project reads contacts and calendars from somewhere.
func hasPIMSource(set store.PIMSetting) bool {
	return set.SourceURL != "" || set.SourceKind == PIMGraph || set.SourceKind == PIMGoogle
}

// pimSource is the mailbox's source account: DAV with its own login and password, or
// Microsoft 365 or Google read through their APIs with the source's sign-in.
func (a *API) pimSource(ctx context.Context, p project.Project, set store.PIMSetting, e batch.Entry) (pim.Source, error) {
	if set.SourceKind == PIMGraph || set.SourceKind == PIMGoogle {
		src, err := a.pimAPISource(p, set, e)
		if err != nil {
			return nil, fmt.Errorf("source contacts and calendars of %s: %w", e.SourceLogin, err)
		}
		return src, nil
	}
	srcPw, _, err := a.batchPasswords(e)
	if err != nil {
		return nil, err
	}
	if srcPw.IsZero() {
		return nil, needDAVPassword("source", e.SourceLogin)
	}
	src, err := pim.DialDAV(ctx, set.SourceURL, pim.DAVOptions{User: e.SourceLogin, Password: srcPw})
	if err != nil {
		return nil, fmt.Errorf("source contacts and calendars of %s: %w", e.SourceLogin, err)
	}
	return src, nil
}

// pimDest is the mailbox's destination account: DAV with its own password, or Graph or
// Google with the destination's sign-in.
func (a *API) pimDest(ctx context.Context, p project.Project, set store.PIMSetting, e batch.Entry) (pim.Dest, error) {
	if kind := pimKind(p, set.DestKind, set.DestURL); kind != PIMDAV {
		dst, err := a.pimAPIDest(p, set, kind, e)
		if err != nil {
			return nil, fmt.Errorf("destination contacts and calendars of %s: %w", e.DestLogin, err)
		}
		return dst, nil
	}
	if set.DestURL == "" {
		return nil, &project.FieldError{Field: "destination DAV URL", Expected: "the destination's CalDAV/CardDAV URL (cutover pim set --dest-url)"}
	}
	_, dstPw, err := a.batchPasswords(e)
	if err != nil {
		return nil, err
	}
	if dstPw.IsZero() {
		return nil, needDAVPassword("dest", e.DestLogin)
	}
	dst, err := pim.DialDAV(ctx, set.DestURL, pim.DAVOptions{User: e.DestLogin, Password: dstPw})
	if err != nil {
		return nil, fmt.Errorf("destination contacts and calendars of %s: %w", e.DestLogin, err)
	}
	return dst, nil
}

// needDAVPassword: CalDAV and CardDAV accounts are opened with the mailbox's own login;
// an IMAP administrator login does not open them.
func needDAVPassword(side, login string) error {
	return &mailbox.InputError{Field: side + " password", Value: login,
		Expected: "the mailbox's own password (cutover batch set): contacts and calendars are read and written with it"}
}

// pimSetup is what every PIM operation starts from.
func (a *API) pimSetup(projectName string, users []string) (project.Project, store.PIMSetting, []batch.Entry, error) {
	p, err := a.project(projectName)
	if err != nil {
		return p, store.PIMSetting{}, nil, err
	}
	set, err := a.store.PIMSetting(a.ctx, p.ID)
	if err != nil || (!hasPIMSource(set) && set.DestURL == "" && pimKind(p, set.DestKind, "") == PIMDAV) {
		return p, set, nil, err // nothing of contacts and calendars to do here
	}
	entries, err := a.entries(p, users)
	return p, set, entries, err
}

// PIMMigrate copies the batch's contacts, calendars and tasks (pre: what ended before the
// cutoff; final: the rest), one mailbox after the other; progress goes out as
// "pim:progress" events. A project without a source DAV URL has nothing to copy.
func (a *API) PIMMigrate(projectName string, in PIMPassInput) (PIMPassResult, error) {
	return a.pimPass(a.ctx, projectName, in)
}

func (a *API) pimPass(ctx context.Context, projectName string, in PIMPassInput) (PIMPassResult, error) {
	out := PIMPassResult{Pass: in.Pass, Mailboxes: []PIMRun{}}
	cutoff, err := a.cutoff(MailPassInput{Pass: in.Pass, OlderThan: in.OlderThan})
	if err != nil {
		return out, err
	}
	out.Cutoff = cutoff
	only, err := parseOnly(in.Only)
	if err != nil {
		return out, err
	}
	p, set, entries, err := a.pimSetup(projectName, in.Users)
	if err != nil || !hasPIMSource(set) {
		return out, err
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			break
		}
		run := PIMRun{SourceLogin: e.SourceLogin, State: mailbox.StateDone}
		c, err := a.pimCopier(ctx, p, set, e)
		if err == nil {
			login := e.SourceLogin
			c.Progress = func(pr pim.Progress) {
				a.bus.Publish("pim:progress", p.Name, PIMProgress{SourceLogin: login, Pass: in.Pass, Progress: pr})
			}
			run.Result, err = c.Run(ctx, pim.Options{Cutoff: cutoff, Only: only})
		}
		switch {
		case errors.Is(err, context.Canceled):
			run.State, run.Error = mailbox.StateStopped, "stopped: run the pass again to resume"
		case err != nil:
			run.State, run.Error = mailbox.StateFailed, err.Error()
			out.Errors++
		case run.Result.Failed > 0:
			run.State = mailbox.StatePartial
		}
		a.recordPIMRun(ctx, p, in.Pass, run)
		a.bus.Publish("pim:done", p.Name, run)
		out.Mailboxes = append(out.Mailboxes, run)
		out.Copied += run.Result.Copied + run.Result.Matched
		out.Updated += run.Result.Updated
		out.Failed += run.Result.Failed
		if errors.Is(err, context.Canceled) {
			return out, fmt.Errorf("pass stopped: run it again to resume: %w", err)
		}
	}
	return out, nil
}

// PIMAnalysis is one mailbox's contacts, calendars and tasks.
type PIMAnalysis struct {
	SourceLogin string                `json:"sourceLogin"`
	Collections []pim.CollectionStats `json:"collections"`
	Error       string                `json:"error,omitempty"`
}

// PIMAnalyze lists each mailbox's address books, calendars and task lists with counts
// and what each pass would copy. Empty when the project has no source DAV URL.
func (a *API) PIMAnalyze(projectName string, users []string, olderThan string) ([]PIMAnalysis, error) {
	if olderThan == "" {
		olderThan = "30d"
	}
	cutoff, err := a.cutoff(MailPassInput{Pass: "pre", OlderThan: olderThan})
	if err != nil {
		return nil, err
	}
	p, set, entries, err := a.pimSetup(projectName, users)
	if err != nil || !hasPIMSource(set) {
		return nil, err
	}
	out := []PIMAnalysis{}
	for _, e := range entries {
		an := PIMAnalysis{SourceLogin: e.SourceLogin, Collections: []pim.CollectionStats{}}
		src, err := a.pimSource(a.ctx, p, set, e)
		if err == nil {
			c := &pim.Copier{Job: pimJob(p, e.SourceLogin), Source: src, Ledger: a.store.PIMLedger()}
			an.Collections, err = c.Analyze(a.ctx, pim.Options{Cutoff: cutoff})
		}
		if err != nil {
			an.Error = err.Error()
		}
		out = append(out, an)
	}
	return out, nil
}

// PIMCheck is one mailbox's verification.
type PIMCheck struct {
	SourceLogin string                `json:"sourceLogin"`
	Complete    bool                  `json:"complete"`
	Missing     int                   `json:"missing"`
	Collections []pim.CollectionCheck `json:"collections"`
	Error       string                `json:"error,omitempty"`
}

// PIMVerify compares each address book, calendar and task list with its copy, by UID.
// Empty when the project has no source DAV URL.
func (a *API) PIMVerify(projectName string, users []string) ([]PIMCheck, error) {
	p, set, entries, err := a.pimSetup(projectName, users)
	if err != nil || !hasPIMSource(set) {
		return nil, err
	}
	out := []PIMCheck{}
	for _, e := range entries {
		ch := PIMCheck{SourceLogin: e.SourceLogin, Collections: []pim.CollectionCheck{}}
		c, err := a.pimCopier(a.ctx, p, set, e)
		if err == nil {
			ch.Collections, err = c.Verify(a.ctx, pim.Options{})
		}
		for _, col := range ch.Collections {
			ch.Missing += len(col.Missing)
		}
		if err != nil {
			ch.Error = err.Error()
		}
		ch.Complete = err == nil && ch.Missing == 0
		if err == nil {
			a.savePIMVerification(p, ch)
		}
		out = append(out, ch)
	}
	return out, nil
}

// savePIMVerification keeps a mailbox's finished verification for the reports.
func (a *API) savePIMVerification(p project.Project, ch PIMCheck) {
	checks := make([]docs.PIMCheck, 0, len(ch.Collections))
	for _, col := range ch.Collections {
		c := docs.PIMCheck{Mailbox: ch.SourceLogin, Collection: cmp.Or(col.Name, col.Source), Source: col.Source, Type: string(col.Type),
			SourceItems: col.SourceN.Total(), DestItems: col.DestN.Total(), Missing: []docs.PIMItem{}}
		for _, m := range col.Missing {
			c.Missing = append(c.Missing, docs.PIMItem{Mailbox: ch.SourceLogin, Collection: c.Collection, Kind: string(m.Kind), Summary: m.Summary, UID: m.UID})
		}
		checks = append(checks, c)
	}
	if err := a.store.PutPIMVerify(a.ctx, p.ID, ch.SourceLogin, a.now(), checks); err != nil {
		a.log.Error("keep the contacts and calendars verification", "mailbox", ch.SourceLogin, "err", err)
	}
}

// PIMImportInput names exported files for a mailbox of the batch: paths (the command
// line) or contents (files dropped in the window).
type PIMImportInput struct {
	Mailbox string        `json:"mailbox"` // a source or destination login of the batch
	Files   []string      `json:"files"`   // .vcf and .ics paths
	Dropped []DroppedFile `json:"dropped"` // .vcf and .ics contents
}

// DroppedFile is a file's name and text, as the window reads a dropped file.
type DroppedFile struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// PIMImport copies exported .vcf and .ics files into the mailbox's destination account,
// one address book or calendar per file. Each file item is recorded like a DAV item, so
// importing the same files again copies only what changed.
func (a *API) PIMImport(projectName string, in PIMImportInput) (pim.Result, error) {
	if len(in.Files)+len(in.Dropped) == 0 {
		return pim.Result{}, &mailbox.InputError{Field: "file", Expected: "one or more .vcf or .ics files"}
	}
	if in.Mailbox == "" {
		return pim.Result{}, &mailbox.InputError{Field: "mailbox", Expected: "a login of the batch (cutover batch list)"}
	}
	p, set, entries, err := a.pimSetup(projectName, []string{in.Mailbox})
	if err != nil {
		return pim.Result{}, err
	}
	files := make([]pim.File, 0, len(in.Files)+len(in.Dropped))
	for _, path := range in.Files {
		data, err := os.ReadFile(path)
		if err != nil {
			return pim.Result{}, &mailbox.InputError{Field: "file", Value: path, Expected: "a readable .vcf or .ics file (" + err.Error() + ")"}
		}
		files = append(files, pim.File{Name: path, Data: data})
	}
	for _, d := range in.Dropped {
		files = append(files, pim.File{Name: d.Name, Data: []byte(d.Text)})
	}
	src, err := pim.ParseFiles(files...)
	if err != nil {
		return pim.Result{}, err
	}
	if len(entries) == 0 {
		return pim.Result{}, &project.FieldError{Field: "destination DAV URL", Expected: "the destination's CalDAV/CardDAV URL (cutover pim set --dest-url)"}
	}
	dst, err := a.pimDest(a.ctx, p, set, entries[0])
	if err != nil {
		return pim.Result{}, err
	}
	login := entries[0].SourceLogin
	c := &pim.Copier{Job: pimJob(p, login) + "#files", Source: src, Dest: dst, Ledger: a.store.PIMLedger(), Log: a.log,
		Progress: func(pr pim.Progress) {
			a.bus.Publish("pim:progress", p.Name, PIMProgress{SourceLogin: login, Pass: "files", Progress: pr})
		}}
	res, err := c.Run(a.ctx, pim.Options{})
	run := PIMRun{SourceLogin: entries[0].SourceLogin, State: mailbox.StateDone, Result: res}
	switch {
	case err != nil:
		run.State, run.Error = mailbox.StateFailed, err.Error()
	case res.Failed > 0:
		run.State = mailbox.StatePartial
	}
	a.recordPIMRun(a.ctx, p, "files", run)
	a.bus.Publish("pim:done", p.Name, run)
	return res, err
}

// recordPIMRun keeps a mailbox's last pass with its refusals for the Mailboxes page.
func (a *API) recordPIMRun(ctx context.Context, p project.Project, pass string, run PIMRun) {
	r := store.PIMRun{SourceLogin: run.SourceLogin, Pass: pass, State: string(run.State), Error: run.Error, Copied: run.Result.Copied,
		Updated: run.Result.Updated, Matched: run.Result.Matched, Failed: run.Result.Failed, Failures: run.Result.Failures,
		Notes: run.Result.Notes, Finished: a.now()}
	if err := a.store.RecordPIMRun(context.WithoutCancel(ctx), p.ID, r); err != nil {
		a.log.Error("record contacts and calendars pass", "mailbox", run.SourceLogin, "err", err)
	}
}

// PIMCounts is what has been copied of one mailbox's contacts, calendars and tasks.
type PIMCounts struct {
	SourceLogin string        `json:"sourceLogin"`
	Copied      pim.Counts    `json:"copied"`
	Last        *store.PIMRun `json:"last,omitempty"` // the last pass or import, with its refusals
}

// PIMCopied lists, per mailbox of the batch, the contacts, events, tasks and journals
// copied so far (DAV and imported files together): the Mailboxes page's columns.
func (a *API) PIMCopied(projectName string) ([]PIMCounts, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	all, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	byJob, err := a.store.PIMLedger().PIMCopied(a.ctx, fmt.Sprintf("p%d/", p.ID))
	if err != nil {
		return nil, err
	}
	runs, err := a.store.PIMRuns(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := []PIMCounts{}
	for _, e := range all {
		n := PIMCounts{SourceLogin: e.SourceLogin}
		if r, ok := runs[strings.ToLower(e.SourceLogin)]; ok {
			n.Last = &r
		}
		for _, job := range []string{pimJob(p, e.SourceLogin), pimJob(p, e.SourceLogin) + "#files"} {
			c := byJob[job]
			n.Copied.Contacts += c.Contacts
			n.Copied.Events += c.Events
			n.Copied.Tasks += c.Tasks
			n.Copied.Journals += c.Journals
		}
		out = append(out, n)
	}
	return out, nil
}

// MigrateParts splits `--only` into the mail pass and the contacts/calendars/tasks
// classes. Empty means everything the project's servers offer: mail when it has IMAP
// servers, contacts, calendars and tasks when it has a source DAV URL.
func (a *API) MigrateParts(projectName string, only []string) (mail bool, classes []string, err error) {
	if len(only) > 0 {
		for _, o := range only {
			if strings.EqualFold(strings.TrimSpace(o), "mail") {
				mail = true
				continue
			}
			classes = append(classes, o)
		}
		if _, err := parseOnly(classes); err != nil {
			return false, nil, err
		}
		return mail, classes, nil
	}
	p, err := a.project(projectName)
	if err != nil {
		return false, nil, err
	}
	set, err := a.store.PIMSetting(a.ctx, p.ID)
	if err != nil {
		return false, nil, err
	}
	mail = !p.Source.IsZero() || !p.Dest.IsZero() || !hasPIMSource(set)
	if hasPIMSource(set) {
		for _, c := range pim.Classes {
			classes = append(classes, string(c))
		}
	}
	return mail, classes, nil
}
