// Package corpus generates the benchmark's reproducible mailbox: the same seed and size give
// the same messages, byte for byte, on every machine. Messages follow RFC 5322 (CRLF line
// endings, Date, Message-ID mostly present), attachments are MIME multipart (RFC 2045/2046)
// with base64 bodies; folder names are hierarchical and one is non-ASCII, stored the way
// Dovecot's Maildir++ layout names it (modified UTF-7, RFC 3501 section 5.1.3).
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Folder is one folder of the corpus with its share of the messages.
type Folder struct {
	// Path is the folder's hierarchy, e.g. ["Archive", "2024"]; ["INBOX"] is the inbox.
	Path   []string
	Weight int
}

// Name joins the folder's path with sep (the server's hierarchy delimiter).
func (f Folder) Name(sep string) string { return strings.Join(f.Path, sep) }

// Folders of the corpus; "Reçus" is the non-ASCII one.
var Folders = []Folder{
	{Path: []string{"INBOX"}, Weight: 35},
	{Path: []string{"Sent"}, Weight: 18},
	{Path: []string{"Archive"}, Weight: 10},
	{Path: []string{"Archive", "2024"}, Weight: 10},
	{Path: []string{"Projects"}, Weight: 7},
	{Path: []string{"Projects", "Acme"}, Weight: 5},
	{Path: []string{"Reçus"}, Weight: 6},
	{Path: []string{"Newsletters"}, Weight: 9},
}

// Options size the corpus.
type Options struct {
	Messages int    // how many messages (default 10,000)
	Seed     uint64 // same seed, same corpus
	// End is the newest possible date; dates spread over the two years before it.
	// Default 2026-11-01 00:00 UTC (fixed, so the corpus does not depend on today).
	End time.Time
}

// Message is one generated message.
type Message struct {
	Index  int
	Folder int      // index into Folders
	Flags  []string // IMAP system flags: \Seen, \Flagged, \Answered
	Date   time.Time
	Body   []byte // the whole RFC 5322 message, CRLF line endings
}

const (
	attachmentPermille = 5 // 0.5 % of messages carry a 200 KB – 2 MB attachment
	noIDPermille       = 5 // 0.5 % have no Message-ID
	duplicatePermille  = 3 // 0.3 % are an exact copy of the previous message of their folder
	twoYears           = 730 * 24 * time.Hour
)

var words = strings.Fields(`the a of to and in for on with at by from as is was be are meeting invoice
order shipment project budget report draft review approve quarter schedule customer supplier
account payment contract delivery update question answer thanks regards please attached
proposal estimate deadline Monday Tuesday Wednesday Thursday Friday team office warehouse
training migration server password calendar lunch agenda minutes follow call tomorrow week
month price quote discount tax receipt total balance due overdue reminder confirm cancel`)

var names = []string{"Alice Martin", "Bob Tremblay", "Chloé Roy", "David Gagnon", "Émilie Côté",
	"Frank Leblanc", "Grace Bouchard", "Hugo Morin", "Inès Pelletier", "Jack Lavoie"}

