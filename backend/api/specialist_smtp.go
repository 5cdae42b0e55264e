package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/messages"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// How the specialist signs in to the SMTP submission server.
const (
	SMTPAuthPassword  = "password"
	SMTPAuthMicrosoft = "microsoft" // smtp.office365.com:587, SMTP.Send, device code
	SMTPAuthGoogle    = "google"    // smtp.gmail.com:465, mail.google.com, browser + PKCE
)

const (
	smtpTokenRef        = "specialist/smtp-token"
	smtpClientSecretRef = "specialist/smtp-client-secret"
)

// checkSMTPAuth completes and checks the profile's sign-in settings: the method, and the
// provider's submission server when none is given.
func checkSMTPAuth(p *store.SpecialistProfile) error {
	p.SMTPAuth = strings.ToLower(strings.TrimSpace(p.SMTPAuth))
	p.SMTPClientID = strings.TrimSpace(p.SMTPClientID)
	p.SMTPTenant = strings.TrimSpace(p.SMTPTenant)
	switch p.SMTPAuth {
	case "", SMTPAuthPassword:
		p.SMTPAuth = SMTPAuthPassword
		return nil
	case SMTPAuthMicrosoft:
		if p.SMTPHost == "" {
			p.SMTPHost, p.SMTPPort, p.SMTPSecurity = "smtp.office365.com", 587, messages.StartTLS
		}
	case SMTPAuthGoogle:
		if p.SMTPHost == "" {
			p.SMTPHost, p.SMTPPort, p.SMTPSecurity = "smtp.gmail.com", 465, messages.Implicit
		}
	default:
		return &project.FieldError{Field: "smtp auth", Value: p.SMTPAuth, Expected: "password, microsoft (Microsoft 365, device code) or google (browser sign-in)"}
	}
	if p.SMTPIdPURL != "" {
		return checkIdPURL(p.SMTPIdPURL)
	}
	// A bearer token goes only to the provider's own submission server: any other host
	// could use it to send as the specialist (a fake provider's tokens may go anywhere).
	if hosts := smtpHosts[p.SMTPAuth]; !slices.Contains(hosts, strings.ToLower(p.SMTPHost)) {
		return &project.FieldError{Field: "smtp host", Value: p.SMTPHost, Expected: fmt.Sprintf("%s with the %s sign-in (its token is sent to no other server)", strings.Join(hosts, " or "), p.SMTPAuth)}
	}
	return nil
}

// smtpHosts are the submission servers each provider's SMTP token is for.
var smtpHosts = map[string][]string{
	SMTPAuthMicrosoft: {"smtp.office365.com", "smtp-mail.outlook.com"},
	SMTPAuthGoogle:    {"smtp.gmail.com"},
}

// smtpProvider is the identity provider the specialist signs in at, asking for SMTP.
func smtpProvider(p store.SpecialistProfile) auth.Provider {
	v := store.SignInSetting{Method: SignInMicrosoftUser, Tenant: p.SMTPTenant, IdPURL: p.SMTPIdPURL}
	if p.SMTPAuth == SMTPAuthGoogle {
		v.Method = SignInGoogleUser
	}
	return providerOf(v).SMTP()
}

func (a *API) smtpApp(p store.SpecialistProfile) (auth.App, error) {
	if p.SMTPClientID == "" {
		return auth.App{}, &project.FieldError{Field: "smtp client id", Expected: "the client ID of the app registration the specialist signs in with (cutover specialist set --smtp-client-id)"}
	}
	app := auth.App{ClientID: p.SMTPClientID}
	s, err := a.vault.Get(a.ctx, smtpClientSecretRef)
	switch {
	case err == nil:
		app.ClientSecret = s
	case !errors.Is(err, secrets.ErrNoSecret):
		return app, fmt.Errorf("SMTP client secret: %w", err)
	}
	return app, nil
}

// specialistTokens is the specialist's SMTP token sealed in the vault (an auth.Store).
type specialistTokens struct{ a *API }

func (s specialistTokens) Load(ctx context.Context) (*oauth2.Token, error) {
	sec, err := s.a.vault.Get(ctx, smtpTokenRef)
	if errors.Is(err, secrets.ErrNoSecret) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the SMTP token: %w", err)
	}
	var t oauth2.Token
	if err := json.Unmarshal([]byte(sec.Reveal()), &t); err != nil {
		return nil, fmt.Errorf("read the SMTP token: %w", err)
	}
	return &t, nil
}

func (s specialistTokens) Save(ctx context.Context, t *oauth2.Token) error {
	b, err := json.Marshal(&oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry})
	if err != nil {
		return err
	}
	if err := s.a.vault.Put(ctx, smtpTokenRef, 0, secrets.New(string(b))); err != nil {
		return fmt.Errorf("seal the SMTP token: %w", err)
	}
	return nil
}

// SpecialistSignInInput starts the specialist's SMTP sign-in.
type SpecialistSignInInput struct {
	Mode string `json:"mode,omitempty"` // "device" (Microsoft's default) or "browser" (Google's)
}

// SpecialistSignInStart starts the specialist's OAuth sign-in for sending: a device code
// to type at the provider (Microsoft) or the provider's page in the browser (Google).
// The ticket's handle goes to SignInWait, SignInPoll and SignInCancel; the events are
// "signin:code", "signin:done" and "signin:failed" with side "smtp". The token is sealed
// in the vault and renewed before it expires at every send.
func (a *API) SpecialistSignInStart(in SpecialistSignInInput) (SignInTicket, error) {
	p, err := a.store.Specialist(a.ctx)
	if err != nil {
		return SignInTicket{}, err
	}
	if p.SMTPAuth != SMTPAuthMicrosoft && p.SMTPAuth != SMTPAuthGoogle {
		return SignInTicket{}, &project.FieldError{Field: "smtp auth", Value: p.SMTPAuth, Expected: "microsoft or google to sign in with OAuth (cutover specialist set --smtp-auth microsoft); a password needs no sign-in"}
	}
	if p.SMTPUser == "" {
		return SignInTicket{}, &project.FieldError{Field: "smtp user", Expected: "the specialist's mailbox that sends, like alex@northwind.example"}
	}
	mode, err := signInModeOf(in.Mode, p.SMTPAuth == SMTPAuthGoogle, p.SMTPIdPURL != "")
	if err != nil {
		return SignInTicket{}, err
	}
	app, err := a.smtpApp(p)
	if err != nil {
		return SignInTicket{}, err
	}
	base := SignInTicket{Handle: newHandle(), Side: "smtp", Mailbox: p.SMTPUser, Mode: mode}
	return a.startFlow("", base, smtpProvider(p), app, func(ctx context.Context, t *oauth2.Token) error {
		return specialistTokens{a}.Save(ctx, t)
	})
}

// SpecialistSignOut forgets the specialist's SMTP token.
func (a *API) SpecialistSignOut() error {
	if err := a.vault.Delete(a.ctx, smtpTokenRef); err != nil && !errors.Is(err, secrets.ErrNoSecret) {
		return err
	}
	return nil
}

// smtpTokens is the token source a send signs in with, for an OAuth profile.
func (a *API) smtpTokens(p store.SpecialistProfile) (auth.TokenSource, error) {
	app, err := a.smtpApp(p)
	if err != nil {
		return nil, err
	}
	return auth.NewUserSource(smtpProvider(p), app, p.SMTPUser, specialistTokens{a}, a.authOptions()), nil
}
