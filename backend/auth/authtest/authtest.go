// Package authtest is a fake OAuth 2.0 identity provider for tests, on loopback
// (httptest): the device authorization grant (RFC 8628) answering authorization_pending,
// then slow_down, then a token; the authorization code grant with PKCE (RFC 7636, S256
// only, a wrong verifier refused); client credentials (RFC 6749 §4.4); the JWT bearer grant
// (RFC 7523) verified against the service account's RS256 key; the refresh_token grant;
// short token lifetimes on an injected clock; revocation; and token introspection
// (RFC 7662) for Dovecot's oauth2 passdb.
//
// It checks the shape of every request (method, content type, required parameters) and
// reports a malformed one through Options.Errorf (t.Errorf), so a client that sends the
// wrong thing fails its test even when the fake answers it.
package authtest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jws"

	"cutover/backend/auth"
)

// Clock is a test clock: Now is fixed until Advance or Wait moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
	// OnWait, when set, runs after each Wait has advanced the clock (a test approves a
	// device code there, after the client has waited).
	OnWait func(d time.Duration)
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Wait advances the clock by d instead of sleeping (auth.Options.Wait).
func (c *Clock) Wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	if c.OnWait != nil {
		c.OnWait(d)
	}
	return nil
}

// LoopbackClient is an HTTP client that refuses to connect anywhere but loopback: tests
// give it to the flows, so a preset left pointing at Microsoft or Google fails the test
// instead of reaching the Internet.
func LoopbackClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return nil, fmt.Errorf("authtest: refusing to connect to %s: tests reach loopback only", addr)
			}
			return d.DialContext(ctx, network, addr)
		},
		Proxy: nil,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Options shape the fake provider.
type Options struct {
	// Now is the provider's clock (token expiry, device polling intervals); default
	// time.Now. Share the test's Clock with auth.Options.Now.
	Now func() time.Time
	// Lifetime of access tokens; default one hour.
	Lifetime time.Duration
	// Interval the device authorization answer announces; default 5 seconds.
	Interval time.Duration
	// Errorf reports a malformed request (t.Errorf).
	Errorf func(format string, args ...any)
}

// IdP is a running fake identity provider.
type IdP struct {
	URL  string
	opts Options
	srv  *httptest.Server

	mu          sync.Mutex
	clients     map[string]client
	users       map[string]bool
	accounts    map[string]*rsa.PublicKey // service accounts by email
	codes       map[string]*authCode
	devices     map[string]*device // by device code
	tokens      map[string]*token  // access tokens
	refresh     map[string]*token  // refresh tokens
	browserUser string
	grants      map[string]int // by grant_type
	introspects int
}

type client struct {
	id, secret string
	appDomain  string // set: allowed the client credentials grant for this domain
	cert       *rsa.PublicKey
	x5t        string // base64url SHA-1 thumbprint of the certificate
}

type authCode struct {
	clientID, redirect, challenge, user, scope string
	used                                       bool
}

type device struct {
	clientID, userCode, scope string
	user                      string // set by Approve
	polls                     int
	lastPoll                  time.Time
	interval                  time.Duration
	expiry                    time.Time
}

type token struct {
	value   string
	subject string // the user, or for an app token its client ID
	app     bool
	domain  string // an app token's tenant domain
	scope   string
	expiry  time.Time
	revoked bool
	// refresh: the refresh token's source of new access tokens
	clientID string
}

// T is the part of *testing.T the fake uses: the package does not import testing, so the
// demo (cutover demo --signin) can start the fake without linking the test framework in.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// New starts a fake provider on 127.0.0.1 for a test; malformed requests fail t.
func New(t T, opts Options) *IdP {
	t.Helper()
	if opts.Errorf == nil {
		opts.Errorf = t.Errorf
	}
	p := Start(opts)
	t.Cleanup(p.Close)
	return p
}

