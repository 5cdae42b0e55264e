package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"cutover/backend/docs"
	"cutover/backend/mailbox"
	"cutover/backend/messages"
	"cutover/backend/pim"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
	"cutover/backend/timeline"
)

// The customer pack (issue 14): documents and messages written from the project.

// CustomerSettings are a project's pack settings as shown: the webmail URL in effect
// (the provider's preset until one is set) and the languages to choose from.
type CustomerSettings struct {
	docs.Settings
	WebmailPreset string   `json:"webmailPreset"`
	Languages     []string `json:"languages"`
}

// CustomerSettingsInput changes the fields given.
type CustomerSettingsInput struct {
	Language     *string `json:"language,omitempty"`
	Webmail      *string `json:"webmail,omitempty"` // "" : back to the provider's preset
	ContactName  *string `json:"contactName,omitempty"`
	ContactEmail *string `json:"contactEmail,omitempty"`
}

// CustomerSettings returns a project's customer-pack settings.
func (a *API) CustomerSettings(projectName string) (CustomerSettings, error) {
	p, err := a.project(projectName)
	if err != nil {
		return CustomerSettings{}, err
	}
	return a.customerSettings(p)
}

func (a *API) customerSettings(p project.Project) (CustomerSettings, error) {
	v, err := a.store.CustomerSettings(a.ctx, p.ID)
	if err != nil {
		return CustomerSettings{}, err
	}
	out := CustomerSettings{Settings: v, WebmailPreset: docs.DefaultWebmail(p), Languages: docs.Languages}
	if out.Webmail == "" {
		out.Webmail = out.WebmailPreset
	}
	return out, nil
}

// SetCustomerSettings validates and stores a project's pack settings.
func (a *API) SetCustomerSettings(projectName string, in CustomerSettingsInput) (CustomerSettings, error) {
	p, err := a.project(projectName)
	if err != nil {
		return CustomerSettings{}, err
	}
	v, err := a.store.CustomerSettings(a.ctx, p.ID)
	if err != nil {
		return CustomerSettings{}, err
	}
	var errs project.InputErrors
	bad := func(err error) {
		var fe *project.FieldError
		if errors.As(err, &fe) {
			errs = append(errs, fe)
		}
	}
	if in.Language != nil {
		if v.Language, err = docs.ParseLanguage(*in.Language); err != nil {
			bad(err)
		}
	}
	if in.Webmail != nil {
		w := strings.TrimSpace(*in.Webmail)
		if u, err := url.Parse(w); w != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
			bad(&project.FieldError{Field: "webmail", Value: w, Expected: "an https:// URL such as https://outlook.office.com/mail/ (empty: the provider's)"})
		}
		v.Webmail = w
	}
	if in.ContactName != nil {
		v.ContactName = strings.TrimSpace(*in.ContactName)
	}
	if in.ContactEmail != nil {
		e := strings.TrimSpace(*in.ContactEmail)
		if _, err := mail.ParseAddress(e); e != "" && (err != nil || strings.ContainsAny(e, "<> ")) {
			bad(&project.FieldError{Field: "contact email", Value: e, Expected: "the customer contact's address, like name@example.com"})
		}
		v.ContactEmail = e
	}
	if len(errs) > 0 {
		return CustomerSettings{}, errs
	}
	if err := a.store.PutCustomerSettings(a.ctx, p.ID, v); err != nil {
		return CustomerSettings{}, err
	}
	a.bus.Publish("customer:changed", p.Name, nil)
	return a.customerSettings(p)
}

// SpecialistInput is the specialist's profile as typed; an empty password keeps the
// stored one.
type SpecialistInput struct {
	store.SpecialistProfile
	SMTPPassword secrets.Secret `json:"smtpPassword"`
	// SMTPClientSecret is the OAuth client's secret (Google's "Desktop" clients have one).
	SMTPClientSecret secrets.Secret `json:"smtpClientSecret"`
}

