package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/auth/authtest"
	"cutover/backend/internal/testsrv"
	"cutover/backend/secrets"
)

const (
	alice = "alice@example.test"
	bob   = "bob@example.test"
)

// world is a fake identity provider and a real Dovecot that checks tokens with it, both
// on loopback and on one test clock.
type world struct {
	clock *authtest.Clock
	idp   *authtest.IdP
	dove  *testsrv.Dovecot
	opts  auth.Options
}

func newWorld(t *testing.T, lifetime time.Duration) *world {
	t.Helper()
	clock := authtest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	idp := authtest.New(t, authtest.Options{Now: clock.Now, Lifetime: lifetime})
	idp.AddClient("public-app", "")
	idp.AddUser(alice, bob)
	dove := testsrv.NewDovecot(t, testsrv.DovecotOptions{
		Users:  []testsrv.User{{Name: alice, Password: "a-pw"}, {Name: bob, Password: "b-pw"}},
		OAuth2: &testsrv.OAuth2Options{IntrospectionURL: idp.IntrospectionURL(), AppTokens: true},
	})
	return &world{clock: clock, idp: idp, dove: dove,
		opts: auth.Options{HTTPClient: authtest.LoopbackClient(), Now: clock.Now, Wait: clock.Wait, Margin: 5 * time.Minute}}
}

// login opens an IMAP connection to Dovecot and authenticates with c.
func (w *world) login(t *testing.T, c auth.Credential) (*imapclient.Client, error) {
	t.Helper()
	cl, err := imapclient.DialInsecure(w.dove.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	if err := auth.Authenticate(context.Background(), cl, auth.IMAPCaps(cl.Caps()), c); err != nil {
		return nil, err
	}
	return cl, nil
}

func (w *world) mustLogin(t *testing.T, c auth.Credential) *imapclient.Client {
	t.Helper()
	cl, err := w.login(t, c)
	if err != nil {
		t.Fatalf("login as %s: %v", c.User, err)
	}
	return cl
}

// subjects lists the subjects in user's INBOX, read with the user's password.
func (w *world) subjects(t *testing.T, user string) []string {
	t.Helper()
	cl := w.mustLogin(t, auth.Credential{Method: auth.MethodPassword, User: user, Password: secrets.New(w.dove.Password(user))})
	if _, err := cl.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := cl.Fetch(all, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil && !strings.Contains(err.Error(), "No messages") {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Envelope.Subject)
	}
	return out
}

func appendSubject(t *testing.T, cl *imapclient.Client, subject string) {
	t.Helper()
	msg := "From: a@example.test\r\nSubject: " + subject + "\r\n\r\nbody\r\n"
	cmd := cl.Append("INBOX", int64(len(msg)), nil)
	io.WriteString(cmd, msg)
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("append: %v", err)
	}
}

// static is a token source that always gives one token.
type static string

func (s static) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s), TokenType: "Bearer"}, nil
}

func TestDeviceCodeSignInWaitsThroughPendingAndSlowDownThenOpensTheMailbox(t *testing.T) {
	w := newWorld(t, time.Hour)
	var shown auth.DeviceCode
	var waits []time.Duration
	w.clock.OnWait = func(d time.Duration) {
		waits = append(waits, d)
		if len(waits) == 2 { // alice types the code after the client has polled once
			if err := w.idp.Approve(shown.UserCode, alice); err != nil {
				t.Error(err)
			}
		}
	}
	tok, err := auth.SignInDevice(context.Background(), w.idp.Microsoft(), auth.App{ClientID: "public-app"},
		func(c auth.DeviceCode) error { shown = c; return nil }, w.opts)
	if err != nil {
		t.Fatalf("device sign-in: %v", err)
	}
	if shown.UserCode == "" || !strings.HasPrefix(shown.VerificationURI, w.idp.URL) {
		t.Fatalf("shown %+v: want a code and the provider's URL", shown)
	}
	// 5 s before the first poll (pending), 5 s before the second (slow_down), then 10 s:
	// RFC 8628 §3.5 adds five seconds after slow_down. (The fake also fails the test when a
	// poll comes early.)
	if want := []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second}; fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token: offline_access was not asked for or not kept")
	}
	if !tok.Expiry.Equal(w.clock.Now().Add(time.Hour)) {
		t.Errorf("expiry %v, want an hour after now on the test clock (%v)", tok.Expiry, w.clock.Now())
	}

	store := &auth.MemoryStore{}
	store.Save(context.Background(), tok)
	src := auth.NewUserSource(w.idp.Microsoft(), auth.App{ClientID: "public-app"}, alice, store, w.opts)
	for _, mech := range []string{auth.XOAuth2, auth.OAuthBearer} {
		cl := w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: alice, Tokens: src, Mechanism: mech})
		appendSubject(t, cl, "signed in with "+mech)
	}
	if got := w.subjects(t, alice); fmt.Sprint(got) != "[signed in with XOAUTH2 signed in with OAUTHBEARER]" {
		t.Errorf("alice's INBOX: %q", got)
	}
}

