package mailbox

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

type srcMsg struct {
	UID   imap.UID
	Flags []imap.Flag
	Date  time.Time
	Size  int64
}

// folderUnits groups the plan's folders by destination folder: one
// pipeline copies a unit's folders one after the other, so two source folders mapped to
// one destination folder never append to it at once (each would take the other's
// fresh copies for its own when counting what is already there).
func folderUnits(plan []folderPlan) [][]int {
	var units [][]int
	at := map[string]int{}
	for i, fp := range plan {
		if u, ok := at[fp.m.Dest]; ok {
			units[u] = append(units[u], i)
			continue
		}
		at[fp.m.Dest] = len(units)
		units = append(units, []int{i})
	}
	// Largest first: the biggest folder (INBOX, mostly) is the pass's long pole, so it
	// must not start last.
	size := func(u []int) (n int64) {
		for _, i := range u {
			n += plan[i].size
		}
		return n
	}
	sort.SliceStable(units, func(a, b int) bool { return size(units[a]) > size(units[b]) })
	return units
}

// folderPlan is one mapped source folder with what the pass would copy.
type folderPlan struct {
	m    Mapping
	uids map[imap.UID]bool // the messages of m.Source it copies (a Gmail label); nil: all
	// labelDelim is the destination's delimiter when m.Dest is a Gmail label's folder,
	// whose parent folders are made first.
	labelDelim string
	size       int64        // from STATUS: its bytes, or its message count, to copy the largest first
	counted    bool         // its todo is in the progress totals
	scan       *sourceState // the listing, from planning or an earlier attempt (nil: list again)
	scanned    time.Time
	status     *imap.StatusData // the source's STATUS at planning (nil for a Gmail label)
	forget     bool             // a state of the folder is stored: forget it before changing the folder

	attempted bool // an attempt started: its listing is kept however old
	retried   bool // an attempt broke: the next one looks only for what it left uncertain
	// mark is the destination's UIDNEXT before the last attempt appended; uncertain are
	// the messages whose APPEND it sent without an answer: if they landed, it is at or
	// above the mark.
	mark      imap.UID
	uncertain []srcMsg
}

// count adds what the folder has to copy to the progress totals, once.
func (fp *folderPlan) count(tr *tracker, st *sourceState) {
	if fp.counted {
		return
	}
	fp.counted = true
	var bytes int64
	for _, m := range st.todo {
		bytes += m.Size
	}
	tr.set(func(p *Progress) {
		p.MessagesTotal += len(st.todo)
		p.BytesTotal += bytes
	})
}

// Planning lists every source folder to count what is to copy; the first attempt at a
// folder goes by that listing instead of asking the source again, while the plan is fresh
// and the listings kept stay small. Listing twice kept the destination idle for a fifth
// of a 10,000-message pass.
const (
	planKeepMessages = 50000
	planKeepFor      = 5 * time.Minute
)

// outline maps the folders and sizes each source folder up with STATUS (SIZE where the
// server has STATUS=SIZE, else the message count), to copy the largest first.
func (c *Copier) outline(ctx context.Context, s *session, opts Options) ([]folderPlan, error) {
	views, err := c.views(ctx, s, opts)
	if err != nil {
		return nil, err
	}
	var out []folderPlan
	var cmds []*imapclient.StatusCommand
	items := statusOptions(s.src) // unchanged.go: also what says a folder is unchanged
	for _, v := range views {
		if v.m.Excluded {
			continue
		}
		out = append(out, folderPlan{m: v.m, uids: v.uids, labelDelim: v.delim})
		var cmd *imapclient.StatusCommand
		if v.uids == nil { // a label's size is its message count, and it is never skipped as unchanged
			cmd = s.src.Status(v.m.Source, items)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if cmd == nil {
			out[i].size = int64(len(out[i].uids))
			continue
		}
		st, err := cmd.Wait()
		if err != nil {
			return nil, fmt.Errorf("status of %q on the source: %w", out[i].m.Source, err)
		}
		out[i].status = st
		switch {
		case st.Size != nil:
			out[i].size = *st.Size
		case st.NumMessages != nil:
			out[i].size = int64(*st.NumMessages)
		}
	}
	return out, nil
}

// destDelim is the destination's hierarchy delimiter, "/" when it has no folders yet.
func destDelim(dst []Folder) string {
	for _, f := range dst {
		if f.Delim != "" {
			return f.Delim
		}
	}
	return "/"
}

// sourceState is a source folder examined: its messages, the ledger of it, what is to do.
type sourceState struct {
	dest        string // the destination folder it is mapped to
	uidValidity uint32
	msgs        []srcMsg
	ledger      map[imap.UID]Entry
	todo        []srcMsg
	inScope     int
}

// scanSource EXAMINEs a mapped source folder (read-only) and lists its messages (those
// of only, when set) against the ledger.
func (c *Copier) scanSource(ctx context.Context, src *Conn, m Mapping, only map[imap.UID]bool, opts Options) (*sourceState, error) {
	folder := m.Source
	sel, err := src.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("examine %q on the source: %w", folder, err)
	}
	st := &sourceState{uidValidity: sel.UIDValidity, dest: m.Dest}
	switch {
	case sel.NumMessages == 0:
	case only != nil:
		st.msgs, err = listUIDs(src, folder, only)
	default:
		st.msgs, err = listMessages(src, folder)
	}
	if err != nil {
		return nil, err
	}
	return st, c.refresh(ctx, st, folder, opts)
}