// SpecialistView is the profile as shown: whether an SMTP password is stored, never it.
type SpecialistView struct {
	store.SpecialistProfile
	HasSMTPPassword bool `json:"hasSmtpPassword"`
	// SMTPSignedIn: an OAuth token is sealed (smtpAuth microsoft or google); its expiry
	// and whether it can be renewed, never the token.
	SMTPSignedIn        bool      `json:"smtpSignedIn"`
	SMTPTokenExpiry     time.Time `json:"smtpTokenExpiry,omitzero"`
	SMTPRefreshable     bool      `json:"smtpRefreshable"`
	HasSMTPClientSecret bool      `json:"hasSmtpClientSecret"`
}

const smtpPasswordRef = "specialist/smtp-password"

// Specialist returns the specialist's profile: name, company, signature, phone and the
// SMTP submission server messages are sent through.
func (a *API) Specialist() (SpecialistView, error) {
	p, err := a.store.Specialist(a.ctx)
	if err != nil {
		return SpecialistView{}, err
	}
	_, err = a.vault.Get(a.ctx, smtpPasswordRef)
	v := SpecialistView{SpecialistProfile: p, HasSMTPPassword: err == nil}
	_, err = a.vault.Get(a.ctx, smtpClientSecretRef)
	v.HasSMTPClientSecret = err == nil
	if t, err := (specialistTokens{a}).Load(a.ctx); err == nil && t != nil {
		v.SMTPSignedIn, v.SMTPTokenExpiry, v.SMTPRefreshable = true, t.Expiry, t.RefreshToken != ""
	}
	return v, nil
}

// SetSpecialist stores the specialist's profile; the SMTP password is sealed in the vault.
func (a *API) SetSpecialist(in SpecialistInput) (SpecialistView, error) {
	p := in.SpecialistProfile
	p.Email = strings.TrimSpace(p.Email)
	p.SMTPHost = strings.TrimSpace(p.SMTPHost)
	if err := checkSMTPAuth(&p); err != nil {
		return SpecialistView{}, err
	}
	if p.Email != "" {
		if _, err := mail.ParseAddress(p.Email); err != nil || strings.ContainsAny(p.Email, "<> ") {
			return SpecialistView{}, &project.FieldError{Field: "email", Value: p.Email, Expected: "the specialist's address, like zoe@example.com"}
		}
	}
	if p.SMTPSecurity == "" {
		p.SMTPSecurity = messages.StartTLS
	}
	if p.SMTPPort == 0 {
		p.SMTPPort = 587
		if p.SMTPSecurity == messages.Implicit {
			p.SMTPPort = 465
		}
	}
	if p.SMTPHost != "" {
		if err := (messages.Server{Host: p.SMTPHost, Port: p.SMTPPort, Security: p.SMTPSecurity}).Check(); err != nil && p.SMTPSecurity != messages.Plain {
			return SpecialistView{}, err
		}
	}
	if err := a.store.PutSpecialist(a.ctx, p); err != nil {
		return SpecialistView{}, err
	}
	if !in.SMTPPassword.IsZero() {
		if err := a.vault.Put(a.ctx, smtpPasswordRef, 0, in.SMTPPassword); err != nil {
			return SpecialistView{}, fmt.Errorf("seal the SMTP password: %w", err)
		}
	}
	if !in.SMTPClientSecret.IsZero() {
		if err := a.vault.Put(a.ctx, smtpClientSecretRef, 0, in.SMTPClientSecret); err != nil {
			return SpecialistView{}, fmt.Errorf("seal the SMTP client secret: %w", err)
		}
	}
	return a.Specialist()
}

