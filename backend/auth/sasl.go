// Package auth is how Cutover proves who it is to a mail server: the SASL mechanisms an
// IMAP connection authenticates with, and the OAuth 2.0 tokens that Microsoft 365 and
// Google Workspace require instead of passwords.
//
// SASL: PLAIN with an authorization identity for administrators (RFC 4616), OAUTHBEARER
// (RFC 7628) and XOAUTH2 (Google's and Microsoft's predecessor of OAUTHBEARER:
// "user=<mailbox>^Aauth=Bearer <token>^A^A"). [NewLogin] picks the mechanism from the
// server's capabilities and the credential, and [Login.Err] turns a refused token into a
// [*RefusedError] that names the mailbox and what to do, so the copy engine stops only
// that mailbox.
//
// OAuth 2.0 (RFC 6749) through golang.org/x/oauth2: the device authorization grant
// (RFC 8628) and the authorization code grant with PKCE (RFC 7636) on a loopback redirect
// (RFC 8252 §7.3) for one mailbox at a time; client credentials (RFC 6749 §4.4) for
// Microsoft's app-only access; the JWT bearer grant (RFC 7523) for Google service accounts
// with domain-wide delegation, one token per mailbox (sub). Tokens are refreshed a margin
// before they expire (refresh_token grant, RFC 6749 §6, or a new client-credentials or JWT
// grant), so a long pass never presents an expired one. Where tokens are kept is the
// caller's: a [Store] loads and saves one token (sealed like a password).
//
// Provider presets (endpoints, scopes) live in [Microsoft] and [Google]; every URL is a
// field, so tests point them at the fake provider in package authtest. No client ID is
// shipped: the customer's app registration is a setting ([App]).
package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"

	"cutover/backend/secrets"
)

// SASL mechanism names.
const (
	Plain       = sasl.Plain       // RFC 4616
	OAuthBearer = sasl.OAuthBearer // RFC 7628
	XOAuth2     = "XOAUTH2"        // Google and Microsoft
)

// Method is how a credential proves itself.
type Method string

const (
	// MethodPassword: the mailbox's own password (PLAIN).
	MethodPassword Method = "password"
	// MethodAdminPassword: an administrator's password with the mailbox as authorization
	// identity (PLAIN, RFC 4616 §2; Dovecot master users, Cyrus admins).
	MethodAdminPassword Method = "admin-password"
	// MethodToken: an OAuth 2.0 bearer token (OAUTHBEARER or XOAUTH2).
	MethodToken Method = "token"
)

// Credential is what logs in to one mailbox.
type Credential struct {
	Method Method
	// User is the mailbox to open: the authentication identity for a password, the
	// authorization identity for an administrator, user= / a= for a token.
	User string
	// Admin authenticates for MethodAdminPassword.
	Admin string
	// Password is the user's (MethodPassword) or the administrator's (MethodAdminPassword).
	Password secrets.Secret
	// Tokens gives the bearer token for MethodToken (see Authenticate).
	Tokens TokenSource
	// AppWide marks a token that is the application's (client credentials) or a service
	// account's rather than the mailbox owner's: a refusal then means the app lacks access
	// to this mailbox, not that someone must sign in again.
	AppWide bool
	// Provider names who issued the token ("microsoft", "google"), for the advice on a
	// refusal; optional.
	Provider string
	// Mechanism forces a mechanism (XOAuth2, OAuthBearer, Plain); empty picks one from the
	// server's capabilities.
	Mechanism string
}

// mechanisms lists the SASL mechanisms in caps, which may be IMAP capabilities
// ("AUTH=PLAIN") or bare names ("PLAIN", as in SMTP's EHLO), upper-cased.
func mechanisms(caps []string) map[string]bool {
	m := map[string]bool{}
	for _, c := range caps {
		c = strings.ToUpper(strings.TrimSpace(c))
		m[strings.TrimPrefix(c, "AUTH=")] = true
	}
	return m
}

// IMAPCaps lists an IMAP capability set as strings, for NewLogin.
func IMAPCaps(caps imap.CapSet) []string {
	out := make([]string, 0, len(caps))
	for c := range caps {
		out = append(out, string(c))
	}
	return out
}

// NoMechanismError says the server offers no mechanism the credential can use.
type NoMechanismError struct {
	Method  Method
	Offered []string
}

