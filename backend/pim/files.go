package pim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cutover/backend/fault"
)

// FileError is a problem in an exported file, at a line, with what to do about it.
type FileError struct {
	File    string
	Line    int
	Problem string
	Fix     string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s line %d: %s: %s", e.File, e.Line, e.Problem, e.Fix)
}

// InputFields makes a FileError the user's bad input (fault.Input).
func (e *FileError) InputFields() []fault.Field {
	return []fault.Field{{Field: "file", Value: filepath.Base(e.File), Expected: "a vCard (.vcf) or iCalendar (.ics) export",
		Problem: e.Problem, Message: e.Error(), File: e.File, Row: e.Line}}
}

// Files is a source of exported .vcf and .ics files: each file is one collection
// named after it (contacts.vcf → address book "contacts").
type Files struct {
	colls []Collection
	items map[string][]Item
}

// ReadFiles reads and splits the files: a .vcf into its cards, an .ics into one object
// per UID (a recurring event keeps its RECURRENCE-ID overrides), each with the time
// zones it uses.
func ReadFiles(paths ...string) (*Files, error) {
	var files []File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		files = append(files, File{Name: p, Data: data})
	}
	return ParseFiles(files...)
}

// File is an exported file's name and content (dropped in the window, or read from disk).
type File struct {
	Name string
	Data []byte
}

// ParseFiles splits files as ReadFiles does.
func ParseFiles(files ...File) (*Files, error) {
	f := &Files{items: map[string][]Item{}}
	for _, file := range files {
		p, data := file.Name, file.Data
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		c := Collection{Href: "file/" + name, Name: name}
		var items []Item
		var err error
		switch strings.ToLower(filepath.Ext(p)) {
		case ".vcf", ".vcard":
			c.Type = AddressBook
			items, err = splitVCards(p, data)
		case ".ics", ".ical", ".ifb":
			c.Type = Calendar
			items, err = splitICalendar(p, data)
		default:
			return nil, &FileError{File: p, Line: 1, Problem: "not a .vcf or .ics file", Fix: "export contacts as vCard (.vcf) and calendars or tasks as iCalendar (.ics)"}
		}
		if err != nil {
			return nil, err
		}
		if c.Type == Calendar {
			for _, it := range items {
				comp := map[Kind]string{KindEvent: "VEVENT", KindTask: "VTODO", KindJournal: "VJOURNAL"}[it.Kind]
				if !slices.Contains(c.Components, comp) {
					c.Components = append(c.Components, comp)
				}
			}
		}
		f.colls = append(f.colls, c)
		f.items[c.Href] = items
	}
	return f, nil
}

func (f *Files) Collections(context.Context) ([]Collection, error) { return f.colls, nil }

func (f *Files) Items(_ context.Context, c Collection) ([]Item, error) { return f.items[c.Href], nil }

// splitVCards cuts a .vcf into its cards.
func splitVCards(file string, data []byte) ([]Item, error) {
	lines, at := unfold(data)
	var out []Item
	seen := map[string]string{} // UID → card text
	start := -1
	for i, l := range lines {
		switch {
		case strings.EqualFold(l, "BEGIN:VCARD"):
			if start >= 0 {
				return nil, &FileError{File: file, Line: at[start], Problem: "a card has no END:VCARD before the next BEGIN:VCARD", Fix: "export the contacts again, or add END:VCARD"}
			}
			start = i
		case strings.EqualFold(l, "END:VCARD"):
			if start < 0 {
				return nil, &FileError{File: file, Line: at[i], Problem: "END:VCARD without BEGIN:VCARD", Fix: "export the contacts again"}
			}
			it, err := contactItem([]byte(strings.Join(lines[start:i+1], "\r\n") + "\r\n"))
			if err != nil {
				return nil, &FileError{File: file, Line: at[start], Problem: fmt.Sprintf("card %d: %v", len(out)+1, err), Fix: "correct or remove this card"}
			}
			if seen[it.UID] != "" {
				if seen[it.UID] == string(it.Data) {
					start = -1 // the same card twice: once is enough
					continue
				}
				// Another card with a UID already used in the file (a copied contact): it
				// gets a UID of its own, or it would overwrite the first at the destination.
				it = withUID(it, it.UID+"-"+hashOf(it.Data)[:8])
			}
			seen[it.UID] = string(it.Data)
			it.Href = fmt.Sprintf("%s#%s", filepath.Base(file), it.UID)
			it.ETag = hashOf(it.Data)[:16]
			out = append(out, it)
			start = -1
		case start < 0 && strings.TrimSpace(l) != "":
			return nil, &FileError{File: file, Line: at[i], Problem: "text outside BEGIN:VCARD … END:VCARD", Fix: "give a vCard file (.vcf) as exported by the address book"}
		}
	}
	if start >= 0 {
		return nil, &FileError{File: file, Line: at[start], Problem: "the last card has no END:VCARD (file cut short?)", Fix: "export the contacts again"}
	}
	return out, nil
}

// withUID is a card with its UID line replaced.
func withUID(it Item, uid string) Item {
	lines, _ := unfold(it.Data)
	for i, l := range lines {
		if head, _, ok := splitProp(l); ok && propName(head) == "UID" {
			lines[i] = "UID:" + uid
		}
	}
	it.UID, it.Data = uid, normalize(lines)
	return it
}

// icsComponent is one top-level component of an .ics file.
type icsComponent struct {
	lines []string
	line  int
}