// facts gathers what the project knows for its documents and messages.
func (a *API) facts(p project.Project) (docs.Facts, error) {
	f := docs.Facts{Project: p, Now: a.now(), Checks: []docs.Check{}}
	cs, err := a.customerSettings(p)
	if err != nil {
		return f, err
	}
	f.Settings = cs.Settings
	sp, err := a.store.Specialist(a.ctx)
	if err != nil {
		return f, err
	}
	f.Specialist = sp.Specialist
	if f.Timeline, err = a.timeline(p); err != nil {
		return f, err
	}
	st, err := a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return f, err
	}
	f.TTLTarget = st.TTLTarget
	if f.TTLTarget == 0 {
		f.TTLTarget = 300
	}
	if f.Records, err = a.dnsRecords(p, st); err != nil {
		return f, err
	}
	for _, side := range []string{"source", "dest"} {
		v, err := a.store.SignInSetting(a.ctx, p.ID, side)
		if err != nil {
			return f, err
		}
		f.SignIn = append(f.SignIn, docs.SignIn{Side: side, Method: v.Method, Tenant: v.Tenant, ClientID: v.ClientID})
	}
	if f.Mailboxes, err = a.store.Batch(a.ctx, p.ID); err != nil {
		return f, err
	}
	dest := map[string]string{}
	for _, e := range f.Mailboxes {
		dest[strings.ToLower(e.SourceLogin)] = e.DestLogin
		folders, err := a.store.MailFolders(a.ctx, p.ID, e.SourceLogin)
		if err != nil {
			return f, err
		}
		for _, fo := range folders {
			df := docs.Folder{Mailbox: e.SourceLogin, Folder: fo.Folder, Dest: fo.Dest, Messages: fo.Messages, Bytes: fo.Bytes, Excluded: fo.Excluded, Reason: fo.Reason}
			if fo.Excluded {
				df.Why, df.Rule = mailbox.LeftOut(fo.Reason)
			}
			f.Folders = append(f.Folders, df)
		}
	}
	rules, err := a.store.MailRules(a.ctx, p.ID, "")
	if err != nil {
		return f, err
	}
	for _, r := range rules {
		if r.Action == "exclude" {
			f.Excludes = append(f.Excludes, docs.Exclude{Mailbox: r.SourceLogin, Pattern: r.Pattern})
		}
	}
	passes, err := a.store.LatestMailPasses(a.ctx, p.ID)
	if err != nil {
		return f, err
	}
	for _, login := range slices.Sorted(maps.Keys(passes)) {
		ps := passes[login]
		f.Passes = append(f.Passes, docs.Pass{Mailbox: ps.SourceLogin, Dest: dest[login], Kind: ps.Kind, State: string(ps.State), Done: ps.MessagesDone, Total: ps.MessagesTotal,
			BytesDone: ps.BytesDone, BytesTotal: ps.BytesTotal, Refused: ps.Failed, Error: ps.Error, Started: ps.Started, Finished: ps.Finished})
		for _, fl := range ps.Failures {
			r := docs.Refused{Mailbox: ps.SourceLogin, Pass: ps.Kind, Folder: fl.Folder, Subject: fl.Subject, Size: fl.Size, Date: fl.Date, Reason: fl.Reason}
			r.Why, r.Limit = mailbox.OwnRefusal(fl.Reason)
			f.Refused = append(f.Refused, r)
		}
	}
	if f.Checks, err = a.store.VerifyFolders(a.ctx, p.ID); err != nil {
		return f, err
	}
	if f.Missing, err = a.store.VerifyMissing(a.ctx, p.ID); err != nil {
		return f, err
	}
	log, err := a.store.ContactLog(a.ctx, p.ID)
	if err != nil {
		return f, err
	}
	for _, c := range log {
		f.Contacts = append(f.Contacts, docs.Contact{At: c.At, Channel: c.Channel, Step: c.StepKey, Summary: c.Summary, Evidence: c.Evidence})
	}
	ev, err := a.dnsEvidence(p)
	if err != nil {
		return f, err
	}
	for _, e := range ev {
		f.Evidence = append(f.Evidence, e.Proof)
	}
	f.MaxMessageBytes = destLimits(p).MaxMessageBytes
	if f.PIM, err = a.pimFacts(p); err != nil {
		return f, err
	}
	return f, nil
}

