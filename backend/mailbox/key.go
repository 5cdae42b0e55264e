package mailbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
// block (as BODY[HEADER.FIELDS (...)] returns it), or "".
func headerField(header []byte, name string) string {
	lines := bytes.Split(header, []byte("\n"))
	var val []byte
	found := false
	for _, l := range lines {
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
		if i <= 0 {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(string(l[:i])), name) {
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
