package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/auth/authtest"
	"cutover/backend/docs"
	"cutover/backend/fault"
	"cutover/backend/messages"
	"cutover/backend/messages/smtptest"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// smtpOAuthWorld: the signInWorld's API and fake provider, and a submission server that
// takes XOAUTH2 tokens for SMTP.Send it checks at that provider.
func smtpOAuthWorld(t *testing.T) (*signInWorld, *smtptest.Server) {
	t.Helper()
	w := newSignInWorld(t, "")
	w.idp.AddClient("specialist-app", "")
	srv := smtptest.Start(t, smtptest.Options{Introspection: w.idp.IntrospectionURL(), Scope: "https://outlook.office.com/SMTP.Send"})
	ca := caFile(t, srv)
	if _, err := w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{
		Specialist: docs.Specialist{Name: "Zoé", Email: "zoe@migrate.example"},
		SMTPHost:   srv.Host, SMTPPort: srv.Port, SMTPSecurity: messages.StartTLS, SMTPUser: "zoe@migrate.example", SMTPCAFile: ca,
		SMTPAuth: SMTPAuthMicrosoft, SMTPClientID: "specialist-app", SMTPIdPURL: w.idp.URL,
	}}); err != nil {
		t.Fatal(err)
	}
	return w, srv
}

// caFile writes the server's CA where the profile's --smtp-ca-file points.
func caFile(t *testing.T, srv *smtptest.Server) string {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return ca
}

func signInSMTP(t *testing.T, w *signInWorld) {
	t.Helper()
	tk, err := w.a.SpecialistSignInStart(SpecialistSignInInput{})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Mode != "device" || tk.UserCode == "" || tk.Side != "smtp" || tk.Mailbox != "zoe@migrate.example" {
		t.Fatalf("ticket %+v: want a device code for zoe", tk)
	}
	if err := w.idp.Approve(tk.UserCode, "zoe@migrate.example"); err != nil {
		t.Fatal(err)
	}
	if res, err := w.a.SignInWait(tk.Handle); err != nil || res.State != "signed-in" {
		t.Fatalf("sign-in ended %+v %v", res, err)
	}
}

func TestTheSpecialistSignedInWithMicrosoftSendsAndTheTokenIsRenewed(t *testing.T) {
	w, srv := smtpOAuthWorld(t)
	to := SendInput{To: []string{"jurgen@acme.example"}}
	if _, err := w.a.MessageSend("acme", "pre_contact", to); !strings.Contains(err.Error(), "sign in again") {
		t.Fatalf("sending before signing in: %v; want to be told to sign in", err)
	}
	signInSMTP(t, w)
	v, err := w.a.Specialist()
	if err != nil || !v.SMTPSignedIn || !v.SMTPRefreshable || v.SMTPAuth != SMTPAuthMicrosoft {
		t.Fatalf("profile after sign-in: %+v %v", v, err)
	}
	tok, _ := specialistTokens{w.a}.Load(w.a.ctx)
	shown, _ := json.Marshal(v)
	if strings.Contains(string(shown), tok.AccessToken) || strings.Contains(string(shown), tok.RefreshToken) {
		t.Fatalf("the profile shows the token: %s", shown)
	}
	if _, err := w.a.MessageSend("acme", "pre_contact", to); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(2 * time.Hour)
	if _, err := w.a.MessageSend("acme", "pre_contact", to); err != nil {
		t.Fatalf("after the access token expired: %v", err)
	}
	if n := w.idp.Grants("refresh_token"); n != 1 || len(srv.Messages()) != 2 {
		t.Fatalf("%d refreshes, %d messages; want one refresh and both sent", n, len(srv.Messages()))
	}
	log, _ := w.a.ContactLog("acme")
	if len(log) != 2 || !strings.HasPrefix(log[0].Summary, "Sent ") {
		t.Errorf("contact log %+v", log)
	}

	// Signed out, then in again.
	if err := w.a.SpecialistSignOut(); err != nil {
		t.Fatal(err)
	}
	if v, _ := w.a.Specialist(); v.SMTPSignedIn {
		t.Fatal("still signed in after signing out")
	}
	if _, err := w.a.MessageSend("acme", "pre_contact", to); err == nil || !strings.Contains(err.Error(), "sign in again") {
		t.Fatalf("sending after signing out: %v", err)
	}
	signInSMTP(t, w)
	tok, _ = specialistTokens{w.a}.Load(w.a.ctx)

	w.idp.RevokeUser("zoe@migrate.example")
	_, err = w.a.MessageSend("acme", "pre_contact", to)
	if err == nil || !strings.Contains(err.Error(), "sign in again as zoe@migrate.example") {
		t.Fatalf("revoked: %v; want to sign in again", err)
	}
	now, _ := specialistTokens{w.a}.Load(w.a.ctx)
	for _, s := range []string{tok.AccessToken, tok.RefreshToken, now.AccessToken, now.RefreshToken} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error shows a token: %v", err)
		}
	}
}

