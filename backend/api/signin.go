package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/mailbox"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// How a project side signs in (issue 13).
const (
	SignInPassword             = "password"               // the batch's or the administrator's password
	SignInMicrosoftUser        = "microsoft-user"         // each mailbox's owner signs in (device code or browser)
	SignInMicrosoftApp         = "microsoft-app"          // app-only access (client credentials), FullAccess per mailbox
	SignInGoogleUser           = "google-user"            // each mailbox's owner signs in in the browser
	SignInGoogleServiceAccount = "google-service-account" // domain-wide delegation
)

var signInMethods = []string{SignInPassword, SignInMicrosoftUser, SignInMicrosoftApp, SignInGoogleUser, SignInGoogleServiceAccount}

func interactive(method string) bool {
	return method == SignInMicrosoftUser || method == SignInGoogleUser
}

func appWide(method string) bool {
	return method == SignInMicrosoftApp || method == SignInGoogleServiceAccount
}

func providerName(method string) string {
	if strings.HasPrefix(method, "google") {
		return "google"
	}
	if strings.HasPrefix(method, "microsoft") {
		return "microsoft"
	}
	return ""
}

// signInRef is the vault reference of a side's sign-in secret: "client-secret",
// "certificate", "service-account", or "token/<mailbox>".
func signInRef(projectID int64, side, what string) string {
	return fmt.Sprintf("signin/%d/%s/%s", projectID, side, what)
}

func tokenRef(projectID int64, side, mailbox string) string {
	return signInRef(projectID, side, "token/"+strings.ToLower(mailbox))
}

func checkSide(side string) error {
	if side != "source" && side != "dest" {
		return &mailbox.InputError{Field: "side", Value: side, Expected: `"source" or "dest"`}
	}
	return nil
}

func sideWord(side string) string {
	if side == "dest" {
		return "destination"
	}
	return side
}

// signIns is the sign-in state an API keeps: flows under way and the app-wide token
// sources, shared by every mailbox of a side so that one token serves a whole pass.
type signIns struct {
	mu    sync.Mutex
	flows map[string]*signInFlow
	apps  map[string]auth.PerMailbox // by signInRef(project, side, "app") + the setting's time
	// opts, when set, replaces the wall clock, real waits and HTTP client (tests).
	opts *auth.Options
}

func (a *API) signIns() *signIns {
	s := &a.ext.signin
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flows == nil {
		s.flows = map[string]*signInFlow{}
		s.apps = map[string]auth.PerMailbox{}
	}
	return s
}

func (a *API) authOptions() auth.Options {
	s := a.signIns()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts != nil {
		o := *s.opts
		o.Log = a.log
		return o
	}
	return auth.Options{Now: a.now, Log: a.log}
}

// SignInSettingInput changes how a side signs in. Secrets are write-only: empty keeps
// the one stored.
type SignInSettingInput struct {
	Side     string `json:"side"`
	Method   string `json:"method"`
	Tenant   string `json:"tenant,omitempty"`   // Microsoft: "organizations" (default) or the tenant ID
	ClientID string `json:"clientId,omitempty"` // the app registration's / OAuth client's ID
	// ClientSecret: Microsoft app-only access (or a certificate), Google's OAuth client.
	ClientSecret string `json:"clientSecret,omitempty"`
	// Certificate: PEM with the certificate and its private key (Microsoft app-only access).
	Certificate string `json:"certificate,omitempty"`
	// ServiceAccountKey: the JSON key of a Google service account.
	ServiceAccountKey string `json:"serviceAccountKey,omitempty"`
	// IdPURL points the sign-in at another identity provider serving /authorize, /token
	// and /devicecode (the demo's and the tests' fake); nil keeps it, "" removes it.
	IdPURL *string `json:"idpUrl,omitempty"`
}

