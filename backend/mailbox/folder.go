package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

// ensureFolder creates the destination folder when it does not exist.
func ensureFolder(dst *Conn, name string) error {
	if strings.EqualFold(name, "INBOX") {
		return nil
	}
	err := dst.Create(name, nil).Wait()
	var ie *imap.Error
	if err != nil && errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists || strings.Contains(strings.ToLower(ie.Text), "exists")) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %q on the destination: %w", name, err)
	}
	return nil
}

func (c *Copier) copyFolder(ctx context.Context, s *session, fp *folderPlan, opts Options, fr *FolderResult, refused *[]Failure, tr *tracker) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := fp.scan
	fp.scan = nil // a retry lists the folder again
	if st == nil || time.Since(fp.scanned) > planKeepFor {
		var err error
		if st, err = c.scanSource(ctx, s.src, fp.m.Source, opts); err != nil {
			return err
		}
		fp.count(tr, st)
	} else if _, err := s.src.Select(fp.m.Source, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return fmt.Errorf("examine %q on the source: %w", fp.m.Source, err)
	}
	fr.Messages, fr.InScope = len(st.msgs), st.inScope
	fr.AlreadyDone = st.inScope - len(st.todo)

	needDest := len(st.todo) > 0
	var syncs []flagSync
	if !opts.NoFlagSync {
		syncs = flagChanges(st)
		needDest = needDest || len(syncs) > 0
	}
	if !needDest {
		return nil
	}
	if err := ensureFolder(s.dst, fp.m.Dest); err != nil {
		return err
	}
	dsel, err := s.dst.Select(fp.m.Dest, nil).Wait()
	s.destFolder = fp.m.Dest
	if err != nil {
		return fmt.Errorf("select %q on the destination: %w", fp.m.Dest, err)
	}
	if len(syncs) > 0 {
		n, err := c.syncFlags(ctx, s.dst, syncs)
		fr.FlagsUpdated += n
		if err != nil {
			return err
		}
	}
	if len(st.todo) == 0 {
		return nil
	}
	// APPENDs sent by an interrupted run (this process before a reconnect, or one that was
	// killed) may still be landing: the server goes on with what it had received. Wait
	// for the folder to settle before counting what is there, or they would be copied twice.
	interrupted, err := c.Ledger.Appending(ctx, c.Job, fp.m.Dest)
	if err != nil {
		return err
	}
	if interrupted {
		if dsel, err = settle(ctx, s.dst, fp.m.Dest); err != nil {
			return err
		}
	}

	// Copies already at the destination are found by their keys, read from both sides.
	// Into an empty folder, keys come from the headers as the bodies stream by instead:
	// reading them first cost the source and us a quarter of a pass's CPU.
	var keys map[imap.UID]keyInfo
	todo := st.todo
	if dsel.NumMessages > 0 {
		uids := make([]imap.UID, len(st.todo))
		for i, m := range st.todo {
			uids[i] = m.UID
		}
		if keys, err = messageKeys(s.src, uids); err != nil {
			return fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
		}
		todo, err = c.matchExisting(ctx, s, st, fp, keys, fr, tr)
		if err != nil {
			return err
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if err := c.Ledger.SetAppending(ctx, c.Job, fp.m.Dest, true); err != nil {
		return err
	}
	if err := c.stream(ctx, s, st, fp, todo, keys, fr, refused, tr); err != nil {
		return err
	}
	// Every APPEND was answered: nothing of this run can land later.
	return c.Ledger.SetAppending(context.WithoutCancel(ctx), c.Job, fp.m.Dest, false)
}
