package pim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"
)

// When is a start or end: a date (all-day) or a local date-time in a zone.
type When struct {
	Date     string // 2026-04-06 for all-day
	DateTime string // 2026-01-12T09:30:00, local to Zone
	Zone     string // TZID as the source named it (IANA or Windows), "UTC" for Z times
}

// Person is an attendee or organiser.
type Person struct {
	Name, Email string
	Required    bool
}

// Event is a VEVENT (a recurring series' master or one of its exceptions) read for an
// API destination that takes JSON instead of iCalendar.
type Event struct {
	UID, Summary, Description, Location string
	Start, End                          When
	AllDay                              bool
	RRule                               string   // the RRULE value, "" for a single event
	ExDates                             []When   // EXDATE instances
	RecurrenceLines                     []string // RRULE, EXDATE, RDATE lines as written (Google takes them as they are)
	RecurrenceID                        *When    // set on an exception
	Organizer                           *Person
	Attendees                           []Person
	ReminderMinutes                     *int // the first VALARM's trigger before the start
	Categories                          []string
	Transparent                         bool
	Attachments                         []string       // ATTACH URIs
	Files                               []AttachedFile // inline ATTACH (ENCODING=BASE64)
	Private                             bool
}

// AttachedFile is an event's inline attachment (RFC 5545 3.8.1.1, ENCODING=BASE64).
type AttachedFile struct {
	Name, Type string
	Data       []byte
}

// Task is a VTODO read for an API destination.
type Task struct {
	UID, Summary, Description string
	Due                       *When
	Completed                 *time.Time
	Status                    string // NEEDS-ACTION, IN-PROCESS, COMPLETED, CANCELLED
	Priority                  int
}

// ParseEvents reads an event item: its master first, then its exceptions.
func ParseEvents(it Item) ([]Event, error) {
	cal, err := decodeCalendar(it.Data)
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		e := Event{UID: it.UID, Summary: text(c, ical.PropSummary), Description: text(c, ical.PropDescription), Location: text(c, ical.PropLocation)}
		e.Start = when(c.Props.Get(ical.PropDateTimeStart))
		e.AllDay = e.Start.Date != ""
		if p := c.Props.Get(ical.PropDateTimeEnd); p != nil {
			e.End = when(p)
		} else {
			e.End = endFromDuration(c, e.Start)
		}
		if p := c.Props.Get(ical.PropRecurrenceRule); p != nil {
			e.RRule = p.Value
		}
		for _, name := range []string{ical.PropRecurrenceRule, ical.PropExceptionDates, ical.PropRecurrenceDates} {
			for _, p := range c.Props.Values(name) {
				e.RecurrenceLines = append(e.RecurrenceLines, propLine(&p))
				if name == ical.PropExceptionDates {
					for _, v := range strings.Split(p.Value, ",") {
						q := p
						q.Value = v
						e.ExDates = append(e.ExDates, when(&q))
					}
				}
			}
		}
		if p := c.Props.Get(ical.PropRecurrenceID); p != nil {
			w := when(p)
			e.RecurrenceID = &w
		}
		if p := c.Props.Get(ical.PropOrganizer); p != nil {
			e.Organizer = person(p)
		}
		for _, p := range c.Props.Values(ical.PropAttendee) {
			e.Attendees = append(e.Attendees, *person(&p))
		}
		for _, a := range c.Children {
			if a.Name != ical.CompAlarm || e.ReminderMinutes != nil {
				continue
			}
			if p := a.Props.Get(ical.PropTrigger); p != nil && p.ValueType() != ical.ValueDateTime {
				if d, err := p.Duration(); err == nil && d <= 0 {
					m := int(-d / time.Minute)
					e.ReminderMinutes = &m
				}
			}
		}
		if p := c.Props.Get(ical.PropCategories); p != nil {
			e.Categories, _ = p.TextList()
		}
		if p := c.Props.Get(ical.PropTransparency); p != nil {
			e.Transparent = strings.EqualFold(p.Value, "TRANSPARENT")
		}
		if p := c.Props.Get(ical.PropClass); p != nil {
			e.Private = strings.EqualFold(p.Value, "PRIVATE") || strings.EqualFold(p.Value, "CONFIDENTIAL")
		}
		for _, p := range c.Props.Values(ical.PropAttach) {
			if p.Params.Get(ical.ParamEncoding) == "" {
				e.Attachments = append(e.Attachments, p.Value)
				continue
			}
			f := AttachedFile{Name: p.Params.Get("X-FILENAME"), Type: p.Params.Get(ical.ParamFormatType)}
			if f.Name == "" {
				f.Name = p.Params.Get("FILENAME")
			}
			if f.Name == "" {
				f.Name = fmt.Sprintf("attachment-%d", len(e.Files)+1)
			}
			if f.Type == "" {
				f.Type = "application/octet-stream"
			}
			f.Data, _ = p.Binary()
			e.Files = append(e.Files, f)
		}
		if e.RecurrenceID == nil {
			out = append([]Event{e}, out...)
		} else {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no VEVENT in %s", it.Href)
	}
	return out, nil
}

