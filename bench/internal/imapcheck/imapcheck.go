// Package imapcheck reads every folder of an IMAP mailbox (RFC 3501: LIST, EXAMINE, FETCH
// BODY.PEEK[] FLAGS INTERNALDATE — read-only) into a snapshot of per-message hashes, and
// compares two snapshots: the benchmark's check that a destination holds exactly the
// source's messages, folder by folder.
package imapcheck

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Folder is what one folder holds. Folder names use "/" as hierarchy delimiter whatever
// the server's is, so source and destination compare.
type Folder struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Bytes int64  `json:"bytes"`
	// Messages counts each distinct message: body SHA-256 and system flags.
	Messages map[string]int `json:"-"`
	// Dates counts body SHA-256 and INTERNALDATE pairs.
	Dates map[string]int `json:"-"`
	// TUIDs counts messages carrying an X-TUID header: mbsync adds one to every message
	// it copies, to find it again. Hashes leave that header line out (the corpus has none),
	// so such a copy still compares equal, and the alteration is reported.
	TUIDs int `json:"tuids,omitempty"`
}

// hashMessage writes the message to h without any X-TUID header line and returns the
// message's size as served and whether it had such a line.
func hashMessage(h io.Writer, r io.Reader) (int64, bool, error) {
	br := bufio.NewReaderSize(r, 32*1024)
	var n int64
	tuid := false
	for {
		line, err := br.ReadSlice('\n')
		n += int64(len(line))
		if len(line) > 0 {
			if len(line) >= 7 && strings.EqualFold(string(line[:7]), "X-TUID:") {
				tuid = true
			} else {
				h.Write(line)
			}
		}
		if err == bufio.ErrBufferFull {
			break // a header line longer than the buffer: the rest is copied as is
		}
		if err == io.EOF {
			return n, tuid, nil
		}
		if err != nil {
			return n, tuid, err
		}
		if len(line) <= 2 && strings.TrimRight(string(line), "\r\n") == "" {
			break // end of the header
		}
	}
	m, err := io.Copy(h, br)
	return n + m, tuid, err
}

// Snapshot is a whole mailbox.
type Snapshot struct {
	Folders map[string]*Folder `json:"folders"`
}

// Totals returns the messages and bytes of the snapshot.
func (s *Snapshot) Totals() (n int, bytes int64) {
	for _, f := range s.Folders {
		n += f.Count
		bytes += f.Bytes
	}
	return
}

// Account is where to log in (plain IMAP: the benchmark runs on loopback).
type Account struct {
	Addr, User, Password string
}

// keptFlags are the flags compared: what every tool carries over.
var keptFlags = []imap.Flag{imap.FlagSeen, imap.FlagFlagged, imap.FlagAnswered, imap.FlagDraft, imap.FlagDeleted}

func flagKey(flags []imap.Flag) string {
	var out []string
	for _, k := range keptFlags {
		for _, f := range flags {
			if strings.EqualFold(string(f), string(k)) {
				out = append(out, string(k))
				break
			}
		}
	}
	return strings.Join(out, " ")
}

func dial(a Account) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(a.Addr, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", a.Addr, err)
	}
	if err := c.Login(a.User, a.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in to %s as %s: %w", a.Addr, a.User, err)
	}
	return c, nil
}

// Take reads every folder of the account with up to conns connections.
func Take(ctx context.Context, a Account, conns int) (*Snapshot, error) {
	if conns < 1 {
		conns = 1
	}
	c, err := dial(a)
	if err != nil {
		return nil, err
	}
	list, err := c.List("", "*", nil).Collect()
	c.Logout().Wait()
	c.Close()
	if err != nil {
		return nil, fmt.Errorf("list folders of %s: %w", a.User, err)
	}
	snap := &Snapshot{Folders: map[string]*Folder{}}
	jobs := make(chan *imap.ListData)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < conns && w < len(list); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *imapclient.Client
			defer func() {
				if c != nil {
					c.Logout().Wait()
					c.Close()
				}
			}()
			for l := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if c == nil {
					var err error
					if c, err = dial(a); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						continue
					}
				}
				f, err := readFolder(c, l)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if f != nil {
					snap.Folders[f.Name] = f
				}
				mu.Unlock()
			}
		}()
	}
	for _, l := range list {
		if hasAttr(l.Attrs, imap.MailboxAttrNoSelect) || hasAttr(l.Attrs, imap.MailboxAttrNonExistent) {
			continue
		}
		jobs <- l
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return snap, firstErr
}

func hasAttr(attrs []imap.MailboxAttr, a imap.MailboxAttr) bool {
	for _, x := range attrs {
		if strings.EqualFold(string(x), string(a)) {
			return true
		}
	}
	return false
}

// CanonicalName writes a folder name with "/" as hierarchy delimiter.
func CanonicalName(name string, delim rune) string {
	if delim == 0 || delim == '/' {
		return name
	}
	return strings.ReplaceAll(name, string(delim), "/")
}