func TestTheSpecialistsSMTPSignInSettingsAreCheckedByField(t *testing.T) {
	w := newSignInWorld(t, "")
	_, err := w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{SMTPAuth: "kerberos"}})
	if f := fault.Classify(err); f.Kind != fault.KindInput || len(f.Fields) != 1 || f.Fields[0].Field != "smtp auth" {
		t.Fatalf("unknown method: %+v", f)
	}
	v, err := w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{SMTPAuth: "google", SMTPUser: "zoe@gmail.example"}})
	if err != nil || v.SMTPHost != "smtp.gmail.com" || v.SMTPPort != 465 || v.SMTPSecurity != messages.Implicit {
		t.Fatalf("google preset: %+v %v", v.SpecialistProfile, err)
	}
	if _, err := w.a.SpecialistSignInStart(SpecialistSignInInput{}); fault.Classify(err).Fields[0].Field != "smtp client id" {
		t.Fatalf("no client ID: %v", err)
	}
	if _, err := w.a.SpecialistSignInStart(SpecialistSignInInput{Mode: "device"}); fault.Classify(err).Fields[0].Field != "mode" {
		t.Fatalf("Google by device code: %v", err)
	}
	v, err = w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{SMTPAuth: "microsoft"}})
	if err != nil || v.SMTPHost != "smtp.office365.com" || v.SMTPPort != 587 {
		t.Fatalf("microsoft preset: %+v %v", v.SpecialistProfile, err)
	}
	_, err = w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{SMTPAuth: "microsoft", SMTPHost: "smtp.evil.example"}})
	if f := fault.Classify(err); len(f.Fields) != 1 || f.Fields[0].Field != "smtp host" || !strings.Contains(f.Fields[0].Expected, "smtp.office365.com") {
		t.Fatalf("a Microsoft token to another host: %+v", f)
	}
	if _, err := w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{SMTPAuth: "password"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.SpecialistSignInStart(SpecialistSignInInput{}); fault.Classify(err).Fields[0].Field != "smtp auth" {
		t.Fatalf("sign-in with a password profile: %v", err)
	}
}

func TestTheSpecialistSignedInWithGoogleInTheBrowserSendsOverTLS(t *testing.T) {
	w := newSignInWorld(t, "")
	w.idp.AddClient("google-desktop", "desktop-secret")
	srv := smtptest.Start(t, smtptest.Options{Implicit: true, Introspection: w.idp.IntrospectionURL(), Scope: "https://mail.google.com/"})
	ca := caFile(t, srv)
	if _, err := w.a.SetSpecialist(SpecialistInput{SpecialistProfile: store.SpecialistProfile{
		Specialist: docs.Specialist{Name: "Zoé", Email: "zoe@gmail.example"},
		SMTPHost:   srv.Host, SMTPPort: srv.Port, SMTPSecurity: messages.Implicit, SMTPUser: "zoe@gmail.example", SMTPCAFile: ca,
		SMTPAuth: SMTPAuthGoogle, SMTPClientID: "google-desktop", SMTPIdPURL: w.idp.URL,
	}, SMTPClientSecret: secrets.New("desktop-secret")}); err != nil {
		t.Fatal(err)
	}
	w.idp.SetBrowserUser("zoe@gmail.example")
	tk, err := w.a.SpecialistSignInStart(SpecialistSignInInput{})
	if err != nil || tk.Mode != "browser" || tk.AuthURL == "" {
		t.Fatalf("ticket %+v %v; want the provider's page to open", tk, err)
	}
	resp, err := authtest.LoopbackClient().Get(tk.AuthURL) // the browser, redirected back to Cutover
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if res, err := w.a.SignInWait(tk.Handle); err != nil || res.State != "signed-in" {
		t.Fatalf("sign-in ended %+v %v", res, err)
	}
	if _, err := w.a.MessageSend("acme", "pre_contact", SendInput{To: []string{"jurgen@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].From != "zoe@gmail.example" {
		t.Fatalf("the server got %+v", got)
	}
	if v, _ := w.a.Specialist(); !v.HasSMTPClientSecret || !v.SMTPSignedIn {
		t.Errorf("profile %+v", v)
	}
}