// ParseTask reads a task item.
func ParseTask(it Item) (Task, error) {
	cal, err := decodeCalendar(it.Data)
	if err != nil {
		return Task{}, err
	}
	for _, c := range cal.Children {
		if c.Name != ical.CompToDo {
			continue
		}
		t := Task{UID: it.UID, Summary: text(c, ical.PropSummary), Description: text(c, ical.PropDescription), Status: "NEEDS-ACTION"}
		if p := c.Props.Get(ical.PropDue); p != nil {
			w := when(p)
			t.Due = &w
		}
		if p := c.Props.Get(ical.PropStatus); p != nil {
			t.Status = strings.ToUpper(p.Value)
		}
		if ts, err := propTime(c, ical.PropCompleted); err == nil && !ts.IsZero() {
			t.Completed = &ts
			t.Status = "COMPLETED"
		}
		if p := c.Props.Get(ical.PropPriority); p != nil {
			t.Priority, _ = strconv.Atoi(p.Value)
		}
		return t, nil
	}
	return Task{}, fmt.Errorf("no VTODO in %s", it.Href)
}

func text(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		return p.Value
	}
	return s
}

func when(p *ical.Prop) When {
	if p == nil {
		return When{}
	}
	v := strings.TrimSpace(p.Value)
	if p.ValueType() == ical.ValueDate || len(v) == 8 {
		if t, err := time.Parse("20060102", v); err == nil {
			return When{Date: t.Format("2006-01-02")}
		}
	}
	if strings.HasSuffix(v, "Z") {
		if t, err := time.Parse("20060102T150405Z", v); err == nil {
			return When{DateTime: t.Format("2006-01-02T15:04:05"), Zone: "UTC"}
		}
	}
	w := When{Zone: p.Params.Get(ical.ParamTimezoneID)}
	if t, err := time.Parse("20060102T150405", v); err == nil {
		w.DateTime = t.Format("2006-01-02T15:04:05")
	}
	if w.Zone == "" {
		w.Zone = "UTC" // floating time: read as UTC
	}
	return w
}

func endFromDuration(c *ical.Component, start When) When {
	p := c.Props.Get(ical.PropDuration)
	if start.Date != "" {
		t, _ := time.Parse("2006-01-02", start.Date)
		d := 24 * time.Hour
		if p != nil {
			if x, err := p.Duration(); err == nil {
				d = x
			}
		}
		return When{Date: t.Add(d).Format("2006-01-02")}
	}
	t, err := time.Parse("2006-01-02T15:04:05", start.DateTime)
	if err != nil || p == nil {
		return start
	}
	d, _ := p.Duration()
	return When{DateTime: t.Add(d).Format("2006-01-02T15:04:05"), Zone: start.Zone}
}

func person(p *ical.Prop) *Person {
	email := p.Value
	if i := strings.Index(strings.ToLower(email), "mailto:"); i >= 0 {
		email = email[i+len("mailto:"):]
	}
	role := p.Params.Get(ical.ParamRole)
	return &Person{Name: p.Params.Get(ical.ParamCommonName), Email: email, Required: role == "" || strings.EqualFold(role, "REQ-PARTICIPANT") || strings.EqualFold(role, "CHAIR")}
}

