package messages

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"cutover/backend/dnscheck"
	"cutover/backend/docs"
	"cutover/backend/fault"
	"cutover/backend/messages/smtptest"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/timeline"
)

func facts(t *testing.T, lang string) docs.Facts {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Paris")
	p := project.Project{Name: "acme", Customer: "Díaz & Fils", Provider: project.ProviderGoogle, Zone: "Europe/Paris",
		Cutover: time.Date(2027, 6, 11, 19, 0, 0, 0, loc)}
	now := time.Date(2027, 6, 1, 9, 0, 0, 0, loc)
	return docs.Facts{Project: p, Now: now, Timeline: timeline.Build(p, nil, now), TTLTarget: 300,
		Settings:   docs.Settings{Language: lang, Webmail: "https://mail.google.com/", ContactName: "Jürgen Díaz", ContactEmail: "jurgen@acme.example"},
		Specialist: docs.Specialist{Name: "Zoé Grüße", Company: "Migrations SARL", Email: "zoe@migrate.example", Phone: "+33 1 23 45 67 89"},
		Passes:     []docs.Pass{{Mailbox: "a@acme.example", State: "done", Done: 40, Total: 42, Refused: 2, Finished: now}}}
}

func TestEveryMessageIsWrittenWithTheProjectsValuesInBothLanguages(t *testing.T) {
	for _, lang := range docs.Languages {
		for _, k := range Kinds {
			d, err := Compose(k, facts(t, lang))
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, k.Key, err)
			}
			if d.Subject == "" || !strings.Contains(d.Body, "Jürgen Díaz") || !strings.Contains(d.Body, "+33 1 23 45 67 89") {
				t.Errorf("%s/%s: %q\n%s", lang, k.Key, d.Subject, d.Body)
			}
			if d.From != "Zoé Grüße <zoe@migrate.example>" || d.To[0] != "Jürgen Díaz <jurgen@acme.example>" {
				t.Errorf("from %q", d.From)
			}
		}
	}
	en, _ := Compose(Kinds[0], facts(t, "en"))
	fr, _ := Compose(Kinds[0], facts(t, "fr"))
	if en.Subject == fr.Subject || !strings.Contains(fr.Body, "Bonjour") || !strings.Contains(en.Body, "2027-06-11 19:00") {
		t.Errorf("en %q / fr %q", en.Subject, fr.Subject)
	}
	p, _ := Compose(Kind{Key: "progress"}, facts(t, "en"))
	if !strings.Contains(p.Subject, "40 of 42") {
		t.Errorf("progress subject %q", p.Subject)
	}
}

func TestTheSpecialistsSignatureReplacesTheBuiltInOne(t *testing.T) {
	f := facts(t, "en")
	f.Specialist.Signature = "Zoé — the migration desk"
	d, err := Compose(Kinds[0], f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d.Body, "\n\nZoé — the migration desk") || strings.Contains(d.Body, "Best regards") {
		t.Errorf("body ends %q", d.Body[len(d.Body)-80:])
	}
}

func TestADraftSavedAsEMLReadsBackWithItsNonASCIIText(t *testing.T) {
	d, _ := Compose(Kinds[1], facts(t, "fr"))
	d.Cc = []string{"Ana Müller <ana@acme.example>"}
	date := time.Date(2027, 6, 9, 10, 0, 0, 0, time.UTC)
	b, err := EML(d, date, "123@cutover.invalid")
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.CreateReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := r.Header.Subject()
	from, _ := r.Header.AddressList("From")
	to, _ := r.Header.AddressList("To")
	cc, _ := r.Header.AddressList("Cc")
	got, _ := r.Header.Date()
	if subject != d.Subject || from[0].Name != "Zoé Grüße" || to[0].Name != "Jürgen Díaz" || cc[0].Address != "ana@acme.example" || !got.Equal(date) {
		t.Errorf("headers: %q %v %v %v %v", subject, from, to, cc, got)
	}
	if r.Header.Get("X-Unsent") != "1" {
		t.Error("no X-Unsent: mail clients would not open it as a draft")
	}
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body)
	if strings.ReplaceAll(string(body), "\r\n", "\n") != d.Body+"\n" {
		t.Errorf("body:\n%s\nwant:\n%s", body, d.Body)
	}
}

func TestAMessageWithoutASenderOrWithABadRecipientNamesTheField(t *testing.T) {
	d := Draft{To: []string{"not an address"}, From: "z@x.example", Subject: "s", Body: "b"}
	if _, err := EML(d, time.Now(), "1@x"); fault.Classify(err).Kind != fault.KindInput || !strings.Contains(err.Error(), "to") {
		t.Errorf("bad recipient: %v", err)
	}
	d = Draft{To: []string{"a@x.example"}, Subject: "s", Body: "b"}
	if _, err := EML(d, time.Now(), "1@x"); fault.Classify(err).Kind != fault.KindInput || !strings.Contains(err.Error(), "from") {
		t.Errorf("no sender: %v", err)
	}
}

func submission(srv *smtptest.Server, security Security) Server {
	return Server{Host: srv.Host, Port: srv.Port, Security: security, Username: "zoe@migrate.example", Password: secrets.New("s3cret"), RootCAs: srv.RootCAs}
}

