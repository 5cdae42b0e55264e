package provider

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/emersion/go-imap/v2"
)

// ParseGmailFetch reads one untagged FETCH response line of a "UID FETCH set (X-GM-MSGID
// X-GM-LABELS)" — go-imap's client cannot ask for these items, so the engine sends that
// command itself and hands each "* n FETCH (...)" line here. Labels are astrings (atoms such
// as \Inbox, or quoted strings) in modified UTF-7 (RFC 3501 §5.1.3), decoded here. Other
// items in the line are skipped. A label sent as a literal is refused: ask for labels in a
// FETCH of their own so that lines stay short.
func ParseGmailFetch(line string) (LabeledMessage, error) {
	var m LabeledMessage
	s := strings.TrimRight(line, "\r\n")
	rest, ok := strings.CutPrefix(s, "* ")
	if !ok {
		return m, fmt.Errorf("gmail fetch %q: expected a line starting with \"* \"", clip(s))
	}
	if i := strings.IndexByte(rest, ' '); i < 0 || !strings.HasPrefix(strings.ToUpper(rest[i+1:]), "FETCH (") {
		return m, fmt.Errorf("gmail fetch %q: expected \"* n FETCH (\"", clip(s))
	} else {
		rest = rest[i+len(" FETCH ("):]
	}
	p := &fetchParser{s: rest}
	for {
		p.space()
		if p.eat(')') {
			break
		}
		name := strings.ToUpper(p.atom())
		if name == "" {
			return m, fmt.Errorf("gmail fetch %q: expected an item name at %d", clip(s), len(s)-len(p.s))
		}
		p.space()
		switch name {
		case "UID":
			n, err := strconv.ParseUint(p.atom(), 10, 32)
			if err != nil || n == 0 {
				return m, fmt.Errorf("gmail fetch %q: UID is not a number", clip(s))
			}
			m.UID = imap.UID(n)
		case "X-GM-MSGID":
			n, err := strconv.ParseUint(p.atom(), 10, 64)
			if err != nil {
				return m, fmt.Errorf("gmail fetch %q: X-GM-MSGID is not a number", clip(s))
			}
			m.MsgID = n
		case "X-GM-LABELS":
			labels, err := p.labels()
			if err != nil {
				return m, fmt.Errorf("gmail fetch %q: X-GM-LABELS: %w", clip(s), err)
			}
			m.Labels = labels
		default:
			if err := p.skipValue(); err != nil {
				return m, fmt.Errorf("gmail fetch %q: %s: %w", clip(s), name, err)
			}
		}
	}
	if m.UID == 0 || m.MsgID == 0 {
		return m, fmt.Errorf("gmail fetch %q: expected UID and X-GM-MSGID", clip(s))
	}
	return m, nil
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

type fetchParser struct{ s string }

func (p *fetchParser) space() { p.s = strings.TrimLeft(p.s, " ") }

func (p *fetchParser) eat(c byte) bool {
	if len(p.s) > 0 && p.s[0] == c {
		p.s = p.s[1:]
		return true
	}
	return false
}

// atom reads up to a space or parenthesis (backslash allowed: \Inbox).
func (p *fetchParser) atom() string {
	i := strings.IndexAny(p.s, " ()\"{")
	if i < 0 {
		i = len(p.s)
	}
	a := p.s[:i]
	p.s = p.s[i:]
	return a
}

func (p *fetchParser) quoted() (string, error) {
	var b strings.Builder
	for i := 1; i < len(p.s); i++ {
		switch c := p.s[i]; c {
		case '\\':
			if i+1 >= len(p.s) {
				return "", fmt.Errorf("unterminated quoted string")
			}
			i++
			b.WriteByte(p.s[i])
		case '"':
			p.s = p.s[i+1:]
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated quoted string")
}

func (p *fetchParser) labels() ([]string, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("expected a list")
	}
	var out []string
	for {
		p.space()
		switch {
		case p.eat(')'):
			return out, nil
		case len(p.s) == 0:
			return nil, fmt.Errorf("unterminated list")
		case p.s[0] == '"':
			q, err := p.quoted()
			if err != nil {
				return nil, err
			}
			out = append(out, decodeMUTF7(q))
		case p.s[0] == '{':
			return nil, fmt.Errorf("a label sent as a literal")
		default:
			a := p.atom()
			if a == "" {
				return nil, fmt.Errorf("unexpected %q", p.s[:1])
			}
			if strings.EqualFold(a, "NIL") {
				continue
			}
			out = append(out, decodeMUTF7(a))
		}
	}
}

// skipValue skips one item value: an atom, a quoted string or a parenthesised list (nested).
func (p *fetchParser) skipValue() error {
	switch {
	case len(p.s) == 0:
		return fmt.Errorf("missing value")
	case p.s[0] == '"':
		_, err := p.quoted()
		return err
	case p.s[0] == '{':
		return fmt.Errorf("literal values are not read here")
	case p.s[0] == '(':
		p.s = p.s[1:]
		for {
			p.space()
			if p.eat(')') {
				return nil
			}
			if len(p.s) == 0 {
				return fmt.Errorf("unterminated list")
			}
			if err := p.skipValue(); err != nil {
				return err
			}
		}
	}
	if p.atom() == "" {
		return fmt.Errorf("unexpected %q", p.s[:1])
	}
	return nil
}

// decodeMUTF7 undoes IMAP's modified UTF-7 (RFC 3501 §5.1.3): "&" starts base64 of UTF-16BE
// with "," for "/", "-" ends it, "&-" is "&". Invalid input is returned as it came.
func decodeMUTF7(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			b.WriteByte(s[i])
			continue
		}
		j := strings.IndexByte(s[i+1:], '-')
		if j < 0 {
			return s
		}
		enc := s[i+1 : i+1+j]
		i += j + 1
		if enc == "" {
			b.WriteByte('&')
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(strings.ReplaceAll(enc, ",", "/"))
		if err != nil || len(raw)%2 != 0 {
			return s
		}
		u := make([]uint16, len(raw)/2)
		for k := range u {
			u[k] = uint16(raw[2*k])<<8 | uint16(raw[2*k+1])
		}
		b.WriteString(string(utf16.Decode(u)))
	}
	return b.String()
}