func (e *NoMechanismError) Error() string {
	want := "PLAIN"
	if e.Method == MethodToken {
		want = "XOAUTH2 or OAUTHBEARER"
	}
	return fmt.Sprintf("the server offers no %s sign-in for a %s credential (it offers %s)", want, e.Method, strings.Join(e.Offered, " "))
}

// pick chooses the mechanism for c among what the server offers. For tokens OAUTHBEARER,
// the standard, wins when offered (Gmail, Dovecot); Exchange Online offers only XOAUTH2.
// A server that lists no AUTH= capabilities at all (some hide them before STARTTLS) is
// tried with PLAIN or XOAUTH2.
func pick(caps []string, c Credential) (string, error) {
	if c.Mechanism != "" {
		return strings.ToUpper(c.Mechanism), nil
	}
	offered := mechanisms(caps)
	var names []string
	for _, cp := range caps {
		if u := strings.ToUpper(cp); strings.HasPrefix(u, "AUTH=") {
			names = append(names, strings.TrimPrefix(u, "AUTH="))
		}
	}
	none := len(names) == 0
	switch c.Method {
	case MethodPassword, MethodAdminPassword:
		if offered[Plain] || none {
			return Plain, nil
		}
	case MethodToken:
		switch {
		case offered[OAuthBearer]:
			return OAuthBearer, nil
		case offered[XOAuth2] || none:
			return XOAuth2, nil
		}
	default:
		return "", fmt.Errorf("credential for %q: unknown method %q (want password, admin-password or token)", c.User, c.Method)
	}
	return "", &NoMechanismError{Method: c.Method, Offered: names}
}

// Login is one authentication attempt: a sasl.Client for AUTHENTICATE that remembers
// what the server said, so that Err can tell a refused token from a broken connection.
type Login struct {
	Mechanism string
	cred      Credential
	client    sasl.Client
	// refusal is the server's error challenge (RFC 7628 §3.2.2), when one came.
	refusal *Challenge
}

// Challenge is the JSON a server sends when it refuses a bearer token (RFC 7628 §3.2.2;
// XOAUTH2 sends the same shape).
type Challenge struct {
	Status  string `json:"status"`
	Schemes string `json:"schemes,omitempty"`
	Scope   string `json:"scope,omitempty"`
}

// NewLogin prepares the SASL exchange for c, with token as the bearer for MethodToken.
func NewLogin(caps []string, c Credential, token secrets.Secret) (*Login, error) {
	mech, err := pick(caps, c)
	if err != nil {
		return nil, err
	}
	l := &Login{Mechanism: mech, cred: c}
	switch mech {
	case Plain:
		switch c.Method {
		case MethodPassword:
			l.client = sasl.NewPlainClient("", c.User, c.Password.Reveal())
		case MethodAdminPassword:
			if c.Admin == "" {
				return nil, fmt.Errorf("credential for %q: an admin password needs the administrator's name", c.User)
			}
			l.client = sasl.NewPlainClient(c.User, c.Admin, c.Password.Reveal())
		default:
			return nil, fmt.Errorf("credential for %q: PLAIN needs a password, not a %s", c.User, c.Method)
		}
	case XOAuth2, OAuthBearer:
		if c.Method != MethodToken {
			return nil, fmt.Errorf("credential for %q: %s needs a token, not a %s", c.User, mech, c.Method)
		}
		if token.IsZero() {
			return nil, fmt.Errorf("credential for %q: no token", c.User)
		}
		if mech == XOAuth2 {
			l.client = &xoauth2{user: c.User, token: token.Reveal(), login: l}
		} else {
			l.client = &oauthBearer{user: c.User, token: token.Reveal(), login: l}
		}
	default:
		return nil, fmt.Errorf("credential for %q: unsupported mechanism %q", c.User, mech)
	}
	return l, nil
}

// Start implements sasl.Client.
func (l *Login) Start() (string, []byte, error) { return l.client.Start() }

// Next implements sasl.Client.
func (l *Login) Next(challenge []byte) ([]byte, error) { return l.client.Next(challenge) }

