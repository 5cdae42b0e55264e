package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/auth/authtest"
	"cutover/backend/events"
	"cutover/backend/internal/testsrv"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

const (
	alice = "alice@example.test"
	bob   = "bob@example.test"
)

// signInWorld is an API over a fresh database with a project whose batch holds alice and
// bob, a fake identity provider on a test clock, and the API's sign-ins on that clock.
type signInWorld struct {
	a     *API
	db    string
	clock *authtest.Clock
	idp   *authtest.IdP
}

func newSignInWorld(t *testing.T, dest string) *signInWorld {
	t.Helper()
	ctx := context.Background()
	clock := authtest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	idp := authtest.New(t, authtest.Options{Now: clock.Now})
	idp.AddUser(alice, bob)
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.LoadOrCreateKey(secrets.KeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	vault, err := secrets.NewVault(key, st)
	if err != nil {
		t.Fatal(err)
	}
	a := New(ctx, Options{Store: st, Vault: vault, Now: clock.Now, Bus: events.NewBus()})
	t.Cleanup(func() { Close(a) })
	a.signIns().opts = &auth.Options{Now: clock.Now, Wait: clock.Wait, HTTPClient: authtest.LoopbackClient()}
	if dest == "" {
		dest = "imap+plain://127.0.0.1:9"
	}
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"example.test"}, Provider: ptr("m365"),
		Source: ptr("imap+plain://127.0.0.1:9"), Dest: ptr(dest), Cutover: ptr("2099-05-14 18:00"), Zone: ptr("UTC"), Holidays: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{alice, bob} {
		if _, err := a.BatchSet("acme", BatchInput{SourceLogin: strings.Replace(u, "example.test", "old.test", 1), DestLogin: u, SourcePassword: "src-pw"}); err != nil {
			t.Fatal(err)
		}
	}
	return &signInWorld{a: a, db: path, clock: clock, idp: idp}
}

