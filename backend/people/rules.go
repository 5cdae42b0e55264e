package people

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What the rules expect, as messages say it.
const (
	ExpectedAddress = "an email address such as alice@example.com"
	ExpectedLogin   = "a login without spaces, control or invisible characters, such as alice@old.example or alice"
)

// ValidAddress checks an addr-spec (RFC 5322 §3.4.1, dot-atom form): a local part of
// atext characters and single dots, '@', and a domain that ValidDomain accepts.
// Quoted local parts and address literals, which no mailbox of a business uses, are
// refused.
func ValidAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 254 || !utf8.ValidString(s) {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r) || r > 0x7f && visible(r)) {
			return false
		}
	}
	return ValidDomain(domain)
}

// ValidDomain checks a mail domain, the one rule for the domain of an address and for
// a project's domains: at least two labels of letters, digits and inner hyphens, each
// of 1 to 63 bytes and 253 in all (RFC 5321 §4.1.2, RFC 1035 §2.3.4), letters beyond
// ASCII allowed for internationalised domains (RFC 6531), and a last label that is not
// all digits (RFC 3696 §2: "10.0.0.1" is an IP address, not a domain). No trailing dot:
// a caller that accepts one trims it first.
func ValidDomain(s string) bool {
	if len(s) > 253 || !utf8.ValidString(s) {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r > 0x7f && visible(r)) {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// Domain is the part of an address after its last '@' ("" without one).
func Domain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// LocalPart is the part of an address before its last '@' (the whole of it without one).
func LocalPart(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i]
}

// SameAddress reports whether a and b name the same mailbox. Addresses compare without
// regard to case: RFC 5321 §2.4 lets a server tell local parts apart by case, but no
// mail system a business migrates between does, and the store keys them so.
func SameAddress(a, b string) bool { return strings.EqualFold(a, b) }

// LoginFault says why s cannot be a mailbox login on a server — "contains a no-break
// space (U+00A0) at character 5" — or returns "" when it can. A login (an IMAP userid,
// RFC 9051 §6.2.3, or a SASL authentication identity, RFC 4616) is typed once and sent
// as is: a space, a control character or an invisible one (a no-break space or a
// zero-width space pasted from a spreadsheet or a web page, a byte order mark) makes a
// login that looks right and never signs in, so it is refused wherever a login is taken.
func LoginFault(s string) string {
	if s == "" {
		return "is empty"
	}
	pos := 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Sprintf("contains a byte that is not UTF-8 text at character %d", pos)
			}
		}
		if !visible(r) {
			return fmt.Sprintf("contains %s (U+%04X) at character %d", describe(r), r, pos)
		}
	}
	return ""
}

// visible reports whether r shows as a mark of its own: not a space or separator, a
// control character, a format character (zero-width spaces and joiners, the byte order
// mark, the soft hyphen, direction marks) or a private-use code point.
func visible(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.In(r, unicode.Z, unicode.C)
}

// names of the invisible characters people actually paste.
var names = map[rune]string{
	' ':      "a space",
	'\t':     "a tab",
	'\n':     "a line break",
	'\r':     "a carriage return",
	'\u00a0': "a no-break space",
	'\u00ad': "a soft hyphen",
	'\u2007': "a figure space",
	'\u200b': "a zero-width space",
	'\u200c': "a zero-width non-joiner",
	'\u200d': "a zero-width joiner",
	'\u200e': "a left-to-right mark",
	'\u200f': "a right-to-left mark",
	'\u2028': "a line separator",
	'\u2060': "a word joiner",
	'\u202f': "a narrow no-break space",
	'\u3000': "an ideographic space",
	'\ufeff': "a byte order mark",
}

func describe(r rune) string {
	if n, ok := names[r]; ok {
		return n
	}
	switch {
	case unicode.IsSpace(r) || unicode.In(r, unicode.Z):
		return "a space character"
	case unicode.IsControl(r):
		return "a control character"
	case unicode.In(r, unicode.Cf):
		return "an invisible formatting character"
	}
	return "a character with no visible form"
}
