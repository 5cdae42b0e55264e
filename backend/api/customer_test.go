package api_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"cutover/backend/api"
	"cutover/backend/docs"
	"cutover/backend/docs/docstest"
	"cutover/backend/fault"
	"cutover/backend/messages"
	"cutover/backend/messages/smtptest"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

func ptr(s string) *string { return &s }

// specialist points the profile at an in-process submission server that trusts nothing
// but its own CA (written to a CA file, as a self-hosted server's would be).
func specialist(t *testing.T, a *api.API, o smtptest.Options) *smtptest.Server {
	t.Helper()
	o.Users = map[string]string{"zoe@migrate.example": "smtp-secret"}
	srv := smtptest.Start(t, o)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := a.SetSpecialist(api.SpecialistInput{SpecialistProfile: store.SpecialistProfile{
		Specialist: docs.Specialist{Name: "Zoé Grüße", Company: "Migrations Díaz", Email: "zoe@migrate.example", Phone: "+1 514 555 0100"},
		SMTPHost:   srv.Host, SMTPPort: srv.Port, SMTPSecurity: messages.StartTLS, SMTPUser: "zoe@migrate.example", SMTPCAFile: ca,
	}, SMTPPassword: secrets.New("smtp-secret")})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func stepStatus(t *testing.T, a *api.API, key string) (string, string) {
	t.Helper()
	tl, err := a.Timeline("acme")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := tl.Step(key)
	return string(s.Status), s.Note
}

func TestTheTimelineFollowsTheEvidenceUpToTheClosedCase(t *testing.T) {
	a, src, _ := mailProject(t, "alice", "bob")
	for _, u := range []string{"alice", "bob"} {
		if err := src.Fill(u, 20); err != nil {
			t.Fatal(err)
		}
	}
	srv := specialist(t, a, smtptest.Options{Refuse: []string{"gone@acme.example"}})
	if _, err := a.SetCustomerSettings("acme", api.CustomerSettingsInput{ContactName: ptr("Jürgen Díaz"), ContactEmail: ptr("jurgen@acme.example")}); err != nil {
		t.Fatal(err)
	}

	if _, err := a.MailMigrate("acme", api.MailPassInput{Pass: "pre", OlderThan: "30d"}); err != nil {
		t.Fatal(err)
	}
	if st, note := stepStatus(t, a, "historical_copy"); st != "done" || !strings.Contains(note, "in 2 mailboxes, 0 refused") {
		t.Fatalf("after the pre pass, historical copy is %s: %q", st, note)
	}
	if _, err := a.MailMigrate("acme", api.MailPassInput{Pass: "final"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := stepStatus(t, a, "final_migration"); st == "done" {
		t.Fatal("the final migration is done before any verification")
	}
	if _, err := a.MailVerify("acme", nil); err != nil {
		t.Fatal(err)
	}
	if st, note := stepStatus(t, a, "final_migration"); st != "done" || !strings.Contains(note, "nothing missing") {
		t.Fatalf("after the verification, final migration is %s: %q", st, note)
	}

	_, err := a.SetStep("acme", "close_case", "done", "")
	if !fault.Is(err, fault.KindInput) || !strings.Contains(err.Error(), "Follow-up contact") {
		t.Fatalf("closing with the follow-up open: %v", err)
	}
	if _, err := a.CloseCase("acme", true, ""); !fault.Is(err, fault.KindInput) || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("forcing without a reason: %v", err)
	}

	res, err := a.MessageSend("acme", "followup_contact", api.SendInput{To: []string{"Jürgen Díaz <jurgen@acme.example>", "gone@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refused) != 1 || res.Refused[0].Address != "gone@acme.example" || res.Refused[0].Code != 550 {
		t.Fatalf("refused: %+v", res.Refused)
	}
	if res.Step == nil || res.Step.Status != "done" || res.Contact.StepKey != "followup_contact" || !strings.Contains(res.Contact.Summary, "gone@acme.example: 550") {
		t.Fatalf("send result: %+v", res)
	}
	got := srv.Messages()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "jurgen@acme.example" {
		t.Fatalf("the server got %+v", got)
	}
	r, err := mail.CreateReader(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := r.Header.AddressList("From")
	if from[0].Name != "Zoé Grüße" {
		t.Errorf("from %v", from)
	}
	var attached []string
	for {
		part, err := r.NextPart()
		if err != nil {
			break
		}
		if h, ok := part.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			body, _ := io.ReadAll(part.Body)
			if text := docstest.PDFText(t, body); !strings.Contains(text, "Verification report") {
				t.Errorf("%s: %s", name, text)
			}
			attached = append(attached, name)
		}
	}
	if len(attached) != 1 || attached[0] != "acme-report-verify.pdf" {
		t.Errorf("the follow-up carries %q", attached)
	}

	closed, err := a.CloseCase("acme", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if closed.Step.Status != "done" || closed.Report.MIME != "application/pdf" {
		t.Fatalf("closed: %+v", closed.Step)
	}
	if ps, _ := a.Project("acme"); ps.Status != "closed" {
		t.Errorf("the project is %q after closing the case", ps.Status)
	}
	text := docstest.PDFText(t, closed.Report.Data)
	for _, want := range []string{"Closing report", "Zoé Grüße", "gone@acme.example", "Pre-migration pass finished", "nothing missing", "INBOX"} {
		if !strings.Contains(text, want) {
			t.Errorf("the closing report lacks %q:\n%s", want, text)
		}
	}
}

func TestDraftsAreEditedSavedAsEMLAndLoggedPerProject(t *testing.T) {
	a, _ := newCustomerAPI(t)
	d, err := a.MessageDraft("acme", "pre_contact")
	if err != nil {
		t.Fatal(err)
	}
	if d.Edited || !strings.Contains(d.Body, "Jürgen") || !strings.Contains(d.Body, "https://outlook.office.com/mail/") {
		t.Fatalf("draft: %+v", d)
	}
	if _, err := a.SaveMessageDraft("acme", "pre_contact", api.DraftInput{To: []string{"not an address"}, Subject: "x", Body: "y"}); !fault.Is(err, fault.KindInput) {
		t.Fatalf("a bad recipient: %v", err)
	}
	e, err := a.SaveMessageDraft("acme", "pre_contact", api.DraftInput{To: []string{"Jürgen <jurgen@acme.example>"}, Subject: "Grüße — next week", Body: d.Body + "\nP.S. Bring coffee."})
	if err != nil || !e.Edited || e.Subject != "Grüße — next week" {
		t.Fatalf("saved: %+v %v", e, err)
	}
	f, err := a.MessageEML("acme", "pre_contact", api.SendInput{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.CreateReader(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := r.Header.Subject()
	if subject != "Grüße — next week" || f.Name != "acme-pre_contact.eml" {
		t.Errorf("eml %s: subject %q", f.Name, subject)
	}
	if res, err := a.MessageLogged("acme", "pre_contact", "from Outlook"); err != nil || res.Step == nil || res.Step.Status != "done" {
		t.Fatalf("logged: %+v %v", res, err)
	}
	back, err := a.ResetMessageDraft("acme", "pre_contact")
	if err != nil || back.Edited || back.Subject == "Grüße — next week" {
		t.Fatalf("reset: %+v %v", back, err)
	}
	if _, err := a.SetCustomerSettings("acme", api.CustomerSettingsInput{Language: ptr("fr")}); err != nil {
		t.Fatal(err)
	}
	fr, _ := a.MessageDraft("acme", "pre_contact")
	if !strings.HasPrefix(fr.Body, "Bonjour Jürgen") {
		t.Errorf("French draft: %q", fr.Body)
	}
}

func TestEveryDocumentIsWrittenInEveryFormat(t *testing.T) {
	a, _ := newCustomerAPI(t)
	for _, k := range docs.Kinds {
		for _, f := range []string{"pdf", "html", "xlsx"} {
			file, err := a.CustomerDocument("acme", string(k), f)
			if err != nil || len(file.Data) == 0 || !strings.HasSuffix(file.Name, "."+f) {
				t.Errorf("%s %s: %v", k, f, err)
			}
		}
	}
	if _, err := a.CustomerDocument("acme", "tasks", "docx"); !fault.Is(err, fault.KindInput) {
		t.Errorf("docx: %v", err)
	}
	tasks, _ := a.CustomerDocument("acme", "tasks", "html")
	for _, want := range []string{"acme-users-template.xlsx", "Díaz &amp; Grüße"} {
		if !strings.Contains(string(tasks.Data), want) {
			t.Errorf("the tasks lack %q", want)
		}
	}
}

func newCustomerAPI(t *testing.T) (*api.API, *smtptest.Server) {
	t.Helper()
	a, _, _ := mailProjectWithoutServers(t)
	srv := specialist(t, a, smtptest.Options{})
	if _, err := a.SetCustomerSettings("acme", api.CustomerSettingsInput{ContactName: ptr("Jürgen Díaz"), ContactEmail: ptr("jurgen@acme.example")}); err != nil {
		t.Fatal(err)
	}
	return a, srv
}

// mailProjectWithoutServers is a Microsoft 365 project with a batch and no servers to reach.
func mailProjectWithoutServers(t *testing.T) (*api.API, string, string) {
	t.Helper()
	a, err := api.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close(a) })
	doms := []string{"acme.example"}
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Customer: ptr("Díaz & Grüße"), Domains: &doms, Provider: ptr("m365"),
		Source: ptr("imaps://mail.oldhost.example"), Dest: ptr("imaps://outlook.office365.com"), Cutover: ptr("2099-05-14 18:00"), Zone: ptr("Europe/Berlin")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BatchSet("acme", api.BatchInput{SourceLogin: "jose@acme.example", DestLogin: "jose@acme.example", SourcePassword: "x", DestPassword: "y"}); err != nil {
		t.Fatal(err)
	}
	return a, "", ""
}

func TestAMessageNobodyTookIsNeitherLoggedNorMarked(t *testing.T) {
	a, _, _ := mailProjectWithoutServers(t)
	if _, err := a.MessageSend("acme", "confirm_contact", api.SendInput{To: []string{"dana@acme.example"}}); !fault.Is(err, fault.KindInput) || !strings.Contains(err.Error(), "specialist's profile") {
		t.Fatalf("no profile yet: %v", err)
	}
	specialist(t, a, smtptest.Options{Refuse: []string{"gone@acme.example"}})
	_, err := a.MessageSend("acme", "confirm_contact", api.SendInput{To: []string{"gone@acme.example"}})
	if !fault.Is(err, fault.KindInput) || !strings.Contains(err.Error(), "gone@acme.example: 550") {
		t.Fatalf("every recipient refused: %v", err)
	}
	if log, _ := a.ContactLog("acme"); len(log) != 0 {
		t.Errorf("logged %+v", log)
	}
	if st, _ := stepStatus(t, a, "confirm_contact"); st != "todo" {
		t.Errorf("the confirmation is %s", st)
	}
}
