package api

import (
	"fmt"
	"strings"
	"time"

	"cutover/backend/docs"
	"cutover/backend/mailbox"
	"cutover/backend/project"
	"cutover/backend/timeline"
)

// The timeline follows the evidence: a finished pre pass marks the historical copy done
// with its figures; a final pass followed by a verification with nothing missing marks
// the final migration done; a sent or logged message marks its contact step (customer.go);
// closing the case is refused while the follow-up or the verification is open.

// passEvidence looks at the latest passes of every enabled mailbox of the batch and marks
// the steps they prove. It never reopens a step.
func (a *API) passEvidence(p project.Project) error {
	entries, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return err
	}
	passes, err := a.store.LatestMailPasses(a.ctx, p.ID)
	if err != nil {
		return err
	}
	checks, err := a.store.VerifyFolders(a.ctx, p.ID)
	if err != nil {
		return err
	}
	verified := map[string]time.Time{} // mailbox → when its last verification found nothing missing
	missing := map[string]int{}
	for _, c := range checks {
		key := strings.ToLower(c.Mailbox)
		missing[key] += c.Missing
		verified[key] = c.At
	}
	var pre, final struct{ mailboxes, done, total, refused int }
	finalVerified := true
	n := 0
	for _, e := range entries {
		if !e.Enabled {
			continue
		}
		n++
		key := strings.ToLower(e.SourceLogin)
		ps, ok := passes[key]
		if !ok || !finished(ps.State) {
			return nil // a mailbox without a finished pass: nothing proven yet
		}
		// A final pass counts for the historical copy too: the history is in.
		pre.mailboxes++
		pre.done, pre.total, pre.refused = pre.done+ps.MessagesDone, pre.total+ps.MessagesTotal, pre.refused+ps.Failed
		if ps.Kind == "final" {
			final.mailboxes++
			final.done, final.total, final.refused = final.done+ps.MessagesDone, final.total+ps.MessagesTotal, final.refused+ps.Failed
			at, ok := verified[key]
			if !ok || missing[key] > 0 || at.Before(ps.Finished) {
				finalVerified = false
			}
		}
	}
	if n == 0 {
		return nil
	}
	ev := &timeline.Evidence{Kind: timeline.PrePass, Mailboxes: pre.mailboxes, Done: pre.done, Total: pre.total, Refused: pre.refused}
	if err := a.markByEvidence(p, "historical_copy", fmt.Sprintf("Pre-migration pass finished: %d of %d messages in %d mailboxes, %d refused",
		pre.done, pre.total, pre.mailboxes, pre.refused), ev); err != nil {
		return err
	}
	if final.mailboxes == n && finalVerified {
		ev := &timeline.Evidence{Kind: timeline.FinalPass, Mailboxes: final.mailboxes, Done: final.done, Total: final.total, Refused: final.refused}
		return a.markByEvidence(p, "final_migration", fmt.Sprintf("Final pass finished: %d of %d messages in %d mailboxes, %d refused; verification found nothing missing",
			final.done, final.total, final.mailboxes, final.refused), ev)
	}
	return nil
}

func finished(s mailbox.State) bool { return s == mailbox.StateDone || s == mailbox.StatePartial }

// markByEvidence marks a step done with the evidence as its note (the English sentence,
// and the figures documents word in their language), unless it is closed.
func (a *API) markByEvidence(p project.Project, key, note string, ev *timeline.Evidence) error {
	tl, err := a.timeline(p)
	if err != nil {
		return err
	}
	if st, ok := tl.Step(key); !ok || st.Status.Closed() {
		return nil
	}
	_, err = a.setStep(p, key, timeline.Done, note, ev)
	return err
}

// saveVerification keeps a mailbox's verification folder by folder for the reports.
func (a *API) saveVerification(p project.Project, mc MailboxCheck) error {
	if mc.Error != "" {
		return nil // an unfinished check proves nothing
	}
	checks := make([]docs.Check, 0, len(mc.Folders))
	var missing []docs.Missing
	for _, f := range mc.Folders {
		checks = append(checks, docs.Check{Mailbox: mc.SourceLogin, Source: f.Source, Dest: f.Dest, SourceMessages: f.SourceMessages, DestMessages: f.DestMessages, Missing: len(f.Missing)})
		for _, m := range f.Missing {
			missing = append(missing, docs.Missing{Mailbox: mc.SourceLogin, Folder: f.Source, UID: m.UID, Subject: m.Subject, Date: m.Date, Size: m.Size})
		}
	}
	return a.store.PutVerifyFolders(a.ctx, p.ID, mc.SourceLogin, a.now(), checks, missing)
}