// Generate calls fn with each message in order. The Message and its Body are reused
// only if fn keeps no reference; Generate allocates a fresh body for every message.
func Generate(opts Options, fn func(m *Message) error) error {
	if opts.Messages <= 0 {
		return fmt.Errorf("corpus: messages must be positive, got %d", opts.Messages)
	}
	if opts.End.IsZero() {
		opts.End = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	total := 0
	for _, f := range Folders {
		total += f.Weight
	}
	last := make(map[int]*Message) // previous message of each folder, for duplicates
	for i := 0; i < opts.Messages; i++ {
		folder := pickFolder(r, total)
		if prev := last[folder]; prev != nil && r.IntN(1000) < duplicatePermille {
			dup := &Message{Index: i, Folder: folder, Flags: prev.Flags, Date: prev.Date, Body: prev.Body}
			if err := fn(dup); err != nil {
				return err
			}
			continue
		}
		m := &Message{Index: i, Folder: folder}
		m.Date = opts.End.Add(-time.Duration(r.Int64N(int64(twoYears)))).Truncate(time.Second)
		if Folders[folder].Path[0] == "Sent" || r.IntN(100) < 75 {
			m.Flags = append(m.Flags, `\Seen`)
			if r.IntN(100) < 12 {
				m.Flags = append(m.Flags, `\Answered`)
			}
		}
		if r.IntN(100) < 5 {
			m.Flags = append(m.Flags, `\Flagged`)
		}
		m.Body = body(r, i, m.Date, opts.Seed)
		last[folder] = m
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

func pickFolder(r *rand.Rand, total int) int {
	n := r.IntN(total)
	for i, f := range Folders {
		if n < f.Weight {
			return i
		}
		n -= f.Weight
	}
	return 0
}

func body(r *rand.Rand, i int, date time.Time, seed uint64) []byte {
	attach := r.IntN(1000) < attachmentPermille
	textSize := 2048 + r.IntN(18*1024) // 2–20 KB
	attSize := 0
	if attach {
		textSize = 600 + r.IntN(2000)
		attSize = 200*1024 + r.IntN(1800*1024) // 200 KB – 2 MB of encoded attachment
	}
	b := make([]byte, 0, textSize+attSize+1024)
	from, to := names[r.IntN(len(names))], names[r.IntN(len(names))]
	addr := func(n string) string {
		return strings.ToLower(strings.NewReplacer(" ", ".", "é", "e", "É", "e", "ô", "o", "è", "e").Replace(n)) + "@example.com"
	}
	b = fmt.Appendf(b, "Return-Path: <%s>\r\n", addr(from))
	b = fmt.Appendf(b, "From: %s <%s>\r\n", encodeWord(from), addr(from))
	b = fmt.Appendf(b, "To: %s <%s>\r\n", encodeWord(to), addr(to))
	b = fmt.Appendf(b, "Subject: %s %s #%d\r\n", capitalize(words[20+r.IntN(len(words)-20)]), words[20+r.IntN(len(words)-20)], i)
	b = fmt.Appendf(b, "Date: %s\r\n", date.In(time.FixedZone("", -5*3600)).Format(time.RFC1123Z))
	if r.IntN(1000) >= noIDPermille {
		b = fmt.Appendf(b, "Message-ID: <%d.%d.%x@bench.example.com>\r\n", seed, i, r.Uint32())
	}
	b = append(b, "MIME-Version: 1.0\r\n"...)
	boundary := fmt.Sprintf("=_bench_%d_%x", i, r.Uint32())
	if attach {
		b = fmt.Appendf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
		b = fmt.Appendf(b, "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n", boundary)
	}
	b = append(b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"...)
	b = text(r, b, textSize)
	if attach {
		b = fmt.Appendf(b, "\r\n--%s\r\nContent-Type: application/pdf; name=\"scan-%d.pdf\"\r\n", boundary, i)
		b = fmt.Appendf(b, "Content-Disposition: attachment; filename=\"scan-%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
		b = base64Lines(r, b, attSize)
		b = fmt.Appendf(b, "--%s--\r\n", boundary)
	}
	return b
}

// text appends about n bytes of words in lines of at most 76 characters.
func text(r *rand.Rand, b []byte, n int) []byte {
	start, line := len(b), 0
	for len(b)-start < n {
		w := words[r.IntN(len(words))]
		if line > 0 && line+1+len(w) > 76 {
			b = append(b, '\r', '\n')
			line = 0
		} else if line > 0 {
			b = append(b, ' ')
			line++
		}
		b = append(b, w...)
		line += len(w)
	}
	return append(b, '\r', '\n')
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// base64Lines appends n bytes of random base64 text in 76-character lines (random bytes,
// encoded: the attachment does not compress).
func base64Lines(r *rand.Rand, b []byte, n int) []byte {
	for written := 0; written < n; {
		v := r.Uint64()
		for k := 0; k < 10 && written < n; k++ { // 6 bits each
			b = append(b, b64[v&63])
			v >>= 6
			written++
			if written%76 == 0 {
				b = append(b, '\r', '\n')
			}
		}
	}
	return append(b, '\r', '\n')
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// encodeWord writes a display name as an RFC 2047 encoded word when it is not ASCII.
func encodeWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			var q strings.Builder
			for j := 0; j < len(s); j++ {
				c := s[j]
				switch {
				case c == ' ':
					q.WriteByte('_')
				case c < 0x80 && c != '=' && c != '?' && c != '_':
					q.WriteByte(c)
				default:
					fmt.Fprintf(&q, "=%02X", c)
				}
			}
			return "=?utf-8?q?" + q.String() + "?="
		}
	}
	return s
}
