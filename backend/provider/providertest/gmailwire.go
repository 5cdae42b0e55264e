package providertest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
)

// imapserver refuses FETCH items it does not know, so the Gmail fake serves X-GM-MSGID and
// X-GM-LABELS on the wire: a FETCH asking for them reaches imapserver without them (and with
// UID), and each FETCH response of that command gets them back after its UID. Only what a
// copy engine needs: the items in a FETCH or UID FETCH of the selected mailbox. X-GM-THRID is
// stripped and not answered.

var (
	fetchCmd  = regexp.MustCompile(`(?i)^(\S+ (?:UID )?FETCH \S+ )(.*)\r\n$`)
	gmItem    = regexp.MustCompile(`(?i)\s*\bX-GM-(MSGID|LABELS|THRID)\b`)
	selectCmd = regexp.MustCompile(`(?i)^\S+ (?:SELECT|EXAMINE) ("(?:[^"\\]|\\.)*"|\S+)`)
	fetchResp = regexp.MustCompile(`\* (\d+) FETCH \(UID (\d+)`)
	uidItem   = regexp.MustCompile(`(?i)(^|\s)UID(\s|$)`)
	taggedEnd = regexp.MustCompile(`(?m)^[A-Za-z0-9.]+ (OK|NO|BAD) `)
)

// gmWire is the per-connection state of the rewriting.
type gmWire struct {
	mu       sync.Mutex
	g        *Gmail
	selected string
	active   bool // a FETCH with X-GM items is being answered
}

// command rewrites one complete client line.
func (w *gmWire) command(line []byte) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m := selectCmd.FindSubmatch(line); m != nil {
		name := string(m[1])
		if strings.HasPrefix(name, `"`) {
			if u, err := strconv.Unquote(name); err == nil {
				name = u
			}
		}
		w.selected = name
		return line
	}
	m := fetchCmd.FindSubmatch(line)
	if m == nil || !gmItem.Match(m[2]) {
		return line
	}
	items := strings.TrimSpace(gmItem.ReplaceAllString(string(m[2]), ""))
	items = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(items, "("), ")"))
	if !uidItem.MatchString(items) {
		items = strings.TrimSpace("UID " + items)
	}
	w.active = true
	return []byte(string(m[1]) + "(" + items + ")\r\n")
}

// response adds the X-GM items to the FETCH responses of an active command.
func (w *gmWire) response(p []byte) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.active {
		return p
	}
	out := fetchResp.ReplaceAllFunc(p, func(b []byte) []byte {
		m := fetchResp.FindSubmatch(b)
		uid, _ := strconv.ParseUint(string(m[2]), 10, 32)
		id, labels := w.g.lookup(w.selected, imap.UID(uid))
		return []byte(fmt.Sprintf("* %s FETCH (UID %s X-GM-MSGID %d X-GM-LABELS (%s)", m[1], m[2], id, labels))
	})
	if taggedEnd.Match(p) {
		w.active = false
	}
	return out
}

// labelList renders labels as Gmail does: system labels as atoms, the others quoted.
func labelList(labels []string) string {
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		if strings.HasPrefix(l, `\`) {
			parts = append(parts, l)
			continue
		}
		parts = append(parts, strconv.Quote(l))
	}
	return strings.Join(parts, " ")
}

// maxCommandLine is the longest line rewritten: longer ones are message data.
const maxCommandLine = 8192

// lineBuffer holds client bytes until a line is complete (every IMAP client transmission,
// literals included, ends with CRLF), so that commands are rewritten whole.
type lineBuffer struct {
	pending []byte
	scanned int // bytes of pending known to hold no '\n' (a long literal line is scanned once)
	ready   []byte
}

// feed adds read bytes; complete lines pass through rewrite.
func (b *lineBuffer) feed(p []byte, rewrite func([]byte) []byte) {
	b.pending = append(b.pending, p...)
	for {
		i := bytes.IndexByte(b.pending[b.scanned:], '\n')
		if i < 0 {
			b.scanned = len(b.pending)
			return
		}
		i += b.scanned
		line := append([]byte(nil), b.pending[:i+1]...)
		b.pending, b.scanned = b.pending[i+1:], 0
		if len(line) <= maxCommandLine {
			line = rewrite(line)
		}
		b.ready = append(b.ready, line...)
	}
}