// browse follows the sign-in URL as a browser would: the provider redirects to the
// loopback listener, which answers the page the person sees.
func browse(t *testing.T, page *string) func(string) error {
	return func(u string) error {
		resp, err := authtest.LoopbackClient().Get(u)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		*page = string(b)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the browser got %s: %s", resp.Status, b)
		}
		return nil
	}
}

func TestBrowserSignInWithPKCEOpensTheMailbox(t *testing.T) {
	w := newWorld(t, time.Hour)
	w.idp.AddClient("google-desktop", "desktop-secret")
	for _, tc := range []struct {
		name string
		p    auth.Provider
		app  auth.App
		user string
	}{
		{"microsoft", w.idp.Microsoft(), auth.App{ClientID: "public-app"}, alice},
		{"google", w.idp.Google(), auth.App{ClientID: "google-desktop", ClientSecret: secrets.New("desktop-secret")}, bob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.idp.SetBrowserUser(tc.user)
			var page string
			tok, err := auth.SignInBrowser(context.Background(), tc.p, tc.app, browse(t, &page), w.opts)
			if err != nil {
				t.Fatalf("browser sign-in: %v", err)
			}
			if !strings.Contains(page, "Signed in") {
				t.Errorf("the browser shows %q", page)
			}
			if tok.RefreshToken == "" {
				t.Error("no refresh token")
			}
			cl := w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: tc.user, Tokens: static(tok.AccessToken)})
			appendSubject(t, cl, "browser "+tc.name)
			if got := w.subjects(t, tc.user); fmt.Sprint(got) != "[browser "+tc.name+"]" {
				t.Errorf("%s's INBOX: %q", tc.user, got)
			}
		})
	}
}

func TestAppOnlyTokenOpensEachMailboxNamedInUser(t *testing.T) {
	w := newWorld(t, time.Hour)
	w.idp.AddApp("cutover-app", "app-secret", "example.test")
	apps := auth.NewAppSource(w.idp.Microsoft(), auth.App{ClientID: "cutover-app", ClientSecret: secrets.New("app-secret")}, w.opts)
	for _, user := range []string{alice, bob} {
		// As Exchange Online: XOAUTH2 with user=<mailbox> and the app's token.
		cl := w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: user, Tokens: apps.For(user),
			AppWide: true, Provider: "microsoft", Mechanism: auth.XOAuth2})
		appendSubject(t, cl, "for "+user)
	}
	if got := w.subjects(t, alice); fmt.Sprint(got) != "[for "+alice+"]" {
		t.Errorf("alice's INBOX: %q (want only her message: the token opened the mailbox named in user=)", got)
	}
	if got := w.subjects(t, bob); fmt.Sprint(got) != "[for "+bob+"]" {
		t.Errorf("bob's INBOX: %q", got)
	}
	if n := w.idp.Grants("client_credentials"); n != 1 {
		t.Errorf("%d client-credentials grants, want 1 token shared by the mailboxes", n)
	}

	// A user's own token does not open another mailbox.
	_, err := w.login(t, auth.Credential{Method: auth.MethodToken, User: bob, Tokens: static(w.idp.UserToken(alice))})
	if !auth.IsRefused(err) {
		t.Errorf("alice's token as bob: %v, want refused", err)
	}
}