// closeOpen says what keeps the case from closing: the follow-up contact and the final
// verification.
func (a *API) closeOpen(p project.Project) ([]timeline.OpenItem, error) {
	tl, err := a.timeline(p)
	if err != nil {
		return nil, err
	}
	var open []timeline.OpenItem
	for _, key := range []string{"followup_contact", "final_migration"} {
		if st, ok := tl.Step(key); ok && !st.Status.Closed() {
			open = append(open, timeline.OpenItem{Kind: timeline.OpenStep, Step: key, Title: st.Title, Status: st.Status})
		}
	}
	checks, err := a.store.VerifyFolders(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	missing := 0
	for _, c := range checks {
		missing += c.Missing
	}
	switch {
	case len(checks) == 0:
		open = append(open, timeline.OpenItem{Kind: timeline.OpenNoVerification})
	case missing > 0:
		open = append(open, timeline.OpenItem{Kind: timeline.OpenMissing, Missing: missing})
	}
	pimChecks, err := a.store.PIMVerifyChecks(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if n := (docs.PIM{Checks: pimChecks}).Missing(); n > 0 {
		open = append(open, timeline.OpenItem{Kind: timeline.OpenPIMMissing, Missing: n})
	}
	return open, nil
}

// openText is the open items in English, for the faces and the step's note.
func openText(open []timeline.OpenItem) string {
	var out []string
	for _, o := range open {
		switch o.Kind {
		case timeline.OpenStep:
			out = append(out, fmt.Sprintf("%s (%s)", o.Title, o.Status))
		case timeline.OpenNoVerification:
			out = append(out, "no verification has been run (cutover mail verify)")
		case timeline.OpenMissing:
			out = append(out, fmt.Sprintf("the last verification found %d messages missing", o.Missing))
		case timeline.OpenPIMMissing:
			out = append(out, fmt.Sprintf("the last verification found %d contacts, events or tasks missing", o.Missing))
		}
	}
	return strings.Join(out, "; ")
}

// CloseResult is the closed step and the closing report.
type CloseResult struct {
	Step   timeline.Step `json:"step"`
	Report File          `json:"report"`
}

// CloseCase closes the case (the step, and the project's status) and writes the closing
// report (PDF). It is refused while the follow-up contact or the verification is open,
// unless force is given with a reason, which the step keeps.
func (a *API) CloseCase(projectName string, force bool, reason string) (CloseResult, error) {
	p, err := a.project(projectName)
	if err != nil {
		return CloseResult{}, err
	}
	open, err := a.closeOpen(p)
	if err != nil {
		return CloseResult{}, err
	}
	reason = strings.TrimSpace(reason)
	note := "Closed: follow-up done, verification complete"
	ev := &timeline.Evidence{Kind: timeline.Closed}
	if len(open) > 0 {
		if !force {
			return CloseResult{}, &project.FieldError{Field: "step", Value: "close_case",
				Expected: "the follow-up contact and a verification with nothing missing first; still open: " + openText(open) + " (or --force with a --reason)"}
		}
		if reason == "" {
			return CloseResult{}, &project.FieldError{Field: "reason", Expected: "why the case closes with open items (" + openText(open) + ")"}
		}
		note = "Closed with open items (" + openText(open) + "): " + reason
		ev = &timeline.Evidence{Kind: timeline.ClosedOpen, Open: open, Reason: reason}
	}
	st, err := a.setStep(p, "close_case", timeline.Done, note, ev)
	if err != nil {
		return CloseResult{}, err
	}
	rep, err := a.CustomerDocument(p.Name, "report-close", "pdf")
	if err != nil {
		return CloseResult{}, err
	}
	closed := "closed"
	if _, err := a.EditProject(p.Name, project.Input{Status: &closed}); err != nil {
		return CloseResult{}, err
	}
	_ = a.store.LogEvent(a.ctx, p.ID, "case", note)
	return CloseResult{Step: st, Report: rep}, nil
}