// signIn signs mailbox in on the destination with a device code, approving it at the
// fake provider as the person would, once the code is shown.
func (w *signInWorld) signIn(t *testing.T, mailbox string) SignInResult {
	t.Helper()
	tk, err := w.a.SignInStart("acme", SignInStartInput{Side: "dest", Mailbox: mailbox, Mode: "device"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.UserCode == "" || !strings.HasPrefix(tk.VerificationURI, w.idp.URL+"/device") {
		t.Fatalf("ticket %+v: want a user code and the provider's /device page", tk)
	}
	if err := w.idp.Approve(tk.UserCode, mailbox); err != nil {
		t.Fatal(err)
	}
	res, err := w.a.SignInWait(tk.Handle)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (w *signInWorld) set(t *testing.T, in SignInSettingInput) {
	t.Helper()
	in.Side = "dest"
	in.IdPURL = &w.idp.URL
	if _, err := w.a.SignInSet("acme", in); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceSignInSealsTheTokenAndNeverShowsIt(t *testing.T) {
	w := newSignInWorld(t, "")
	w.idp.AddClient("public-app", "")
	w.set(t, SignInSettingInput{Method: SignInMicrosoftUser, Tenant: "organizations", ClientID: "public-app"})

	sub, stop := w.a.bus.Subscribe()
	defer stop()
	res := w.signIn(t, alice)
	if res.State != "signed-in" || !res.Refreshable || res.Expiry.IsZero() {
		t.Fatalf("sign-in ended %+v; want signed in with a refresh token", res)
	}
	var names []string
	for len(names) < 2 {
		ev := <-sub
		names = append(names, ev.Name)
	}
	if names[0] != "signin:code" || names[1] != "signin:done" {
		t.Errorf("events %v; want signin:code then signin:done", names)
	}

	st, err := w.a.SignInStatus("acme")
	if err != nil {
		t.Fatal(err)
	}
	dest := st[1]
	if dest.Side != "dest" || dest.Method != SignInMicrosoftUser || len(dest.Mailboxes) != 2 {
		t.Fatalf("status %+v", dest)
	}
	if m := dest.Mailboxes[0]; m.Mailbox != alice || m.State != "signed-in" || !m.Refreshable || !m.Expiry.Equal(res.Expiry) {
		t.Errorf("alice: %+v; want signed in, renewable, expiring %v", m, res.Expiry)
	}
	if m := dest.Mailboxes[1]; m.Mailbox != bob || m.State != "not-signed-in" {
		t.Errorf("bob: %+v; want not signed in", m)
	}

	// The token the copy engine will present is the one signed in, found in the vault.
	tok, err := w.a.tokenStore(1, "dest", alice).Load(context.Background())
	if err != nil || tok == nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("stored token %v, %v", tok != nil, err)
	}
	settings, _ := w.a.SignInSettings("acme")
	export, err := w.a.PeopleExport("acme", "users", "csv", true)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := json.Marshal([]any{st, settings, res, export})
	w.a.store.Close() // flush the WAL into the database file
	raw, err := os.ReadFile(w.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{w.db + "-wal"} {
		if b, err := os.ReadFile(f); err == nil {
			raw = append(raw, b...)
		}
	}
	for what, v := range map[string]string{"access token": tok.AccessToken, "refresh token": tok.RefreshToken} {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("the %s is in the database file in clear", what)
		}
		if bytes.Contains(shown, []byte(v)) || bytes.Contains(export.Data, []byte(v)) {
			t.Errorf("the %s is in the status, the settings or the users export", what)
		}
	}
}

func TestCredentialsFollowTheSideMethod(t *testing.T) {
	w := newSignInWorld(t, "")
	ctx := context.Background()
	p, err := w.a.project("acme")
	if err != nil {
		t.Fatal(err)
	}
	w.idp.AddClient("public-app", "")
	w.idp.AddApp("app-id", "app-secret", "example.test")
	saKey := w.idp.AddServiceAccount("migrator@acme-project.iam.gserviceaccount.com")

	// Password: the batch's password, no token source.
	c, err := w.a.credsFor(p, "source", "alice@old.test", secrets.New("src-pw"), nil)
	if err != nil || c.Tokens != nil || c.Password.Reveal() != "src-pw" {
		t.Fatalf("password side: %+v, %v", c, err)
	}

	// A mailbox owner's sign-in: the token signed in for that mailbox; another mailbox
	// that never signed in is refused with "sign in again".
	w.set(t, SignInSettingInput{Method: SignInMicrosoftUser, ClientID: "public-app"})
	w.signIn(t, alice)
	c, err = w.a.credsFor(p, "dest", alice, secrets.Secret{}, nil)
	if err != nil || c.Tokens == nil || c.AppWide || c.Provider != "microsoft" {
		t.Fatalf("user side: %+v, %v", c, err)
	}
	tok, err := c.Tokens.Token(ctx)
	if err != nil || !w.idp.Active(tok.AccessToken) {
		t.Fatalf("alice's token: %v", err)
	}
	c, _ = w.a.credsFor(p, "dest", bob, secrets.Secret{}, nil)
	var re *auth.RefusedError
	if _, err := c.Tokens.Token(ctx); !errors.As(err, &re) || !strings.Contains(re.Advice(), "sign in again as "+bob) {
		t.Errorf("bob never signed in: %v; want a refusal saying to sign in as bob", err)
	}

	// Microsoft app-only: one app token for every mailbox, app-wide.
	secret := "app-secret"
	w.set(t, SignInSettingInput{Method: SignInMicrosoftApp, ClientID: "app-id", ClientSecret: secret})
	var toks []string
	for _, m := range []string{alice, bob} {
		c, err := w.a.credsFor(p, "dest", m, secrets.Secret{}, nil)
		if err != nil || !c.AppWide || c.User != m {
			t.Fatalf("app side %s: %+v, %v", m, c, err)
		}
		tok, err := c.Tokens.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok.AccessToken)
	}
	if toks[0] != toks[1] || w.idp.Grants("client_credentials") != 1 {
		t.Errorf("app tokens %d distinct, %d grants; want one token shared by the mailboxes", len(toks), w.idp.Grants("client_credentials"))
	}

	// Google service account: a delegated token per mailbox, app-wide.
	w.set(t, SignInSettingInput{Method: SignInGoogleServiceAccount, ServiceAccountKey: string(saKey)})
	c, err = w.a.credsFor(p, "dest", bob, secrets.Secret{}, nil)
	if err != nil || !c.AppWide || c.Provider != "google" {
		t.Fatalf("service account side: %+v, %v", c, err)
	}
	if _, err := c.Tokens.Token(ctx); err != nil {
		t.Fatalf("delegated token for bob: %v", err)
	}
	view, _ := w.a.SignInSettings("acme")
	if !view[1].HasServiceAccountKey || view[1].ServiceAccount != "migrator@acme-project.iam.gserviceaccount.com" {
		t.Errorf("settings view %+v; want the service account named", view[1])
	}
}

func TestSignInSettingsRefuseBadInputNamingTheField(t *testing.T) {
	w := newSignInWorld(t, "")
	for _, tc := range []struct {
		in    SignInSettingInput
		field string
	}{
		{SignInSettingInput{Side: "both", Method: SignInMicrosoftUser, ClientID: "x"}, "side"},
		{SignInSettingInput{Side: "dest", Method: "kerberos"}, "method"},
		{SignInSettingInput{Side: "dest", Method: SignInMicrosoftUser}, "client ID"},
		{SignInSettingInput{Side: "dest", Method: SignInMicrosoftUser, ClientID: "x", Tenant: "contoso onmicrosoft"}, "tenant"},
		{SignInSettingInput{Side: "dest", Method: SignInMicrosoftApp, ClientID: "x"}, "client secret"},
		{SignInSettingInput{Side: "dest", Method: SignInMicrosoftApp, ClientID: "x", Certificate: "not a pem"}, "certificate"},
		{SignInSettingInput{Side: "dest", Method: SignInGoogleServiceAccount, ServiceAccountKey: `{"type":"user"}`}, "service account key"},
		{SignInSettingInput{Side: "dest", Method: SignInGoogleUser, ClientID: "x", IdPURL: ptr("http://idp.example.com")}, "identity provider URL"},
	} {
		_, err := w.a.SignInSet("acme", tc.in)
		if !IsInputError(err) || !strings.HasPrefix(err.Error(), tc.field+":") {
			t.Errorf("%+v: %v; want an input error about %s", tc.in, err, tc.field)
		}
	}
}

func TestExchangeGrantScriptGivesFullAccessPerMailbox(t *testing.T) {
	w := newSignInWorld(t, "")
	w.set(t, SignInSettingInput{Method: SignInMicrosoftApp, ClientID: "11111111-2222-3333-4444-555555555555", ClientSecret: "s"})
	f, err := w.a.SignInScript("acme", "dest", "")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"# Cutover, project acme: give the app 11111111-2222-3333-4444-555555555555 FullAccess to 2 mailboxes for IMAP app-only access.",
		"# Run in PowerShell as an Exchange administrator (module ExchangeOnlineManagement):",
		"#   Connect-ExchangeOnline",
		`#   .\grant.ps1 -ObjectId <Object ID of the app in Entra admin center > Enterprise applications>`,
		"param([Parameter(Mandatory = $true)][string] $ObjectId)",
		"$ErrorActionPreference = 'Stop'",
		"$AppId = '11111111-2222-3333-4444-555555555555'",
		"if (-not (Get-ServicePrincipal -Identity $ObjectId -ErrorAction SilentlyContinue)) {",
		"    New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName 'Cutover migration'",
		"}",
		"Add-MailboxPermission -Identity 'alice@example.test' -User $ObjectId -AccessRights FullAccess -InheritanceType All",
		"Add-MailboxPermission -Identity 'bob@example.test' -User $ObjectId -AccessRights FullAccess -InheritanceType All",
		"# Then check access from Cutover: cutover signin check --project 'acme'",
		""}, "\r\n")
	if string(f.Data) != want {
		t.Errorf("script:\n%s\nwant:\n%s", f.Data, want)
	}
	if f.Name != "grant-acme-dest.ps1" {
		t.Errorf("file name %q", f.Name)
	}
	if got := ExchangeGrantScript("o'brien", "id", "6f1b2c3d-1234-4abc-9def-0123456789ab", []string{"o'neil@example.test"}); !strings.Contains(got, "-Identity 'o''neil@example.test'") ||
		!strings.Contains(got, "param([string] $ObjectId = '6f1b2c3d-1234-4abc-9def-0123456789ab')") {
		t.Errorf("quoting or object ID:\n%s", got)
	}
	if _, err := w.a.SignInScript("acme", "dest", "not-a-guid"); !IsInputError(err) {
		t.Errorf("bad object ID: %v", err)
	}
	if _, err := w.a.SignInScript("acme", "source", ""); !IsInputError(err) {
		t.Errorf("a password side has no script: %v", err)
	}
}