// Start starts a fake provider (Close stops it); New is the test form.
func Start(opts Options) *IdP {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lifetime == 0 {
		opts.Lifetime = time.Hour
	}
	if opts.Interval == 0 {
		opts.Interval = 5 * time.Second
	}
	if opts.Errorf == nil {
		opts.Errorf = func(string, ...any) {}
	}
	p := &IdP{opts: opts, clients: map[string]client{}, users: map[string]bool{}, accounts: map[string]*rsa.PublicKey{},
		codes: map[string]*authCode{}, devices: map[string]*device{}, tokens: map[string]*token{},
		refresh: map[string]*token{}, grants: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/devicecode", p.deviceAuthorization)
	mux.HandleFunc("/device", p.devicePage)
	mux.HandleFunc("/authorize", p.authorize)
	mux.HandleFunc("/token", p.tokenEndpoint)
	mux.HandleFunc("/introspect", p.introspect)
	p.srv = httptest.NewServer(mux) // 127.0.0.1
	p.URL = p.srv.URL
	return p
}

// Close stops the provider.
func (p *IdP) Close() { p.srv.Close() }

// Microsoft is the Microsoft preset pointed at this provider.
func (p *IdP) Microsoft() auth.Provider {
	pr := auth.Microsoft("organizations")
	pr.Endpoint = p.endpoint()
	pr.RedirectHost = "127.0.0.1"
	return pr
}

// Google is the Google preset pointed at this provider.
func (p *IdP) Google() auth.Provider {
	pr := auth.Google()
	pr.Endpoint = p.endpoint()
	return pr
}

func (p *IdP) endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: p.URL + "/authorize", TokenURL: p.URL + "/token",
		DeviceAuthURL: p.URL + "/devicecode", AuthStyle: oauth2.AuthStyleInParams}
}

// IntrospectionURL is where Dovecot's oauth2 passdb asks about a token (POST token=...).
func (p *IdP) IntrospectionURL() string { return p.URL + "/introspect" }

// AddClient registers a public or confidential client (secret may be empty) for the
// user flows.
func (p *IdP) AddClient(id, secret string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = client{id: id, secret: secret}
}

// AddApp registers a confidential client allowed app-only access (client credentials) to
// the mailboxes of domain; its tokens introspect as {"app":"yes","email":"<id>@<domain>"}.
func (p *IdP) AddApp(id, secret, domain string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = client{id: id, secret: secret, appDomain: domain}
}

// AddAppCertificate registers a client allowed app-only access to the mailboxes of
// domain that proves itself with a certificate (a client assertion, RFC 7523 §2.2), and
// returns the PEM of the certificate and its key, as the admin would upload and keep them.
func (p *IdP) AddAppCertificate(id, domain string) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cutover app " + id},
		NotBefore: time.Unix(0, 0), NotAfter: time.Now().Add(24 * 365 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	sum := sha1.Sum(der)
	p.mu.Lock()
	p.clients[id] = client{id: id, appDomain: domain, cert: &key.PublicKey, x5t: base64.RawURLEncoding.EncodeToString(sum[:])}
	p.mu.Unlock()
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})...)
}

// AddUser makes a user known (a service account may act as known users only).
func (p *IdP) AddUser(users ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range users {
		p.users[u] = true
	}
}

// SetBrowserUser is who "signs in" at the authorization endpoint (unless login_hint names
// another).
func (p *IdP) SetBrowserUser(user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.browserUser = user
}

// AddServiceAccount creates a service account with domain-wide delegation and returns
// its JSON key as Google's console gives it, with token_uri pointing here.
func (p *IdP) AddServiceAccount(email string) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	p.mu.Lock()
	p.accounts[email] = &key.PublicKey
	p.mu.Unlock()
	b, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "cutover-test", "private_key_id": "test-key-1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "1234567890", "token_uri": p.URL + "/token",
	})
	return b
}

// UserToken issues an access token for user directly, as if they had signed in (for
// tests of servers rather than of sign-in flows).
func (p *IdP) UserToken(user string) string {
	return p.issue(user, "test", "https://mail.google.com/", false, "", false)["access_token"].(string)
}

