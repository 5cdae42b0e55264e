package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"

	"cutover/backend/secrets"
)

// TokenSource gives a valid access token for one mailbox.
type TokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error)
}

// PerMailbox hands out a token source per mailbox, for admin-wide access.
type PerMailbox interface {
	For(mailbox string) TokenSource
}

// Store keeps one mailbox's (or one app's) token, sealed; the caller implements it over
// the project's secret vault. Load returns nil, nil when nothing is stored.
type Store interface {
	Load(ctx context.Context) (*oauth2.Token, error)
	Save(ctx context.Context, t *oauth2.Token) error
}

// MemoryStore is a Store in memory: for tests and for a one-off run with a token file.
type MemoryStore struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

func (m *MemoryStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, nil
	}
	t := *m.tok
	return &t, nil
}

func (m *MemoryStore) Save(_ context.Context, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *t
	m.tok = &c
	return nil
}

// Source is a token source that renews its token a margin (Options.Margin) before it
// expires, keeps it in a Store when it has one, and is safe for the connections of a pass
// to share.
type Source struct {
	user     string
	appWide  bool
	provider string
	what     string // "refresh the token", "get an app token", ...
	fetch    func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error)
	store    Store
	opts     Options

	mu     sync.Mutex
	tok    *oauth2.Token
	loaded bool
}

// Token returns the current access token, renewing it first when it expires within the
// margin.
func (s *Source) Token(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded && s.store != nil {
		t, err := s.store.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("load the token of %s: %w", s.user, err)
		}
		s.tok, s.loaded = t, true
	}
	if s.fresh(s.tok) {
		t := *s.tok
		return &t, nil
	}
	start := s.opts.now()
	t, err := s.fetch(s.opts.ctx(ctx), s.tok)
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return nil, err
		}
		return nil, providerRefusal(s.user, s.appWide, s.provider, s.what, err)
	}
	stamp(t, start)
	if t.RefreshToken == "" && s.tok != nil {
		t.RefreshToken = s.tok.RefreshToken // the provider keeps the old one valid
	}
	if s.store != nil {
		if err := s.store.Save(ctx, t); err != nil {
			return nil, fmt.Errorf("save the token of %s: %w", s.user, err)
		}
	}
	s.tok = t
	s.opts.log().Info("auth: new access token", "user", s.user, "expires", t.Expiry.Format(time.RFC3339))
	c := *t
	return &c, nil
}

func (s *Source) fresh(t *oauth2.Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || s.opts.now().Add(s.opts.margin()).Before(t.Expiry)
}

// NewUserSource renews the token a mailbox's owner signed in with (SignInDevice,
// SignInBrowser), kept in store, with its refresh token. A refresh token the provider
// no longer accepts is a *RefusedError: sign in again.
func NewUserSource(p Provider, app App, user string, store Store, opts Options) *Source {
	conf := p.config(app, p.Scopes)
	return &Source{user: user, provider: p.Name, what: "refresh the token", store: store, opts: opts,
		fetch: func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
			if old == nil || old.RefreshToken == "" {
				return nil, &RefusedError{User: user, Method: MethodToken, Provider: p.Name, Status: "no_token",
					Err: errors.New("no refresh token is stored")}
			}
			// An empty access token makes x/oauth2 refresh at once (refresh_token grant).
			return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
		}}
}

// AppSource is Microsoft's app-only access: one client-credentials token for every
// mailbox of the tenant (XOAUTH2 with user=<mailbox>), given by For.
type AppSource struct {
	src *Source
}