func readFolder(c *imapclient.Client, l *imap.ListData) (*Folder, error) {
	f := &Folder{Name: CanonicalName(l.Mailbox, l.Delim), Messages: map[string]int{}, Dates: map[string]int{}}
	sel, err := c.Select(l.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("examine %q: %w", l.Mailbox, err)
	}
	if sel.NumMessages == 0 {
		return f, nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	body := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(all, &imap.FetchOptions{Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{body}})
	defer cmd.Close()
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var flags []imap.Flag
		var date time.Time
		var sum string
		var size int64
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch it := item.(type) {
			case imapclient.FetchItemDataFlags:
				flags = it.Flags
			case imapclient.FetchItemDataInternalDate:
				date = it.Time
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil {
					continue
				}
				h := sha256.New()
				n, tuid, err := hashMessage(h, it.Literal)
				if err != nil {
					return nil, fmt.Errorf("fetch %q message %d: %w", l.Mailbox, msg.SeqNum, err)
				}
				if tuid {
					f.TUIDs++
				}
				size = n
				sum = hex.EncodeToString(h.Sum(nil)[:16])
			}
		}
		f.Count++
		f.Bytes += size
		f.Messages[sum+" "+flagKey(flags)]++
		f.Dates[sum+" "+date.UTC().Format(time.RFC3339)]++
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("fetch %q: %w", l.Mailbox, err)
	}
	return f, nil
}

// Diff is how a destination differs from its source.
type Diff struct {
	// Problems make the copy wrong: a folder missing or with other messages (by body or
	// flags). Empty when the destination holds exactly the source's messages.
	Problems []string `json:"problems,omitempty"`
	// DatesDiffer counts messages whose INTERNALDATE was not kept (reported, not wrong).
	DatesDiffer int `json:"datesDiffer"`
	// Altered counts destination messages with an X-TUID header the source lacks
	// (reported, not wrong: mbsync's tracking header).
	Altered int `json:"altered"`
}

// OK reports whether the copy is exact.
func (d Diff) OK() bool { return len(d.Problems) == 0 }

// Compare checks that dst holds exactly src's messages per folder. Folders empty on both
// sides (or missing on one and empty on the other) are equal.
func Compare(src, dst *Snapshot) Diff {
	var d Diff
	names := map[string]bool{}
	for n := range src.Folders {
		names[n] = true
	}
	for n := range dst.Folders {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	empty := &Folder{Messages: map[string]int{}, Dates: map[string]int{}}
	for _, n := range sorted {
		s, t := src.Folders[n], dst.Folders[n]
		if s == nil {
			s = empty
		}
		if t == nil {
			if s.Count > 0 {
				d.Problems = append(d.Problems, fmt.Sprintf("%s: folder missing at the destination (%d messages at the source)", n, s.Count))
				continue
			}
			t = empty
		}
		if s.Count != t.Count {
			d.Problems = append(d.Problems, fmt.Sprintf("%s: %d messages at the source, %d at the destination", n, s.Count, t.Count))
			continue
		}
		if missing, extra := multisetDiff(bodies(s.Messages), bodies(t.Messages)); missing+extra > 0 {
			d.Problems = append(d.Problems, fmt.Sprintf("%s: %d source messages not found byte for byte (%d unexpected at the destination)", n, missing, extra))
			continue
		}
		if missing, _ := multisetDiff(s.Messages, t.Messages); missing > 0 {
			d.Problems = append(d.Problems, fmt.Sprintf("%s: %d messages with other flags than at the source (%s)", n, missing, flagSample(s.Messages, t.Messages)))
			continue
		}
		m, _ := multisetDiff(s.Dates, t.Dates)
		d.DatesDiffer += m
		d.Altered += max(0, t.TUIDs-s.TUIDs)
	}
	return d
}

// bodies drops the flags from message keys.
func bodies(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, n := range m {
		h, _, _ := strings.Cut(k, " ")
		out[h] += n
	}
	return out
}

// flagSample describes one message whose flags differ: "source \Seen, destination none".
func flagSample(src, dst map[string]int) string {
	for k, n := range src {
		if dst[k] >= n {
			continue
		}
		h, sf, _ := strings.Cut(k, " ")
		for k2 := range dst {
			if h2, df, _ := strings.Cut(k2, " "); h2 == h && src[k2] < dst[k2] {
				return fmt.Sprintf("e.g. source %s, destination %s", orNone(sf), orNone(df))
			}
		}
	}
	return "?"
}

func orNone(s string) string {
	if s == "" {
		return "no flags"
	}
	return s
}

// multisetDiff counts what a has that b lacks, and the reverse.
func multisetDiff(a, b map[string]int) (missing, extra int) {
	for k, n := range a {
		if b[k] < n {
			missing += n - b[k]
		}
	}
	for k, n := range b {
		if a[k] < n {
			extra += n - a[k]
		}
	}
	return
}