// AppToken issues an app-only access token of a client registered with AddApp.
func (p *IdP) AppToken(clientID string) string {
	p.mu.Lock()
	c := p.clients[clientID]
	p.mu.Unlock()
	return p.issue(clientID, clientID, "https://outlook.office365.com/.default", true, c.appDomain, false)["access_token"].(string)
}

// Approve is the user signing in at the verification URL with the user code.
func (p *IdP) Approve(userCode, user string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.devices {
		if d.userCode == userCode {
			d.user = user
			return nil
		}
	}
	return fmt.Errorf("authtest: no device code with user code %q", userCode)
}

// Revoke revokes one access or refresh token.
func (p *IdP) Revoke(value string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.tokens[value]; t != nil {
		t.revoked = true
	}
	if t := p.refresh[value]; t != nil {
		t.revoked = true
	}
}

// RevokeUser revokes every token of a user (or of an app, by client ID): an admin
// disabling the account or withdrawing consent.
func (p *IdP) RevokeUser(subject string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range []map[string]*token{p.tokens, p.refresh} {
		for _, t := range m {
			if t.subject == subject {
				t.revoked = true
			}
		}
	}
}

// Grants counts the token requests that got a token, by grant type
// ("refresh_token", "client_credentials", ...).
func (p *IdP) Grants(grantType string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.grants[grantType]
}

// Introspections counts the introspection requests (Dovecot asking about a token).
func (p *IdP) Introspections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.introspects
}

// Active reports whether the provider would call an access token active now.
func (p *IdP) Active(value string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.tokens[value]
	return t != nil && !t.revoked && p.opts.Now().Before(t.expiry)
}

// Scope is the scope an access token was issued for ("" for an unknown token), so that a
// fake API can refuse a token meant for another one.
func (p *IdP) Scope(value string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.tokens[value]; t != nil {
		return t.scope
	}
	return ""
}

// Subject is whom an access token was issued for (the user, the mailbox a service
// account acts for, or an app's client ID; "" for an unknown token).
func (p *IdP) Subject(value string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.tokens[value]; t != nil {
		return t.subject
	}
	return ""
}

// --- HTTP ---

type oauthErr struct {
	status      int
	code, descr string
}

func (e *oauthErr) Error() string { return e.code + ": " + e.descr }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	var oe *oauthErr
	if !errors.As(err, &oe) {
		oe = &oauthErr{status: 500, code: "server_error", descr: err.Error()}
	}
	writeJSON(w, oe.status, map[string]string{"error": oe.code, "error_description": oe.descr})
}