func TestTokenFileNeedsAnUnexpiredOrRenewableToken(t *testing.T) {
	w := newSignInWorld(t, "")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	now := w.clock.Now()
	expired := write("expired.json", fmt.Sprintf(`{"access_token":"abc","expiry":%q}`, now.Add(-time.Minute).Format(time.RFC3339)))
	if _, err := w.a.tokenFileCreds("to-token-file", expired, alice); !IsInputError(err) || !strings.Contains(err.Error(), "sign in again") {
		t.Errorf("expired token file: %v", err)
	}
	if _, err := w.a.tokenFileCreds("to-token-file", write("bad.json", `{"token":"x"}`), alice); !IsInputError(err) || !strings.HasPrefix(err.Error(), "to-token-file:") {
		t.Errorf("token file without access_token: %v", err)
	}
	// A renewable one is renewed at the provider when it has expired.
	w.idp.AddClient("public-app", "")
	w.set(t, SignInSettingInput{Method: SignInMicrosoftUser, ClientID: "public-app"})
	w.signIn(t, alice)
	stored, _ := w.a.tokenStore(1, "dest", alice).Load(context.Background())
	renewable := write("renew.json", fmt.Sprintf(`{"access_token":"old","expiry":%q,"refresh_token":%q,"client_id":"public-app","token_url":%q}`,
		now.Add(-time.Minute).Format(time.RFC3339), stored.RefreshToken, w.idp.URL+"/token"))
	c, err := w.a.tokenFileCreds("to-token-file", renewable, alice)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Tokens.Token(context.Background())
	if err != nil || tok.AccessToken == "old" || !w.idp.Active(tok.AccessToken) {
		t.Fatalf("renewed token: %v", err)
	}
}

