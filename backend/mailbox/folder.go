package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// openFolder creates the destination folder when it does not exist and selects it, the
// SELECT sent without waiting for the CREATE's answer: one round trip, not two.
func openFolder(dst *Conn, name string, parents []string) (*imap.SelectData, error) {
	// A nested Gmail label's parents are labels too, folders of the source: they are made
	// at the destination first, as the folders they are, not left to the server's whim.
	var creates []*imapclient.Command
	for _, p := range parents {
		creates = append(creates, dst.Create(p, nil))
	}
	for i, c := range creates {
		if err := created(parents[i], c.Wait()); err != nil {
			return nil, err
		}
	}
	var create *imapclient.Command
	if !strings.EqualFold(name, "INBOX") {
		create = dst.Create(name, nil)
	}
	sel := dst.Select(name, nil)
	if create != nil {
		if err := created(name, create.Wait()); err != nil {
			sel.Wait()
			return nil, err
		}
	}
	dsel, err := sel.Wait()
	if err != nil {
		return nil, fmt.Errorf("select %q on the destination: %w", name, err)
	}
	return dsel, nil
}

// created reads the answer to a CREATE: a folder that exists already is fine.
func created(name string, err error) error {
	var ie *imap.Error
	if err != nil && errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists || strings.Contains(strings.ToLower(ie.Text), "exists")) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %q on the destination: %w", name, err)
	}
	return nil
}

// parents are the folders above name, outermost first ("a/b/c": "a", "a/b"); none
// without a delimiter.
func parents(name, delim string) []string {
	if delim == "" {
		return nil
	}
	var out []string
	for i := strings.Index(name, delim); i > 0; {
		out = append(out, name[:i])
		j := strings.Index(name[i+len(delim):], delim)
		if j < 0 {
			break
		}
		i += len(delim) + j
	}
	return out
}

// folderRun is one attempt at copying one folder: what its stages share.
type folderRun struct {
	c       *Copier
	s       *session
	fp      *folderPlan
	opts    Options
	fr      *FolderResult
	refused *[]Failure // refused messages, per attempt
	tr      *tracker
	st      *sourceState
	keys    map[imap.UID]keyInfo // keys read beforehand; nil when they come from the streamed headers

	// While streaming:
	byUID   map[imap.UID]srcMsg
	limit   int64 // the destination's APPENDLIMIT, 0 for none
	pending chan<- pendingAppend
}

// copyFolder is one attempt: list (or reuse the listing), bring flags up to date, account
// for what an interrupted attempt left at the destination, then stream the rest.
func (r *folderRun) copyFolder(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// At a distance every step is a round trip: when the planning listing has messages to
	// copy, the destination folder opens while the source one is examined again.
	var opened chan openedFolder
	if fp := r.fp; fp.scan != nil && !fp.attempted && len(fp.scan.todo) > 0 {
		opened = make(chan openedFolder, 1)
		go func() {
			dsel, err := openFolder(r.s.dst, fp.m.Dest, parents(fp.m.Dest, fp.labelDelim))
			opened <- openedFolder{dsel, err}
		}()
	}
	if err := r.source(ctx); err != nil {
		if opened != nil {
			<-opened
		}
		return err
	}
	st, fp := r.st, r.fp
	r.fr.Messages, r.fr.InScope = len(st.msgs), st.inScope
	r.fr.AlreadyDone = st.inScope - len(st.todo) - r.fr.Copied - r.fr.Matched

	var syncs []flagSync
	if !r.opts.NoFlagSync {
		syncs = flagChanges(st)
	}
	var o openedFolder
	switch {
	case opened != nil:
		o = <-opened
	case len(st.todo) == 0 && len(syncs) == 0:
		return nil
	default:
		o.sel, o.err = openFolder(r.s.dst, fp.m.Dest, parents(fp.m.Dest, fp.labelDelim))
	}
	dsel, err := o.sel, o.err
	r.s.destFolder = fp.m.Dest
	if err != nil {
		return err
	}
	if len(syncs) > 0 {
		n, err := r.c.syncFlags(ctx, r.s.dst, syncs)
		r.fr.FlagsUpdated += n
		if err != nil {
			return err
		}
	}
	if len(st.todo) == 0 {
		return nil
	}
	todo, err := r.accountFor(ctx, dsel)
	if err != nil || len(todo) == 0 {
		return err
	}
	if err := r.c.Ledger.SetAppending(ctx, r.c.Job, fp.m.Dest, true); err != nil {
		return err
	}
	// What this attempt appends lands at or above the destination's UIDNEXT now: if it is
	// interrupted, the next attempt looks there, and only there.
	fp.mark, fp.uncertain = dsel.UIDNext, nil
	if fp.mark == 0 {
		fp.mark = 1
	}
	if err := r.stream(ctx, todo); err != nil {
		return err
	}
	// Every APPEND was answered: nothing of this run can land later.
	return r.c.Ledger.SetAppending(context.WithoutCancel(ctx), r.c.Job, fp.m.Dest, false)
}