// form checks a POST with a form body and the required parameters; a malformed request
// is the client's bug and fails the test.
func (p *IdP) form(w http.ResponseWriter, r *http.Request, endpoint string, required ...string) (url.Values, bool) {
	bad := func(format string, args ...any) (url.Values, bool) {
		msg := fmt.Sprintf(format, args...)
		p.opts.Errorf("authtest: malformed request to %s: %s", endpoint, msg)
		writeErr(w, &oauthErr{400, "invalid_request", msg})
		return nil, false
	}
	if r.Method != http.MethodPost {
		return bad("method %s, want POST", r.Method)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return bad("content type %q, want application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	}
	if len(r.URL.RawQuery) > 0 {
		return bad("parameters in the URL (%s): they belong in the body", r.URL.RawQuery)
	}
	if err := r.ParseForm(); err != nil {
		return bad("form: %v", err)
	}
	for _, k := range required {
		if r.PostForm.Get(k) == "" {
			return bad("missing parameter %s", k)
		}
	}
	return r.PostForm, true
}

// clientAuth returns the client of the request: client_id (and client_secret) in the body
// or HTTP Basic (RFC 6749 §2.3.1); a confidential client must present its secret.
func (p *IdP) clientAuth(r *http.Request, v url.Values) (client, error) {
	if v.Get("client_assertion_type") != "" {
		return p.assertionAuth(v)
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = v.Get("client_id"), v.Get("client_secret")
	}
	p.mu.Lock()
	c, ok := p.clients[id]
	p.mu.Unlock()
	if !ok {
		return client{}, &oauthErr{401, "invalid_client", fmt.Sprintf("unknown client %q", id)}
	}
	if c.cert != nil {
		return client{}, &oauthErr{401, "invalid_client", "this client proves itself with its certificate (client_assertion)"}
	}
	if c.secret != "" && secret != c.secret {
		return client{}, &oauthErr{401, "invalid_client", "wrong client secret"}
	}
	return c, nil
}

// assertionAuth checks a client assertion (RFC 7523 §3) as Entra ID does: RS256 by the
// certificate named by its x5t thumbprint, iss and sub the client ID, aud the token
// endpoint, valid now.
func (p *IdP) assertionAuth(v url.Values) (client, error) {
	bad := func(why string) (client, error) {
		return client{}, &oauthErr{401, "invalid_client", "client assertion: " + why}
	}
	if v.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || v.Get("client_assertion") == "" {
		p.opts.Errorf("authtest: client_assertion_type %q with assertion %t", v.Get("client_assertion_type"), v.Get("client_assertion") != "")
		return bad("malformed")
	}
	parts := strings.Split(v.Get("client_assertion"), ".")
	if len(parts) != 3 {
		return bad("not a JWT")
	}
	var hdr struct{ Alg, Typ, X5t string }
	var cl struct {
		Iss, Sub, Aud, Jti string
		Exp, Nbf           int64
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if errors.Join(err1, err2, err3) != nil || json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(cb, &cl) != nil {
		return bad("does not decode")
	}
	p.mu.Lock()
	c, ok := p.clients[cl.Iss]
	p.mu.Unlock()
	now := p.opts.Now().Unix()
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch {
	case !ok || c.cert == nil:
		return bad(fmt.Sprintf("no certificate registered for %q", cl.Iss))
	case hdr.Alg != "RS256" || hdr.X5t != c.x5t:
		return bad(fmt.Sprintf("alg %q x5t %q: want RS256 and the certificate's thumbprint", hdr.Alg, hdr.X5t))
	case rsa.VerifyPKCS1v15(c.cert, crypto.SHA256, h[:], sig) != nil:
		return bad("bad signature")
	case cl.Sub != cl.Iss || (v.Get("client_id") != "" && v.Get("client_id") != cl.Iss):
		return bad("iss, sub and client_id must all be the client ID")
	case cl.Aud != p.URL+"/token":
		return bad(fmt.Sprintf("aud %q, want the token endpoint", cl.Aud))
	case cl.Jti == "" || cl.Exp <= now || cl.Nbf > now:
		return bad("expired, not yet valid or without jti")
	}
	return c, nil
}

func (p *IdP) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	v, ok := p.form(w, r, "the device authorization endpoint", "client_id", "scope")
	if !ok {
		return
	}
	c, err := p.clientAuth(r, v)
	if err != nil {
		writeErr(w, err)
		return
	}
	dc, uc := random(), strings.ToUpper(random()[:8])
	p.mu.Lock()
	p.devices[dc] = &device{clientID: c.id, userCode: uc, scope: v.Get("scope"), interval: p.opts.Interval,
		expiry: p.opts.Now().Add(15 * time.Minute)}
	p.mu.Unlock()
	writeJSON(w, 200, map[string]any{"device_code": dc, "user_code": uc,
		"verification_uri": p.URL + "/device", "expires_in": 900, "interval": int(p.opts.Interval / time.Second)})
}

// devicePage is the verification URI a person opens: GET shows a form for the user code
// and the account, POST approves (for browser tests and demos; tests call Approve).
func (p *IdP) devicePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodGet {
		fmt.Fprint(w, `<!doctype html><title>Fake sign-in</title><form method="post">`+
			`<label>Code <input name="user_code" value="`+html.EscapeString(r.URL.Query().Get("user_code"))+`"></label>`+
			`<label>Account <input name="user" type="email"></label><button>Sign in</button></form>`)
		return
	}
	v, ok := p.form(w, r, "the device page", "user_code", "user")
	if !ok {
		return
	}
	if err := p.Approve(strings.ToUpper(strings.TrimSpace(v.Get("user_code"))), v.Get("user")); err != nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<!doctype html><p>That code is not known.</p>`)
		return
	}
	fmt.Fprint(w, `<!doctype html><p>Signed in. You can close this window.</p>`)
}

func (p *IdP) authorize(w http.ResponseWriter, r *http.Request) {
	bad := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		p.opts.Errorf("authtest: malformed request to the authorization endpoint: %s", msg)
		http.Error(w, msg, http.StatusBadRequest)
	}
	if r.Method != http.MethodGet {
		bad("method %s, want GET", r.Method)
		return
	}
	q := r.URL.Query()
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"} {
		if q.Get(k) == "" {
			bad("missing parameter %s", k)
			return
		}
	}
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
		bad("response_type %q, code_challenge_method %q: want code and S256", q.Get("response_type"), q.Get("code_challenge_method"))
		return
	}
	ru, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || ru.Scheme != "http" || (ru.Hostname() != "127.0.0.1" && ru.Hostname() != "localhost") {
		bad("redirect_uri %q: want a loopback http redirect (RFC 8252 §7.3)", q.Get("redirect_uri"))
		return
	}
	p.mu.Lock()
	_, known := p.clients[q.Get("client_id")]
	user := p.browserUser
	p.mu.Unlock()
	if !known {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	}
	if h := q.Get("login_hint"); h != "" {
		user = h
	}
	if user == "" {
		bad("no one to sign in: call SetBrowserUser or send login_hint")
		return
	}
	code := random()
	p.mu.Lock()
	p.codes[code] = &authCode{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), user: user, scope: q.Get("scope")}
	p.mu.Unlock()
	back := ru.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	ru.RawQuery = back.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

const (
	grantDevice = "urn:ietf:params:oauth:grant-type:device_code"
	grantJWT    = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

func (p *IdP) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	v, ok := p.form(w, r, "the token endpoint", "grant_type")
	if !ok {
		return
	}
	var required []string
	switch gt := v.Get("grant_type"); gt {
	case "authorization_code":
		required = []string{"code", "redirect_uri", "code_verifier"}
	case grantDevice:
		required = []string{"device_code", "client_id"}
	case "refresh_token":
		required = []string{"refresh_token"}
	case "client_credentials":
		required = []string{"scope"}
	case grantJWT:
		required = []string{"assertion"}
	default:
		p.opts.Errorf("authtest: unsupported grant_type %q", gt)
		writeErr(w, &oauthErr{400, "unsupported_grant_type", gt})
		return
	}
	for _, k := range required {
		if v.Get(k) == "" {
			p.opts.Errorf("authtest: %s grant without %s", v.Get("grant_type"), k)
			writeErr(w, &oauthErr{400, "invalid_request", "missing " + k})
			return
		}
	}
	var res map[string]any
	var err error
	switch v.Get("grant_type") {
	case "authorization_code":
		res, err = p.codeGrant(r, v)
	case grantDevice:
		res, err = p.deviceGrant(r, v)
	case "refresh_token":
		res, err = p.refreshGrant(r, v)
	case "client_credentials":
		res, err = p.clientCredentials(r, v)
	case grantJWT:
		res, err = p.jwtGrant(v)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	p.mu.Lock()
	p.grants[v.Get("grant_type")]++
	p.mu.Unlock()
	writeJSON(w, 200, res)
}

// issue makes an access token (and for a user, a refresh token); the caller holds no lock.
func (p *IdP) issue(subject, clientID, scope string, app bool, domain string, withRefresh bool) map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opts.Now()
	at := &token{value: "at-" + random(), subject: subject, app: app, domain: domain, scope: scope,
		expiry: now.Add(p.opts.Lifetime), clientID: clientID}
	p.tokens[at.value] = at
	res := map[string]any{"access_token": at.value, "token_type": "Bearer",
		"expires_in": int(p.opts.Lifetime / time.Second), "scope": scope}
	if withRefresh {
		rt := &token{value: "rt-" + random(), subject: subject, scope: scope, clientID: clientID}
		p.refresh[rt.value] = rt
		res["refresh_token"] = rt.value
	}
	return res
}

func (p *IdP) codeGrant(r *http.Request, v url.Values) (map[string]any, error) {
	c, err := p.clientAuth(r, v)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	ac := p.codes[v.Get("code")]
	if ac != nil {
		if ac.used {
			ac = nil
		} else {
			ac.used = true
		}
	}
	p.mu.Unlock()
	switch {
	case ac == nil || ac.clientID != c.id:
		return nil, &oauthErr{400, "invalid_grant", "unknown or used authorization code"}
	case ac.redirect != v.Get("redirect_uri"):
		return nil, &oauthErr{400, "invalid_grant", "redirect_uri differs from the authorization request"}
	case s256(v.Get("code_verifier")) != ac.challenge:
		return nil, &oauthErr{400, "invalid_grant", "PKCE verification failed: the code_verifier does not match the code_challenge"}
	}
	return p.issue(ac.user, c.id, ac.scope, false, "", true), nil
}

func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func (p *IdP) deviceGrant(r *http.Request, v url.Values) (map[string]any, error) {
	c, err := p.clientAuth(r, v)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	d := p.devices[v.Get("device_code")]
	if d == nil || d.clientID != c.id {
		p.mu.Unlock()
		return nil, &oauthErr{400, "invalid_grant", "unknown device code"}
	}
	now := p.opts.Now()
	if now.After(d.expiry) {
		p.mu.Unlock()
		return nil, &oauthErr{400, "expired_token", "the device code expired"}
	}
	if !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < d.interval {
		p.opts.Errorf("authtest: device code polled %v after the last poll; the interval is %v", now.Sub(d.lastPoll), d.interval)
	}
	d.lastPoll = now
	d.polls++
	// The script of RFC 8628 §3.5: pending first, then slow_down (the client must add five
	// seconds to its interval from now on), then the token once the user has approved.
	switch {
	case d.polls == 1:
		p.mu.Unlock()
		return nil, &oauthErr{400, "authorization_pending", "the user has not signed in yet"}
	case d.polls == 2:
		d.interval += 5 * time.Second
		p.mu.Unlock()
		return nil, &oauthErr{400, "slow_down", "polling too often"}
	case d.user == "":
		p.mu.Unlock()
		return nil, &oauthErr{400, "authorization_pending", "the user has not signed in yet"}
	}
	user, scope := d.user, d.scope
	delete(p.devices, v.Get("device_code"))
	p.mu.Unlock()
	return p.issue(user, c.id, scope, false, "", strings.Contains(scope, "offline_access")), nil
}

func (p *IdP) refreshGrant(r *http.Request, v url.Values) (map[string]any, error) {
	c, err := p.clientAuth(r, v)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	rt := p.refresh[v.Get("refresh_token")]
	p.mu.Unlock()
	if rt == nil || rt.revoked || rt.clientID != c.id {
		return nil, &oauthErr{400, "invalid_grant", "the refresh token is unknown, revoked or another client's"}
	}
	return p.issue(rt.subject, c.id, rt.scope, false, "", true), nil
}

func (p *IdP) clientCredentials(r *http.Request, v url.Values) (map[string]any, error) {
	c, err := p.clientAuth(r, v)
	if err != nil {
		return nil, err
	}
	if (c.secret == "" && c.cert == nil) || c.appDomain == "" {
		return nil, &oauthErr{400, "unauthorized_client", "this client may not use client credentials"}
	}
	if !strings.HasSuffix(v.Get("scope"), "/.default") {
		return nil, &oauthErr{400, "invalid_scope", "app-only access asks for <resource>/.default"}
	}
	p.mu.Lock()
	revoked := false
	for _, t := range p.tokens {
		if t.subject == c.id && t.app && t.revoked {
			revoked = true // the app was disabled: refuse new tokens too
		}
	}
	p.mu.Unlock()
	if revoked {
		return nil, &oauthErr{401, "invalid_client", "the app is disabled"}
	}
	return p.issue(c.id, c.id, v.Get("scope"), true, c.appDomain, false), nil
}

func (p *IdP) jwtGrant(v url.Values) (map[string]any, error) {
	a := v.Get("assertion")
	claims, err := jws.Decode(a)
	if err != nil {
		p.opts.Errorf("authtest: JWT bearer assertion does not decode: %v", err)
		return nil, &oauthErr{400, "invalid_grant", "assertion: " + err.Error()}
	}
	p.mu.Lock()
	pub := p.accounts[claims.Iss]
	known := p.users[claims.Sub]
	p.mu.Unlock()
	switch {
	case pub == nil:
		return nil, &oauthErr{400, "invalid_grant", fmt.Sprintf("unknown service account %q", claims.Iss)}
	case jws.Verify(a, pub) != nil:
		return nil, &oauthErr{400, "invalid_grant", "invalid JWT signature"}
	case claims.Aud != p.URL+"/token":
		p.opts.Errorf("authtest: JWT aud %q, want the token URL %s", claims.Aud, p.URL+"/token")
		return nil, &oauthErr{400, "invalid_grant", "wrong audience"}
	case claims.Exp <= claims.Iat || claims.Exp-claims.Iat > 3600:
		p.opts.Errorf("authtest: JWT iat %d exp %d: want at most an hour", claims.Iat, claims.Exp)
		return nil, &oauthErr{400, "invalid_grant", "bad exp"}
	case claims.Scope == "":
		p.opts.Errorf("authtest: JWT without scope")
		return nil, &oauthErr{400, "invalid_scope", "no scope"}
	case claims.Sub == "":
		return nil, &oauthErr{400, "unauthorized_client", "no sub: a service account acts for a user of the domain"}
	case !known:
		return nil, &oauthErr{400, "invalid_grant", fmt.Sprintf("Invalid email or User ID (%s)", claims.Sub)}
	}
	return p.issue(claims.Sub, claims.Iss, claims.Scope, false, "", false), nil
}

// introspect answers Dovecot's oauth2 passdb (RFC 7662): a user's token is
// {"active":true,"email":<user>,"app":"no"}; an app token {"active":true,
// "email":"<client>@<domain>","app":"yes"} (testsrv's admin-wide passdb accepts it for
// any mailbox of the domain); anything else {"active":false,"app":"no"}.
func (p *IdP) introspect(w http.ResponseWriter, r *http.Request) {
	v, ok := p.form(w, r, "the introspection endpoint", "token")
	if !ok {
		return
	}
	p.mu.Lock()
	p.introspects++
	t := p.tokens[v.Get("token")]
	active := t != nil && !t.revoked && p.opts.Now().Before(t.expiry)
	p.mu.Unlock()
	if !active {
		// "app" is in every answer: Dovecot's oauth2 passdb treats a missing active
		// attribute as active.
		writeJSON(w, 200, map[string]any{"active": false, "app": "no"})
		return
	}
	res := map[string]any{"active": true, "email": t.subject, "app": "no", "scope": t.scope,
		"exp": t.expiry.Unix(), "client_id": t.clientID}
	if t.app {
		res["email"], res["app"] = t.subject+"@"+t.domain, "yes"
	}
	writeJSON(w, 200, res)
}

func random() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
