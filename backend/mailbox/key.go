package mailbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// Message identity. Two messages are "the same" when they carry the same Message-ID
// (RFC 5322 §3.6.4); a message without one is identified by the hash of its whole header
// section and its size, never by an empty key. Matching counts copies (a multiset): two
// identical messages in a source folder need two at the destination.

// messageIDKey is the key of a message whose Message-ID is id ("" when it has none).
func messageIDKey(id string) string {
	id = strings.TrimSpace(id)
	if id == "" || id == "<>" {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return "m:" + hex.EncodeToString(sum[:16])
}

// headerKey identifies a message without a Message-ID by its header bytes and size.
func headerKey(header []byte, size int64) string {
	sum := sha256.Sum256(header)
	return fmt.Sprintf("h:%s:%d", hex.EncodeToString(sum[:16]), size)
}

// headerField returns the unfolded value of the first field called name in a header
// block (as BODY[HEADER.FIELDS (...)] returns it, or a whole header section), or "".
func headerField(header []byte, name string) string {
	var val []byte
	found := false
	for len(header) > 0 {
		l := header
		if i := bytes.IndexByte(header, '\n'); i >= 0 {
			l, header = header[:i], header[i+1:]
		} else {
			header = nil
		}
		l = bytes.TrimRight(l, "\r")
		if found {
			if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
				val = append(val, ' ')
				val = append(val, bytes.TrimSpace(l)...)
				continue
			}
			break
		}
		i := bytes.IndexByte(l, ':')
		if i <= 0 || l[0] == ' ' || l[0] == '\t' {
			continue // not a field, or the folded line of another one
		}
		if f := bytes.TrimSpace(l[:i]); len(f) == len(name) && strings.EqualFold(string(f), name) {
			found = true
			val = append(val, bytes.TrimSpace(l[i+1:])...)
		}
	}
	return strings.TrimSpace(strings.ReplaceAll(string(val), "\r", " "))
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeSubject decodes RFC 2047 encoded words; raw 8-bit bytes that are not UTF-8 are
// shown as Latin-1, the most common case.
func decodeSubject(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	if !utf8.ValidString(s) {
		r := make([]rune, 0, len(s))
		for i := 0; i < len(s); i++ {
			r = append(r, rune(s[i]))
		}
		s = string(r)
	}
	return s
}

// headerTap passes a message through and keeps its header section (up to headerTapMax
// bytes), so that the key and subject of a streamed message need no second read.
type headerTap struct {
	r    io.Reader
	buf  []byte
	done bool // the header ended, or is too long to keep
	full bool // buf holds the whole header section
}

const headerTapMax = 64 << 10

func (t *headerTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if !t.done && n > 0 {
		from := max(len(t.buf)-2, 0)
		t.buf = append(t.buf, p[:min(n, headerTapMax-len(t.buf))]...)
		if end := headerEnd(t.buf, from); end >= 0 {
			t.buf, t.done, t.full = t.buf[:end], true, true
		} else if len(t.buf) >= headerTapMax {
			t.buf, t.done = nil, true
		}
	}
	return n, err
}

// headerEnd is the length of the header section of b (through its empty line), looking
// for the empty line from offset from on; -1 when b does not hold it yet.
func headerEnd(b []byte, from int) int {
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return 2
	}
	if bytes.HasPrefix(b, []byte("\n")) {
		return 1
	}
	for i := from; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// key is the message's key and subject from its header: no key when the header was not
// seen whole or has no Message-ID (the whole-header key needs BODY[HEADER] as the server
// gives it, which messageKeys reads).
func (t *headerTap) key() keyInfo {
	if !t.full {
		return keyInfo{}
	}
	return keyInfo{key: messageIDKey(headerField(t.buf, "Message-ID")), subject: decodeSubject(headerField(t.buf, "Subject"))}
}
