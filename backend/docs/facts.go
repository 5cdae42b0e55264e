package docs

import (
	"time"

	"cutover/backend/batch"
	"cutover/backend/dnscheck"
	"cutover/backend/project"
	"cutover/backend/timeline"
)

// Facts are what a project knows, gathered by the caller (package api) from the store:
// everything a document or a message says comes from here or from the language's texts.
type Facts struct {
	Project    project.Project   `json:"project"`
	Now        time.Time         `json:"now"`
	Settings   Settings          `json:"settings"`
	Specialist Specialist        `json:"specialist"`
	Timeline   timeline.Timeline `json:"timeline"`
	// Records are the DNS records the destination expects (verification TXT included).
	Records   []dnscheck.Record `json:"records"`
	TTLTarget uint32            `json:"ttlTarget"`
	SignIn    []SignIn          `json:"signIn"`
	Mailboxes []batch.Entry     `json:"mailboxes"`
	Folders   []Folder          `json:"folders"`  // the last analysis
	Excludes  []Exclude         `json:"excludes"` // the user's exclude rules
	Passes    []Pass            `json:"passes"`   // the latest copy pass of each mailbox
	Refused   []Refused         `json:"refused"`  // messages a pass could not copy
	Checks    []Check           `json:"checks"`   // the last verification, per folder
	Missing   []Missing         `json:"missing"`  // what it found missing, message by message
	Contacts  []Contact         `json:"contacts"`
	Evidence  []Evidence        `json:"evidence"` // what DNS checks prove
	PIM       PIM               `json:"pim"`      // contacts, calendars and tasks
	// MaxMessageBytes is the largest message the destination accepts (0: unknown).
	MaxMessageBytes int64 `json:"maxMessageBytes"`
	// Templates are the spreadsheets the customer fills, attached to the tasks.
	Templates []Attachment `json:"-"`
}

// Settings are the project's customer-pack settings.
type Settings struct {
	Language     string `json:"language"`     // en or fr
	Webmail      string `json:"webmail"`      // the webmail URL users use on the day
	ContactName  string `json:"contactName"`  // the customer's contact person
	ContactEmail string `json:"contactEmail"` // where messages go by default
}

// Specialist is who writes to the customer: the signature of every message.
type Specialist struct {
	Name      string `json:"name"`
	Company   string `json:"company"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Signature string `json:"signature"`
}

// SignIn is how Cutover signs in to one side.
type SignIn struct {
	Side     string `json:"side"`   // source or dest
	Method   string `json:"method"` // password, microsoft-user, microsoft-app, google-user, google-service-account
	Tenant   string `json:"tenant"`
	ClientID string `json:"clientId"`
}

// Folder is one analysed source folder.
type Folder struct {
	Mailbox  string `json:"mailbox"`
	Folder   string `json:"folder"`
	Dest     string `json:"dest"`
	Messages int    `json:"messages"`
	Bytes    int64  `json:"bytes"`
	Excluded bool   `json:"excluded"`
	Reason   string `json:"reason"`
	// Why an excluded folder is left out, when Cutover decided it (mailbox.LeftOut):
	// rule (Rule names it), gmail_view or container; "" to print Reason as written.
	Why  string `json:"why,omitempty"`
	Rule string `json:"rule,omitempty"`
}

// Exclude is a folder rule that leaves folders out.
type Exclude struct {
	Mailbox string `json:"mailbox"` // "" for every mailbox
	Pattern string `json:"pattern"`
}

// Pass is one mailbox's latest copy pass.
type Pass struct {
	Mailbox    string    `json:"mailbox"`
	Dest       string    `json:"dest"`
	Kind       string    `json:"kind"` // pre or final
	State      string    `json:"state"`
	Done       int       `json:"done"`
	Total      int       `json:"total"`
	BytesDone  int64     `json:"bytesDone"`
	BytesTotal int64     `json:"bytesTotal"`
	Refused    int       `json:"refused"`
	Error      string    `json:"error"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
}