func TestServiceAccountGetsATokenPerMailbox(t *testing.T) {
	w := newWorld(t, time.Hour)
	key := w.idp.AddServiceAccount("migrator@cutover-test.iam.gserviceaccount.com")
	sa, err := auth.NewServiceAccount(secrets.New(string(key)), w.idp.Google(), w.opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{alice, bob} {
		cl := w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: user, Tokens: sa.For(user), AppWide: true, Provider: "google"})
		appendSubject(t, cl, "delegated "+user)
	}
	if got := w.subjects(t, bob); fmt.Sprint(got) != "[delegated "+bob+"]" {
		t.Errorf("bob's INBOX: %q", got)
	}
	if n := w.idp.Grants("urn:ietf:params:oauth:grant-type:jwt-bearer"); n != 2 {
		t.Errorf("%d JWT grants, want one per mailbox", n)
	}

	_, err = w.login(t, auth.Credential{Method: auth.MethodToken, User: "carol@example.test", Tokens: sa.For("carol@example.test"), AppWide: true, Provider: "google"})
	var re *auth.RefusedError
	if !errors.As(err, &re) || re.User != "carol@example.test" || !strings.Contains(re.Advice(), "domain-wide delegation") {
		t.Errorf("a mailbox the provider does not know: %v, want a refusal naming carol and delegation", err)
	}
}

func TestRevokedTokenStopsOnlyThatMailboxWithWhatToDo(t *testing.T) {
	w := newWorld(t, time.Hour)
	w.idp.AddApp("cutover-app", "app-secret", "example.test")
	bobs := w.idp.UserToken(bob)
	w.idp.Revoke(bobs)

	for _, mech := range []string{auth.XOAuth2, auth.OAuthBearer} {
		_, err := w.login(t, auth.Credential{Method: auth.MethodToken, User: bob, Tokens: static(bobs), Mechanism: mech})
		var re *auth.RefusedError
		if !errors.As(err, &re) {
			t.Fatalf("%s with a revoked token: %v, want a *RefusedError", mech, err)
		}
		if re.User != bob || re.Mechanism != mech || !strings.Contains(err.Error(), "sign in again as "+bob) {
			t.Errorf("%s: %v (user %q): want bob named and told to sign in again", mech, err, re.User)
		}
		if re.Status == "" {
			t.Errorf("%s: the server's error challenge was not read", mech)
		}
	}
	// The connection is still usable after the refusal (the challenge was answered):
	// alice, on her own connection, is not affected either.
	w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: alice, Tokens: static(w.idp.UserToken(alice))})

	// An app disabled at the provider: the mailbox is named with the admin's fix.
	apps := auth.NewAppSource(w.idp.Microsoft(), auth.App{ClientID: "cutover-app", ClientSecret: secrets.New("app-secret")}, w.opts)
	w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: alice, Tokens: apps.For(alice), AppWide: true, Provider: "microsoft"})
	w.idp.RevokeUser("cutover-app")
	_, err := w.login(t, auth.Credential{Method: auth.MethodToken, User: bob, Tokens: apps.For(bob), AppWide: true, Provider: "microsoft"})
	if !auth.IsRefused(err) || !strings.Contains(err.Error(), "grant FullAccess to the app on "+bob) {
		t.Errorf("revoked app token: %v, want a refusal telling to grant FullAccess on bob", err)
	}

	// A refresh token revoked at the provider: the refresh is refused, sign in again.
	store := &auth.MemoryStore{}
	var page string
	w.idp.SetBrowserUser(alice)
	tok, err := auth.SignInBrowser(context.Background(), w.idp.Microsoft(), auth.App{ClientID: "public-app"}, browse(t, &page), w.opts)
	if err != nil {
		t.Fatal(err)
	}
	store.Save(context.Background(), tok)
	w.idp.Revoke(tok.RefreshToken)
	w.clock.Advance(time.Hour)
	src := auth.NewUserSource(w.idp.Microsoft(), auth.App{ClientID: "public-app"}, alice, store, w.opts)
	_, err = w.login(t, auth.Credential{Method: auth.MethodToken, User: alice, Tokens: src})
	var re *auth.RefusedError
	if !errors.As(err, &re) || re.Status != "invalid_grant" || !strings.Contains(err.Error(), "sign in again as "+alice) {
		t.Errorf("revoked refresh token: %v, want a refusal (invalid_grant) telling alice to sign in again", err)
	}
}

