package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cutover/backend/auth/authtest"
	"cutover/backend/messages/smtptest"
)

func TestTheSpecialistSignsInToSMTPByDeviceCodeAndSends(t *testing.T) {
	idp := authtest.New(t, authtest.Options{Interval: time.Second})
	idp.AddClient("specialist-app", "")
	srv := smtptest.Start(t, smtptest.Options{Introspection: idp.IntrospectionURL(), Scope: "https://outlook.office.com/SMTP.Send"})
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	createAcme(t, db)
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, srv.CAPEM, 0o600)

	if _, stderr, code := run(t, db, "", "specialist", "set", "--smtp-auth", "kerberos"); code != ExitUsage || !strings.Contains(stderr, "smtp auth") {
		t.Fatalf("unknown --smtp-auth: exit %d: %s; want a usage error naming the field", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "specialist", "set", "--name", "Zoé", "--email", "zoe@migrate.example",
		"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(srv.Port), "--smtp-security", "starttls", "--smtp-user", "zoe@migrate.example",
		"--smtp-ca-file", ca, "--smtp-auth", "microsoft", "--smtp-client-id", "specialist-app", "--smtp-idp-url", idp.URL); code != 0 {
		t.Fatalf("specialist set: exit %d: %s", code, stderr)
	}
	if out, _, _ := run(t, db, "", "specialist", "show"); !strings.Contains(out, "microsoft sign-in, not signed in (cutover specialist signin --smtp)") {
		t.Errorf("show before signing in: %s", out)
	}
	if _, stderr, code := run(t, db, "", "specialist", "signin"); code != ExitUsage || !strings.Contains(stderr, "--smtp") {
		t.Errorf("signin without --smtp: exit %d: %s", code, stderr)
	}

	out := &approveOnCode{idp: idp, user: "zoe@migrate.example"}
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"--db", db, "specialist", "signin", "--smtp", "--device"}, Options{Stdout: out, Stderr: &stderr, Stdin: strings.NewReader("")})
	if code != ExitOK || out.err != nil {
		t.Fatalf("signin: exit %d, approve %v: %s %s", code, out.err, out.buf.String(), stderr.String())
	}
	if !strings.Contains(out.buf.String(), "Signed in as zoe@migrate.example (smtp); the token is renewed by itself") {
		t.Errorf("signin printed %q", out.buf.String())
	}
	show, _, _ := run(t, db, "", "specialist", "show")
	if !strings.Contains(show, "microsoft sign-in, signed in") {
		t.Errorf("show after signing in: %s", show)
	}
	sent, stderr2, code := run(t, db, "", "message", "send", "--project", "acme", "--step", "pre_contact", "--to", "dana@acme.example")
	if code != 0 || len(srv.Messages()) != 1 {
		t.Fatalf("send: exit %d: %s %s; the server got %d", code, sent, stderr2, len(srv.Messages()))
	}
	if out, stderr, code := run(t, db, "", "specialist", "signout", "--smtp"); code != 0 || !strings.Contains(out, "Signed out") {
		t.Errorf("signout: exit %d: %s %s", code, out, stderr)
	}
	if out, _, _ := run(t, db, "", "specialist", "show"); !strings.Contains(out, "not signed in") {
		t.Errorf("show after signing out: %s", out)
	}
	js, _, _ := run(t, db, "", "--json", "specialist", "show")
	for _, s := range []string{out.buf.String(), stderr.String(), show, sent, stderr2, js} {
		if strings.Contains(s, "access_token") || strings.Contains(s, "refresh_token") {
			t.Errorf("a token was printed: %s", s)
		}
	}
}