// TestSignInCheckSaysPerMailboxWhetherAppAccessWorks logs in to each mailbox with the
// app-only token through mailbox.Dial: it passes once Dial honours Credentials.Tokens.
func TestSignInCheckSaysPerMailboxWhetherAppAccessWorks(t *testing.T) {
	const carol = "carol@other.test" // outside the app's domain: no FullAccess
	w := newSignInWorld(t, "")
	w.idp.AddUser(carol)
	w.idp.AddApp("app-id", "app-secret", "example.test")
	dove := testsrv.NewDovecot(t, testsrv.DovecotOptions{
		Users:  []testsrv.User{{Name: alice, Password: "a"}, {Name: bob, Password: "b"}, {Name: carol, Password: "c"}},
		OAuth2: &testsrv.OAuth2Options{IntrospectionURL: w.idp.IntrospectionURL(), AppTokens: true},
	})
	if _, err := w.a.EditProject("acme", project.Input{Dest: ptr(fmt.Sprintf("imap+plain://127.0.0.1:%d", dove.Port))}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.BatchSet("acme", BatchInput{SourceLogin: "carol@old.test", DestLogin: carol, SourcePassword: "x"}); err != nil {
		t.Fatal(err)
	}
	w.set(t, SignInSettingInput{Method: SignInMicrosoftApp, ClientID: "app-id", ClientSecret: "app-secret"})
	res, err := w.a.SignInCheck("acme", "dest")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SignInCheckResult{}
	for _, r := range res {
		got[r.Mailbox] = r
	}
	if !got[alice].OK || !got[bob].OK {
		t.Errorf("alice %+v, bob %+v; want both opened with the app token", got[alice], got[bob])
	}
	if got[carol].OK || !strings.Contains(got[carol].Advice, "grant FullAccess to the app on "+carol) {
		t.Errorf("carol %+v; want refused with the advice to grant FullAccess on her mailbox", got[carol])
	}
}

func TestBrowserSignInFollowsTheLoopbackRedirect(t *testing.T) {
	w := newSignInWorld(t, "")
	w.idp.AddClient("desktop-app", "desktop-secret")
	w.idp.SetBrowserUser(bob)
	w.set(t, SignInSettingInput{Method: SignInGoogleUser, ClientID: "desktop-app", ClientSecret: "desktop-secret"})
	tk, err := w.a.SignInStart("acme", SignInStartInput{Side: "dest", Mailbox: bob})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Mode != "browser" || !strings.HasPrefix(tk.AuthURL, w.idp.URL+"/authorize?") || !strings.Contains(tk.AuthURL, "code_challenge_method=S256") {
		t.Fatalf("ticket %+v: want Google's browser sign-in with PKCE at the provider", tk)
	}
	// The browser: the provider signs bob in and redirects to Cutover's loopback listener.
	resp, err := authtest.LoopbackClient().Get(tk.AuthURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res, err := w.a.SignInWait(tk.Handle)
	if err != nil || res.State != "signed-in" || res.Mailbox != bob || !res.Refreshable {
		t.Fatalf("browser sign-in ended %+v, %v", res, err)
	}
	if _, err := w.a.SignInStart("acme", SignInStartInput{Side: "source", Mailbox: "alice@old.test"}); !IsInputError(err) {
		t.Errorf("sign-in on a password side: %v; want an input error", err)
	}
}

// TestPassOverASignedInDestinationCopiesOnlyTheSignedInMailboxes runs a real pass from a
// password source to a destination whose mailboxes sign in (Dovecot checking each token
// with the fake provider): the signed-in mailbox is copied completely, the other one
// stops with "sign in again" naming it. It passes once mailbox.Dial honours
// Credentials.Tokens.
func TestPassOverASignedInDestinationCopiesOnlyTheSignedInMailboxes(t *testing.T) {
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source",
		Users: []testsrv.User{{Name: "alice@old.test", Password: "src-pw"}, {Name: "bob@old.test", Password: "src-pw"}}})
	for _, u := range []string{"alice@old.test", "bob@old.test"} {
		if err := src.Fill(u, 40); err != nil {
			t.Fatal(err)
		}
	}
	w := newSignInWorld(t, "")
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest",
		Users:  []testsrv.User{{Name: alice, Password: "a"}, {Name: bob, Password: "b"}},
		OAuth2: &testsrv.OAuth2Options{IntrospectionURL: w.idp.IntrospectionURL()}})
	if _, err := w.a.EditProject("acme", project.Input{Source: ptr(fmt.Sprintf("imap+plain://127.0.0.1:%d", src.Port)),
		Dest: ptr(fmt.Sprintf("imap+plain://127.0.0.1:%d", dst.Port))}); err != nil {
		t.Fatal(err)
	}
	w.idp.AddClient("public-app", "")
	w.set(t, SignInSettingInput{Method: SignInMicrosoftUser, ClientID: "public-app"})
	w.signIn(t, alice)

	res, err := w.a.MailMigrate("acme", MailPassInput{Pass: "final"})
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]MailboxRun{}
	for _, m := range res.Mailboxes {
		runs[m.SourceLogin] = m
	}
	if a := runs["alice@old.test"]; a.Error != "" || a.Result.Copied != 40 {
		t.Errorf("alice: %+v; want her 40 messages copied with her token", a)
	}
	if b := runs["bob@old.test"]; b.Error == "" || !strings.Contains(b.Error, "sign in again as "+bob) {
		t.Errorf("bob: %+v; want stopped with the advice to sign in as bob", b)
	}
}