// PIM is where the project's contacts, calendars and tasks come from and go to, what
// was copied of each mailbox, and what a destination could not hold.
type PIM struct {
	// Source is dav, graph or google; "" when the old host offers none (exported files).
	Source string `json:"source"`
	Dest   string `json:"dest"` // dav, graph or google
	// Files is whether exported files were imported for some mailbox.
	Files     bool         `json:"files"`
	Mailboxes []PIMMailbox `json:"mailboxes"`
	Refused   []PIMItem    `json:"refused"` // items the destination refused
	Noted     []PIMItem    `json:"noted"`   // items copied without something
	Checks    []PIMCheck   `json:"checks"`  // the last verification, per collection
}

// PIMCheck is one address book or calendar of the last verification: source against
// destination, by UID.
type PIMCheck struct {
	Mailbox     string    `json:"mailbox"`
	Collection  string    `json:"collection"` // its name
	Source      string    `json:"source"`     // where it is at the source (href)
	Type        string    `json:"type"`       // addressbook or calendar
	SourceItems int       `json:"sourceItems"`
	DestItems   int       `json:"destItems"`
	Missing     []PIMItem `json:"missing"`
	At          time.Time `json:"at"`
}

// PIMMailbox is what has been copied of one mailbox's contacts, calendars and tasks.
type PIMMailbox struct {
	Mailbox  string    `json:"mailbox"`
	Contacts int       `json:"contacts"`
	Events   int       `json:"events"`
	Tasks    int       `json:"tasks"`
	Journals int       `json:"journals"`
	Refused  int       `json:"refused"`
	Pass     string    `json:"pass"` // the last pass: pre, final or files
	Finished time.Time `json:"finished"`
}

// PIMItem is a contact, event, task or journal entry that was refused, or copied
// without something, with the reason.
type PIMItem struct {
	Mailbox    string `json:"mailbox"`
	Collection string `json:"collection"`
	Kind       string `json:"kind"` // contact, event, task, journal
	Summary    string `json:"summary"`
	UID        string `json:"uid,omitempty"`
	Reason     string `json:"reason"`
}

// Refused is a message a pass could not copy.
type Refused struct {
	Mailbox string    `json:"mailbox"`
	Pass    string    `json:"pass"`
	Folder  string    `json:"folder"`
	Subject string    `json:"subject"`
	Size    int64     `json:"size"`
	Date    time.Time `json:"date"`
	Reason  string    `json:"reason"`
	// Why is set when Cutover did not send the message itself (mailbox.OwnRefusal):
	// too_large (over Limit bytes) or empty; "" for the server's own words in Reason.
	Why   string `json:"why,omitempty"`
	Limit int64  `json:"limit,omitempty"`
}

// Check is one folder of the last verification: source against destination.
type Check struct {
	Mailbox        string    `json:"mailbox"`
	Source         string    `json:"source"`
	Dest           string    `json:"dest"`
	SourceMessages int       `json:"sourceMessages"`
	DestMessages   int       `json:"destMessages"`
	Missing        int       `json:"missing"`
	At             time.Time `json:"at"`
}

// Missing is a message the last verification did not find at the destination.
type Missing struct {
	Mailbox string    `json:"mailbox"`
	Folder  string    `json:"folder"`
	UID     uint32    `json:"uid"`
	Subject string    `json:"subject"`
	Date    time.Time `json:"date"`
	Size    int64     `json:"size"`
}

// Contact is one entry of the contact log.
type Contact struct {
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	Step    string    `json:"step"`
	Summary string    `json:"summary"` // as typed, or Cutover's English sentence
	// Evidence is what Cutover saw when it wrote the summary itself (a message it sent):
	// documents word it in their language instead of printing the English summary.
	Evidence *timeline.Evidence `json:"evidence,omitempty"`
}

