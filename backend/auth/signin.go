package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DeviceCode is what the person signing in must see: the code to type at the URL.
type DeviceCode struct {
	UserCode        string `json:"userCode"`
	VerificationURI string `json:"verificationUri"`
	// VerificationURIComplete already holds the code (for a QR code); may be empty.
	VerificationURIComplete string    `json:"verificationUriComplete,omitempty"`
	Expiry                  time.Time `json:"expiry"`
}

// SignInDevice signs a mailbox's owner in with the device authorization grant (RFC 8628):
// show is called once with the code and the URL (the window, the web page or the terminal
// displays them), then the token endpoint is polled every interval until the person has
// signed in, honouring slow_down (§3.5: five seconds more for this and every later poll).
// The token has a refresh token (offline_access): save it in the mailbox's Store.
func SignInDevice(ctx context.Context, p Provider, app App, show func(DeviceCode) error, opts Options) (*oauth2.Token, error) {
	if app.ClientID == "" {
		return nil, errors.New("device sign-in: no client ID: register an app and enter its client ID in the project's settings")
	}
	conf := p.config(app, p.Scopes)
	hctx := opts.ctx(ctx)
	da, err := conf.DeviceAuth(hctx)
	if err != nil {
		return nil, fmt.Errorf("device sign-in: ask %s for a code: %w", p.Name, err)
	}
	// x/oauth2 dates the expiry by the wall clock; carry the remaining time over to ours.
	deadline := time.Time{}
	if !da.Expiry.IsZero() {
		deadline = opts.now().Add(time.Until(da.Expiry))
	}
	if err := show(DeviceCode{UserCode: da.UserCode, VerificationURI: da.VerificationURI,
		VerificationURIComplete: da.VerificationURIComplete, Expiry: deadline}); err != nil {
		return nil, err
	}
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second // RFC 8628 §3.2
	}
	for {
		if err := opts.wait(ctx, interval); err != nil {
			return nil, fmt.Errorf("device sign-in: %w", err)
		}
		if !deadline.IsZero() && opts.now().After(deadline) {
			return nil, errors.New("device sign-in: the code expired before the sign-in finished: start again")
		}
		start := opts.now()
		tok, err := pollDevice(hctx, conf, da.DeviceCode)
		if err == nil {
			opts.log().Info("auth: signed in with a device code", "provider", p.Name)
			return stamp(tok, start), nil
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return nil, fmt.Errorf("device sign-in: %w", err)
		}
		switch re.ErrorCode {
		case "authorization_pending":
		case "slow_down":
			interval += 5 * time.Second
		case "access_denied":
			return nil, errors.New("device sign-in: the sign-in was declined")
		case "expired_token":
			return nil, errors.New("device sign-in: the code expired before the sign-in finished: start again")
		default:
			return nil, fmt.Errorf("device sign-in: %w", err)
		}
	}
}

// pollDevice is one Device Access Token Request (RFC 8628 §3.4). x/oauth2's
// DeviceAccessToken polls on its own wall-clock ticker; this is the single request, so
// that the wait between polls is Options.Wait.
func pollDevice(ctx context.Context, conf *oauth2.Config, deviceCode string) (*oauth2.Token, error) {
	v := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {deviceCode},
		"client_id":   {conf.ClientID},
	}
	if conf.ClientSecret != "" {
		v.Set("client_secret", conf.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, conf.Endpoint.TokenURL, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	hc, _ := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var tj struct {
		AccessToken      string `json:"access_token"`
		TokenType        string `json:"token_type"`
		RefreshToken     string `json:"refresh_token"`
		ExpiresIn        int64  `json:"expires_in"`
		ErrorCode        string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorURI         string `json:"error_uri"`
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "application/json" || json.Unmarshal(body, &tj) != nil {
		return nil, &oauth2.RetrieveError{Response: resp, Body: body}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 || tj.ErrorCode != "" || tj.AccessToken == "" {
		return nil, &oauth2.RetrieveError{Response: resp, Body: body, ErrorCode: tj.ErrorCode,
			ErrorDescription: tj.ErrorDescription, ErrorURI: tj.ErrorURI}
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	t := &oauth2.Token{AccessToken: tj.AccessToken, TokenType: tj.TokenType, RefreshToken: tj.RefreshToken, ExpiresIn: tj.ExpiresIn}
	return t.WithExtra(raw), nil
}

// SignInBrowser signs a mailbox's owner in with the authorization code grant and PKCE
// (RFC 7636, S256) in the system browser: a listener on 127.0.0.1 receives the redirect
// (RFC 8252 §7.3), open is called with the provider's sign-in URL (the caller opens the
// browser, or prints the URL), and the code is exchanged with the verifier. The token has a
// refresh token: save it in the mailbox's Store.
func SignInBrowser(ctx context.Context, p Provider, app App, open func(url string) error, opts Options) (*oauth2.Token, error) {
	if app.ClientID == "" {
		return nil, errors.New("browser sign-in: no client ID: register an app and enter its client ID in the project's settings")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("browser sign-in: listen for the redirect: %w", err)
	}
	defer ln.Close()
	host := p.RedirectHost
	if host == "" {
		host = "127.0.0.1"
	}
	conf := p.config(app, p.Scopes)
	conf.RedirectURL = "http://" + net.JoinHostPort(host, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)) + "/"
	verifier := oauth2.GenerateVerifier()
	state := randomString()
	authOpts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for k, v := range p.AuthParams {
		authOpts = append(authOpts, oauth2.SetAuthURLParam(k, v))
	}

	type result struct {
		code string
		err  error
	}
	got := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/" || (q.Get("code") == "" && q.Get("error") == "") {
			http.NotFound(w, r)
			return
		}
		var res result
		switch {
		case q.Get("state") != state:
			res.err = errors.New("browser sign-in: the answer did not come from this sign-in (state mismatch): start again")
		case q.Get("error") != "":
			res.err = fmt.Errorf("browser sign-in: %s refused: %s %s", p.Name, q.Get("error"), q.Get("error_description"))
		default:
			res.code = q.Get("code")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if res.err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "<!doctype html><title>Cutover</title><p>Sign-in failed: %s</p>", html.EscapeString(res.err.Error()))
		} else {
			fmt.Fprint(w, "<!doctype html><title>Cutover</title><p>Signed in. You can close this tab and return to Cutover.</p>")
		}
		select {
		case got <- res:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	if err := open(conf.AuthCodeURL(state, authOpts...)); err != nil {
		return nil, fmt.Errorf("browser sign-in: open the browser: %w", err)
	}
	var res result
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("browser sign-in: %w", ctx.Err())
	case res = <-got:
	}
	if res.err != nil {
		return nil, res.err
	}
	start := opts.now()
	tok, err := conf.Exchange(opts.ctx(ctx), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("browser sign-in: exchange the code: %w", err)
	}
	opts.log().Info("auth: signed in in the browser", "provider", p.Name)
	return stamp(tok, start), nil
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
