package messages

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/auth/authtest"
	"cutover/backend/fault"
	"cutover/backend/messages/smtptest"
)

const smtpSendScope = "https://outlook.office.com/SMTP.Send"

// oauthWorld is a fake Microsoft 365: the identity provider on a test clock and a
// submission server that takes XOAUTH2 tokens it checks there.
type oauthWorld struct {
	idp   *authtest.IdP
	clock *authtest.Clock
	srv   *smtptest.Server
	opts  auth.Options
	logs  *bytes.Buffer
}

func newOAuthWorld(t *testing.T) *oauthWorld {
	clock := authtest.NewClock(time.Now())
	w := &oauthWorld{clock: clock, logs: &bytes.Buffer{}}
	w.idp = authtest.New(t, authtest.Options{Now: clock.Now, Interval: time.Second})
	w.idp.AddClient("specialist-app", "")
	w.srv = smtptest.Start(t, smtptest.Options{Introspection: w.idp.IntrospectionURL(), Scope: smtpSendScope})
	w.opts = auth.Options{HTTPClient: authtest.LoopbackClient(), Now: clock.Now, Wait: clock.Wait,
		Log: slog.New(slog.NewTextHandler(w.logs, nil))}
	return w
}

// signIn is the specialist signing in by device code: the code is approved after the
// first wait, by the clock, not by time passing.
func (w *oauthWorld) signIn(t *testing.T, user string) *auth.MemoryStore {
	t.Helper()
	var shown auth.DeviceCode
	w.clock.OnWait = func(time.Duration) {
		if err := w.idp.Approve(shown.UserCode, user); err != nil {
			t.Error(err)
		}
	}
	defer func() { w.clock.OnWait = nil }()
	tok, err := auth.SignInDevice(context.Background(), w.idp.Microsoft().SMTP(), auth.App{ClientID: "specialist-app"},
		func(c auth.DeviceCode) error { shown = c; return nil }, w.opts)
	if err != nil {
		t.Fatalf("device sign-in: %v", err)
	}
	if got := w.idp.Scope(tok.AccessToken); !strings.Contains(got, smtpSendScope) {
		t.Fatalf("signed in for %q, want %s", got, smtpSendScope)
	}
	st := &auth.MemoryStore{}
	st.Save(context.Background(), tok)
	return st
}

func (w *oauthWorld) server(user string, st auth.Store) Server {
	s := Server{Host: w.srv.Host, Port: w.srv.Port, Security: StartTLS, Username: user, RootCAs: w.srv.RootCAs, Provider: "microsoft"}
	s.Tokens = auth.NewUserSource(w.idp.Microsoft().SMTP(), auth.App{ClientID: "specialist-app"}, user, st, w.opts)
	return s
}

// noSecretIn fails when a token of st appears in text.
func noSecretIn(t *testing.T, st *auth.MemoryStore, texts ...string) {
	t.Helper()
	tok, _ := st.Load(context.Background())
	for _, s := range texts {
		if tok != nil && (strings.Contains(s, tok.AccessToken) || strings.Contains(s, tok.RefreshToken)) {
			t.Errorf("a token was printed: %s", s)
		}
	}
}