func TestSignInStatusSaysWhoMustSignInAgain(t *testing.T) {
	w := newSignInWorld(t, "")
	ctx := context.Background()
	w.idp.AddClient("public-app", "")
	w.set(t, SignInSettingInput{Method: SignInMicrosoftUser, ClientID: "public-app"})
	now := w.clock.Now()
	// bob's token came without a refresh token and has expired; carol signed in, then left the batch.
	if err := w.a.tokenStore(1, "dest", bob).signedIn(ctx, &oauth2.Token{AccessToken: "x", Expiry: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := w.a.tokenStore(1, "dest", "carol@example.test").signedIn(ctx, &oauth2.Token{AccessToken: "y", RefreshToken: "r", Expiry: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st, err := w.a.SignInStatus("acme")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SignInMailbox{}
	for _, m := range st[1].Mailboxes {
		got[m.Mailbox] = m
	}
	if m := got[alice]; m.State != "not-signed-in" || !m.InBatch {
		t.Errorf("alice %+v", m)
	}
	if m := got[bob]; m.State != "expired" || m.Refreshable {
		t.Errorf("bob %+v; want expired, not renewable", m)
	}
	if m := got["carol@example.test"]; m.State != "signed-in" || m.InBatch {
		t.Errorf("carol %+v; want signed in, not in the batch", m)
	}
	if st[0].Method != SignInPassword || len(st[0].Mailboxes) != 0 {
		t.Errorf("source %+v; want passwords and no mailboxes", st[0])
	}
}