// SignInSettingView is a side's sign-in setting as the UI shows it: which secrets are
// stored, never their values.
type SignInSettingView struct {
	store.SignInSetting
	Interactive          bool   `json:"interactive"` // each mailbox signs in
	AppWide              bool   `json:"appWide"`
	HasClientSecret      bool   `json:"hasClientSecret"`
	HasCertificate       bool   `json:"hasCertificate"`
	HasServiceAccountKey bool   `json:"hasServiceAccountKey"`
	ServiceAccount       string `json:"serviceAccount,omitempty"`         // the key's client_email
	ServiceAccountClient string `json:"serviceAccountClientId,omitempty"` // to authorise in the Admin console
}

var tenantRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*$`)

// SignInSet stores how a side signs in, sealing its secrets.
func (a *API) SignInSet(projectName string, in SignInSettingInput) (SignInSettingView, error) {
	p, err := a.project(projectName)
	if err != nil {
		return SignInSettingView{}, err
	}
	if err := checkSide(in.Side); err != nil {
		return SignInSettingView{}, err
	}
	old, err := a.store.SignInSetting(a.ctx, p.ID, in.Side)
	if err != nil {
		return SignInSettingView{}, err
	}
	v := store.SignInSetting{Side: in.Side, Method: strings.TrimSpace(in.Method), Tenant: strings.TrimSpace(in.Tenant),
		ClientID: strings.TrimSpace(in.ClientID), IdPURL: old.IdPURL, Updated: a.now()}
	if in.IdPURL != nil {
		v.IdPURL = strings.TrimRight(strings.TrimSpace(*in.IdPURL), "/")
	}
	if v.Method == "" {
		v.Method = SignInPassword
	}
	known := false
	for _, m := range signInMethods {
		known = known || m == v.Method
	}
	if !known {
		return SignInSettingView{}, &project.FieldError{Field: "method", Value: v.Method, Expected: strings.Join(signInMethods, ", ")}
	}
	if providerName(v.Method) == "microsoft" {
		if v.Tenant == "" {
			v.Tenant = "organizations"
		}
		if !tenantRe.MatchString(v.Tenant) {
			return SignInSettingView{}, &project.FieldError{Field: "tenant", Value: v.Tenant, Expected: `"organizations" or the tenant ID (a GUID) or its domain, from the Entra admin center's overview`}
		}
	} else {
		v.Tenant = ""
	}
	if v.Method != SignInPassword && v.Method != SignInGoogleServiceAccount && (v.ClientID == "" || strings.ContainsAny(v.ClientID, " \t/")) {
		return SignInSettingView{}, &project.FieldError{Field: "client ID", Value: v.ClientID,
			Expected: "the application (client) ID of the customer's app registration or OAuth client (see the README's Microsoft 365 / Google Workspace sections)"}
	}
	if v.IdPURL != "" {
		if err := checkIdPURL(v.IdPURL); err != nil {
			return SignInSettingView{}, err
		}
	}
	put := func(what, value string) error {
		if value == "" {
			return nil
		}
		if err := a.vault.Put(a.ctx, signInRef(p.ID, in.Side, what), p.ID, secrets.New(value)); err != nil {
			return fmt.Errorf("seal the %s: %w", what, err)
		}
		return nil
	}
	if in.Certificate != "" {
		if _, err := auth.ParseClientCertificate([]byte(in.Certificate)); err != nil {
			return SignInSettingView{}, &project.FieldError{Field: "certificate", Value: "(PEM file)", Expected: err.Error()}
		}
	}
	if in.ServiceAccountKey != "" {
		if _, err := auth.NewServiceAccount(secrets.New(in.ServiceAccountKey), auth.Google(), auth.Options{}); err != nil {
			return SignInSettingView{}, &project.FieldError{Field: "service account key", Value: "(JSON file)", Expected: err.Error()}
		}
	}
	has := func(what, value string) bool {
		if value != "" {
			return true
		}
		b, _ := a.store.SecretBlob(a.ctx, signInRef(p.ID, in.Side, what))
		return b != nil
	}
	switch v.Method {
	case SignInMicrosoftApp:
		if !has("client-secret", in.ClientSecret) && !has("certificate", in.Certificate) {
			return SignInSettingView{}, &project.FieldError{Field: "client secret", Expected: "the app registration's client secret or its certificate (PEM with the private key) for app-only access"}
		}
	case SignInGoogleServiceAccount:
		if !has("service-account", in.ServiceAccountKey) {
			return SignInSettingView{}, &project.FieldError{Field: "service account key", Expected: "the service account's JSON key from the Google Cloud console"}
		}
	}
	for _, s := range []struct{ what, value string }{{"client-secret", in.ClientSecret}, {"certificate", in.Certificate}, {"service-account", in.ServiceAccountKey}} {
		if err := put(s.what, s.value); err != nil {
			return SignInSettingView{}, err
		}
	}
	if err := a.store.PutSignInSetting(a.ctx, p.ID, v); err != nil {
		return SignInSettingView{}, err
	}
	a.bus.Publish("signin:changed", p.Name, map[string]string{"side": in.Side})
	return a.signInView(p, v)
}

