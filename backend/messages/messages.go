// Package messages is the customer pack's messages: a draft per contact step (the
// pre-migration contact at T-7, the confirmation at T-2, the cutover start, progress,
// copy complete, the follow-up at T+2 business days) written from the language's texts
// (package docs) with the project's values; the draft as an RFC 5322 message (.eml, with
// X-Unsent so mail clients open it as a draft to send); and its submission to the
// specialist's SMTP server (RFC 6409 submission: STARTTLS on 587 per RFC 3207, or
// implicit TLS on 465 per RFC 8314; AUTH PLAIN per RFC 4954), each refused recipient
// reported with the server's answer.
package messages

import (
	"net/mail"
	"strings"

	"cutover/backend/docs"
	"cutover/backend/fault"
)

// Kind is one message of the pack.
type Kind struct {
	Key string `json:"key"`
	// Step is the timeline step the message belongs to: sending or logging it is
	// recorded in the contact log against this step (and marks it done when Marks).
	Step  string `json:"step"`
	Marks bool   `json:"marks"`
	// Attach are the documents of the pack the message carries, as PDF.
	Attach []docs.Kind `json:"attach"`
}

// Kinds are the messages, in the order they are sent.
var Kinds = []Kind{
	{Key: "pre_contact", Step: "pre_contact", Marks: true, Attach: []docs.Kind{docs.Limitations}},
	{Key: "confirm_contact", Step: "confirm_contact", Marks: true, Attach: []docs.Kind{docs.Guide}},
	{Key: "cutover_start", Step: "dns_change"},
	{Key: "progress", Step: "final_migration"},
	{Key: "copy_complete", Step: "final_migration", Attach: []docs.Kind{docs.ReportProgress}},
	{Key: "followup_contact", Step: "followup_contact", Marks: true, Attach: []docs.Kind{docs.ReportVerify}},
}

// KindOf finds a message by key (or by the timeline step it belongs to, when one
// message marks it: "pre_contact").
func KindOf(key string) (Kind, error) {
	key = strings.ToLower(strings.TrimSpace(key))
	var keys []string
	for _, k := range Kinds {
		if k.Key == key {
			return k, nil
		}
		keys = append(keys, k.Key)
	}
	return Kind{}, &fault.FieldError{Field: "step", Value: key, Expected: "a message: " + strings.Join(keys, ", ")}
}

// Draft is a message ready to edit, save or send.
type Draft struct {
	Kind    string   `json:"kind"`
	Step    string   `json:"step"`
	Lang    string   `json:"lang"`
	From    string   `json:"from"` // "Name <address>"
	To      []string `json:"to"`
	Cc      []string `json:"cc"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
	// Edited is true when the specialist changed the draft for this project: it is then
	// kept as edited instead of following the project's values.
	Edited bool `json:"edited"`
	// Attachments name the documents the message carries (written when it is saved or sent).
	Attachments []string `json:"attachments"`
}

// Attachment is a file a message carries.
type Attachment struct {
	Name string
	MIME string
	Data []byte
}

// Compose writes the draft of message k from the project's facts.
func Compose(k Kind, f docs.Facts) (Draft, error) {
	c, err := docs.LoadCatalog(f.Settings.Language, f.Project.Location())
	if err != nil {
		return Draft{}, err
	}
	d := Draft{Kind: k.Key, Step: k.Step, Lang: c.Lang, To: []string{}, Cc: []string{}, Attachments: []string{},
		Subject: c.T("msg."+k.Key+".subject", f), Body: c.T("msg."+k.Key+".body", f)}
	for _, a := range k.Attach {
		d.Attachments = append(d.Attachments, docs.FileName(f.Project.Name, a, docs.PDF))
	}
	if s := strings.TrimSpace(f.Specialist.Signature); s != "" {
		// The specialist's own signature replaces the built-in one.
		d.Body = strings.TrimSpace(strings.TrimSuffix(d.Body, c.T("msg.signature", f))) + "\n\n" + s
	}
	if f.Specialist.Email != "" {
		d.From = Format(&mail.Address{Name: f.Specialist.Name, Address: f.Specialist.Email})
	}
	if f.Settings.ContactEmail != "" {
		d.To = []string{Format(&mail.Address{Name: f.Settings.ContactName, Address: f.Settings.ContactEmail})}
	}
	return d, c.Err()
}

// Addresses parses a list of recipients as typed ("A <a@x>, b@y"; one per element or
// comma-separated); field names the input in the error.
func Addresses(field string, in []string) ([]*mail.Address, error) {
	var out []*mail.Address
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		list, err := mail.ParseAddressList(s)
		if err != nil {
			return nil, &fault.FieldError{Field: field, Value: s, Expected: `email addresses like "Name <name@example.com>", separated by commas`}
		}
		out = append(out, list...)
	}
	return out, nil
}

// Format writes an address as people type it: `Jürgen Díaz <j@x>`, the name quoted when
// it holds a special character, never RFC 2047-encoded (the .eml encodes its headers).
func Format(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	name := a.Name
	if strings.ContainsAny(name, `()<>[]:;@\,."`) {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + a.Address + ">"
}
