package mailbox

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Folder is one folder of a mailbox as LIST shows it. Names are UTF-8: go-imap decodes
// and encodes modified UTF-7 (RFC 3501 §5.1.3) on the wire.
type Folder struct {
	Name       string `json:"name"`
	Delim      string `json:"delim"`
	SpecialUse string `json:"specialUse,omitempty"` // \Sent, \Drafts, \Trash, \Junk, \Archive, \All, \Flagged
	NoSelect   bool   `json:"noSelect,omitempty"`
}

// specialUses are the RFC 6154 attributes we map by.
var specialUses = []imap.MailboxAttr{imap.MailboxAttrSent, imap.MailboxAttrDrafts, imap.MailboxAttrTrash,
	imap.MailboxAttrJunk, imap.MailboxAttrArchive, imap.MailboxAttrAll, imap.MailboxAttrFlagged}

// ListFolders lists every folder of the connection's mailbox.
func ListFolders(c *Conn) ([]Folder, error) {
	// RETURN (SPECIAL-USE) needs the extension; plain LIST also shows the attributes on
	// servers that have it (Dovecot, Gmail, Exchange).
	var opts *imap.ListOptions
	if c.Caps().Has(imap.CapSpecialUse) && c.Caps().Has(imap.CapListExtended) {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	data, err := c.List("", "*", opts).Collect()
	if err != nil {
		return nil, fmt.Errorf("list folders of %s on %s: %w", c.User, c.Server.Addr(), err)
	}
	out := make([]Folder, 0, len(data))
	for _, d := range data {
		f := Folder{Name: d.Mailbox}
		if d.Delim != 0 {
			f.Delim = string(d.Delim)
		}
		for _, a := range d.Attrs {
			switch {
			case strings.EqualFold(string(a), string(imap.MailboxAttrNoSelect)), strings.EqualFold(string(a), string(imap.MailboxAttrNonExistent)):
				f.NoSelect = true
			}
			for _, su := range specialUses {
				if strings.EqualFold(string(a), string(su)) && f.SpecialUse == "" {
					f.SpecialUse = string(su)
				}
			}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return folderLess(out[i].Name, out[j].Name) })
	return out, nil
}

// folderLess sorts INBOX first, then by name.
func folderLess(a, b string) bool {
	ai, bi := strings.EqualFold(a, "INBOX"), strings.EqualFold(b, "INBOX")
	if ai != bi {
		return ai
	}
	return a < b
}

// Rule is a user's folder rule: source folders matching Pattern (a path.Match glob on the
// name with "/" as separator, e.g. "Archive/2019*" or "Public/*") are excluded, or renamed
// to Target ("$1"-free: the matched prefix is replaced when Pattern ends with "/*").
type Rule struct {
	Pattern string `json:"pattern"`
	Action  string `json:"action"` // "exclude" or "rename"
	Target  string `json:"target,omitempty"`
}

// Mapping is where one source folder goes.
type Mapping struct {
	Source     string `json:"source"`
	Dest       string `json:"dest"` // with the destination's delimiter
	SpecialUse string `json:"specialUse,omitempty"`
	Reason     string `json:"reason"` // "special-use", "well-known name", "same name", "rule", "excluded"
	Excluded   bool   `json:"excluded,omitempty"`
	Exists     bool   `json:"exists"` // the destination folder exists already
}

// wellKnown maps lower-case folder names used by providers to the special use they mean.
var wellKnown = map[string]string{
	"sent": `\Sent`, "sent items": `\Sent`, "sent messages": `\Sent`, "sent mail": `\Sent`, "[gmail]/sent mail": `\Sent`,
	"inbox/sent": `\Sent`, "gesendete objekte": `\Sent`, "éléments envoyés": `\Sent`, "envoyés": `\Sent`, "elementos enviados": `\Sent`,
	"drafts": `\Drafts`, "draft": `\Drafts`, "[gmail]/drafts": `\Drafts`, "inbox/drafts": `\Drafts`, "entwürfe": `\Drafts`, "brouillons": `\Drafts`, "borradores": `\Drafts`,
	"trash": `\Trash`, "deleted items": `\Trash`, "deleted messages": `\Trash`, "deleted": `\Trash`, "bin": `\Trash`, "[gmail]/trash": `\Trash`, "[gmail]/bin": `\Trash`,
	"inbox/trash": `\Trash`, "gelöschte elemente": `\Trash`, "papierkorb": `\Trash`, "éléments supprimés": `\Trash`, "corbeille": `\Trash`, "elementos eliminados": `\Trash`,
	"junk": `\Junk`, "junk e-mail": `\Junk`, "junk email": `\Junk`, "spam": `\Junk`, "[gmail]/spam": `\Junk`, "inbox/junk": `\Junk`, "inbox/spam": `\Junk`, "bulk mail": `\Junk`,
	"junk-e-mail": `\Junk`, "courrier indésirable": `\Junk`, "correo no deseado": `\Junk`,
	"archive": `\Archive`, "archives": `\Archive`, "inbox/archive": `\Archive`, "archiv": `\Archive`,
	"[gmail]/all mail": `\All`, "[gmail]/starred": `\Flagged`,
}

// canonical turns a folder name into "/"-separated form, the INBOX prefix of servers that
// keep every folder under INBOX ("INBOX.Sent") removed.
func canonical(name, delim string) string {
	n := name
	if delim != "" && delim != "/" {
		n = strings.ReplaceAll(n, "/", "\x00") // a "/" inside a name is not a separator here
		n = strings.ReplaceAll(n, delim, "/")
	}
	return n
}

// withDelim turns a "/"-separated name into one with delim.
func withDelim(name, delim string) string {
	if delim == "" || delim == "/" {
		return strings.ReplaceAll(name, "\x00", "/")
	}
	// A destination name cannot contain its own delimiter inside a level: replace it.
	parts := strings.Split(name, "/")
	for i, p := range parts {
		p = strings.ReplaceAll(p, delim, "_")
		parts[i] = strings.ReplaceAll(p, "\x00", "/")
	}
	return strings.Join(parts, delim)
}

// MapFolders plans where each source folder goes: special-use attributes first, then
// well-known names across providers, then the same name, with the hierarchy delimiter
// translated; the user's rules apply before all of them. Folders that cannot be selected
// (\Noselect) are left out. dst is the destination's current folder list (it may be
// empty), dstDelim its delimiter.
func MapFolders(src []Folder, dst []Folder, dstDelim string, rules []Rule) []Mapping {
	if dstDelim == "" {
		dstDelim = "/"
	}
	bySpecial := map[string]string{}
	exists := map[string]bool{}
	for _, f := range dst {
		exists[f.Name] = true
		if strings.EqualFold(f.Name, "INBOX") {
			exists["INBOX"] = true
		}
		if f.SpecialUse != "" && bySpecial[f.SpecialUse] == "" {
			bySpecial[f.SpecialUse] = f.Name
		}
	}
	defaults := map[string]string{`\Sent`: "Sent", `\Drafts`: "Drafts", `\Trash`: "Trash", `\Junk`: "Junk", `\Archive`: "Archive"}
	var out []Mapping
	for _, f := range src {
		if f.NoSelect {
			continue
		}
		canon := canonical(f.Name, f.Delim)
		m := Mapping{Source: f.Name, SpecialUse: f.SpecialUse}
		if r, ok := matchRule(rules, canon); ok {
			if r.Action == "exclude" {
				m.Excluded, m.Reason = true, "excluded by rule "+r.Pattern
				out = append(out, m)
				continue
			}
			m.Dest, m.Reason = withDelim(renamed(r, canon), dstDelim), "rule "+r.Pattern
		}
		if m.Dest == "" && strings.EqualFold(canon, "INBOX") {
			m.Dest, m.Reason = "INBOX", "inbox"
		}
		use := f.SpecialUse
		if use == "" {
			use = wellKnown[strings.ToLower(strings.ReplaceAll(canon, "\x00", "/"))]
			if use != "" && m.Dest == "" {
				m.Reason = "well-known name"
			}
		} else if m.Dest == "" {
			m.Reason = "special-use " + use
		}
		if m.Dest == "" && use != "" && use != `\All` && use != `\Flagged` {
			m.SpecialUse = use
			if d := bySpecial[use]; d != "" {
				m.Dest = d
			} else if d := defaults[use]; d != "" {
				m.Dest = d
			}
		}
		if m.Dest == "" {
			name := canon
			// "INBOX.Work" on a server that keeps everything under INBOX becomes "Work".
			if strings.HasPrefix(strings.ToUpper(name), "INBOX/") {
				name = name[len("INBOX/"):]
			}
			m.Dest, m.Reason = withDelim(name, dstDelim), "same name"
		}
		m.Exists = exists[m.Dest]
		out = append(out, m)
	}
	return out
}

func matchRule(rules []Rule, canon string) (Rule, bool) {
	name := strings.ReplaceAll(canon, "\x00", "/")
	for _, r := range rules {
		if ok, _ := path.Match(r.Pattern, name); ok {
			return r, true
		}
		if strings.HasSuffix(r.Pattern, "/*") && strings.HasPrefix(name, strings.TrimSuffix(r.Pattern, "*")) {
			return r, true
		}
		if strings.EqualFold(r.Pattern, name) {
			return r, true
		}
	}
	return Rule{}, false
}

// renamed applies a rename rule: with a "prefix/*" pattern the prefix is replaced by the
// target, keeping the rest of the path; otherwise the folder is named Target.
func renamed(r Rule, canon string) string {
	if strings.HasSuffix(r.Pattern, "/*") {
		prefix := strings.TrimSuffix(r.Pattern, "*")
		if strings.HasPrefix(canon, prefix) {
			return strings.TrimSuffix(r.Target, "/") + "/" + canon[len(prefix):]
		}
	}
	return r.Target
}

// ValidateRule checks a rule as the user typed it.
func ValidateRule(r Rule) error {
	if _, err := path.Match(r.Pattern, ""); err != nil || strings.TrimSpace(r.Pattern) == "" {
		return &InputError{Field: "pattern", Value: r.Pattern, Expected: `a folder name or glob such as "Archive/*" or "Old*"`}
	}
	switch r.Action {
	case "exclude":
	case "rename":
		if strings.TrimSpace(r.Target) == "" {
			return &InputError{Field: "target", Value: r.Target, Expected: "the destination folder name of a rename rule"}
		}
	default:
		return &InputError{Field: "action", Value: r.Action, Expected: `"exclude" or "rename"`}
	}
	return nil
}

// InputError is a bad value the user gave, naming the field.
type InputError struct {
	Field, Value, Expected string
}

func (e *InputError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: missing; expected %s", e.Field, e.Expected)
	}
	return fmt.Sprintf("%s: %q is not valid; expected %s", e.Field, e.Value, e.Expected)
}

// InputError marks this as the user's bad input.
func (e *InputError) InputError() bool { return true }