// pimFacts says where contacts, calendars and tasks come from and go to, and what each
// mailbox's last pass or file import copied, refused or copied without something.
func (a *API) pimFacts(p project.Project) (docs.PIM, error) {
	set, err := a.store.PIMSetting(a.ctx, p.ID)
	if err != nil {
		return docs.PIM{}, err
	}
	out := docs.PIM{Dest: pimKind(p, set.DestKind, set.DestURL), Mailboxes: []docs.PIMMailbox{}}
	switch {
	case set.SourceKind == PIMGraph || set.SourceKind == PIMGoogle:
		out.Source = set.SourceKind
	case set.SourceURL != "":
		out.Source = PIMDAV
	}
	if out.Checks, err = a.store.PIMVerifyChecks(a.ctx, p.ID); err != nil {
		return out, err
	}
	counts, err := a.PIMCopied(p.Name)
	if err != nil {
		return out, err
	}
	item := func(login string, f pim.Failure) docs.PIMItem {
		name := f.Name
		if name == "" {
			name = f.Collection
		}
		return docs.PIMItem{Mailbox: login, Collection: name, Kind: string(f.Kind), Summary: f.Summary, Reason: f.Reason}
	}
	for _, c := range counts {
		m := docs.PIMMailbox{Mailbox: c.SourceLogin, Contacts: c.Copied.Contacts, Events: c.Copied.Events, Tasks: c.Copied.Tasks, Journals: c.Copied.Journals}
		if r := c.Last; r != nil {
			m.Refused, m.Pass, m.Finished = r.Failed, r.Pass, r.Finished
			out.Files = out.Files || r.Pass == "files"
			for _, f := range r.Failures {
				out.Refused = append(out.Refused, item(c.SourceLogin, f))
			}
			for _, f := range r.Notes {
				out.Noted = append(out.Noted, item(c.SourceLogin, f))
			}
		}
		if m.Pass != "" || m.Contacts+m.Events+m.Tasks+m.Journals > 0 {
			out.Mailboxes = append(out.Mailboxes, m)
		}
	}
	return out, nil
}

// attachments are the files the tasks carry: the spreadsheet templates to fill, and the
// FullAccess script when the destination signs in as an app.
func (a *API) attachments(p project.Project, f docs.Facts) ([]docs.Attachment, error) {
	var out []docs.Attachment
	for _, k := range []string{"users", "groups", "contacts"} {
		file, err := a.PeopleTemplate(p.Name, k, "xlsx")
		if err != nil {
			return nil, err
		}
		out = append(out, docs.Attachment{Name: file.Name, Data: file.Data})
	}
	for _, s := range f.SignIn {
		if s.Method != SignInMicrosoftApp || len(f.Mailboxes) == 0 {
			continue
		}
		if file, err := a.SignInScript(p.Name, s.Side, ""); err == nil {
			out = append(out, docs.Attachment{Name: file.Name, Data: file.Data})
		}
	}
	return out, nil
}

// CustomerDocument writes a document of the pack (tasks, limitations, guide,
// report-progress, report-verify, report-close) as pdf, html or xlsx.
func (a *API) CustomerDocument(projectName, kind, format string) (File, error) {
	p, err := a.project(projectName)
	if err != nil {
		return File{}, err
	}
	k, err := docs.ParseKind(kind)
	if err != nil {
		return File{}, err
	}
	ft, err := docs.ParseFormat(format)
	if err != nil {
		return File{}, err
	}
	f, err := a.facts(p)
	if err != nil {
		return File{}, err
	}
	if k == docs.Tasks {
		if f.Templates, err = a.attachments(p, f); err != nil {
			return File{}, err
		}
	}
	d, err := docs.Build(k, f)
	if err != nil {
		return File{}, fmt.Errorf("write the %s document: %w", k, err)
	}
	b, err := docs.Render(d, ft)
	if err != nil {
		return File{}, err
	}
	return File{Name: docs.FileName(p.Name, k, ft), MIME: ft.MIME(), Data: b}, nil
}

// DocumentInfo is one document of the pack as listed.
type DocumentInfo struct {
	Kind    docs.Kind     `json:"kind"`
	Title   string        `json:"title"`
	Step    string        `json:"step"` // the timeline step it belongs to
	Formats []docs.Format `json:"formats"`
}

