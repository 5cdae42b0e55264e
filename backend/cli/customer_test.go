package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"cutover/backend/docs/docstest"
	"cutover/backend/messages/smtptest"
)

func TestTheCustomerPackFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, stderr, code := run(t, db, stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	must("", "project", "create", "--name", "acme", "--customer", "Díaz & Grüße", "--domain", "acme.example", "--provider", "google",
		"--source", "imaps://mail.old.example", "--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris")
	must("", "customer", "--project", "acme", "--language", "fr", "--contact-name", "Jürgen", "--contact-email", "jurgen@acme.example")

	srv := smtptest.Start(t, smtptest.Options{Users: map[string]string{"zoe@migrate.example": "pw"}, Refuse: []string{"gone@acme.example"}})
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, srv.CAPEM, 0o600)
	t.Setenv("CUTOVER_SMTP_PASSWORD", "pw")
	must("", "specialist", "set", "--name", "Zoé", "--email", "zoe@migrate.example", "--phone", "+33 1 00 00 00 00",
		"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(srv.Port), "--smtp-security", "starttls", "--smtp-user", "zoe@migrate.example",
		"--smtp-ca-file", ca, "--smtp-password")
	if out := must("", "specialist", "show"); !strings.Contains(out, "password stored") || strings.Contains(out, "pw,") {
		t.Errorf("show: %s", out)
	}

	for _, name := range []string{"tasks.pdf", "guide.html", "report-progress.xlsx"} {
		kind := strings.TrimSuffix(name, filepath.Ext(name))
		out := filepath.Join(dir, name)
		must("", "doc", kind, "--project", "acme", "--out", out)
		if st, err := os.Stat(out); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	pdf, _ := os.ReadFile(filepath.Join(dir, "tasks.pdf"))
	if text := docstest.PDFText(t, pdf); !strings.Contains(text, "Tâches de préparation pour Díaz & Grüße") {
		t.Errorf("tasks.pdf:\n%s", text)
	}
	if _, stderr, code := run(t, db, "", "doc", "tasks", "--project", "acme", "--out", filepath.Join(dir, "x.docx")); code != 2 || !strings.Contains(stderr, "pdf, html or xlsx") {
		t.Errorf("docx: exit %d %s", code, stderr)
	}

	if out := must("", "message", "draft", "--project", "acme", "--step", "pre_contact"); !strings.Contains(out, "Bonjour Jürgen") {
		t.Errorf("draft: %s", out)
	}
	must("Corps modifié.\n", "message", "edit", "--project", "acme", "--step", "pre_contact", "--subject", "Objet à moi", "--body-file", "-")
	eml := filepath.Join(dir, "m.eml")
	must("", "message", "draft", "--project", "acme", "--step", "pre_contact", "--to", "Ana Müller <ana@acme.example>", "--out", eml)
	b, _ := os.ReadFile(eml)
	r, err := mail.CreateReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := r.Header.Subject(); s != "Objet à moi" {
		t.Errorf("eml subject %q", s)
	}
	if to, _ := r.Header.AddressList("To"); len(to) != 1 || to[0].Name != "Ana Müller" {
		t.Errorf("eml to %v", to)
	}

	out, stderr, code := run(t, db, "", "message", "send", "--project", "acme", "--step", "pre_contact", "--to", "jurgen@acme.example,gone@acme.example")
	if code != 3 || !strings.Contains(out, "Refused: gone@acme.example: 550") || !strings.Contains(out, "Step Pre-migration contact: done") {
		t.Errorf("send: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, stderr, code := run(t, db, "", "case", "close", "--project", "acme"); code != 2 || !strings.Contains(stderr, "still open") {
		t.Errorf("close with open items: exit %d %s", code, stderr)
	}
	must("", "case", "close", "--project", "acme", "--force", "--reason", "customer asked", "--out", filepath.Join(dir, "close.pdf"))
}
