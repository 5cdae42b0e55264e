package sheets

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// The worksheet and shared-strings parts are read by one small state machine (streamRows,
// sharedStrings) over a stream of tokens. Two sources feed it: xmlScanner, a scanner of a
// part held in memory that handles the XML spreadsheet programs write (elements,
// attributes, the predefined and numeric entities, comments, processing instructions)
// about five times faster than encoding/xml; and encoding/xml's RawToken, for a part too
// big to hold or anything the scanner leaves alone (DOCTYPE, CDATA, a cut or malformed
// tag, a character XML 1.0 §2.2 forbids), which reads it or says precisely what is wrong.

// errSlowPath: the scanner met XML it does not handle; read the part with encoding/xml.
var errSlowPath = errors.New("the part needs the full XML decoder")

type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
)

// tokenReader yields a part's start tags, end tags and text, comments and the like skipped.
// A self-closing tag comes as a start and an end. Element names are local (no prefix).
type tokenReader interface {
	next() (tokKind, string, error)
	// attr is the value of the last start tag's attribute with that local name, or "".
	attr(local string) string
	// text is the last text token, entities decoded; valid until the next call to next.
	text() []byte
}

// stdTokens reads tokens with encoding/xml.
type stdTokens struct {
	d     *xml.Decoder
	start xml.StartElement
	txt   []byte
}

func newStdTokens(r io.Reader) *stdTokens { return &stdTokens{d: xml.NewDecoder(r)} }

func (s *stdTokens) next() (tokKind, string, error) {
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return 0, "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			s.start = t
			return tokStart, t.Name.Local, nil
		case xml.EndElement:
			return tokEnd, t.Name.Local, nil
		case xml.CharData:
			s.txt = t
			return tokText, "", nil
		}
	}
}

func (s *stdTokens) attr(local string) string { return attr(s.start, local) }
func (s *stdTokens) text() []byte             { return s.txt }

// rawAttr is one attribute of a start tag as written (value not yet decoded).
type rawAttr struct {
	local []byte
	value []byte
}

// xmlScanner reads tokens from a part held in memory.
type xmlScanner struct {
	b       []byte
	i       int
	attrs   []rawAttr
	txt     []byte
	scratch []byte
	endName string // a self-closing tag's end, returned by the next call
	pending bool
}

func newXMLScanner(b []byte) *xmlScanner {
	// A UTF-8 byte order mark may start a part (encoding/xml reads past it too).
	return &xmlScanner{b: bytes.TrimPrefix(b, []byte("\ufeff"))}
}

func (s *xmlScanner) attr(local string) string {
	for _, a := range s.attrs {
		if string(a.local) == local {
			v, _ := decodeXMLText(a.value, nil)
			return string(v)
		}
	}
	return ""
}

func (s *xmlScanner) text() []byte { return s.txt }

func (s *xmlScanner) next() (tokKind, string, error) {
	if s.pending {
		s.pending = false
		return tokEnd, s.endName, nil
	}
	for {
		if s.i >= len(s.b) {
			return 0, "", io.EOF
		}
		rest := s.b[s.i:]
		if rest[0] != '<' {
			j := bytes.IndexByte(rest, '<')
			if j < 0 {
				j = len(rest)
			}
			raw := rest[:j]
			s.txt, s.i = raw, s.i+j
			if !plainXMLText(raw) {
				t, ok := decodeXMLText(raw, s.scratch[:0])
				if !ok {
					return 0, "", errSlowPath
				}
				s.scratch, s.txt = t, t
			}
			return tokText, "", nil
		}
		if len(rest) < 2 {
			return 0, "", errSlowPath
		}
		switch rest[1] {
		case '?':
			j := bytes.Index(rest, []byte("?>"))
			if j < 0 || !plainDeclaration(rest[:j]) {
				return 0, "", errSlowPath
			}
			s.i += j + 2
			continue
		case '!':
			if !bytes.HasPrefix(rest, []byte("<!--")) {
				return 0, "", errSlowPath // DOCTYPE, CDATA
			}
			j := bytes.Index(rest[4:], []byte("--"))
			if j < 0 || 4+j+2 >= len(rest) || rest[4+j+2] != '>' {
				return 0, "", errSlowPath // unclosed, or "--" inside (XML 1.0 §2.5)
			}
			s.i += 4 + j + 3
			continue
		case '/':
			j := bytes.IndexByte(rest, '>')
			if j < 0 {
				return 0, "", errSlowPath
			}
			local, ok := xmlLocalName(bytes.TrimRight(rest[2:j], " \t\r\n"))
			if !ok {
				return 0, "", errSlowPath
			}
			s.i += j + 1
			return tokEnd, internName(local), nil
		}
		j := 1
		for j < len(rest) && !isXMLSpace(rest[j]) && rest[j] != '/' && rest[j] != '>' {
			j++
		}
		local, ok := xmlLocalName(rest[1:j])
		if !ok {
			return 0, "", errSlowPath
		}
		n, self, ok := s.scanAttrs(rest[j:])
		if !ok {
			return 0, "", errSlowPath
		}
		s.i += j + n
		name := internName(local)
		if self {
			s.pending, s.endName = true, name
		}
		return tokStart, name, nil
	}
}

