package demo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"cutover/backend/api"
	"cutover/backend/auth"
)

// DemoClientID is the app registration the demo's fake identity provider knows.
const DemoClientID = "cutover-demo"

// AcceptTokens makes the server accept OAuth 2.0 bearer tokens (XOAUTH2, OAUTHBEARER) as
// well as passwords, asking the identity provider about each token at introspectionURL
// (RFC 7662), as Exchange Online and Gmail check theirs: the demo's destination behind
// the fake provider of package authtest. A user's token opens that user's mailbox; an
// app token ("app": "yes") opens any mailbox of its domain.
func (s *IMAPServer) AcceptTokens(introspectionURL string) { s.tokens.Store(&introspectionURL) }

func (s *IMAPServer) newSession() imapserver.Session {
	u := s.tokens.Load()
	if u == nil {
		return s.mem.NewSession()
	}
	return &tokenSession{srv: s, introspection: *u}
}

// tokenSession is imapmemserver's session with SASL mechanisms for bearer tokens.
type tokenSession struct {
	*imapmemserver.UserSession // nil until logged in
	srv                        *IMAPServer
	introspection              string
}

func (t *tokenSession) Login(username, password string) error {
	u := t.srv.accounts[username]
	if u == nil {
		return imapserver.ErrAuthFailed
	}
	if err := u.Login(username, password); err != nil {
		return err
	}
	t.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

func (t *tokenSession) AuthenticateMechanisms() []string {
	return []string{sasl.Plain, "XOAUTH2", sasl.OAuthBearer}
}

func (t *tokenSession) Authenticate(mech string) (sasl.Server, error) {
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return imapserver.ErrAuthFailed
			}
			return t.Login(username, password)
		}), nil
	case "XOAUTH2":
		return &xoauth2Server{login: t.loginToken}, nil
	case sasl.OAuthBearer:
		return refusedAs(sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if t.loginToken(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			return nil
		})), nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// loginToken opens user's mailbox when the provider says token is active for it.
func (t *tokenSession) loginToken(user, token string) error {
	u := t.srv.accounts[user]
	if u == nil || token == "" {
		return imapserver.ErrAuthFailed
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.PostForm(t.introspection, url.Values{"token": {token}})
	if err != nil {
		return imapserver.ErrAuthFailed
	}
	defer resp.Body.Close()
	var in struct {
		Active bool   `json:"active"`
		Email  string `json:"email"`
		App    string `json:"app"`
	}
	if json.NewDecoder(resp.Body).Decode(&in) != nil || !in.Active {
		return imapserver.ErrAuthFailed
	}
	domain := func(a string) string { return strings.ToLower(a[strings.LastIndex(a, "@")+1:]) }
	if !strings.EqualFold(in.Email, user) && !(in.App == "yes" && domain(in.Email) == domain(user)) {
		return imapserver.ErrAuthFailed
	}
	t.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

// refusedAs answers a failed exchange with AUTHENTICATIONFAILED, as real servers do,
// rather than go-sasl's own error (which go-imap reports as a server bug).
func refusedAs(s sasl.Server) sasl.Server { return authFailed{s} }

type authFailed struct{ sasl.Server }

func (a authFailed) Next(response []byte) ([]byte, bool, error) {
	ch, done, err := a.Server.Next(response)
	if err != nil {
		err = imapserver.ErrAuthFailed
	}
	return ch, done, err
}

// xoauth2Server is Google's and Microsoft's XOAUTH2: one client message
// "user=<mailbox>\x01auth=Bearer <token>\x01\x01".
type xoauth2Server struct {
	login func(user, token string) error
	done  bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.done {
		return nil, true, sasl.ErrUnexpectedClientResponse
	}
	if response == nil {
		return []byte{}, false, nil
	}
	x.done = true
	user, token := auth.ParseXOAuth2(response)
	if err := x.login(user, token); err != nil {
		return nil, true, imapserver.ErrAuthFailed
	}
	return nil, true, nil
}

// SeedSignIn makes the demo project's destination sign in the Microsoft 365 way, each
// mailbox with a device code, at the fake identity provider at idpURL (started by the
// demo command): the Settings page's "Sign in with a code" then shows the provider's
// /device page, where any account may approve the code.
func SeedSignIn(a *api.API, idpURL string) error {
	if _, err := a.SignInSet(ProjectName, api.SignInSettingInput{Side: "dest", Method: api.SignInMicrosoftUser,
		ClientID: DemoClientID, IdPURL: &idpURL}); err != nil {
		return fmt.Errorf("demo sign-in: %w", err)
	}
	return nil
}