// documentSteps ties each document to the timeline step it serves.
var documentSteps = map[docs.Kind]string{
	docs.Tasks: "access_accounts", docs.Limitations: "pre_contact", docs.Guide: "confirm_contact",
	docs.ReportProgress: "final_migration", docs.ReportVerify: "followup_contact", docs.ReportClose: "close_case",
}

// CustomerDocuments lists the pack's documents with their titles in the project's language.
func (a *API) CustomerDocuments(projectName string) ([]DocumentInfo, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	f, err := a.facts(p)
	if err != nil {
		return nil, err
	}
	out := []DocumentInfo{}
	for _, k := range docs.Kinds {
		d, err := docs.Build(k, f)
		if err != nil {
			return nil, err
		}
		out = append(out, DocumentInfo{Kind: k, Title: d.Title, Step: documentSteps[k], Formats: []docs.Format{docs.PDF, docs.HTML, docs.XLSX}})
	}
	return out, nil
}

// MessageDraft is a message of the pack: the specialist's edit for this project if
// there is one, else written from the project's values now.
func (a *API) MessageDraft(projectName, kind string) (messages.Draft, error) {
	_, d, err := a.draftOf(projectName, kind)
	return d, err
}

// draftOf is a project and the draft of one of its messages.
func (a *API) draftOf(projectName, kind string) (project.Project, messages.Draft, error) {
	p, err := a.project(projectName)
	if err != nil {
		return p, messages.Draft{}, err
	}
	d, err := a.messageDraft(p, kind)
	return p, d, err
}

// messageKind is a project and one of its messages' kind.
func (a *API) messageKind(projectName, kind string) (project.Project, messages.Kind, error) {
	p, err := a.project(projectName)
	if err != nil {
		return p, messages.Kind{}, err
	}
	k, err := messages.KindOf(kind)
	return p, k, err
}

func (a *API) messageDraft(p project.Project, kind string) (messages.Draft, error) {
	k, err := messages.KindOf(kind)
	if err != nil {
		return messages.Draft{}, err
	}
	f, err := a.facts(p)
	if err != nil {
		return messages.Draft{}, err
	}
	d, err := messages.Compose(k, f)
	if err != nil {
		return d, err
	}
	edited, ok, err := a.store.MessageDraft(a.ctx, p.ID, k.Key)
	if err != nil || !ok {
		return d, err
	}
	d.To, d.Cc, d.Subject, d.Body, d.Edited = edited.To, edited.Cc, edited.Subject, edited.Body, true
	return d, nil
}

