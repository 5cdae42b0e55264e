package pim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"
)

// unfold splits vCard/iCalendar text into its logical lines (RFC 5545 3.1, RFC 6350 3.2),
// each with the number of the physical line it starts on.
func unfold(data []byte) (lines []string, at []int) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	for i, l := range strings.Split(text, "\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		if l == "" {
			continue
		}
		lines = append(lines, l)
		at = append(at, i+1)
	}
	return lines, at
}

// splitProp cuts a content line into its name with parameters and its value, at the
// first colon outside a quoted parameter value.
func splitProp(line string) (head, value string, ok bool) {
	quoted := false
	for i, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ':' && !quoted:
			return line[:i], line[i+1:], true
		}
	}
	return line, "", false
}

func propName(head string) string {
	name, _, _ := strings.Cut(head, ";")
	if _, after, ok := strings.Cut(name, "."); ok { // vCard group prefix (item1.EMAIL)
		name = after
	}
	return strings.ToUpper(name)
}

// textProps are single TEXT values in which an unescaped comma or semicolon is a
// producer's mistake (RFC 5545 3.3.11, RFC 6350 3.4): Radicale, for one, cuts the value
// at the comma. The copy escapes them so what arrives is what the user sees at the source.
var textProps = map[string]bool{"SUMMARY": true, "DESCRIPTION": true, "LOCATION": true, "COMMENT": true,
	"FN": true, "NOTE": true, "TITLE": true, "ROLE": true}

func escapeText(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v):
			b.WriteByte(c)
			i++
			b.WriteByte(v[i])
			continue
		case c == ',' || c == ';':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// normalize returns the lines as CRLF text with unescaped separators in text values
// escaped; lines are left unfolded (RFC 5545 3.1 makes folding a SHOULD for producers;
// every parser unfolds).
func normalize(lines []string) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		if head, value, ok := splitProp(l); ok && textProps[propName(head)] {
			l = head + ":" + escapeText(value)
		}
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func hashOf(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// contactItem reads one vCard (3.0 or 4.0); a card without UID gets one derived from its
// text, so a re-run finds the same item.
func contactItem(data []byte) (Item, error) {
	lines, _ := unfold(data)
	card, err := decodeCard(data)
	if err != nil {
		return Item{}, fmt.Errorf("not a vCard: %w", err)
	}
	it := Item{Kind: KindContact, Always: true, UID: card.Value(vcard.FieldUID), Summary: card.Value(vcard.FieldFormattedName)}
	if it.Summary == "" {
		if n := card.Name(); n != nil {
			it.Summary = strings.TrimSpace(n.GivenName + " " + n.FamilyName)
		}
	}
	if it.UID == "" {
		it.UID = "cutover-" + hashOf(data)[:32]
		for i := len(lines) - 1; i >= 0; i-- {
			if strings.EqualFold(lines[i], "END:VCARD") {
				lines = append(lines[:i], append([]string{"UID:" + it.UID}, lines[i:]...)...)
				break
			}
		}
	}
	it.Data = normalize(lines)
	return it, nil
}

// isGroup reports whether a contact item is a contact group (vCard 4.0 KIND:group,
// RFC 6350 6.1.4, or Apple's X-ADDRESSBOOKSERVER-KIND:group).
func isGroup(it Item) bool {
	if it.Kind != KindContact {
		return false
	}
	lines, _ := unfold(it.Data)
	for _, l := range lines {
		head, value, ok := splitProp(l)
		if n := propName(head); ok && (n == "KIND" || n == "X-ADDRESSBOOKSERVER-KIND") && strings.EqualFold(strings.TrimSpace(value), "group") {
			return true
		}
	}
	return false
}

// calendarItem reads one calendar object resource: the components of one UID with the
// time zones they use (RFC 4791 4.1).
func calendarItem(data []byte) (Item, error) {
	lines, _ := unfold(data)
	norm := normalize(lines)
	cal, err := decodeCalendar(norm)
	if err != nil {
		return Item{}, fmt.Errorf("not an iCalendar object: %w", err)
	}
	it := Item{Data: norm}
	var master *ical.Component
	var finished time.Time
	open := false
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent:
			it.Kind = KindEvent
		case ical.CompToDo:
			it.Kind = KindTask
		case ical.CompJournal:
			it.Kind = KindJournal
		default:
			continue
		}
		if master == nil || c.Props.Get(ical.PropRecurrenceID) == nil && master.Props.Get(ical.PropRecurrenceID) != nil {
			master = c
		}
		end, isOpen := componentEnd(c)
		open = open || isOpen
		if end.After(finished) {
			finished = end
		}
	}
	if master == nil {
		return Item{}, errors.New("holds no VEVENT, VTODO or VJOURNAL")
	}
	if p := master.Props.Get(ical.PropUID); p != nil {
		it.UID = p.Value
	}
	if it.UID == "" {
		return Item{}, errors.New("has no UID (RFC 5545 3.8.4.7 requires one)")
	}
	if p := master.Props.Get(ical.PropSummary); p != nil {
		it.Summary, _ = p.Text()
	}
	if it.Kind == KindJournal && finished.IsZero() {
		it.Always = true
	}
	if !open {
		it.Finished = finished
	}
	return it, nil
}