func TestTokenIsRenewedBeforeItExpiresOnALongPass(t *testing.T) {
	w := newWorld(t, 10*time.Minute)
	var page string
	w.idp.SetBrowserUser(alice)
	tok, err := auth.SignInBrowser(context.Background(), w.idp.Microsoft(), auth.App{ClientID: "public-app"}, browse(t, &page), w.opts)
	if err != nil {
		t.Fatal(err)
	}
	store := &auth.MemoryStore{}
	store.Save(context.Background(), tok)
	src := auth.NewUserSource(w.idp.Microsoft(), auth.App{ClientID: "public-app"}, alice, store, w.opts)
	cred := auth.Credential{Method: auth.MethodToken, User: alice, Tokens: src}

	// A pass of several hours reconnects every few minutes: each connection must get a
	// token the server accepts, and the token must be renewed before it expires.
	seen := map[string]bool{}
	for i := 0; i < 12; i++ {
		cur, err := src.Token(context.Background())
		if err != nil {
			t.Fatalf("after %v: %v", time.Duration(i)*4*time.Minute, err)
		}
		if !cur.Expiry.After(w.clock.Now().Add(5 * time.Minute)) {
			t.Fatalf("after %v: the token expires at %v, within the margin", time.Duration(i)*4*time.Minute, cur.Expiry)
		}
		seen[cur.AccessToken] = true
		cl := w.mustLogin(t, cred)
		appendSubject(t, cl, fmt.Sprintf("message %d", i))
		w.clock.Advance(4 * time.Minute)
	}
	if w.idp.Active(tok.AccessToken) {
		t.Error("the first token should have expired at the provider by now")
	}
	if n := w.idp.Grants("refresh_token"); n < 4 || len(seen) != n+1 {
		t.Errorf("%d refreshes and %d distinct tokens over 48 minutes of 10-minute tokens", n, len(seen))
	}
	cur, _ := src.Token(context.Background())
	if saved, _ := store.Load(context.Background()); saved.AccessToken != cur.AccessToken {
		t.Error("the renewed token was not saved in the store")
	}
	if got := w.subjects(t, alice); len(got) != 12 {
		t.Errorf("alice's INBOX: %q, want the 12 messages appended over the pass", got)
	}
	// The expired first token is refused by the server: without renewal the pass would
	// have stopped.
	if _, err := w.login(t, auth.Credential{Method: auth.MethodToken, User: alice, Tokens: static(tok.AccessToken)}); !auth.IsRefused(err) {
		t.Errorf("the expired first token: %v, want refused", err)
	}
}

func TestPasswordsUsePlainWithAnAuthorizationIdentityForAdmins(t *testing.T) {
	w := newWorld(t, time.Hour)
	cl := w.mustLogin(t, auth.Credential{Method: auth.MethodAdminPassword, User: bob, Admin: w.dove.MasterUser, Password: secrets.New(w.dove.MasterPassword)})
	appendSubject(t, cl, "by the admin")
	if got := w.subjects(t, bob); fmt.Sprint(got) != "[by the admin]" {
		t.Errorf("bob's INBOX: %q", got)
	}
	_, err := w.login(t, auth.Credential{Method: auth.MethodPassword, User: alice, Password: secrets.New("wrong")})
	var re *auth.RefusedError
	if !errors.As(err, &re) || re.Mechanism != auth.Plain || !strings.Contains(re.Advice(), "password") {
		t.Errorf("wrong password: %v, want a refusal", err)
	}
}

func TestAppOnlyAccessWithACertificateInsteadOfASecret(t *testing.T) {
	w := newWorld(t, time.Hour)
	pemData := w.idp.AddAppCertificate("cert-app", "example.test")
	cert, err := auth.ParseClientCertificate(pemData)
	if err != nil {
		t.Fatal(err)
	}
	apps := auth.NewAppSource(w.idp.Microsoft(), auth.App{ClientID: "cert-app", Certificate: cert}, w.opts)
	cl := w.mustLogin(t, auth.Credential{Method: auth.MethodToken, User: bob, Tokens: apps.For(bob), AppWide: true, Provider: "microsoft"})
	appendSubject(t, cl, "by certificate")
	if got := w.subjects(t, bob); fmt.Sprint(got) != "[by certificate]" {
		t.Errorf("bob's INBOX: %q", got)
	}

	// Another certificate (the admin uploaded a different one) is refused by the provider.
	other, _ := auth.ParseClientCertificate(authtest.New(t, authtest.Options{}).AddAppCertificate("cert-app", "example.test"))
	wrong := auth.NewAppSource(w.idp.Microsoft(), auth.App{ClientID: "cert-app", Certificate: other}, w.opts)
	if _, err := wrong.For(alice).Token(context.Background()); !auth.IsRefused(err) {
		t.Errorf("a certificate the app does not have: %v, want refused", err)
	}
	if _, err := auth.ParseClientCertificate(pemData[:strings.Index(string(pemData), "-----BEGIN PRIVATE KEY")]); err == nil {
		t.Error("a certificate without its key was accepted")
	}
}
