package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// sealedTokens is a mailbox owner's token in the project's vault (an auth.Store): the
// access and refresh tokens are sealed like passwords under
// signin/<project>/<side>/token/<mailbox>; only the expiry and whether it can be renewed
// are kept in clear (signin_token), for the status.
type sealedTokens struct {
	a         *API
	projectID int64
	side      string
	mailbox   string
}

func (a *API) tokenStore(projectID int64, side, mailbox string) *sealedTokens {
	return &sealedTokens{a: a, projectID: projectID, side: side, mailbox: mailbox}
}

func (s *sealedTokens) ref() string { return tokenRef(s.projectID, s.side, s.mailbox) }

// Load returns the stored token, or nil when the mailbox never signed in.
func (s *sealedTokens) Load(ctx context.Context) (*oauth2.Token, error) {
	sec, err := s.a.vault.Get(ctx, s.ref())
	if errors.Is(err, secrets.ErrNoSecret) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the token of %s: %w", s.mailbox, err)
	}
	var t oauth2.Token
	if err := json.Unmarshal([]byte(sec.Reveal()), &t); err != nil {
		return nil, fmt.Errorf("read the token of %s: %w", s.mailbox, err)
	}
	return &t, nil
}

// Save seals a renewed token.
func (s *sealedTokens) Save(ctx context.Context, t *oauth2.Token) error {
	return s.save(ctx, t, time.Time{})
}

// signedIn seals the token of a new sign-in.
func (s *sealedTokens) signedIn(ctx context.Context, t *oauth2.Token) error {
	return s.save(ctx, t, s.a.now())
}

func (s *sealedTokens) save(ctx context.Context, t *oauth2.Token, signedIn time.Time) error {
	b, err := json.Marshal(&oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry})
	if err != nil {
		return err
	}
	if err := s.a.vault.Put(ctx, s.ref(), s.projectID, secrets.New(string(b))); err != nil {
		return fmt.Errorf("seal the token of %s: %w", s.mailbox, err)
	}
	return s.a.store.PutSignInToken(ctx, s.projectID, store.SignInToken{Side: s.side, Mailbox: s.mailbox,
		Expiry: t.Expiry, Refreshable: t.RefreshToken != "", SignedIn: signedIn, Updated: s.a.now()})
}

// A token file is what `cutover copy --from-token-file F` / `--to-token-file F` read:
// the JSON of an OAuth 2.0 token as golang.org/x/oauth2 writes it, with, optionally, what
// Cutover needs to renew it during a long copy:
//
//	{
//	  "access_token":  "eyJ0eXAi...",             required
//	  "token_type":    "Bearer",                   optional
//	  "expiry":        "2026-03-02T10:00:00Z",     optional (RFC 3339); a token past it is refused before the copy starts
//	  "refresh_token": "0.AXcA...",                optional, with the three below: renewed when it expires
//	  "client_id":     "<app registration / OAuth client ID>",
//	  "client_secret": "<only for a confidential client>",
//	  "token_url":     "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
//	  "provider":      "microsoft"                 optional: "microsoft" or "google", for the advice when refused
//	}
//
// The login is the mailbox named in --from / --to.
type tokenFile struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret"`
	TokenURL     string    `json:"token_url"`
	Provider     string    `json:"provider"`
}

// tokenFileCreds reads a token file into the credentials of user.
func (a *API) tokenFileCreds(field, path, user string) (mailbox.Credentials, error) {
	c := mailbox.Credentials{User: user}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, &mailbox.InputError{Field: field, Value: path, Expected: "a readable JSON token file: " + err.Error()}
	}
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil || f.AccessToken == "" {
		why := "no access_token"
		if err != nil {
			why = err.Error()
		}
		return c, &mailbox.InputError{Field: field, Value: path,
			Expected: `a JSON object like {"access_token": "...", "expiry": "2026-03-02T10:00:00Z", "refresh_token": "...", "client_id": "...", "token_url": "..."} (` + why + ")"}
	}
	renewable := f.RefreshToken != "" && f.ClientID != "" && f.TokenURL != ""
	if !renewable && !f.Expiry.IsZero() && !a.now().Before(f.Expiry) {
		return c, &mailbox.InputError{Field: field, Value: path,
			Expected: fmt.Sprintf("a token that has not expired (this one expired at %s; it has no refresh_token, client_id and token_url to renew it): sign in again", f.Expiry.Format(time.RFC3339))}
	}
	if f.TokenURL != "" {
		if err := checkIdPURL(f.TokenURL); err != nil {
			return c, &mailbox.InputError{Field: field + " token_url", Value: f.TokenURL, Expected: "an https:// token endpoint (http:// on loopback only)"}
		}
	}
	c.Provider = strings.ToLower(f.Provider)
	tok := &oauth2.Token{AccessToken: f.AccessToken, TokenType: f.TokenType, RefreshToken: f.RefreshToken, Expiry: f.Expiry}
	mem := &auth.MemoryStore{}
	_ = mem.Save(a.ctx, tok)
	if !renewable {
		c.Tokens = staticToken{tok: tok, user: user, provider: c.Provider, now: a.now}
		return c, nil
	}
	p := auth.Provider{Name: c.Provider, Endpoint: oauth2.Endpoint{TokenURL: f.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	c.Tokens = auth.NewUserSource(p, auth.App{ClientID: f.ClientID, ClientSecret: secrets.New(f.ClientSecret)}, user, mem, a.authOptions())
	return c, nil
}

// staticToken is a token file's token that cannot be renewed.
type staticToken struct {
	tok      *oauth2.Token
	user     string
	provider string
	now      func() time.Time
}

func (s staticToken) Token(context.Context) (*oauth2.Token, error) {
	if !s.tok.Expiry.IsZero() && !s.now().Before(s.tok.Expiry) {
		return nil, &auth.RefusedError{User: s.user, Method: auth.MethodToken, Provider: s.provider, Status: "expired",
			Err: fmt.Errorf("the token file's token expired at %s and cannot be renewed", s.tok.Expiry.Format(time.RFC3339))}
	}
	t := *s.tok
	return &t, nil
}

// copyCreds are the credentials of `cutover copy`: a token file where one is given, else
// the password.
func (a *API) copyCreds(in CopyInput, srcUser, dstUser string) (src, dst mailbox.Credentials, err error) {
	src = mailbox.Credentials{User: srcUser, Password: in.FromPassword}
	dst = mailbox.Credentials{User: dstUser, Password: in.ToPassword}
	if in.FromTokenFile != "" {
		if src, err = a.tokenFileCreds("from-token-file", in.FromTokenFile, srcUser); err != nil {
			return src, dst, err
		}
	}
	if in.ToTokenFile != "" {
		if dst, err = a.tokenFileCreds("to-token-file", in.ToTokenFile, dstUser); err != nil {
			return src, dst, err
		}
	}
	return src, dst, nil
}