func TestSendingWithSTARTTLSAndAuthReportsTheRefusedRecipientByName(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Users: map[string]string{"zoe@migrate.example": "s3cret"}, Refuse: []string{"gone@acme.example"}})
	d, _ := Compose(Kinds[0], facts(t, "en"))
	msg, _ := EML(d, time.Now(), "1@cutover.invalid")
	res, err := Send(context.Background(), submission(srv, StartTLS), "zoe@migrate.example", []string{"jurgen@acme.example", "gone@acme.example"}, msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accepted) != 1 || len(res.Refused) != 1 || res.Refused[0].Address != "gone@acme.example" || res.Refused[0].Code != 550 || !strings.Contains(res.Refused[0].Message, "User unknown") {
		t.Fatalf("result %+v", res)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To[0] != "jurgen@acme.example" || !bytes.Contains(got[0].Data, []byte("Subject:")) {
		t.Fatalf("the server got %+v", got)
	}
}

func TestSendingOverImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Implicit: true, Users: map[string]string{"zoe@migrate.example": "s3cret"}})
	if _, err := Send(context.Background(), submission(srv, Implicit), "zoe@migrate.example", []string{"a@acme.example"}, []byte("Subject: x\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 {
		t.Fatal("nothing received")
	}
}

func TestSendingFailsClearly(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Users: map[string]string{"zoe@migrate.example": "s3cret"}, Refuse: []string{"gone@acme.example"}})
	msg := []byte("Subject: x\r\n\r\nhi\r\n")
	ctx := context.Background()

	_, err := Send(ctx, submission(srv, StartTLS), "zoe@migrate.example", []string{"gone@acme.example"}, msg)
	var re *RefusedError
	if !errors.As(err, &re) || fault.Classify(err).Kind != fault.KindInput || !strings.Contains(err.Error(), "gone@acme.example: 550") {
		t.Errorf("every recipient refused: %v", err)
	}

	bad := submission(srv, StartTLS)
	bad.Password = secrets.New("wrong")
	if _, err := Send(ctx, bad, "zoe@migrate.example", []string{"a@acme.example"}, msg); err == nil || !strings.Contains(err.Error(), "sign in") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}

	untrusted := submission(srv, StartTLS)
	untrusted.RootCAs = nil // the system's roots do not know the test CA
	if _, err := Send(ctx, untrusted, "zoe@migrate.example", []string{"a@acme.example"}, msg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an unknown certificate was accepted: %v", err)
	}

	plain := Server{Host: "smtp.example.com", Port: 25, Security: Plain, AllowPlain: true}
	if _, err := Send(ctx, plain, "z@x", []string{"a@x"}, msg); fault.Classify(err).Kind != fault.KindInput {
		t.Errorf("plain text to a remote host: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Errorf("a failed send delivered %d messages", len(srv.Messages()))
	}
}

func TestAddressesAreWrittenAsTypedAndReadBack(t *testing.T) {
	for _, in := range []string{"Jürgen Díaz <j@acme.example>", `"Díaz, Jürgen" <j@acme.example>`, "j@acme.example", `"O\"Neil" <o@acme.example>`} {
		a, err := Addresses("to", []string{in})
		if err != nil || len(a) != 1 {
			t.Fatalf("%q: %v", in, err)
		}
		back, err := Addresses("to", []string{Format(a[0])})
		if err != nil || back[0].Name != a[0].Name || back[0].Address != a[0].Address {
			t.Errorf("%q → %q → %v, %v", in, Format(a[0]), back, err)
		}
	}
}

func TestAMessageCarriesItsDocumentsAsAttachments(t *testing.T) {
	d, err := Compose(Kinds[0], facts(t, "en"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attachments) != 1 || d.Attachments[0] != "acme-limitations.pdf" {
		t.Fatalf("attachments %q", d.Attachments)
	}
	pdf := []byte("%PDF-1.4 Grüße")
	b, err := EML(d, time.Now(), "2@x.example", Attachment{Name: "acme-limitations.pdf", MIME: "application/pdf", Data: pdf})
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.CreateReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	var files []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			text = string(body)
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			files = append(files, name)
			if !bytes.Equal(body, pdf) {
				t.Errorf("attachment %s: %q", name, body)
			}
		}
	}
	if !strings.Contains(text, "Jürgen Díaz") || len(files) != 1 || files[0] != "acme-limitations.pdf" {
		t.Errorf("text %q, files %q", text, files)
	}
}

func TestTheConfirmationGivesTheRecordsToSetAsTheCustomerTypesThem(t *testing.T) {
	f := facts(t, "en")
	f.Records = []dnscheck.Record{
		{Key: "mx", Name: "acme.example", Type: "MX", Value: "1 smtp.google.com.", Changes: true},
		{Key: "spf", Name: "acme.example", Type: "TXT", Value: "include:_spf.google.com", Match: dnscheck.MatchSPF, Changes: true},
		{Key: "verify", Name: "acme.example", Type: "TXT", Value: "google-site-verification=abc"},
	}
	d, err := Compose(Kind{Key: "confirm_contact"}, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- acme.example MX 1 smtp.google.com.", "- acme.example TXT v=spf1 include:_spf.google.com -all"} {
		if !strings.Contains(d.Body, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, d.Body)
		}
	}
	if strings.Contains(d.Body, "google-site-verification") {
		t.Error("the verification TXT is not one to change at cutover")
	}
}