// checkIdPURL accepts an https URL, or http on loopback (the fake provider of the demo
// and the tests).
func checkIdPURL(raw string) error {
	u, err := url.Parse(raw)
	bad := &project.FieldError{Field: "identity provider URL", Value: raw, Expected: "an https:// URL, or http:// on loopback (127.0.0.1, localhost), serving /authorize, /token and /devicecode"}
	if err != nil || u.Host == "" {
		return bad
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return bad
}

// SignInSettings returns how both sides of a project sign in.
func (a *API) SignInSettings(projectName string) ([]SignInSettingView, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	out := []SignInSettingView{}
	for _, side := range []string{"source", "dest"} {
		v, err := a.store.SignInSetting(a.ctx, p.ID, side)
		if err != nil {
			return nil, err
		}
		view, err := a.signInView(p, v)
		if err != nil {
			return nil, err
		}
		out = append(out, view)
	}
	return out, nil
}

func (a *API) signInView(p project.Project, v store.SignInSetting) (SignInSettingView, error) {
	view := SignInSettingView{SignInSetting: v, Interactive: interactive(v.Method), AppWide: appWide(v.Method)}
	for _, s := range []struct {
		what string
		has  *bool
	}{{"client-secret", &view.HasClientSecret}, {"certificate", &view.HasCertificate}, {"service-account", &view.HasServiceAccountKey}} {
		b, err := a.store.SecretBlob(a.ctx, signInRef(p.ID, v.Side, s.what))
		if err != nil {
			return view, err
		}
		*s.has = b != nil
	}
	if view.HasServiceAccountKey {
		key, err := a.vault.Get(a.ctx, signInRef(p.ID, v.Side, "service-account"))
		if err == nil {
			var k struct {
				ClientEmail string `json:"client_email"`
				ClientID    string `json:"client_id"`
			}
			_ = json.Unmarshal([]byte(key.Reveal()), &k)
			view.ServiceAccount, view.ServiceAccountClient = k.ClientEmail, k.ClientID
		}
	}
	return view, nil
}

// providerOf is the identity provider of a side: Microsoft's or Google's endpoints, or
// the override's.
func providerOf(v store.SignInSetting) auth.Provider {
	var p auth.Provider
	if providerName(v.Method) == "google" {
		p = auth.Google()
	} else {
		p = auth.Microsoft(v.Tenant)
	}
	if v.IdPURL != "" {
		p.Endpoint = oauth2.Endpoint{AuthURL: v.IdPURL + "/authorize", TokenURL: v.IdPURL + "/token",
			DeviceAuthURL: v.IdPURL + "/devicecode", AuthStyle: oauth2.AuthStyleInParams}
		p.RedirectHost = "127.0.0.1"
	}
	return p
}

// appOf is a side's app registration with its sealed secret or certificate.
func (a *API) appOf(ctx context.Context, projectID int64, v store.SignInSetting) (auth.App, error) {
	app := auth.App{ClientID: v.ClientID}
	s, err := a.vault.Get(ctx, signInRef(projectID, v.Side, "client-secret"))
	switch {
	case err == nil:
		app.ClientSecret = s
	case !errors.Is(err, secrets.ErrNoSecret):
		return app, fmt.Errorf("%s client secret: %w", v.Side, err)
	}
	if v.Method == SignInMicrosoftApp {
		pem, err := a.vault.Get(ctx, signInRef(projectID, v.Side, "certificate"))
		switch {
		case err == nil:
			if app.Certificate, err = auth.ParseClientCertificate([]byte(pem.Reveal())); err != nil {
				return app, fmt.Errorf("%s app certificate: %w", v.Side, err)
			}
		case !errors.Is(err, secrets.ErrNoSecret):
			return app, fmt.Errorf("%s app certificate: %w", v.Side, err)
		}
	}
	return app, nil
}

// perMailbox is a side's app-wide token source, made once per setting and shared.
func (a *API) perMailbox(projectID int64, v store.SignInSetting) (auth.PerMailbox, error) {
	s := a.signIns()
	opts := a.authOptions()
	key := signInRef(projectID, v.Side, "app") + "@" + v.Updated.Format(time.RFC3339Nano)
	s.mu.Lock()
	defer s.mu.Unlock()
	if pm, ok := s.apps[key]; ok {
		return pm, nil
	}
	var pm auth.PerMailbox
	switch v.Method {
	case SignInMicrosoftApp:
		app, err := a.appOf(a.ctx, projectID, v)
		if err != nil {
			return nil, err
		}
		pm = auth.NewAppSource(providerOf(v), app, opts)
	case SignInGoogleServiceAccount:
		key, err := a.vault.Get(a.ctx, signInRef(projectID, v.Side, "service-account"))
		if err != nil {
			return nil, fmt.Errorf("%s service account key: %w", v.Side, err)
		}
		sa, err := auth.NewServiceAccount(key, providerOf(v), opts)
		if err != nil {
			return nil, err
		}
		pm = sa
	default:
		return nil, fmt.Errorf("%s signs in with %s, not app-wide", v.Side, v.Method)
	}
	s.apps[key] = pm
	return pm, nil
}

// signInCreds returns the credentials of mailbox login on side when the side signs in
// with OAuth 2.0 tokens; ok is false when it uses passwords. api/mail.go's credsFor asks
// it first, so every pass, analysis, verification and check honours the side's method.
func (a *API) signInCreds(p project.Project, side, login string) (c mailbox.Credentials, ok bool, err error) {
	v, err := a.store.SignInSetting(a.ctx, p.ID, side)
	if err != nil {
		return c, false, err
	}
	return a.credsWith(p.ID, v, login)
}

func (a *API) credsWith(projectID int64, v store.SignInSetting, login string) (mailbox.Credentials, bool, error) {
	c := mailbox.Credentials{User: login, Provider: providerName(v.Method)}
	switch {
	case interactive(v.Method):
		app, err := a.appOf(a.ctx, projectID, v)
		if err != nil {
			return c, true, err
		}
		c.Tokens = auth.NewUserSource(providerOf(v), app, login, a.tokenStore(projectID, v.Side, login), a.authOptions())
	case appWide(v.Method):
		pm, err := a.perMailbox(projectID, v)
		if err != nil {
			return c, true, err
		}
		c.Tokens, c.AppWide = pm.For(login), true
	default:
		return c, false, nil
	}
	return c, true, nil
}

// sideLogins are the mailboxes of a side in the project's enabled batch.
func (a *API) sideLogins(p project.Project, side string) ([]string, error) {
	all, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, e := range all {
		if !e.Enabled {
			continue
		}
		if side == "source" {
			out = append(out, e.SourceLogin)
		} else {
			out = append(out, e.DestLogin)
		}
	}
	return out, nil
}

// SignInStartInput starts a mailbox owner's sign-in.
type SignInStartInput struct {
	Side    string `json:"side"`
	Mailbox string `json:"mailbox,omitempty"` // empty: the side's only mailbox in the batch
	Mode    string `json:"mode,omitempty"`    // "device" (default for Microsoft) or "browser" (Google's only way)
}

// SignInTicket is a sign-in under way: the code and URL to show (device) or the URL to
// open (browser), and the handle to wait on.
type SignInTicket struct {
	Handle                  string    `json:"handle"`
	Side                    string    `json:"side"`
	Mailbox                 string    `json:"mailbox"`
	Mode                    string    `json:"mode"`
	UserCode                string    `json:"userCode,omitempty"`
	VerificationURI         string    `json:"verificationUri,omitempty"`
	VerificationURIComplete string    `json:"verificationUriComplete,omitempty"`
	Expiry                  time.Time `json:"expiry,omitzero"`
	AuthURL                 string    `json:"authUrl,omitempty"`
}

// SignInResult is how a sign-in ended (or that it still waits).
type SignInResult struct {
	Handle      string    `json:"handle"`
	Side        string    `json:"side"`
	Mailbox     string    `json:"mailbox"`
	State       string    `json:"state"` // "waiting", "signed-in", "failed", "cancelled"
	Error       string    `json:"error,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Refreshable bool      `json:"refreshable"`
}

type signInFlow struct {
	project string
	ticket  SignInTicket
	cancel  context.CancelFunc
	done    chan struct{}
	result  SignInResult
}

// SignInStart starts a mailbox owner's sign-in on a side and returns once there is
// something to show: the device code and its URL, or the browser URL (the face opens
// it). Progress goes out as "signin:code", "signin:done" and "signin:failed" events;
// SignInWait or SignInPoll give the end.
func (a *API) SignInStart(projectName string, in SignInStartInput) (SignInTicket, error) {
	p, err := a.project(projectName)
	if err != nil {
		return SignInTicket{}, err
	}
	if err := checkSide(in.Side); err != nil {
		return SignInTicket{}, err
	}
	v, err := a.store.SignInSetting(a.ctx, p.ID, in.Side)
	if err != nil {
		return SignInTicket{}, err
	}
	if !interactive(v.Method) {
		what := "passwords"
		if appWide(v.Method) {
			what = "app-wide access (" + v.Method + "): nobody signs in; check each mailbox with `cutover signin check`"
		}
		return SignInTicket{}, &mailbox.InputError{Field: "side", Value: in.Side,
			Expected: fmt.Sprintf("a side whose mailboxes sign in (microsoft-user or google-user); the %s uses %s", sideWord(in.Side), what)}
	}
	mode, err := signInModeOf(in.Mode, v.Method == SignInGoogleUser, v.IdPURL != "")
	if err != nil {
		return SignInTicket{}, err
	}
	mb, err := a.signInMailbox(p, in.Side, in.Mailbox)
	if err != nil {
		return SignInTicket{}, err
	}
	app, err := a.appOf(a.ctx, p.ID, v)
	if err != nil {
		return SignInTicket{}, err
	}
	prov := providerOf(v)
	prov.Scopes = append(append([]string{}, prov.Scopes...), a.pimScopes(p, in.Side, v.Method)...)
	base := SignInTicket{Handle: newHandle(), Side: in.Side, Mailbox: mb, Mode: mode}
	return a.startFlow(p.Name, base, prov, app, a.tokenStore(p.ID, in.Side, mb).signedIn)
}

// startFlow runs a device-code or browser sign-in (base.Mode) in the background and
// returns its ticket once there is something to show; save keeps the token.
func (a *API) startFlow(projectName string, base SignInTicket, prov auth.Provider, app auth.App, save func(context.Context, *oauth2.Token) error) (SignInTicket, error) {
	mode, mb := base.Mode, base.Mailbox
	ctx, cancel := context.WithTimeout(a.ctx, 20*time.Minute)
	f := &signInFlow{project: projectName, cancel: cancel, done: make(chan struct{}), ticket: base,
		result: SignInResult{Handle: base.Handle, Side: base.Side, Mailbox: mb, State: "waiting"}}
	shown := make(chan SignInTicket, 1)
	show := func(t SignInTicket) {
		// Published before the first poll, so "signin:code" always comes before the end.
		a.bus.Publish("signin:code", projectName, t)
		shown <- t
	}
	opts := a.authOptions()
	go func() {
		defer close(f.done)
		defer cancel()
		var tok *oauth2.Token
		var err error
		if mode == "device" {
			tok, err = auth.SignInDevice(ctx, prov, app, func(dc auth.DeviceCode) error {
				t := base
				t.UserCode, t.VerificationURI, t.VerificationURIComplete, t.Expiry = dc.UserCode, dc.VerificationURI, dc.VerificationURIComplete, dc.Expiry
				show(t)
				return nil
			}, opts)
		} else {
			tok, err = auth.SignInBrowser(ctx, prov, app, func(u string) error {
				t := base
				t.AuthURL = u
				show(t)
				return nil
			}, opts)
		}
		if err == nil {
			err = save(ctx, tok)
		}
		res := SignInResult{Handle: base.Handle, Side: base.Side, Mailbox: mb, State: "signed-in"}
		switch {
		case err == nil:
			res.Expiry, res.Refreshable = tok.Expiry, tok.RefreshToken != ""
		case errors.Is(err, context.Canceled):
			res.State, res.Error = "cancelled", "the sign-in was cancelled"
		default:
			res.State, res.Error = "failed", err.Error()
		}
		s := a.signIns()
		s.mu.Lock()
		f.result = res
		s.mu.Unlock()
		name := "signin:done"
		if res.State != "signed-in" {
			name = "signin:failed"
			a.log.Warn("sign-in failed", "project", projectName, "side", base.Side, "mailbox", mb, "err", res.Error)
		}
		a.bus.Publish(name, projectName, res)
	}()
	select {
	case t := <-shown:
		s := a.signIns()
		s.mu.Lock()
		f.ticket = t
		s.flows[t.Handle] = f
		s.mu.Unlock()
		return t, nil
	case <-f.done:
		return SignInTicket{}, errors.New(f.result.Error)
	}
}

// signInModeOf checks a sign-in's mode, "device" or "browser"; empty is Microsoft's
// device code or Google's browser, whose device sign-in refuses the Gmail scope (a fake
// provider, fake, takes both).
func signInModeOf(mode string, google, fake bool) (string, error) {
	if mode == "" {
		mode = "device"
		if google {
			mode = "browser"
		}
	}
	if mode != "device" && mode != "browser" {
		return "", &mailbox.InputError{Field: "mode", Value: mode, Expected: `"device" (a code to type at a URL) or "browser" (the system browser)`}
	}
	if mode == "device" && google && !fake {
		return "", &mailbox.InputError{Field: "mode", Value: mode, Expected: `"browser": Google's device sign-in refuses the Gmail scope`}
	}
	return mode, nil
}

