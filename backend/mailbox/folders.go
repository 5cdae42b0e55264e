package mailbox

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
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
	// Reason says why, for people: "special-use \Sent", "well-known name", "same name",
	// "inbox", "rule PATTERN", "excluded by rule PATTERN"; when a guess would have merged
	// the folder with another, why it did not and the name it keeps ("Drafts at the source
	// has \Drafts; Entwürfe keeps its name"); for a merge, "...; merged with X by rule P".
	Reason   string `json:"reason"`
	Excluded bool   `json:"excluded,omitempty"`
	// Label is set for a Gmail source: the messages of Source (All Mail) that carry this
	// label go to Dest, each message once whatever its other labels.
	Label  string `json:"label,omitempty"`
	Exists bool   `json:"exists"` // the destination folder exists already
	// MergedWith lists the other source folders that go to the same destination folder;
	// only a rename rule does that, and MergeRules names the rules (their patterns).
	MergedWith []string `json:"mergedWith,omitempty"`
	MergeRules []string `json:"mergeRules,omitempty"`
	// KeptApartFrom is the source folder this one would have been merged with by a guess
	// (it holds the destination name, or the special-use attribute the guess was about);
	// the folder keeps its own name, or one made unique, and Reason says so.
	KeptApartFrom string `json:"keptApartFrom,omitempty"`
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

// canonical turns a folder name into "/"-separated form; a "/" inside a level of a name
// with another delimiter becomes "\x00". (MapFolders drops the INBOX prefix of servers that
// keep every folder under INBOX, "INBOX.Sent", when it picks the own name.)
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