// refresh reads the ledger of a listed folder and works out what is left to do. A message
// the ledger has in another destination folder than the mapping's now (the mapping
// changed: a rule, or a folder an older version merged by a guess) is to do again, into
// the folder where it belongs; its old copy is left where it is.
func (c *Copier) refresh(ctx context.Context, st *sourceState, folder string, opts Options) error {
	var err error
	st.ledger, err = c.Ledger.Copied(ctx, c.Job, folder, st.uidValidity)
	if err != nil {
		return err
	}
	st.todo, st.inScope = nil, 0
	for _, m := range st.msgs {
		if !opts.Cutoff.IsZero() && !m.Date.Before(opts.Cutoff) {
			continue
		}
		st.inScope++
		if !st.copied(m.UID) {
			st.todo = append(st.todo, m)
		}
	}
	return nil
}

// copied reports whether the ledger has the message copied into the folder's destination.
func (st *sourceState) copied(uid imap.UID) bool {
	e, ok := st.ledger[uid]
	return ok && (e.DestFolder == st.dest || st.dest == "")
}

// listMessages fetches UID, FLAGS, INTERNALDATE and RFC822.SIZE of every message of the
// selected folder.
func listMessages(c *Conn, folder string) ([]srcMsg, error) {
	return listFrom(c, folder, 1)
}

// listUIDs lists the messages of the selected folder with those UIDs (the ones still
// there), a thousand to a command so that no command line grows long.
func listUIDs(c *Conn, folder string, only map[imap.UID]bool) ([]srcMsg, error) {
	uids := make([]imap.UID, 0, len(only))
	for u := range only {
		uids = append(uids, u)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	var out []srcMsg
	for _, part := range chunks(uids, 1000) {
		err := fetchSet(c, imap.UIDSetNum(part...), &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true},
			func(b *imapclient.FetchMessageBuffer) {
				out = append(out, srcMsg{UID: b.UID, Flags: b.Flags, Date: b.InternalDate, Size: b.RFC822Size})
			})
		if err != nil {
			return nil, fmt.Errorf("list messages of %q: %w", folder, err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

// listFrom lists the messages of the selected folder whose UID is from on.
func listFrom(c *Conn, folder string, from imap.UID) ([]srcMsg, error) {
	// "from:*" names the last message even when its UID is below from (RFC 3501 §6.4.8).
	out, err := collectList(c.Fetch(imap.UIDSet{imap.UIDRange{Start: from, Stop: 0}}, listItems), from)
	if err != nil {
		return nil, fmt.Errorf("list messages of %q: %w", folder, err)
	}
	return out, nil
}

// listItems are what a listing fetches of each message.
var listItems = &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true}

// collectList reads the answer to a listing FETCH: the messages whose UID is from on, by UID.
func collectList(cmd *imapclient.FetchCommand, from imap.UID) ([]srcMsg, error) {
	var out []srcMsg
	err := drain(cmd, func(b *imapclient.FetchMessageBuffer) {
		if b.UID >= from {
			out = append(out, srcMsg{UID: b.UID, Flags: b.Flags, Date: b.InternalDate, Size: b.RFC822Size})
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, err
}