// NewAppSource gets app-only tokens with the client credentials grant (RFC 6749 §4.4) for
// p.AppScopes ("https://outlook.office365.com/.default"), the app proving itself with its
// secret or, when app.Certificate is set, with a client assertion signed by the
// certificate's key (RFC 7523 §2.2).
func NewAppSource(p Provider, app App, opts Options) *AppSource {
	return &AppSource{src: &Source{user: "app " + app.ClientID, appWide: true, provider: p.Name,
		what: "get an app-only token", opts: opts,
		fetch: func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
			conf := &clientcredentials.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret.Reveal(),
				TokenURL: p.Endpoint.TokenURL, Scopes: p.AppScopes, AuthStyle: p.Endpoint.AuthStyle}
			if app.Certificate != nil {
				a, err := app.Certificate.assertion(app.ClientID, p.Endpoint.TokenURL, opts.now())
				if err != nil {
					return nil, err
				}
				conf.ClientSecret = ""
				conf.AuthStyle = oauth2.AuthStyleInParams
				conf.EndpointParams = url.Values{
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
					"client_assertion":      {a},
				}
			}
			return conf.Token(ctx)
		}}}
}

// For returns mailbox's view of the shared app token; a refusal names the mailbox.
func (a *AppSource) For(mailbox string) TokenSource { return appMailbox{a.src, mailbox} }

type appMailbox struct {
	src     *Source
	mailbox string
}

func (m appMailbox) Token(ctx context.Context) (*oauth2.Token, error) {
	t, err := m.src.Token(ctx)
	var re *RefusedError
	if errors.As(err, &re) {
		c := *re
		c.User = m.mailbox
		return nil, &c
	}
	return t, err
}

// ServiceAccount is Google Workspace's admin-wide access: a service account with
// domain-wide delegation gets, with the JWT bearer grant (RFC 7523), a token per mailbox
// (sub = the mailbox).
type ServiceAccount struct {
	conf     *jwt.Config
	provider Provider
	opts     Options

	mu      sync.Mutex
	sources map[string]*Source
}

// NewServiceAccount reads a service account's JSON key. The provider's TokenURL replaces
// the key's token_uri when set, so tests reach the fake.
func NewServiceAccount(keyJSON secrets.Secret, p Provider, opts Options) (*ServiceAccount, error) {
	// The fields of Google's key file that the JWT bearer grant needs (x/oauth2/google
	// reads the same, but pulls in the Compute Engine metadata client).
	var key struct {
		Type         string `json:"type"`
		ClientEmail  string `json:"client_email"`
		PrivateKeyID string `json:"private_key_id"`
		PrivateKey   string `json:"private_key"`
		TokenURI     string `json:"token_uri"`
	}
	if err := json.Unmarshal([]byte(keyJSON.Reveal()), &key); err != nil {
		return nil, fmt.Errorf("read the service account key (the JSON file from the Google Cloud console): %w", err)
	}
	if key.Type != "service_account" || key.ClientEmail == "" || key.PrivateKey == "" {
		return nil, fmt.Errorf("read the service account key: want a JSON key of type \"service_account\" with client_email and private_key (got type %q)", key.Type)
	}
	conf := &jwt.Config{Email: key.ClientEmail, PrivateKey: []byte(key.PrivateKey), PrivateKeyID: key.PrivateKeyID,
		Scopes: p.AppScopes, TokenURL: key.TokenURI}
	if p.Endpoint.TokenURL != "" {
		conf.TokenURL = p.Endpoint.TokenURL
	}
	return &ServiceAccount{conf: conf, provider: p, opts: opts, sources: map[string]*Source{}}, nil
}

// Email is the service account's address (the JWT issuer).
func (s *ServiceAccount) Email() string { return s.conf.Email }

// For returns the token source of one mailbox, created once and then shared.
func (s *ServiceAccount) For(mailbox string) TokenSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	if src, ok := s.sources[mailbox]; ok {
		return src
	}
	conf := *s.conf
	conf.Subject = mailbox
	src := &Source{user: mailbox, appWide: true, provider: s.provider.Name, what: "get a delegated token", opts: s.opts,
		fetch: func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
			return conf.TokenSource(ctx).Token()
		}}
	s.sources[mailbox] = src
	return src
}