func propLine(p *ical.Prop) string {
	var b strings.Builder
	b.WriteString(p.Name)
	for k, vs := range p.Params {
		b.WriteString(";" + k + "=" + strings.Join(vs, ","))
	}
	b.WriteString(":" + p.Value)
	return b.String()
}

// Contact is a vCard read for an API destination.
type Contact struct {
	UID, FormattedName, Given, Family, Middle, Prefix, Suffix string
	Org, Department, Title, Note, Birthday                    string
	Emails                                                    []string
	EmailTypes                                                [][]string // the vCard types of Emails[i] (work, home, internet, pref)
	Phones                                                    []Phone
	Addresses                                                 []Address
	Nicknames, URLs                                           []string
	Categories                                                []string
	Photo                                                     []byte // decoded image
	PhotoType                                                 string // image/jpeg
	Group                                                     bool   // KIND:group (vCard 4.0) or X-ADDRESSBOOKSERVER-KIND:group
	// Members are a group's MEMBER (RFC 6350 6.6.5) or Apple's X-ADDRESSBOOKSERVER-MEMBER
	// values as written: urn:uuid:..., mailto:...
	Members []string
	// Extra holds the properties no field above holds (X-ASSISTANT, IMPP, ...) with their
	// values, so a destination can map them or say what it left out.
	Extra []Property
}

// Property is a vCard property no Contact field holds.
type Property struct {
	Name string // upper case: X-SKYPE, IMPP, X-ABRELATEDNAMES
	// Label is the X-ABLabel Apple gives the property's group (item1.X-ABLabel:Spouse
	// names item1.X-ABRELATEDNAMES), its built-in labels (_$!<Spouse>!$_) read as Spouse.
	Label   string
	Value   string
	Types   []string // lower-case TYPE parameters
	Service string   // IMPP's X-SERVICE-TYPE (Apple: Skype, Jabber...)
	Binary  bool     // ENCODING=b or a data: URI: not text
}

// Phone is a telephone number with its vCard types (cell, work, home, fax).
type Phone struct {
	Number string
	Types  []string
}

// Address is a postal address with its types.
type Address struct {
	Street, City, Region, PostalCode, Country string
	POBox, Extended                           string
	Types                                     []string
}

// ParseContact reads a contact item.
func ParseContact(it Item) (Contact, error) {
	card, err := decodeCard(it.Data)
	if err != nil {
		return Contact{}, err
	}
	c := Contact{UID: it.UID, FormattedName: card.Value(vcard.FieldFormattedName), Title: card.Value(vcard.FieldTitle),
		Note: card.Value(vcard.FieldNote), Birthday: card.Value(vcard.FieldBirthday), Categories: card.Categories()}
	if n := card.Name(); n != nil {
		c.Given, c.Family, c.Middle, c.Prefix, c.Suffix = n.GivenName, n.FamilyName, n.AdditionalName, n.HonorificPrefix, n.HonorificSuffix
	}
	if org := card.Value(vcard.FieldOrganization); org != "" {
		parts := strings.SplitN(org, ";", 2)
		c.Org = parts[0]
		if len(parts) > 1 {
			c.Department = strings.Trim(parts[1], ";")
		}
	}
	for _, f := range card[vcard.FieldEmail] {
		c.Emails = append(c.Emails, strings.TrimPrefix(f.Value, "mailto:"))
		c.EmailTypes = append(c.EmailTypes, lowerTypes(f.Params))
	}
	for _, n := range card.Values(vcard.FieldNickname) {
		for _, v := range strings.Split(n, ",") {
			if v = strings.TrimSpace(v); v != "" {
				c.Nicknames = append(c.Nicknames, v)
			}
		}
	}
	for _, u := range card.Values(vcard.FieldURL) {
		c.URLs = append(c.URLs, strings.ReplaceAll(u, `\:`, ":")) // Google's export escapes the colon
	}
	for _, f := range card[vcard.FieldTelephone] {
		num := strings.TrimPrefix(f.Value, "tel:")
		c.Phones = append(c.Phones, Phone{Number: num, Types: lowerTypes(f.Params)})
	}
	for _, a := range card.Addresses() {
		c.Addresses = append(c.Addresses, Address{Street: a.StreetAddress, City: a.Locality, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country,
			POBox: a.PostOfficeBox, Extended: a.ExtendedAddress, Types: lowerTypes(a.Params)})
	}
	labels := map[string]string{}
	for _, f := range card["X-ABLABEL"] {
		if f.Group != "" {
			labels[strings.ToLower(f.Group)] = appleLabel(f.Value)
		}
	}
	for name, fields := range card {
		if contactFields[name] {
			continue
		}
		for _, f := range fields {
			enc := strings.ToLower(f.Params.Get("ENCODING"))
			c.Extra = append(c.Extra, Property{Name: name, Label: labels[strings.ToLower(f.Group)], Value: f.Value, Types: lowerTypes(f.Params),
				Service: f.Params.Get("X-SERVICE-TYPE"), Binary: enc == "b" || enc == "base64" || strings.HasPrefix(strings.ToLower(f.Value), "data:")})
		}
	}
	sort.SliceStable(c.Extra, func(i, j int) bool { return c.Extra[i].Name < c.Extra[j].Name })
	kind := strings.ToLower(card.Value(vcard.FieldKind) + card.Value("X-ADDRESSBOOKSERVER-KIND"))
	c.Group = kind == "group"
	if c.Group {
		for _, name := range []string{vcard.FieldMember, "X-ADDRESSBOOKSERVER-MEMBER"} {
			c.Members = append(c.Members, card.Values(name)...)
		}
	}
	c.Photo, c.PhotoType = photoOf(card)
	return c, nil
}

