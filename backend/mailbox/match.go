package mailbox

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// keyInfo is what identifies a message, and its subject for reports.
type keyInfo struct {
	key     string
	subject string
}

var (
	sectionIDSubject = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Message-ID", "Subject"}, Peek: true}
	sectionHeader    = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	sectionBody      = &imap.FetchItemBodySection{Peek: true}
)

// messageKeys computes the identity key of the given messages of the selected folder: the
// Message-ID where there is one, else the hash of the whole header and the size.
func messageKeys(c *Conn, uids []imap.UID) (map[imap.UID]keyInfo, error) {
	out := make(map[imap.UID]keyInfo, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	sizes := map[imap.UID]int64{}
	var noID []imap.UID
	err := fetchEach(c, uids, 2000, &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{sectionIDSubject}},
		func(b *imapclient.FetchMessageBuffer) {
			h := b.FindBodySection(sectionIDSubject)
			ki := keyInfo{key: messageIDKey(headerField(h, "Message-ID")), subject: decodeSubject(headerField(h, "Subject"))}
			if ki.key == "" {
				noID = append(noID, b.UID)
				sizes[b.UID] = b.RFC822Size
			}
			out[b.UID] = ki
		})
	if err != nil {
		return nil, err
	}
	err = fetchEach(c, noID, 500, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sectionHeader}},
		func(b *imapclient.FetchMessageBuffer) {
			ki := out[b.UID]
			ki.key = headerKey(b.FindBodySection(sectionHeader), sizes[b.UID])
			out[b.UID] = ki
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fetchEach runs a UID FETCH of uids, chunk at a time, and hands each message to f.
func fetchEach(c *Conn, uids []imap.UID, chunk int, opts *imap.FetchOptions, f func(*imapclient.FetchMessageBuffer)) error {
	for _, part := range chunks(uids, chunk) {
		if err := fetchSet(c, imap.UIDSetNum(part...), opts, f); err != nil {
			return err
		}
	}
	return nil
}

// fetchSet runs one FETCH of set and hands each message to f.
func fetchSet(c *Conn, set imap.NumSet, opts *imap.FetchOptions, f func(*imapclient.FetchMessageBuffer)) error {
	return drain(c.Fetch(set, opts), f)
}

// drain hands each message of a FETCH sent to f.
func drain(cmd *imapclient.FetchCommand, f func(*imapclient.FetchMessageBuffer)) error {
	for {
		m := cmd.Next()
		if m == nil {
			break
		}
		b, err := m.Collect()
		if err != nil {
			cmd.Close()
			return err
		}
		f(b)
	}
	return cmd.Close()
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// settle waits until the destination folder stops growing (UIDNEXT unchanged over half a
// second, at most half a minute) and selects it again: a server goes on with the commands
// it had received from a connection that broke, or from a process that was killed.
func settle(ctx context.Context, dst *Conn, folder string) (*imap.SelectData, error) {
	const poll = 250 * time.Millisecond
	var last imap.UID
	stable := 0
	for i := 0; i < 120 && stable < 2; i++ {
		st, err := dst.Status(folder, &imap.StatusOptions{UIDNext: true}).Wait()
		if err != nil {
			return nil, fmt.Errorf("status of %q on the destination: %w", folder, err)
		}
		if st.UIDNext == last {
			stable++
		} else {
			stable, last = 0, st.UIDNext
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	sel, err := dst.Select(folder, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("select %q on the destination: %w", folder, err)
	}
	return sel, nil
}

// matchExisting counts the copies already at the destination (an earlier manual copy, a
// run whose ledger batch was lost in a crash) and records them instead of appending.
func (r *folderRun) matchExisting(ctx context.Context) ([]srcMsg, error) {
	dmsgs, err := listMessages(r.s.dst, r.fp.m.Dest)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	return r.match(ctx, dmsgs, r.st.todo, false)
}

// recoverUncertain looks for the messages whose APPEND a broken connection left
// unanswered, among the destination's messages at or above the mark that the ledger does
// not account for, and records those it finds. It reads the headers of those few only,
// on both sides.
func (r *folderRun) recoverUncertain(ctx context.Context) ([]srcMsg, error) {
	fp := r.fp
	dmsgs, err := listFrom(r.s.dst, fp.m.Dest, fp.mark)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	if len(dmsgs) == 0 {
		return r.st.todo, nil // none of them landed
	}
	uids := make([]imap.UID, len(fp.uncertain))
	for i, m := range fp.uncertain {
		uids[i] = m.UID
	}
	if r.keys, err = messageKeys(r.s.src, uids); err != nil {
		return nil, fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
	}
	found, err := r.match(ctx, dmsgs, fp.uncertain, true)
	if err != nil {
		return nil, err
	}
	still := map[imap.UID]bool{}
	for _, m := range found {
		still[m.UID] = true
	}
	var todo []srcMsg
	for _, m := range r.st.todo {
		if !r.isUncertain(m.UID) || still[m.UID] {
			todo = append(todo, m)
		}
	}
	r.keys = nil // the others' keys come from the streamed headers
	return todo, nil
}

func (r *folderRun) isUncertain(uid imap.UID) bool {
	for _, m := range r.fp.uncertain {
		if m.UID == uid {
			return true
		}
	}
	return false
}

// match pairs candidates (source messages not in the ledger, with their keys in r.keys)
// with the destination messages dmsgs that the ledger does not account for, by message
// key and as a multiset (two identical messages need two copies), records the pairs and
// returns the candidates left unpaired. sentHere says the candidates are messages this
// run appended without an answer: the copies found are then counted as copied by this run
// (a first run that lost a connection still reports each message once, as copied), not
// as found at the destination already.
func (r *folderRun) match(ctx context.Context, dmsgs []srcMsg, candidates []srcMsg, sentHere bool) ([]srcMsg, error) {
	c, fp, st := r.c, r.fp, r.st
	claims, err := c.Ledger.DestClaims(ctx, c.Job, fp.m.Dest, fp.m.Source, st.uidValidity)
	if err != nil {
		return nil, err
	}
	// available[key]: destination copies not yet accounted for by the ledger.
	claimed := map[imap.UID]bool{}
	unknownClaims := map[string]int{}
	for k, us := range claims {
		for _, u := range us {
			if u == 0 {
				unknownClaims[k]++
			} else {
				claimed[u] = true
			}
		}
	}
	// Only the copies the ledger does not know by their destination UID (RFC 4315) are
	// read: after a complete pass into a folder that is all of them but the few that came
	// from elsewhere, instead of every header of the folder.
	var duids []imap.UID
	for _, m := range dmsgs {
		if !claimed[m.UID] {
			duids = append(duids, m.UID)
		}
	}
	dkeys, err := messageKeys(r.s.dst, duids)
	if err != nil {
		return nil, fmt.Errorf("read headers of %q on the destination: %w", fp.m.Dest, err)
	}
	available := map[string][]imap.UID{}
	for _, m := range dmsgs {
		if claimed[m.UID] {
			continue
		}
		k := dkeys[m.UID].key
		available[k] = append(available[k], m.UID)
	}
	for k, n := range unknownClaims {
		if l := available[k]; len(l) > 0 {
			if n > len(l) {
				n = len(l)
			}
			available[k] = l[:len(l)-n]
		}
	}
	var left []srcMsg
	var matched []Entry
	var matchedBytes int64
	for _, m := range candidates {
		k := r.keys[m.UID].key
		if l := available[k]; k != "" && len(l) > 0 {
			available[k] = l[1:]
			matched = append(matched, Entry{Job: c.Job, Folder: fp.m.Source, UIDValidity: st.uidValidity, UID: m.UID, Key: k,
				DestFolder: fp.m.Dest, DestUID: l[0], Flags: flagStrings(m.Flags), Size: m.Size, Matched: true})
			matchedBytes += m.Size
			continue
		}
		left = append(left, m)
	}
	// What is left without a Message-ID may be at the destination under another header:
	// servers that store messages their own way (Exchange, Gmail) add and rewrite header
	// fields, so the header hash no longer matches. Such copies are placed by their order.
	if pairs := r.placeByOrder(matching{candidates: candidates, left: left, matched: matched, dest: dmsgs, available: available}); len(pairs) > 0 {
		placed := map[imap.UID]bool{}
		for _, p := range pairs {
			m := p.msg
			matched = append(matched, Entry{Job: c.Job, Folder: fp.m.Source, UIDValidity: st.uidValidity, UID: m.UID, Key: r.keys[m.UID].key,
				DestFolder: fp.m.Dest, DestUID: p.dest, Flags: flagStrings(m.Flags), Size: m.Size, Matched: true})
			matchedBytes += m.Size
			placed[m.UID] = true
		}
		c.Log.Info("messages without a Message-ID found at the destination by their place among the others", "job", c.Job, "folder", fp.m.Source, "count", len(pairs))
		kept := left[:0]
		for _, m := range left {
			if !placed[m.UID] {
				kept = append(kept, m)
			}
		}
		left = kept
	}
	if len(matched) > 0 {
		if sentHere {
			for i := range matched {
				matched[i].Matched = false
			}
		}
		if err := c.record(ctx, matched); err != nil {
			return nil, err
		}
		if sentHere {
			r.fr.Copied += len(matched)
			r.fr.CopiedBytes += matchedBytes
		} else {
			r.fr.Matched += len(matched)
		}
		r.tr.add(len(matched), matchedBytes, 0)
	}
	return left, nil
}

// matching is where a match stands: the source candidates, those left unpaired, the
// pairs made, the destination's messages listed and those still unaccounted for by key.
type matching struct {
	candidates, left []srcMsg
	matched          []Entry
	dest             []srcMsg
	available        map[string][]imap.UID
}

// placed is a source message found at a destination UID.
type placed struct {
	msg  srcMsg
	dest imap.UID
}

// placeByOrder finds where messages without a Message-ID landed when their header hash
// does not match (the destination rewrote their header). Within a folder Cutover appends
// in UID order on one connection, and a destination numbers what it saves in the order it
// saves it, so the copies lie in the same order as the originals. Anchors are the pairs
// known for sure (the ledger's, and the matches by Message-ID just made); between two
// anchors, the unmatched source messages must all be without a Message-ID and exactly as
// many as the unaccounted destination messages without one: then they pair in order.
// After the last anchor, the copies that landed are the first ones sent: they pair with
// the first source messages if none of those has a Message-ID (it would be an anchor).
// It is used only where the destination is seen rewriting what it stores (an anchor's copy
// has another size than the original): on a server that stores the bytes it is given, a
// header hash that does not match means another message (a draft written at the
// destination), never a copy. Nothing before the first anchor is placed (messages that
// were there before the copy), and anything that does not fit exactly is left to be
// appended: a duplicate is recoverable, a message taken for copied when it is not would
// be lost.
func (r *folderRun) placeByOrder(mt matching) []placed {
	st, dest, keys := r.st, r.fp.m.Dest, r.keys
	candidates, left, matched, dmsgs := mt.candidates, mt.left, mt.matched, mt.dest
	var unkeyed []imap.UID
	for k, l := range mt.available {
		if !strings.HasPrefix(k, "m:") {
			unkeyed = append(unkeyed, l...)
		}
	}
	if len(unkeyed) == 0 || len(left) == 0 {
		return nil
	}
	type anchor struct {
		src, dst imap.UID
		size     int64
	}
	var anchors []anchor
	for uid, e := range st.ledger {
		if e.DestFolder == dest && e.DestUID != 0 {
			anchors = append(anchors, anchor{uid, e.DestUID, e.Size})
		}
	}
	for _, e := range matched {
		anchors = append(anchors, anchor{e.UID, e.DestUID, e.Size})
	}
	destSize := make(map[imap.UID]int64, len(dmsgs))
	for _, m := range dmsgs {
		destSize[m.UID] = m.Size
	}
	rewrites := false
	for _, a := range anchors {
		if n, ok := destSize[a.dst]; ok && n != a.size {
			rewrites = true
			break
		}
	}
	if !rewrites || len(anchors) == 0 {
		return nil
	}
	sort.Slice(anchors, func(i, j int) bool { return anchors[i].src < anchors[j].src })
	for i := 1; i < len(anchors); i++ {
		if anchors[i].dst <= anchors[i-1].dst {
			return nil // not in order: nothing can be placed by it
		}
	}
	isLeft := map[imap.UID]bool{}
	for _, m := range left {
		isLeft[m.UID] = true
	}
	sort.Slice(unkeyed, func(i, j int) bool { return unkeyed[i] < unkeyed[j] })
	sorted := append([]srcMsg(nil), candidates...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].UID < sorted[j].UID })

	var out []placed
	// Gaps between anchors, and after the last one.
	for g := 1; g <= len(anchors); g++ {
		lo, dlo := imap.UID(0), imap.UID(0)
		if g > 0 {
			lo, dlo = anchors[g-1].src, anchors[g-1].dst
		}
		last := g == len(anchors)
		var src []srcMsg
		for _, m := range sorted {
			if m.UID > lo && (last || m.UID < anchors[g].src) && isLeft[m.UID] {
				src = append(src, m)
			}
		}
		var dst []imap.UID
		for _, u := range unkeyed {
			if u > dlo && (last || u < anchors[g].dst) {
				dst = append(dst, u)
			}
		}
		if len(dst) == 0 || len(src) < len(dst) {
			continue
		}
		if !last && len(src) != len(dst) {
			continue
		}
		src = src[:len(dst)]
		exact := true
		for _, m := range src {
			if strings.HasPrefix(keys[m.UID].key, "m:") {
				exact = false // a message with a Message-ID did not land: the order does not hold
			}
		}
		if !exact {
			continue
		}
		for i, m := range src {
			out = append(out, placed{msg: m, dest: dst[i]})
		}
	}
	return out
}