// scanAttrs reads a start tag's attributes up to and including its '>': how many bytes
// that took, and whether the tag closes itself.
func (s *xmlScanner) scanAttrs(b []byte) (n int, self, ok bool) {
	s.attrs = s.attrs[:0]
	i := 0
	for {
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, false, false
		}
		switch b[i] {
		case '>':
			return i + 1, false, true
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				return i + 2, true, true
			}
			return 0, false, false
		}
		if i > 0 && !isXMLSpace(b[i-1]) {
			return 0, false, false // attributes must be separated by space
		}
		start := i
		for i < len(b) && !isXMLSpace(b[i]) && b[i] != '=' && b[i] != '>' && b[i] != '/' {
			i++
		}
		local, ok := xmlLocalName(b[start:i])
		if !ok {
			return 0, false, false
		}
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			return 0, false, false
		}
		i++
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '"' && b[i] != '\'' {
			return 0, false, false
		}
		q := b[i]
		i++
		vs := i
		for i < len(b) && b[i] != q {
			if b[i] == '<' {
				return 0, false, false
			}
			i++
		}
		if i >= len(b) {
			return 0, false, false
		}
		v := b[vs:i]
		i++
		if _, ok := decodeXMLText(v, nil); !ok {
			return 0, false, false
		}
		s.attrs = append(s.attrs, rawAttr{local: local, value: v})
	}
}

// internName gives the element names the readers act on without allocating; any other
// name is returned as "" (the readers ignore it).
func internName(b []byte) string {
	switch string(b) {
	case "row":
		return "row"
	case "c":
		return "c"
	case "v":
		return "v"
	case "is":
		return "is"
	case "t":
		return "t"
	case "r":
		return "r"
	case "rPh":
		return "rPh"
	case "si":
		return "si"
	case "f":
		return "f"
	}
	return ""
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// xmlLocalName checks a name of ASCII letters, digits, '_', '-' and '.' with at most one
// prefix, and returns its local part. Other names (legal but unseen in workbooks) go to
// encoding/xml.
func xmlLocalName(b []byte) ([]byte, bool) {
	local := b
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		if !plainName(b[:i]) {
			return nil, false
		}
		local = b[i+1:]
	}
	return local, plainName(local)
}

func plainName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// plainDeclaration reports an XML declaration of version 1.0 in UTF-8 (or no
// encoding), written as spreadsheet programs write it. Other processing instructions go
// to encoding/xml.
func plainDeclaration(pi []byte) bool {
	if !bytes.HasPrefix(pi, []byte("<?xml ")) || !bytes.Contains(pi, []byte(`version="1.0"`)) && !bytes.Contains(pi, []byte(`version='1.0'`)) {
		return false
	}
	for _, c := range pi {
		if c < 0x20 && !isXMLSpace(c) || c >= 0x80 {
			return false
		}
	}
	i := bytes.Index(pi, []byte("encoding"))
	if i < 0 {
		return true
	}
	v := bytes.ToLower(pi[i:])
	return bytes.Contains(v, []byte(`"utf-8"`)) || bytes.Contains(v, []byte(`'utf-8'`))
}

// decodeXMLText decodes character data or an attribute value as encoding/xml does:
// predefined and numeric entities, CR LF and lone CR read as LF (XML 1.0 §2.11), and
// characters outside XML's range refused. Text without any of these is returned as is.
func decodeXMLText(raw, out []byte) ([]byte, bool) {
	if plainXMLText(raw) {
		return raw, true
	}
	if bytes.Contains(raw, []byte("]]>")) {
		return nil, false // only allowed to end a CDATA section
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&':
			j := bytes.IndexByte(raw[i:], ';')
			if j < 0 {
				return nil, false
			}
			r, ok := xmlEntity(raw[i+1 : i+j])
			if !ok {
				return nil, false
			}
			out = utf8.AppendRune(out, r)
			i += j + 1
		case c == '\r':
			out = append(out, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c < 0x80:
			if c < 0x20 && c != '\t' && c != '\n' {
				return nil, false
			}
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 || !xmlChar(r) {
				return nil, false
			}
			out = append(out, raw[i:i+n]...)
			i += n
		}
	}
	return out, true
}

// plainXMLText reports text that reads as it is written: ASCII without '&', CR or ']'.
func plainXMLText(raw []byte) bool {
	for _, c := range raw {
		if c == '&' || c == '\r' || c == ']' || c >= 0x80 || c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}

func xmlEntity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || !xmlChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// xmlChar is XML 1.0's Char production (§2.2).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