// contactFields are the vCard properties Contact holds, and those that describe the
// card rather than the person (VERSION, PRODID, REV) or only how an address book shows
// it (Apple's X-ABLabel and X-ABShowAs).
var contactFields = map[string]bool{
	vcard.FieldVersion: true, vcard.FieldProductID: true, vcard.FieldRevision: true, vcard.FieldUID: true,
	vcard.FieldFormattedName: true, vcard.FieldName: true, vcard.FieldNickname: true, vcard.FieldEmail: true,
	vcard.FieldTelephone: true, vcard.FieldAddress: true, vcard.FieldOrganization: true, vcard.FieldTitle: true,
	vcard.FieldBirthday: true, vcard.FieldURL: true, vcard.FieldNote: true, vcard.FieldCategories: true,
	vcard.FieldPhoto: true, vcard.FieldKind: true, vcard.FieldMember: true, "X-ADDRESSBOOKSERVER-KIND": true,
	"X-ADDRESSBOOKSERVER-MEMBER": true, "X-ABLABEL": true, "X-ABSHOWAS": true, "X-ABUID": true, "X-ABADR": true,
	"SORT-STRING": true, "CLASS": true, "SOURCE": true, "NAME": true, "MAILER": true,
	// how Outlook, Thunderbird and Evolution show or file the card
	"X-MS-OL-DESIGN": true, "X-MS-OL-DEFAULT-POSTAL-ADDRESS": true, "X-MS-CARDPICTURE": true, "X-MOZILLA-HTML": true,
	"X-EVOLUTION-FILE-AS": true, "X-EVOLUTION-LIST": true, "X-EVOLUTION-LIST-SHOW-ADDRESSES": true, "X-EVOLUTION-WEBDAV-ETAG": true,
}

// appleLabel is an X-ABLabel as users read it: Apple writes its built-in labels as
// _$!<Spouse>!$_.
func appleLabel(v string) string {
	if s, ok := strings.CutPrefix(v, "_$!<"); ok {
		if s, ok := strings.CutSuffix(s, ">!$_"); ok {
			return s
		}
	}
	return v
}

func lowerTypes(p vcard.Params) []string {
	var out []string
	for _, t := range p.Types() {
		for _, x := range strings.Split(t, ",") {
			out = append(out, strings.ToLower(strings.Trim(x, `"`)))
		}
	}
	return out
}