// Evidence is what the latest DNS check proves about a timeline step, as figures: the
// documents word it with the texts dns.proof and dns.summary.
type Evidence = dnscheck.Proof

// DNSResult is one result of a DNS check with the phase of its check, for the texts
// about it ("the new MX" after the cutover, "the MX" before).
type DNSResult struct {
	dnscheck.Result
	Phase dnscheck.Phase
}

// DNSAnswer is one server's answer with the result it belongs to, for the texts about it.
type DNSAnswer struct {
	dnscheck.Answer
	Result dnscheck.Result
}

// Duration is a number of seconds in the largest unit that says it exactly enough,
// the way the texts write a wait: 1 day, 2 h 30 min, 5 min, 40 s (one field is set,
// or Hours and Minutes).
type Duration struct {
	Days, Hours, Minutes, Seconds int
}

// durationOf splits seconds the way a wait is written.
func durationOf(seconds uint32) Duration {
	const minute, hour, day = 60, 3600, 86400
	s := int(seconds)
	switch {
	case s >= day && s%day == 0:
		return Duration{Days: s / day}
	case s >= hour:
		return Duration{Hours: s / hour, Minutes: s % hour / minute}
	case s >= minute && s%minute == 0:
		return Duration{Minutes: s / minute}
	}
	return Duration{Seconds: s}
}

// Step returns the timeline step key (zero if unknown), for the texts: {{(.Step "lower_ttl").Due}}.
func (f Facts) Step(key string) timeline.Step {
	s, _ := f.Timeline.Step(key)
	return s
}

// EvidenceFor returns what DNS proves about a step, if a check has said anything.
func (f Facts) EvidenceFor(step string) (Evidence, bool) {
	for _, e := range f.Evidence {
		if e.Step == step {
			return e, true
		}
	}
	return Evidence{}, false
}

// Changing are the records whose values change at cutover: their TTL is lowered before.
func (f Facts) Changing() []dnscheck.Record {
	var out []dnscheck.Record
	for _, r := range f.Records {
		if r.Changes && !r.Disabled {
			out = append(out, r)
		}
	}
	return out
}

// Verification are the verification TXT records.
func (f Facts) Verification() []dnscheck.Record {
	var out []dnscheck.Record
	for _, r := range f.Records {
		if r.Key == "verify" && !r.Disabled {
			out = append(out, r)
		}
	}
	return out
}

// DefaultWebmail is the webmail URL preset for a destination provider.
func DefaultWebmail(p project.Project) string {
	switch p.Provider {
	case project.ProviderM365:
		return "https://outlook.office.com/mail/"
	case project.ProviderGoogle:
		return "https://mail.google.com/"
	}
	if p.Dest.Host != "" {
		return "https://" + p.Dest.Host + "/"
	}
	return ""
}

// Totals sums the latest passes: what a progress message and report say.
type Totals struct {
	Mailboxes int `json:"mailboxes"`
	Finished  int `json:"finished"` // mailboxes whose pass is over
	Done      int `json:"done"`
	Total     int `json:"total"`
	Refused   int `json:"refused"`
	Missing   int `json:"missing"` // at the last verification
}

// Totals sums the passes and the last verification.
func (f Facts) Totals() Totals {
	t := Totals{Mailboxes: len(f.Passes)}
	for _, p := range f.Passes {
		t.Done, t.Total, t.Refused = t.Done+p.Done, t.Total+p.Total, t.Refused+p.Refused
		if p.State != "running" && !p.Finished.IsZero() {
			t.Finished++
		}
	}
	for _, c := range f.Checks {
		t.Missing += c.Missing
	}
	return t
}

// Proof is what the latest DNS check proves about step, when it passed (nil otherwise);
// the texts word it with dns.proof.
func (f Facts) Proof(step string) *Evidence {
	if e, ok := f.EvidenceFor(step); ok && e.Passed {
		return &e
	}
	return nil
}