func newHandle() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// signInMailbox is the batch mailbox a sign-in is for.
func (a *API) signInMailbox(p project.Project, side, mb string) (string, error) {
	logins, err := a.sideLogins(p, side)
	if err != nil {
		return "", err
	}
	mb = strings.TrimSpace(mb)
	if mb == "" {
		if len(logins) == 1 {
			return logins[0], nil
		}
		return "", &mailbox.InputError{Field: "user", Expected: fmt.Sprintf("which %s mailbox signs in (--user), one of the batch's: %s", sideWord(side), listOr(logins))}
	}
	for _, l := range logins {
		if strings.EqualFold(l, mb) {
			return l, nil
		}
	}
	return "", &mailbox.InputError{Field: "user", Value: mb, Expected: fmt.Sprintf("a %s mailbox of the batch: %s", sideWord(side), listOr(logins))}
}

func listOr(s []string) string {
	if len(s) == 0 {
		return "(the batch is empty: cutover batch set)"
	}
	if len(s) > 8 {
		return strings.Join(s[:8], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}

func (a *API) flow(handle string) (*signInFlow, error) {
	s := a.signIns()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.flows[handle]
	if !ok {
		return nil, &mailbox.InputError{Field: "handle", Value: handle, Expected: "the handle of a sign-in started by SignInStart"}
	}
	return f, nil
}

// SignInWait waits for a sign-in to end.
func (a *API) SignInWait(handle string) (SignInResult, error) {
	f, err := a.flow(handle)
	if err != nil {
		return SignInResult{}, err
	}
	select {
	case <-f.done:
	case <-a.ctx.Done():
		f.cancel()
		<-f.done
	}
	return a.SignInPoll(handle)
}

// SignInPoll says whether a sign-in still waits, and how it ended.
func (a *API) SignInPoll(handle string) (SignInResult, error) {
	f, err := a.flow(handle)
	if err != nil {
		return SignInResult{}, err
	}
	s := a.signIns()
	s.mu.Lock()
	defer s.mu.Unlock()
	return f.result, nil
}

// SignInCancel stops a sign-in that waits.
func (a *API) SignInCancel(handle string) error {
	f, err := a.flow(handle)
	if err != nil {
		return err
	}
	f.cancel()
	<-f.done
	return nil
}

// SignInMailbox is one mailbox's sign-in state.
type SignInMailbox struct {
	Mailbox string `json:"mailbox"`
	// State: "signed-in" (a token that is valid or can be renewed), "expired" (a token
	// that can no longer be renewed: sign in again), "not-signed-in", "app-wide".
	State       string    `json:"state"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Refreshable bool      `json:"refreshable"`
	SignedIn    time.Time `json:"signedIn,omitzero"`
	InBatch     bool      `json:"inBatch"`
}

// SignInSideStatus is a side's sign-in method and its mailboxes.
type SignInSideStatus struct {
	Side        string          `json:"side"`
	Method      string          `json:"method"`
	Interactive bool            `json:"interactive"`
	AppWide     bool            `json:"appWide"`
	Mailboxes   []SignInMailbox `json:"mailboxes"`
}

// SignInStatus says, per side and mailbox, who is signed in, until when, and whether
// the token can be renewed. It never reveals a token.
func (a *API) SignInStatus(projectName string) ([]SignInSideStatus, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	toks, err := a.store.SignInTokens(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := []SignInSideStatus{}
	for _, side := range []string{"source", "dest"} {
		v, err := a.store.SignInSetting(a.ctx, p.ID, side)
		if err != nil {
			return nil, err
		}
		st := SignInSideStatus{Side: side, Method: v.Method, Interactive: interactive(v.Method), AppWide: appWide(v.Method), Mailboxes: []SignInMailbox{}}
		if v.Method == SignInPassword {
			out = append(out, st)
			continue
		}
		logins, err := a.sideLogins(p, side)
		if err != nil {
			return nil, err
		}
		index := map[string]int{}
		for _, l := range logins {
			m := SignInMailbox{Mailbox: l, State: "not-signed-in", InBatch: true}
			if st.AppWide {
				m.State = "app-wide"
			}
			index[strings.ToLower(l)] = len(st.Mailboxes)
			st.Mailboxes = append(st.Mailboxes, m)
		}
		for _, t := range toks {
			if !st.Interactive || t.Side != side {
				continue
			}
			i, ok := index[strings.ToLower(t.Mailbox)]
			if !ok { // signed in, since left the batch
				i = len(st.Mailboxes)
				st.Mailboxes = append(st.Mailboxes, SignInMailbox{Mailbox: t.Mailbox})
			}
			m := &st.Mailboxes[i]
			m.Expiry, m.Refreshable, m.SignedIn = t.Expiry, t.Refreshable, t.SignedIn
			m.State = "signed-in"
			if !t.Refreshable && !t.Expiry.IsZero() && a.now().After(t.Expiry) {
				m.State = "expired"
			}
		}
		sort.SliceStable(st.Mailboxes, func(i, j int) bool { return st.Mailboxes[i].InBatch && !st.Mailboxes[j].InBatch })
		out = append(out, st)
	}
	return out, nil
}

// SignInRemove forgets a mailbox's sign-in (its sealed token).
func (a *API) SignInRemove(projectName, side, mailboxName string) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	if err := checkSide(side); err != nil {
		return err
	}
	if strings.TrimSpace(mailboxName) == "" {
		return &mailbox.InputError{Field: "user", Expected: "the mailbox whose sign-in to forget"}
	}
	if err := a.vault.Delete(a.ctx, tokenRef(p.ID, side, mailboxName)); err != nil {
		return err
	}
	if err := a.store.RemoveSignInToken(a.ctx, p.ID, side, strings.ToLower(strings.TrimSpace(mailboxName))); err != nil {
		return err
	}
	a.bus.Publish("signin:changed", p.Name, map[string]string{"side": side, "mailbox": mailboxName})
	return nil
}