// xoauth2 is Google's and Microsoft's XOAUTH2: one initial response; on failure the server
// sends a base64 JSON challenge, which the client must answer so the server can finish
// with NO. The documented answer is an empty response, but go-imap encodes an empty
// response as "=" (RFC 4959's form for an initial response only), which Dovecot answers
// with BAD; a single ^A, OAUTHBEARER's answer (RFC 7628 §3.2.3), is accepted by all.
type xoauth2 struct {
	user, token string
	login       *Login
}

func (x *xoauth2) Start() (string, []byte, error) {
	return XOAuth2, []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.login.noteRefusal(challenge)
	return []byte{0x01}, nil
}

// oauthBearer is RFC 7628 OAUTHBEARER. go-sasl's client returns an error on the server's
// error challenge without answering it, which leaves the IMAP command waiting; RFC 7628
// §3.2.3 says the client sends a single ^A, after which the server ends with NO.
type oauthBearer struct {
	user, token string
	login       *Login
}

func (o *oauthBearer) Start() (string, []byte, error) {
	// gs2-header "n,a=<authzid>," (RFC 5801 §4; ',' and '=' in the name escaped).
	authzid := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(o.user)
	ir := "n,a=" + authzid + ",\x01auth=Bearer " + o.token + "\x01\x01"
	return OAuthBearer, []byte(ir), nil
}

func (o *oauthBearer) Next(challenge []byte) ([]byte, error) {
	o.login.noteRefusal(challenge)
	return []byte{0x01}, nil
}

func (l *Login) noteRefusal(challenge []byte) {
	var ch Challenge
	if err := json.Unmarshal(bytes.TrimSpace(challenge), &ch); err != nil || ch.Status == "" {
		ch = Challenge{Status: "refused"}
	}
	l.refusal = &ch
}

// Err interprets the error AUTHENTICATE returned: a server's NO to a credential becomes a
// *RefusedError (naming the mailbox and what to do); other errors (a dropped connection,
// a server that is unavailable) pass through unchanged. nil stays nil.
func (l *Login) Err(err error) error {
	if err == nil {
		return nil
	}
	var ie *imap.Error
	if !errors.As(err, &ie) && l.refusal == nil {
		return err
	}
	if ie != nil && ie.Type != imap.StatusResponseTypeNo {
		return err
	}
	// [UNAVAILABLE] is the server failing to check (its provider unreachable), not a
	// verdict on the credential (RFC 5530).
	if ie != nil && (ie.Code == imap.ResponseCodeUnavailable || ie.Code == imap.ResponseCodeServerBug) {
		return err
	}
	re := &RefusedError{User: l.cred.User, Mechanism: l.Mechanism, Method: l.cred.Method,
		AppWide: l.cred.AppWide, Provider: l.cred.Provider, Err: err}
	if l.refusal != nil {
		re.Status = l.refusal.Status
	}
	return re
}

// Authenticator is a client's AUTHENTICATE; go-imap's *imapclient.Client is one.
type Authenticator interface {
	Authenticate(sasl.Client) error
}

// Authenticate logs in with c on a connection whose server offers caps: it takes a fresh
// token from c.Tokens for MethodToken, picks the mechanism and authenticates. A refusal
// is a *RefusedError; a server offering no usable mechanism is a *NoMechanismError (for
// a password, the caller may then fall back to the IMAP LOGIN command).
func Authenticate(ctx context.Context, a Authenticator, caps []string, c Credential) error {
	var tok secrets.Secret
	if c.Method == MethodToken {
		if c.Tokens == nil {
			return fmt.Errorf("credential for %q: a token credential without a token source", c.User)
		}
		t, err := c.Tokens.Token(ctx)
		if err != nil {
			return err
		}
		tok = secrets.New(t.AccessToken)
	}
	l, err := NewLogin(caps, c, tok)
	if err != nil {
		return err
	}
	return l.Err(a.Authenticate(l))
}

// ParseXOAuth2 reads the client message of XOAUTH2, "user=<mailbox>\x01auth=Bearer
// <token>\x01\x01", as a server does (the demo's and the tests' servers); a part missing
// is "".
func ParseXOAuth2(response []byte) (user, token string) {
	for _, part := range bytes.Split(response, []byte{1}) {
		switch {
		case bytes.HasPrefix(part, []byte("user=")):
			user = string(part[len("user="):])
		case bytes.HasPrefix(part, []byte("auth=Bearer ")):
			token = string(part[len("auth=Bearer "):])
		}
	}
	return user, token
}