func TestASpecialistSignedInByDeviceCodeSendsWithXOAUTH2(t *testing.T) {
	w := newOAuthWorld(t)
	st := w.signIn(t, "zoe@migrate.example")
	res, err := Send(context.Background(), w.server("zoe@migrate.example", st), "zoe@migrate.example", []string{"jurgen@acme.example"}, []byte("Subject: x\r\n\r\nhi\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accepted) != 1 || len(w.srv.Messages()) != 1 || w.srv.Messages()[0].From != "zoe@migrate.example" {
		t.Fatalf("result %+v, server got %d", res, len(w.srv.Messages()))
	}
	if w.idp.Grants("refresh_token") != 0 {
		t.Errorf("a fresh token was refreshed")
	}
	noSecretIn(t, st, w.logs.String())
}

func TestAnExpiredSMTPTokenIsRefreshedBeforeSending(t *testing.T) {
	w := newOAuthWorld(t)
	st := w.signIn(t, "zoe@migrate.example")
	old, _ := st.Load(context.Background())
	w.clock.Advance(2 * time.Hour) // the one-hour access token has expired
	if w.idp.Active(old.AccessToken) {
		t.Fatal("the old token should have expired")
	}
	if _, err := Send(context.Background(), w.server("zoe@migrate.example", st), "zoe@migrate.example", []string{"a@acme.example"}, []byte("Subject: x\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	if w.idp.Grants("refresh_token") != 1 || len(w.srv.Messages()) != 1 {
		t.Fatalf("%d refreshes, %d messages; want the token refreshed once and the message sent", w.idp.Grants("refresh_token"), len(w.srv.Messages()))
	}
	if now, _ := st.Load(context.Background()); now.AccessToken == old.AccessToken {
		t.Error("the refreshed token was not stored")
	}
	noSecretIn(t, st, w.logs.String())
}

func TestARevokedSMTPTokenSaysToSignInAgain(t *testing.T) {
	msg := []byte("Subject: x\r\n\r\nhi\r\n")
	for _, tc := range []struct {
		name   string
		revoke func(w *oauthWorld, tok *oauth2.Token)
	}{
		// The access token still looks valid to Cutover; the server refuses it.
		{"access token", func(w *oauthWorld, tok *oauth2.Token) { w.idp.Revoke(tok.AccessToken) }},
		// Consent withdrawn while the token had expired: the refresh is refused.
		{"refresh token", func(w *oauthWorld, tok *oauth2.Token) {
			w.idp.RevokeUser("zoe@migrate.example")
			w.clock.Advance(2 * time.Hour)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newOAuthWorld(t)
			st := w.signIn(t, "zoe@migrate.example")
			tok, _ := st.Load(context.Background())
			tc.revoke(w, tok)
			_, err := Send(context.Background(), w.server("zoe@migrate.example", st), "zoe@migrate.example", []string{"a@acme.example"}, msg)
			if !auth.IsRefused(err) || !strings.Contains(err.Error(), "sign in again as zoe@migrate.example") || !strings.Contains(err.Error(), "cutover specialist signin --smtp") {
				t.Fatalf("revoked %s: %v; want a refusal saying to sign in again", tc.name, err)
			}
			if len(w.srv.Messages()) != 0 {
				t.Error("a message went out with a revoked token")
			}
			noSecretIn(t, st, err.Error(), w.logs.String())
		})
	}
}

func TestWithoutATokenTheSMTPSignInSaysToSignIn(t *testing.T) {
	w := newOAuthWorld(t)
	_, err := Send(context.Background(), w.server("zoe@migrate.example", &auth.MemoryStore{}), "zoe@migrate.example", []string{"a@acme.example"}, []byte("Subject: x\r\n\r\nhi\r\n"))
	if !auth.IsRefused(err) || !strings.Contains(err.Error(), "sign in again") {
		t.Fatalf("no token: %v", err)
	}
}

func TestATokenIsNeverSentInPlainText(t *testing.T) {
	w := newOAuthWorld(t)
	st := w.signIn(t, "zoe@migrate.example")
	s := w.server("zoe@migrate.example", st)
	s.Security, s.AllowPlain = Plain, true
	_, err := Send(context.Background(), s, "zoe@migrate.example", []string{"a@acme.example"}, []byte("Subject: x\r\n\r\nhi\r\n"))
	if f := fault.Classify(err); f.Kind != fault.KindInput || f.Fields[0].Field != "smtp security" {
		t.Fatalf("a token over plain text: %v", err)
	}
}

func TestAServerWithoutXOAUTH2IsNamed(t *testing.T) {
	w := newOAuthWorld(t)
	st := w.signIn(t, "zoe@migrate.example")
	plainOnly := smtptest.Start(t, smtptest.Options{Users: map[string]string{"zoe@migrate.example": "s3cret"}})
	s := w.server("zoe@migrate.example", st)
	s.Port, s.RootCAs = plainOnly.Port, plainOnly.RootCAs
	_, err := Send(context.Background(), s, "zoe@migrate.example", []string{"a@acme.example"}, []byte("Subject: x\r\n\r\nhi\r\n"))
	if err == nil || !strings.Contains(err.Error(), "does not take OAuth sign-in") {
		t.Fatalf("server without XOAUTH2: %v", err)
	}
	noSecretIn(t, st, err.Error())
}