// MessageDrafts lists every message of the pack for a project.
func (a *API) MessageDrafts(projectName string) ([]messages.Draft, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	out := []messages.Draft{}
	for _, k := range messages.Kinds {
		d, err := a.messageDraft(p, k.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// DraftInput is a draft as the specialist edited it.
type DraftInput struct {
	To      []string `json:"to"`
	Cc      []string `json:"cc"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
}

// SaveMessageDraft keeps the specialist's edit of a message for this project.
func (a *API) SaveMessageDraft(projectName, kind string, in DraftInput) (messages.Draft, error) {
	p, k, err := a.messageKind(projectName, kind)
	if err != nil {
		return messages.Draft{}, err
	}
	d := messages.Draft{Kind: k.Key, Subject: strings.TrimSpace(in.Subject), Body: strings.TrimRight(in.Body, " \n\r\t")}
	if d.Subject == "" {
		return d, &project.FieldError{Field: "subject", Expected: "a subject"}
	}
	for _, l := range []struct {
		field string
		in    []string
		out   *[]string
	}{{"to", in.To, &d.To}, {"cc", in.Cc, &d.Cc}} {
		addrs, err := messages.Addresses(l.field, l.in)
		if err != nil {
			return d, err
		}
		*l.out = []string{}
		for _, ad := range addrs {
			*l.out = append(*l.out, messages.Format(ad))
		}
	}
	if err := a.store.PutMessageDraft(a.ctx, p.ID, d); err != nil {
		return d, err
	}
	a.bus.Publish("customer:draft", p.Name, d.Kind)
	return a.messageDraft(p, k.Key)
}

// ResetMessageDraft drops the edit: the message is written from the project again.
func (a *API) ResetMessageDraft(projectName, kind string) (messages.Draft, error) {
	p, k, err := a.messageKind(projectName, kind)
	if err != nil {
		return messages.Draft{}, err
	}
	if err := a.store.RemoveMessageDraft(a.ctx, p.ID, k.Key); err != nil {
		return messages.Draft{}, err
	}
	return a.messageDraft(p, k.Key)
}

func messageID(from string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	domain := "cutover.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = strings.TrimRight(from[i+1:], ">")
	}
	return hex.EncodeToString(b) + "@" + domain
}

// messageFiles writes the documents a message carries, as PDF.
func (a *API) messageFiles(p project.Project, kind string) ([]messages.Attachment, error) {
	k, err := messages.KindOf(kind)
	if err != nil {
		return nil, err
	}
	var out []messages.Attachment
	for _, dk := range k.Attach {
		f, err := a.CustomerDocument(p.Name, string(dk), string(docs.PDF))
		if err != nil {
			return nil, err
		}
		out = append(out, messages.Attachment{Name: f.Name, MIME: f.MIME, Data: f.Data})
	}
	return out, nil
}

// MessageEML saves a message as an .eml file that opens in the specialist's own mail
// client, ready to send (log it afterwards with MessageLogged); over's recipients, when
// given, replace the draft's.
func (a *API) MessageEML(projectName, kind string, over SendInput) (File, error) {
	p, d, err := a.draftOf(projectName, kind)
	if err != nil {
		return File{}, err
	}
	d = over.apply(d)
	files, err := a.messageFiles(p, d.Kind)
	if err != nil {
		return File{}, err
	}
	b, err := messages.EML(d, a.now(), messageID(d.From), files...)
	if err != nil {
		return File{}, err
	}
	return File{Name: fmt.Sprintf("%s-%s.eml", fileSafe(p.Name), d.Kind), MIME: "message/rfc822", Data: b}, nil
}

// SendInput overrides the draft's recipients (empty: the draft's), each "A <a@x>" or a
// comma-separated list.
type SendInput struct {
	To []string `json:"to,omitempty"`
	Cc []string `json:"cc,omitempty"`
}

// apply puts the recipients given in place of the draft's.
func (in SendInput) apply(d messages.Draft) messages.Draft {
	if len(in.To) > 0 {
		d.To = in.To
	}
	if len(in.Cc) > 0 {
		d.Cc = in.Cc
	}
	return d
}

// SendResult is what the server took, the contact logged and the step it marks.
type SendResult struct {
	messages.Result
	Contact store.ContactEntry `json:"contact"`
	Step    *timeline.Step     `json:"step,omitempty"`
}

// MessageSend sends a message through the specialist's SMTP server, logs it in the contact
// log against its step and marks a contact step done. A refused recipient is named in the
// result; when every one is refused nothing is sent or logged.
func (a *API) MessageSend(projectName, kind string, in SendInput) (SendResult, error) {
	p, d, err := a.draftOf(projectName, kind)
	if err != nil {
		return SendResult{}, err
	}
	d = in.apply(d)
	sp, err := a.store.Specialist(a.ctx)
	if err != nil {
		return SendResult{}, err
	}
	files, err := a.messageFiles(p, d.Kind)
	if err != nil {
		return SendResult{}, err
	}
	msg, err := messages.EML(d, a.now(), messageID(d.From), files...)
	if err != nil {
		return SendResult{}, err
	}
	// "plain" in the profile is the explicit choice of a loopback relay; Check refuses it
	// for any other host.
	srv := messages.Server{Host: sp.SMTPHost, Port: sp.SMTPPort, Security: sp.SMTPSecurity, Username: sp.SMTPUser, AllowPlain: sp.SMTPSecurity == messages.Plain}
	if sp.SMTPCAFile != "" {
		if srv.RootCAs, err = rootsWith(sp.SMTPCAFile, "smtp CA file"); err != nil {
			return SendResult{}, err
		}
	}
	switch {
	case sp.SMTPAuth == SMTPAuthMicrosoft || sp.SMTPAuth == SMTPAuthGoogle:
		if sp.SMTPUser == "" {
			return SendResult{}, &project.FieldError{Field: "smtp user", Expected: "the specialist's mailbox that signed in, like alex@northwind.example"}
		}
		if srv.Tokens, err = a.smtpTokens(sp); err != nil {
			return SendResult{}, err
		}
		srv.Provider = sp.SMTPAuth
	case sp.SMTPUser != "":
		if srv.Password, err = a.vault.Get(a.ctx, smtpPasswordRef); err != nil {
			return SendResult{}, &project.FieldError{Field: "smtp password", Expected: "the SMTP password in the specialist's profile (cutover specialist set --smtp-password, or the Customer tab)"}
		}
	}
	var rcpts []string
	for _, l := range [][]string{d.To, d.Cc} {
		addrs, err := messages.Addresses("to", l)
		if err != nil {
			return SendResult{}, err
		}
		for _, ad := range addrs {
			rcpts = append(rcpts, ad.Address)
		}
	}
	from, _ := messages.Addresses("from", []string{d.From})
	res, err := messages.Send(a.ctx, srv, from[0].Address, rcpts, msg)
	if err != nil {
		return SendResult{Result: res}, err
	}
	summary := fmt.Sprintf("Sent %q to %s", d.Subject, strings.Join(res.Accepted, ", "))
	ev := &timeline.Evidence{Kind: timeline.MessageSent, Channel: "email", Subject: d.Subject, To: res.Accepted}
	if len(res.Refused) > 0 {
		for _, x := range res.Refused {
			ev.Rejected = append(ev.Rejected, x.String())
		}
		summary += "; refused: " + strings.Join(ev.Rejected, "; ")
	}
	out := SendResult{Result: res}
	out.Contact, out.Step, err = a.logMessage(p, kind, summary, ev)
	return out, err
}

// MessageLogged records that a message was sent another way (the .eml from the
// specialist's own mail client): the contact log gets it and its contact step is done.
func (a *API) MessageLogged(projectName, kind, note string) (SendResult, error) {
	p, d, err := a.draftOf(projectName, kind)
	if err != nil {
		return SendResult{}, err
	}
	summary := fmt.Sprintf("Sent %q to %s from the specialist's mail client", d.Subject, strings.Join(d.To, ", "))
	ev := &timeline.Evidence{Kind: timeline.MessageLogged, Channel: "email", Subject: d.Subject, To: d.To}
	if n := strings.TrimSpace(note); n != "" {
		summary += ": " + n
		ev.Note = n
	}
	out := SendResult{Result: messages.Result{Accepted: d.To, Refused: []messages.Refusal{}}}
	out.Contact, out.Step, err = a.logMessage(p, kind, summary, ev)
	return out, err
}

// logMessage puts a sent message in the contact log against its step, and marks a
// contact step done with the entry as its evidence (ev: what was sent, to whom).
func (a *API) logMessage(p project.Project, kind, summary string, ev *timeline.Evidence) (store.ContactEntry, *timeline.Step, error) {
	k, err := messages.KindOf(kind)
	if err != nil {
		return store.ContactEntry{}, nil, err
	}
	c, err := a.store.AddContact(a.ctx, p.ID, store.ContactEntry{StepKey: k.Step, Channel: "email", Summary: summary, Evidence: ev, At: a.now()})
	if err != nil {
		return c, nil, err
	}
	a.bus.Publish("timeline:contact", p.Name, c)
	if !k.Marks {
		return c, nil, nil
	}
	st, err := a.setStep(p, k.Step, timeline.Done, summary, ev)
	return c, &st, err
}
