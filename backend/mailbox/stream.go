package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

type appendWaiter interface {
	Wait() (*imap.AppendData, error)
}

type pendingAppend struct {
	msg     srcMsg
	key     keyInfo
	exact   bool // key read by messageKeys, not from the streamed header
	cmd     appendWaiter
	err     error // set when the APPEND could not even be sent
	refused string
	size    int64
}

// stream fetches bodies with BODY.PEEK[] and appends them to the destination as they
// arrive, without holding a message in memory; APPEND results are collected in order by a
// second goroutine that commits ledger entries in batches.
//
// keys holds the messages' keys when they were read beforehand (nil otherwise): a key
// taken from the streamed header goes to the ledger only with the destination UID the
// server answered, which is what later runs go by; without one (no UIDPLUS), or without a
// Message-ID, the key is read by messageKeys after the bodies, as a match on another run
// would compute it.
//
// A message whose APPEND was sent but not answered when the connection broke is left in
// fp.uncertain: the next attempt looks for it at the destination before sending it again.
func (r *folderRun) stream(ctx context.Context, todo []srcMsg) error {
	c, s, st, fp, fr, tr := r.c, r.s, r.st, r.fp, r.fr, r.tr
	// A message over the destination's limit is reported without being sent.
	r.limit = c.messageLimit(s.dst)
	keys := r.keys
	byUID := make(map[imap.UID]srcMsg, len(todo))
	var early []imap.UID // refused before sending: their subjects are read for the report
	for _, m := range todo {
		byUID[m.UID] = m
		if _, ok := keys[m.UID]; !ok && (m.Size == 0 || r.limit > 0 && m.Size > r.limit) {
			early = append(early, m.UID)
		}
	}
	if len(early) > 0 {
		ks, err := messageKeys(s.src, early)
		if err != nil {
			return fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
		}
		if keys == nil {
			keys = ks
		} else {
			maps.Copy(keys, ks)
		}
	}
	r.keys, r.byUID = keys, byUID

	pending := make(chan pendingAppend, 256) // ledger commits must not stall the pipeline
	var (
		waitErr   error
		failures  []Failure
		again     []srcMsg // in a group the destination refused: appended again one by one
		later     []Entry  // copied; recorded once messageKeys has read their keys
		uncertain []srcMsg // sent, not answered: the connection broke
		wg        sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var batch []Entry
		var batchBytes int64
		var recordErr error
		// flush records the answered APPENDs, also after a later one failed: what is
		// counted as copied is in the ledger, so a resumed run neither appends nor counts
		// it again.
		flush := func() {
			if len(batch) == 0 || recordErr != nil {
				return
			}
			if err := c.record(context.WithoutCancel(ctx), batch); err != nil {
				recordErr = err
				if waitErr == nil {
					waitErr = err
				}
				return
			}
			tr.add(len(batch), batchBytes, 0)
			batch, batchBytes = batch[:0], 0
		}
		lastFlush := c.Now()
		streak := 0 // answers in a row since the group size last changed
		for p := range pending {
			var data *imap.AppendData
			err := p.err
			if err == nil && p.refused == "" {
				data, err = p.cmd.Wait()
			}
			if errors.Is(err, errBatchRefused) {
				again = append(again, p.msg)
				continue
			}
			if p.refused == "" && err != nil && isRefusal(err) {
				p.refused = reason(err)
			}
			if p.refused != "" {
				failures = append(failures, Failure{Folder: fp.m.Source, UID: uint32(p.msg.UID), Subject: p.key.subject,
					Size: p.msg.Size, Date: p.msg.Date, Reason: p.refused})
				tr.add(0, 0, 1)
				continue
			}
			if err != nil {
				if waitErr == nil {
					waitErr = err
				}
				uncertain = append(uncertain, p.msg)
				continue
			}
			c.checkpoint(CheckpointAnswered)
			if streak++; streak >= 2*c.group.get() {
				c.group.grow()
				streak = 0
			}
			e := Entry{Job: c.Job, Folder: fp.m.Source, UIDValidity: st.uidValidity, UID: p.msg.UID, Key: p.key.key,
				DestFolder: fp.m.Dest, Flags: flagStrings(p.msg.Flags), Size: p.size}
			if data != nil {
				e.DestUID = data.UID
			}
			// The destination's UID is what later runs go by: with it, the entry is
			// recorded now, key or no key (a message without a Message-ID has no key until
			// its whole header is read). Without it (no UIDPLUS), the key must be the one
			// messageKeys computes, as a later run would compare it.
			if e.DestUID == 0 && (e.Key == "" || !p.exact) {
				later = append(later, e)
				continue
			}
			batch = append(batch, e)
			batchBytes += p.size
			fr.Copied++
			fr.CopiedBytes += p.size
			if len(batch) >= c.BatchSize || c.Now().Sub(lastFlush) > time.Second {
				flush()
				lastFlush = c.Now()
			}
		}
		flush()
	}()

	r.pending = pending
	sendErr := r.sendAll(ctx, todo)
	close(pending)
	wg.Wait()

	*r.refused = append(*r.refused, failures...)
	fp.uncertain = append(fp.uncertain, uncertain...)
	if sendErr == nil && waitErr == nil && len(later) > 0 {
		waitErr = r.recordLater(ctx, later)
	}
	if len(later) > 0 && (sendErr != nil || waitErr != nil) {
		// Landed but not recorded: the next attempt looks for them like the unanswered.
		for _, e := range later {
			fp.uncertain = append(fp.uncertain, byUID[e.UID])
		}
	}
	switch {
	case throttled(waitErr):
		return waitErr // it explains the broken sends after it: Exchange closes the connection
	case sendErr != nil:
		return sendErr
	case waitErr != nil || len(again) == 0:
		return waitErr
	}
	// Nothing of a refused group was saved: each of its messages is sent on its own, so
	// that only the ones the server refuses are reported.
	s.alone = true
	defer func() { s.alone = false }()
	return r.stream(ctx, again)
}