// MapFolders plans where each source folder goes; analyze, plan, copy and verify all map
// with it. The user's rules come first; then INBOX; then the source's RFC 6154 special-use
// attributes, to the destination's folder with the same attribute (or the usual English
// name); then well-known names across providers ("Sent Items", "Entwürfe"), and only for a
// use no source folder has as its attribute; then the folder's own name, with the
// hierarchy delimiter translated and the "INBOX." prefix of servers that keep every folder
// under INBOX dropped. Folders that cannot be selected (\Noselect) are left out. dst is the
// destination's current folder list (it may be empty), dstDelim its delimiter.
//
// Two source folders never go to one destination folder unless a rename rule sends them
// there: a rule's target is open to every folder whose destination it is, and each Mapping
// of such a merge names the others (MergedWith) and the rules (MergeRules). Otherwise the
// first claim on a name wins, names compared as a server that ignores case would (Unicode
// NFC, case folded: "Work" and "work" are one folder on many servers), in this order:
//
//  1. rules, then INBOX;
//  2. special-use attributes, use by use (\Sent, \Drafts, \Trash, \Junk, \Archive): of
//     several folders with the same attribute, the one whose own name is the target wins,
//     else the first by name (INBOX first, then byte order);
//  3. well-known names, the same way; a folder whose own name is the target wins over
//     every guess, so a guess never pushes a folder out of its own name;
//  4. own names: a name that is the source name with only the delimiter translated before
//     one that dropped "INBOX." or turned a "/" inside a name into a level, then by name;
//  5. a folder whose claims were all taken keeps its full name ("INBOX.Work" becomes
//     "INBOX/Work"), or has a "/" inside a name written "_" ("a_b"), or else gets the first
//     free " (2)", " (3)"... after its name; its Reason says which folder took its claim
//     and why, and KeptApartFrom names that folder.
//
// What the destination holds plays no part beyond the names of its special-use folders, so
// a re-run maps alike after the first run created the folders.
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
	target := func(use string) string {
		if d := bySpecial[use]; d != "" {
			return d
		}
		return defaultNames[use]
	}

	var all []*mapped
	for _, f := range src {
		if !f.NoSelect {
			all = append(all, newMapped(f, dstDelim))
		}
	}
	order := append([]*mapped(nil), all...)
	sort.SliceStable(order, func(i, j int) bool { return folderLess(order[i].Source, order[j].Source) })
	p := &planner{taken: map[string]*holder{}, next: map[string]int{}}

	// 1. Rules, then INBOX.
	for _, m := range order {
		r, ok := matchRule(rules, m.canon)
		if !ok {
			continue
		}
		if r.Action == "exclude" {
			m.Excluded, m.Reason, m.done = true, excludedByRule+r.Pattern, true
			continue
		}
		m.rule = r.Pattern
		p.take(m, withDelim(renamed(r, m.canon), dstDelim), "rule "+r.Pattern, "", true)
	}
	for _, m := range order {
		if !m.done && strings.EqualFold(m.canon, "INBOX") {
			p.claim(m, "INBOX", "inbox", "INBOX goes to INBOX")
		}
	}

	// 2. Special-use attributes.
	hasAttr := map[string]string{} // use → the source folder that has it, for the reasons
	for _, use := range mappedUses {
		for _, m := range order {
			if m.attr == use && hasAttr[use] == "" {
				hasAttr[use] = m.Source
			}
		}
		group := p.pending(order, func(m *mapped) bool { return m.attr == use })
		if len(group) == 0 {
			continue
		}
		t := target(use)
		win := pick(group, t)
		hasAttr[use] = win.Source
		if !p.claim(win, t, "special-use "+use, fmt.Sprintf("%s at the source has %s", win.Source, use)) {
			p.refuseAll(group, t)
			continue
		}
		for _, m := range group {
			if m != win {
				m.refused(fmt.Sprintf("%s at the source has %s too", win.Source, use), win.Source)
			}
		}
	}

	// 3. Well-known names, for uses no source folder has as its attribute.
	for _, use := range mappedUses {
		group := p.pending(order, func(m *mapped) bool { return m.guess == use })
		if len(group) == 0 {
			continue
		}
		if h := hasAttr[use]; h != "" {
			for _, m := range group {
				m.refused(fmt.Sprintf("%s at the source has %s", h, use), h)
			}
			continue
		}
		t := target(use)
		if o := p.pending(order, func(m *mapped) bool { return fold(m.own) == fold(t) }); len(o) > 0 && o[0].guess != use {
			// A folder already named so keeps its name; the guesses give way.
			own := byExactness(o)[0]
			if p.claim(own, own.own, "same name", fmt.Sprintf("%s goes to %s", own.Source, own.own)) {
				p.refuseAll(group, t)
				continue
			}
		}
		win := pick(group, t)
		if !p.claim(win, t, "well-known name", fmt.Sprintf("%s goes to %s", win.Source, t)) {
			p.refuseAll(group, t)
			continue
		}
		win.SpecialUse = use
		for _, m := range group {
			if m != win {
				m.refused(fmt.Sprintf("%s goes to %s", win.Source, t), win.Source)
			}
		}
	}

	// 4. Own names.
	var losers []*mapped
	for _, m := range byExactness(p.pending(order, func(*mapped) bool { return true })) {
		reason := "same name"
		if m.why != "" {
			reason = m.why + "; " + m.Source + " keeps its name"
		}
		if !p.claim(m, m.own, reason, fmt.Sprintf("%s goes to %s", m.Source, m.own)) {
			losers = append(losers, m)
		}
	}

	// 5. Names made unique.
	sort.SliceStable(losers, func(i, j int) bool { return folderLess(losers[i].Source, losers[j].Source) })
	for _, m := range losers {
		name := ""
		for _, c := range []string{m.full, m.flat} {
			if c != "" && p.taken[fold(c)] == nil {
				name = c
				break
			}
		}
		for name == "" {
			k := fold(m.own)
			p.next[k]++ // counted per name, so many folders of one name stay linear
			if c := fmt.Sprintf("%s (%d)", m.own, p.next[k]+1); p.taken[fold(c)] == nil {
				name = c
			}
		}
		p.take(m, name, m.why+"; "+m.Source+" becomes "+name, fmt.Sprintf("%s goes to %s", m.Source, name), false)
	}

	out := make([]Mapping, 0, len(all))
	for _, m := range all {
		if !m.Excluded {
			m.Exists = exists[m.Dest]
			if h := p.taken[fold(m.Dest)]; len(h.all) > 1 {
				m.merged(inOrder(all, h.all))
			}
		}
		out = append(out, m.Mapping)
	}
	return out
}

// mappedUses are the special uses MapFolders maps by, in the order they claim names.
var mappedUses = []string{`\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`}

// defaultNames are the names of special-use folders on a destination that has none.
var defaultNames = map[string]string{`\Sent`: "Sent", `\Drafts`: "Drafts", `\Trash`: "Trash", `\Junk`: "Junk", `\Archive`: "Archive"}

// mapped is one source folder while MapFolders decides where it goes.
type mapped struct {
	Mapping
	canon string // "/"-separated source name (canonical)
	own   string // its own name at the destination: INBOX. dropped, delimiter translated
	exact bool   // own is the source name with only the delimiter translated
	full  string // own name with INBOX. kept, when that differs
	flat  string // own name with a "/" inside a name written "_", when that differs
	attr  string // its special-use attribute
	guess string // the special use its well-known name suggests
	rule  string // pattern of the rename rule that names it
	done  bool
	why   string // why a claim of it was refused: the first such reason
}