// componentEnd is when a component stops mattering for the pre pass: an event's last
// instance's end, a task's completion, a journal's date. open is true for what never
// ends (a recurrence without UNTIL or COUNT, a task not completed).
func componentEnd(c *ical.Component) (end time.Time, open bool) {
	switch c.Name {
	case ical.CompToDo:
		t, err := propTime(c, ical.PropCompleted)
		return t, err != nil || t.IsZero()
	case ical.CompJournal:
		t, _ := propTime(c, ical.PropDateTimeStart)
		return t, false
	}
	start, err := propTime(c, ical.PropDateTimeStart)
	if err != nil || start.IsZero() { // no usable start: the final pass takes it
		return time.Time{}, true
	}
	dur := time.Duration(0)
	if e, err := propTime(c, ical.PropDateTimeEnd); err == nil && !e.IsZero() {
		dur = e.Sub(start)
	} else if p := c.Props.Get(ical.PropDuration); p != nil {
		dur, _ = p.Duration()
	} else if p := c.Props.Get(ical.PropDateTimeStart); p.ValueType() == ical.ValueDate {
		dur = 24 * time.Hour
	}
	last := start
	if rr := c.Props.Get(ical.PropRecurrenceRule); rr != nil {
		up := strings.ToUpper(rr.Value)
		if !strings.Contains(up, "UNTIL=") && !strings.Contains(up, "COUNT=") {
			return time.Time{}, true
		}
		set, err := c.RecurrenceSet(time.UTC)
		if err != nil {
			set, err = withoutUnknownZones(c).RecurrenceSet(time.UTC)
		}
		if err != nil || set == nil {
			return time.Time{}, true
		}
		if all := set.All(); len(all) > 0 {
			last = all[len(all)-1]
		}
	}
	return last.Add(dur), false
}

// withoutUnknownZones is c with the TZIDs no time zone database knows removed, so its
// recurrence can be expanded (in UTC: close enough for a cutoff).
func withoutUnknownZones(c *ical.Component) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: ical.Props{}, Children: c.Children}
	for name, props := range c.Props {
		for _, p := range props {
			if tz := p.Params.Get(ical.ParamTimezoneID); tz != "" {
				if _, err := time.LoadLocation(tz); err != nil {
					p = *stripParam(&p, ical.ParamTimezoneID)
				}
			}
			out.Props[name] = append(out.Props[name], p)
		}
	}
	return out
}

func stripParam(p *ical.Prop, param string) *ical.Prop {
	q := *p
	q.Params = ical.Params{}
	for k, v := range p.Params {
		if k != param {
			q.Params[k] = v
		}
	}
	return &q
}

// propTime reads a date or date-time property; a TZID no time zone database knows
// (Outlook's "W. Europe Standard Time") is read as UTC, close enough for a cutoff.
func propTime(c *ical.Component, name string) (time.Time, error) {
	p := c.Props.Get(name)
	if p == nil {
		return time.Time{}, nil
	}
	t, err := p.DateTime(time.UTC)
	if err != nil && p.Params.Get(ical.ParamTimezoneID) != "" {
		t, err = stripParam(p, ical.ParamTimezoneID).DateTime(time.UTC)
	}
	return t, err
}

// decodeCalendar parses iCalendar text; the parser's panics on some malformed lines
// (found by FuzzSplitFiles) become errors.
func decodeCalendar(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("malformed iCalendar line (%v)", r)
		}
	}()
	return ical.NewDecoder(bytes.NewReader(data)).Decode()
}

// decodeCard parses one vCard, its parser's panics made errors.
func decodeCard(data []byte) (card vcard.Card, err error) {
	defer func() {
		if r := recover(); r != nil {
			card, err = nil, fmt.Errorf("malformed vCard line (%v)", r)
		}
	}()
	return vcard.NewDecoder(bytes.NewReader(data)).Decode()
}
