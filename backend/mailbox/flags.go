package mailbox

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func flagStrings(fl []imap.Flag) []string {
	out := make([]string, 0, len(fl))
	for _, f := range appendFlags(fl) {
		out = append(out, string(f))
	}
	sort.Strings(out)
	return out
}

// flagSync is a change of flags at the source since a message was copied.
type flagSync struct {
	entry       Entry
	add, remove []imap.Flag
	current     []string
}

func flagChanges(st *sourceState) []flagSync {
	var out []flagSync
	for _, m := range st.msgs {
		e, ok := st.ledger[m.UID]
		if !ok || e.DestUID == 0 || !st.copied(m.UID) {
			continue // a copy in another folder than the one selected: its UID means nothing here
		}
		now := flagStrings(m.Flags)
		add, remove := diff(now, e.Flags)
		if len(add) == 0 && len(remove) == 0 {
			continue
		}
		out = append(out, flagSync{entry: e, add: toFlags(add), remove: toFlags(remove), current: now})
	}
	return out
}

func diff(now, before []string) (add, remove []string) {
	had := map[string]bool{}
	for _, f := range before {
		had[strings.ToLower(f)] = true
	}
	has := map[string]bool{}
	for _, f := range now {
		has[strings.ToLower(f)] = true
		if !had[strings.ToLower(f)] {
			add = append(add, f)
		}
	}
	for _, f := range before {
		if !has[strings.ToLower(f)] {
			remove = append(remove, f)
		}
	}
	return add, remove
}

func toFlags(s []string) []imap.Flag {
	out := make([]imap.Flag, len(s))
	for i, f := range s {
		out[i] = imap.Flag(f)
	}
	return out
}

// syncFlags brings flag changes made at the source to the destination copies, adding and
// removing only what changed so flags set at the destination meanwhile are kept.
func (c *Copier) syncFlags(ctx context.Context, dst *Conn, syncs []flagSync) (int, error) {
	var cmds []*imapclient.FetchCommand
	for _, s := range syncs {
		set := imap.UIDSetNum(s.entry.DestUID)
		if len(s.add) > 0 {
			cmds = append(cmds, dst.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: s.add}, nil))
		}
		if len(s.remove) > 0 {
			cmds = append(cmds, dst.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: s.remove}, nil))
		}
	}
	var firstErr error
	for _, cmd := range cmds {
		if err := cmd.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return 0, fmt.Errorf("update flags on the destination: %w", firstErr)
	}
	entries := make([]Entry, len(syncs))
	for i, s := range syncs {
		entries[i] = s.entry
		entries[i].Flags = s.current
	}
	if err := c.Ledger.UpdateFlags(ctx, entries); err != nil {
		return 0, err
	}
	return len(syncs), nil
}