type openedFolder struct {
	sel *imap.SelectData
	err error
}

// source examines the source folder and works out what is left to do. A later attempt
// in the same pass reuses the listing (the ledger says what the earlier attempts copied)
// unless the folder was recreated: on a connection that keeps breaking, listing a large
// folder again would use up each connection before a message moved.
func (r *folderRun) source(ctx context.Context) error {
	fp := r.fp
	st := fp.scan
	if st != nil && !fp.attempted && r.c.Now().Sub(fp.scanned) > planKeepFor {
		st = nil // the planning listing is old: the first attempt lists again
	}
	first := !fp.attempted
	fp.attempted = true
	if st != nil && first && (r.s.srcSelected == fp.m.Source || len(st.todo) == 0 && (r.opts.NoFlagSync || len(flagChanges(st)) == 0)) {
		// Listed by this pass's planning, and still selected on this connection or with
		// nothing to do: no need to examine it again.
		r.st = st
		return nil
	}
	if st == nil {
		var err error
		r.s.srcSelected = ""
		if st, err = r.c.scanSource(ctx, r.s.src, fp.m, fp.uids, r.opts); err != nil {
			return err
		}
		r.s.srcSelected = fp.m.Source
		fp.count(r.tr, st)
		fp.scan, fp.scanned = st, r.c.Now()
		r.st = st
		return nil
	}
	sel, err := r.s.src.Select(fp.m.Source, &imap.SelectOptions{ReadOnly: true}).Wait()
	r.s.srcSelected = ""
	if err != nil {
		return fmt.Errorf("examine %q on the source: %w", fp.m.Source, err)
	}
	r.s.srcSelected = fp.m.Source
	if sel.UIDValidity != st.uidValidity {
		fp.scan = nil
		return r.source(ctx)
	}
	if err := r.c.refresh(ctx, st, fp.m.Source, r.opts); err != nil {
		return err
	}
	r.st = st
	return nil
}

// accountFor finds what is already at the destination and returns what is left to append.
// After a broken attempt of this pass, only the messages whose APPEND was not answered can
// be there, at or above the mark: they are looked for there. On a first attempt into a
// non-empty folder every copy is looked for (an earlier run, a killed one, a manual copy);
// into an empty one keys come from the headers as the bodies stream by instead: reading
// them first cost the source and us a quarter of a pass's CPU.
func (r *folderRun) accountFor(ctx context.Context, dsel *imap.SelectData) ([]srcMsg, error) {
	fp := r.fp
	if fp.retried {
		if len(fp.uncertain) == 0 {
			return r.st.todo, nil
		}
		// APPENDs of the broken connection may still be landing: the server goes on with
		// what it had received.
		if _, err := settle(ctx, r.s.dst, fp.m.Dest); err != nil {
			return nil, err
		}
		return r.recoverUncertain(ctx)
	}
	// A run that was killed while appending: wait for what it sent to land.
	interrupted, err := r.c.Ledger.Appending(ctx, r.c.Job, fp.m.Dest)
	if err != nil {
		return nil, err
	}
	if interrupted {
		if dsel, err = settle(ctx, r.s.dst, fp.m.Dest); err != nil {
			return nil, err
		}
	}
	if dsel.NumMessages == 0 {
		return r.st.todo, nil
	}
	uids := make([]imap.UID, len(r.st.todo))
	for i, m := range r.st.todo {
		uids[i] = m.UID
	}
	if r.keys, err = messageKeys(r.s.src, uids); err != nil {
		return nil, fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
	}
	return r.matchExisting(ctx)
}