func newMapped(f Folder, dstDelim string) *mapped {
	m := &mapped{Mapping: Mapping{Source: f.Name, SpecialUse: f.SpecialUse}, canon: canonical(f.Name, f.Delim), attr: f.SpecialUse}
	if f.SpecialUse == "" {
		m.guess = wellKnown[strings.ToLower(strings.ReplaceAll(m.canon, "\x00", "/"))]
	}
	name := m.canon
	// "INBOX.Work" on a server that keeps everything under INBOX becomes "Work".
	stripped := strings.HasPrefix(strings.ToUpper(name), "INBOX/")
	if stripped {
		name = name[len("INBOX/"):]
		m.full = withDelim(m.canon, dstDelim)
	}
	m.own = withDelim(name, dstDelim)
	split := dstDelim == "/" && strings.Contains(name, "\x00") // a "/" inside a name becomes a level
	replaced := dstDelim != "/" && strings.Contains(name, dstDelim)
	m.exact = !stripped && !split && !replaced
	if split {
		m.flat = withDelim(strings.ReplaceAll(name, "\x00", "_"), dstDelim)
	}
	return m
}

// inOrder lists the folders of group in the order of all.
func inOrder(all, group []*mapped) []*mapped {
	var out []*mapped
	for _, m := range all {
		if slices.Contains(group, m) {
			out = append(out, m)
		}
	}
	return out
}

// refused notes why a claim of the folder was refused, once: the first reason is the one
// that decided.
func (m *mapped) refused(why, by string) {
	if m.why == "" {
		m.why, m.KeptApartFrom = why, by
	}
}

// merged records that the folder shares its destination with the others of group, which
// only a rename rule does.
func (m *mapped) merged(group []*mapped) {
	var rules []string
	for _, o := range group {
		if o != m {
			m.MergedWith = append(m.MergedWith, o.Source)
		}
		if o.rule != "" && !slices.Contains(rules, o.rule) {
			rules = append(rules, o.rule)
		}
	}
	m.MergeRules = rules
	word := "rule"
	if len(rules) > 1 {
		word = "rules"
	}
	m.Reason += fmt.Sprintf("; merged with %s by %s %s", strings.Join(m.MergedWith, ", "), word, strings.Join(rules, ", "))
}

// planner holds the destination names claimed so far, by folded name.
type planner struct {
	taken map[string]*holder
	next  map[string]int // the last " (n)" tried after a name
}

// holder is who holds a destination name.
type holder struct {
	first *mapped
	why   string // "Gesendet at the source has \Sent", "Work goes to Work"
	rule  bool   // the target of a rename rule: folders whose destination it is join
	all   []*mapped
}

// take gives the folder a destination.
func (p *planner) take(m *mapped, dest, reason, why string, rule bool) {
	m.Dest, m.Reason, m.done = dest, reason, true
	k := fold(dest)
	if h := p.taken[k]; h != nil {
		h.all = append(h.all, m)
		return
	}
	p.taken[k] = &holder{first: m, why: why, rule: rule, all: []*mapped{m}}
}

// claim gives the folder dest unless another folder holds it (a rule's target excepted),
// and says whether it did; a refused folder learns why.
func (p *planner) claim(m *mapped, dest, reason, why string) bool {
	if h := p.taken[fold(dest)]; h != nil && !h.rule {
		m.refused(h.why, h.first.Source)
		return false
	}
	p.take(m, dest, reason, why, false)
	return true
}

// refuseAll tells each folder of group why dest is not theirs.
func (p *planner) refuseAll(group []*mapped, dest string) {
	if h := p.taken[fold(dest)]; h != nil {
		for _, m := range group {
			if m.Source != h.first.Source {
				m.refused(h.why, h.first.Source)
			}
		}
	}
}

// pending lists, in order, the folders without a destination yet that match.
func (p *planner) pending(order []*mapped, match func(*mapped) bool) []*mapped {
	var out []*mapped
	for _, m := range order {
		if !m.done && match(m) {
			out = append(out, m)
		}
	}
	return out
}

// pick chooses among folders claiming target the one whose own name it is, else the first.
func pick(group []*mapped, target string) *mapped {
	for _, m := range byExactness(group) {
		if fold(m.own) == fold(target) {
			return m
		}
	}
	return group[0]
}

// byExactness puts the folders whose own name is an exact translation first, keeping the
// order otherwise.
func byExactness(ms []*mapped) []*mapped {
	out := append([]*mapped(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].exact && !out[j].exact })
	return out
}

// fold is how names are compared for collisions: as a server that ignores case and
// normalises Unicode would see them, the strictest of the servers we meet.
func fold(name string) string {
	return cases.Fold().String(norm.NFC.String(name))
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
