package mailbox

import (
	"context"
	"fmt"
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
		cmd := c.Fetch(imap.UIDSetNum(part...), opts)
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
		if err := cmd.Close(); err != nil {
			return err
		}
	}
	return nil
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

// settle waits until the destination folder stops growing (UIDNEXT unchanged for a
// second, at most a minute) and selects it again.
func settle(ctx context.Context, dst *Conn, folder string) (*imap.SelectData, error) {
	var last imap.UID
	stable := 0
	for i := 0; i < 60 && stable < 2; i++ {
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
		case <-time.After(500 * time.Millisecond):
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
func (c *Copier) matchExisting(ctx context.Context, s *session, st *sourceState, fp *folderPlan, keys map[imap.UID]keyInfo, fr *FolderResult, tr *tracker) ([]srcMsg, error) {
	dmsgs, err := listMessages(s.dst, fp.m.Dest)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	duids := make([]imap.UID, len(dmsgs))
	for i, m := range dmsgs {
		duids[i] = m.UID
	}
	dkeys, err := messageKeys(s.dst, duids)
	if err != nil {
		return nil, fmt.Errorf("read headers of %q on the destination: %w", fp.m.Dest, err)
	}
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
	var todo []srcMsg
	var matched []Entry
	var matchedBytes int64
	for _, m := range st.todo {
		k := keys[m.UID].key
		if l := available[k]; k != "" && len(l) > 0 {
			available[k] = l[1:]
			matched = append(matched, Entry{Job: c.Job, Folder: fp.m.Source, UIDValidity: st.uidValidity, UID: m.UID, Key: k,
				DestFolder: fp.m.Dest, DestUID: l[0], Flags: flagStrings(m.Flags), Size: m.Size, Matched: true})
			matchedBytes += m.Size
			continue
		}
		todo = append(todo, m)
	}
	if len(matched) > 0 {
		if err := c.record(ctx, matched); err != nil {
			return nil, err
		}
		fr.Matched += len(matched)
		tr.add(len(matched), matchedBytes, 0)
	}
	return todo, nil
}
