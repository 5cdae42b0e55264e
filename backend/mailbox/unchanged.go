package mailbox

import (
	"context"

	"github.com/emersion/go-imap/v2"
)

// A pass that finds a source folder as the last complete pass left it skips it without
// EXAMINE or FETCH: the planning STATUS (RFC 3501 §6.3.10) says what it holds, and with
// CONDSTORE (RFC 7162 §3.1.6, HIGHESTMODSEQ) whether any flag changed. The no-op pass —
// every mailbox on cutover day, then every sweep — then costs a login on each side, the
// listings and one pipelined STATUS per folder.

// FolderState is what a pass saw of a source folder it brought completely up to date:
// every message in the ledger, every flag carried over, nothing refused.
type FolderState struct {
	Job           string
	Folder        string // source folder
	Dest          string // the destination folder it was mapped to
	UIDValidity   uint32
	UIDNext       uint32
	Messages      uint32
	HighestModSeq uint64 // 0: the source has no CONDSTORE
}

// FolderStates is kept by a Ledger that can remember folder states (the store's does).
// Without it every folder is examined, as before.
type FolderStates interface {
	FolderStates(ctx context.Context, job string) (map[string]FolderState, error)
	// PutFolderState stores st, replacing the one of its folder; ForgetFolderState removes it
	// before a pass changes the folder, so that a pass that stops halfway leaves none.
	PutFolderState(ctx context.Context, st FolderState) error
	ForgetFolderState(ctx context.Context, job, folder string) error
}

// statusOptions are the STATUS items planning asks each source folder.
func statusOptions(src *Conn) *imap.StatusOptions {
	caps := src.Caps()
	return &imap.StatusOptions{
		NumMessages:   true,
		Size:          caps.Has(imap.CapStatusSize) || caps.Has(imap.CapIMAP4rev2),
		UIDNext:       true,
		UIDValidity:   true,
		HighestModSeq: caps.Has(imap.CapCondStore),
	}
}

// stateOf is the state a source STATUS answer describes; ok is false when it lacks an item.
func stateOf(job string, m Mapping, st *imap.StatusData) (FolderState, bool) {
	if st == nil || st.NumMessages == nil || st.UIDNext == 0 || st.UIDValidity == 0 {
		return FolderState{}, false
	}
	return FolderState{Job: job, Folder: m.Source, Dest: m.Dest, UIDValidity: st.UIDValidity,
		UIDNext: uint32(st.UIDNext), Messages: *st.NumMessages, HighestModSeq: st.HighestModSeq}, true
}

// unchanged reports whether the folder is as the last complete pass left it. New messages
// move UIDNEXT; an expunge changes the count (and, with a new one, UIDNEXT); a recreated
// folder has a new UIDVALIDITY; a flag change moves HIGHESTMODSEQ — without CONDSTORE a
// flag change cannot be seen, so the folder is only skipped when flags are not synced.
func unchanged(prev FolderState, now FolderState, opts Options) bool {
	if prev.Dest != now.Dest || prev.UIDValidity != now.UIDValidity || prev.UIDNext != now.UIDNext || prev.Messages != now.Messages {
		return false
	}
	if opts.NoFlagSync {
		return true
	}
	return now.HighestModSeq != 0 && prev.HighestModSeq == now.HighestModSeq
}

// folderStates are the states the last complete passes of the job stored (none when
// the ledger keeps no states).
func (c *Copier) folderStates(ctx context.Context) (map[string]FolderState, error) {
	fs, ok := c.Ledger.(FolderStates)
	if !ok {
		return nil, nil
	}
	return fs.FolderStates(ctx, c.Job)
}

// skipUnchanged takes the folders that are as the last complete pass left them (prev)
// out of ps.plan, counting them as done, and marks the others whose state is stored to
// have it forgotten before they change.
func (ps *pass) skipUnchanged(prev map[string]FolderState) {
	kept := ps.plan[:0]
	for _, fp := range ps.plan {
		now, known := stateOf(ps.c.Job, fp.m, fp.status)
		p, had := prev[fp.m.Source]
		if known && had && unchanged(p, now, ps.opts) {
			n := int(now.Messages)
			ps.skipped = append(ps.skipped, FolderResult{Source: fp.m.Source, Dest: fp.m.Dest, Messages: n, InScope: n, AlreadyDone: n})
			continue
		}
		fp.forget = had
		kept = append(kept, fp)
	}
	ps.plan = kept
}

// forget removes a folder's state before an attempt may change it.
func (r *folderRun) forget(ctx context.Context) error {
	fs, ok := r.c.Ledger.(FolderStates)
	if !ok || !r.fp.forget {
		return nil
	}
	if err := fs.ForgetFolderState(ctx, r.c.Job, r.fp.m.Source); err != nil {
		return err
	}
	r.fp.forget = false
	return nil
}

// remember stores the folder's state as planning saw it once a pass has brought it
// completely up to date: the messages that came after the STATUS were listed and copied
// too, but the next pass sees a newer UIDNEXT than the stored one and looks again. A pass
// with a cutoff that left messages out, or one that did not sync flags, stores nothing.
func (ps *pass) remember(ctx context.Context, fp *folderPlan, fr *FolderResult, refused int) error {
	fs, ok := ps.c.Ledger.(FolderStates)
	if !ok || refused > 0 || fr.InScope != fr.Messages || ps.opts.NoFlagSync {
		return nil
	}
	st, known := stateOf(ps.c.Job, fp.m, fp.status)
	if !known {
		return nil
	}
	return fs.PutFolderState(ctx, st)
}
