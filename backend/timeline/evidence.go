package timeline

import "cutover/backend/dnscheck"

// EvidenceKind is what Cutover saw happen when it marked a step or logged a message.
type EvidenceKind string

const (
	PrePass       EvidenceKind = "pre_pass"       // every mailbox has a finished copy pass
	FinalPass     EvidenceKind = "final_pass"     // ...a final one, verified with nothing missing
	Closed        EvidenceKind = "closed"         // the case closed with nothing open
	ClosedOpen    EvidenceKind = "closed_open"    // the case closed with open items, for a reason
	MessageSent   EvidenceKind = "message_sent"   // a message of the pack went through SMTP
	MessageLogged EvidenceKind = "message_logged" // ...or from the specialist's own mail client
	ContactLogged EvidenceKind = "contact_logged" // a contact with the customer was logged
	DNSProof      EvidenceKind = "dns"            // a DNS check proves the step
)

// Evidence is what Cutover itself recorded as a step's note or a contact's summary:
// what happened and its figures rather than a sentence, so that each document words it
// in its own language. The English sentence the faces show stays in the note.
type Evidence struct {
	Kind EvidenceKind `json:"kind"`
	// Copy passes: totals over the batch's mailboxes.
	Mailboxes int `json:"mailboxes,omitempty"`
	Done      int `json:"done,omitempty"`
	Total     int `json:"total,omitempty"`
	Refused   int `json:"refused,omitempty"`
	// Closing: what was still open, and why the case closed anyway.
	Open   []OpenItem `json:"open,omitempty"`
	Reason string     `json:"reason,omitempty"`
	// Messages and contacts: the channel, the subject, who took it, the server's
	// refusals ("a@x: 550 no such user") and the specialist's note, as typed.
	Channel  string   `json:"channel,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	To       []string `json:"to,omitempty"`
	Rejected []string `json:"rejected,omitempty"`
	Note     string   `json:"note,omitempty"`
	// DNS: the check that proves the step.
	DNS *dnscheck.Proof `json:"dns,omitempty"`
}

// OpenKind is a reason the case cannot close yet.
type OpenKind string

const (
	OpenStep           OpenKind = "step"            // a step is not closed
	OpenNoVerification OpenKind = "no_verification" // no verification has been run
	OpenMissing        OpenKind = "missing"         // the last verification found messages missing
	OpenPIMMissing     OpenKind = "pim_missing"     // ...or contacts, events or tasks missing
)

// OpenItem is one thing that keeps the case from closing.
type OpenItem struct {
	Kind    OpenKind `json:"kind"`
	Step    string   `json:"step,omitempty"` // its key
	Title   string   `json:"title,omitempty"`
	Status  Status   `json:"status,omitempty"`
	Missing int      `json:"missing,omitempty"`
}