// recordLater reads the keys of copied messages with messageKeys and records them.
func (r *folderRun) recordLater(ctx context.Context, later []Entry) error {
	c, s, fp, fr, tr := r.c, r.s, r.fp, r.fr, r.tr
	uids := make([]imap.UID, len(later))
	for i, e := range later {
		uids[i] = e.UID
	}
	ks, err := messageKeys(s.src, uids)
	if err != nil {
		return fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
	}
	var bytes int64
	for i := range later {
		later[i].Key = ks[later[i].UID].key
		bytes += later[i].Size
	}
	if err := c.record(context.WithoutCancel(ctx), later); err != nil {
		return err
	}
	fr.Copied += len(later)
	fr.CopiedBytes += bytes
	tr.add(len(later), bytes, 0)
	return nil
}

// sendAll runs the FETCH of bodies chunk by chunk and starts one APPEND per message.
func (r *folderRun) sendAll(ctx context.Context, todo []srcMsg) (err error) {
	c, s, keys, pending := r.c, r.s, r.keys, r.pending
	defer func() {
		if err != nil {
			endCommands(ctx, s)
		}
	}()
	uids := make([]imap.UID, 0, len(todo))
	for _, m := range todo {
		if r.limit > 0 && m.Size > r.limit {
			pending <- pendingAppend{msg: m, key: keys[m.UID], refused: tooLarge(m.Size, r.limit)}
			continue
		}
		if m.Size == 0 {
			pending <- pendingAppend{msg: m, key: keys[m.UID], refused: emptyReason}
			continue
		}
		uids = append(uids, m.UID)
	}
	for len(uids) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk, err := r.paced(uids[:min(len(uids), c.FetchChunk)])
		if err != nil {
			return err
		}
		uids = uids[len(chunk):]
		cmd := s.src.Fetch(imap.UIDSetNum(chunk...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sectionBody}})
		for {
			fm := cmd.Next()
			if fm == nil {
				break
			}
			if err := r.appendOne(ctx, fm); err != nil {
				cmd.Close()
				return err
			}
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("fetch from the source: %w", err)
		}
		// The results are waited for in order: the last command must not stay open.
		if err := endCommands(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// endCommands ends the APPEND commands being written: whatever stops the FETCH, the
// results are waited for, and a command left open would never be answered. It holds only
// whole messages (a message cut short breaks its connection), so the server saves them.
func endCommands(ctx context.Context, s *session) error {
	var first error
	for _, app := range s.apps {
		if ctx.Err() != nil {
			// Stopping: a server that does not read must not keep us waiting.
			app.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		}
		if err := app.EndCommand(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// appendOne sends the message a FETCH answer carries, its body streamed from the source.
func (r *folderRun) appendOne(ctx context.Context, fm *imapclient.FetchMessageData) error {
	c, s, byUID, keys, pending := r.c, r.s, r.byUID, r.keys, r.pending
	var uid imap.UID
	for {
		item := fm.Next()
		if item == nil {
			return nil
		}
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = it.UID
		case imapclient.FetchItemDataBodySection:
			msg, ok := byUID[uid]
			if !ok || it.Literal == nil {
				continue // the message vanished, or the server sent something we did not ask
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			c.checkpoint(CheckpointBodyFetched)
			size := it.Literal.Size()
			key, exact := keys[uid]
			head := &headerTap{r: it.Literal}
			rd := &readErrRecorder{r: head}
			if c.Checkpoint != nil {
				rd.r = &halfway{r: head, at: size / 2, f: func() { c.checkpoint(CheckpointLiteralHalf) }}
			}
			if len(s.apps) > 0 && size <= rawLiteralMax {
				app := s.apps[s.next%len(s.apps)]
				s.next++
				group := c.group.get()
				if s.alone {
					group = 1
				}
				w, n, err := app.Append(s.destFolder, appendFlags(msg.Flags), msg.Date, size, rd, group)
				if err == nil {
					err = app.Flush()
				}
				if err == nil && app.open != nil {
					c.checkpoint(CheckpointGroupPartial)
				}
				if err != nil {
					if n < size && rd.err != nil {
						return &brokenConn{fmt.Errorf("fetch UID %d from the source broke after %d of %d bytes: %w", uid, n, size, rd.err)}
					}
					return err
				}
				if !exact {
					key = head.key()
				}
				select {
				case pending <- pendingAppend{msg: msg, key: key, exact: exact, cmd: w, size: size}:
				case <-ctx.Done():
					return ctx.Err()
				}
				continue
			}
			cmd := s.dst.Append(s.destFolder, size, &imap.AppendOptions{Flags: appendFlags(msg.Flags), Time: msg.Date})
			n, werr := io.Copy(cmd, rd)
			if n < size && (rd.err != nil || werr == nil) {
				// The source connection broke inside the literal: the APPEND cannot be
				// completed, and both connections are reopened by the retry.
				cmd.Close()
				cause := rd.err
				if cause == nil {
					cause = io.ErrUnexpectedEOF
				}
				return &brokenConn{fmt.Errorf("fetch UID %d from the source broke after %d of %d bytes: %w", uid, n, size, cause)}
			}
			cerr := cmd.Close()
			p := pendingAppend{msg: msg, key: key, exact: exact, cmd: cmd, size: size}
			if werr != nil {
				// The destination answered before taking the literal (a refusal), or the
				// connection broke: drain the source literal to keep the FETCH going.
				if _, err := io.Copy(io.Discard, rd); err != nil {
					return &brokenConn{fmt.Errorf("fetch UID %d from the source: %w", uid, err)}
				}
				if _, err := cmd.Wait(); err != nil && isRefusal(err) {
					p.refused = reason(err)
				} else {
					p.err = &brokenConn{fmt.Errorf("append to the destination: %w", werr)}
				}
			} else if cerr != nil {
				p.err = &brokenConn{fmt.Errorf("append to the destination: %w", cerr)}
			}
			if !exact {
				p.key = head.key()
			}
			select {
			case pending <- p:
			case <-ctx.Done():
				return ctx.Err()
			}
			if p.err != nil {
				return p.err
			}
		}
	}
}

// appendFlags are the flags an APPEND may set: \Recent is the server's own.
func appendFlags(fl []imap.Flag) []imap.Flag {
	out := make([]imap.Flag, 0, len(fl))
	for _, f := range fl {
		if strings.EqualFold(string(f), `\Recent`) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// halfway calls f once, when at bytes have been read through it.
type halfway struct {
	r    io.Reader
	at   int64
	n    int64
	f    func()
	done bool
}

func (h *halfway) Read(p []byte) (int, error) {
	if !h.done {
		if h.n >= h.at {
			h.done = true
			h.f()
		} else if rem := h.at - h.n; int64(len(p)) > rem {
			p = p[:rem]
		}
	}
	n, err := h.r.Read(p)
	h.n += int64(n)
	return n, err
}