// splitICalendar cuts an .ics (one or more VCALENDARs) into one object per UID.
func splitICalendar(file string, data []byte) ([]Item, error) {
	lines, at := unfold(data)
	var header []string // VERSION, PRODID, CALSCALE of the (last) VCALENDAR
	zones := map[string][]string{}
	byUID := map[string][]icsComponent{}
	var order []string
	depth := 0
	var cur *icsComponent
	var curName string
	for i, l := range lines {
		head, value, _ := splitProp(l)
		name := strings.ToUpper(head)
		value = strings.ToUpper(strings.TrimSpace(value))
		switch {
		case name == "BEGIN" && depth == 0:
			if value != "VCALENDAR" {
				return nil, &FileError{File: file, Line: at[i], Problem: "BEGIN:" + value + " outside a VCALENDAR", Fix: "give an iCalendar file (.ics) as exported by the calendar"}
			}
			depth, header = 1, nil
		case name == "END" && depth == 0:
			return nil, &FileError{File: file, Line: at[i], Problem: "END:" + value + " without its BEGIN", Fix: "export the calendar again"}
		case name == "BEGIN" && depth == 1:
			depth, curName = 2, value
			cur = &icsComponent{lines: []string{l}, line: at[i]}
		case name == "BEGIN":
			depth++
			cur.lines = append(cur.lines, l)
		case name == "END" && depth == 1:
			depth = 0
		case name == "END" && depth == 2:
			cur.lines = append(cur.lines, l)
			depth = 1
			if err := keepComponent(file, curName, cur, zones, byUID, &order); err != nil {
				return nil, err
			}
			cur = nil
		case name == "END":
			depth--
			cur.lines = append(cur.lines, l)
		case depth == 1:
			if n := propName(head); n != "METHOD" { // RFC 4791 4.1: no METHOD in a stored object
				header = append(header, l)
			}
		case depth > 1:
			cur.lines = append(cur.lines, l)
		case strings.TrimSpace(l) != "":
			return nil, &FileError{File: file, Line: at[i], Problem: "text outside BEGIN:VCALENDAR … END:VCALENDAR", Fix: "give an iCalendar file (.ics) as exported by the calendar"}
		}
	}
	if depth != 0 {
		return nil, &FileError{File: file, Line: at[len(at)-1], Problem: "the file ends inside a component (cut short?)", Fix: "export the calendar again"}
	}
	var out []Item
	for _, uid := range order {
		comps := byUID[uid]
		text := []string{"BEGIN:VCALENDAR"}
		text = append(text, header...)
		for _, tzid := range usedZones(comps) {
			text = append(text, zones[tzid]...)
		}
		for _, c := range comps {
			text = append(text, c.lines...)
		}
		text = append(text, "END:VCALENDAR")
		it, err := calendarItem([]byte(strings.Join(text, "\r\n") + "\r\n"))
		if err != nil {
			return nil, &FileError{File: file, Line: comps[0].line, Problem: fmt.Sprintf("item UID %q: %v", uid, err), Fix: "correct or remove this item"}
		}
		it.Href = fmt.Sprintf("%s#%s", filepath.Base(file), uid)
		it.ETag = hashOf(it.Data)[:16]
		out = append(out, it)
	}
	return out, nil
}

func keepComponent(file, name string, c *icsComponent, zones map[string][]string, byUID map[string][]icsComponent, order *[]string) error {
	if name == "VTIMEZONE" {
		for _, l := range c.lines {
			if head, v, _ := splitProp(l); propName(head) == "TZID" {
				zones[v] = c.lines
			}
		}
		return nil
	}
	if name != "VEVENT" && name != "VTODO" && name != "VJOURNAL" {
		return nil // VFREEBUSY and unknown components are not items
	}
	uid := ""
	for _, l := range c.lines {
		if head, v, _ := splitProp(l); propName(head) == "UID" {
			uid = v
			break
		}
	}
	if uid == "" {
		return &FileError{File: file, Line: c.line, Problem: name + " without UID", Fix: "export the calendar again; every event and task needs a UID (RFC 5545 3.8.4.7)"}
	}
	if _, ok := byUID[uid]; !ok {
		*order = append(*order, uid)
	}
	// One object holds one master (the component without RECURRENCE-ID): a second one
	// with the same UID is another version of the same item (a file exported twice, or an
	// update): the higher SEQUENCE wins, the later on a tie.
	if _, isException := prop(c.lines, "RECURRENCE-ID"); !isException {
		for i, other := range byUID[uid] {
			if _, ex := prop(other.lines, "RECURRENCE-ID"); ex {
				continue
			}
			if sequence(*c) >= sequence(other) {
				byUID[uid][i] = *c
			}
			return nil
		}
	}
	byUID[uid] = append(byUID[uid], *c)
	return nil
}

// prop finds a property's value among a component's own lines (not its subcomponents').
func prop(lines []string, name string) (string, bool) {
	depth := 0
	for _, l := range lines {
		head, value, _ := splitProp(l)
		switch strings.ToUpper(head) {
		case "BEGIN":
			depth++
			continue
		case "END":
			depth--
			continue
		}
		if depth == 1 && propName(head) == name {
			return value, true
		}
	}
	return "", false
}

func sequence(c icsComponent) int {
	v, _ := prop(c.lines, "SEQUENCE")
	n, _ := strconv.Atoi(strings.TrimSpace(v))
	return n
}

// usedZones lists the TZIDs the components refer to.
func usedZones(comps []icsComponent) []string {
	var out []string
	for _, c := range comps {
		for _, l := range c.lines {
			head, _, _ := splitProp(l)
			for _, p := range strings.Split(head, ";")[1:] {
				k, v, _ := strings.Cut(p, "=")
				v = strings.Trim(v, `"`)
				if strings.EqualFold(k, "TZID") && !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
	}
	return out
}
