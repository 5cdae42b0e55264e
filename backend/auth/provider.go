package auth

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/microsoft"

	"cutover/backend/secrets"
)

// Provider is an identity provider's endpoints and the scopes that open a mailbox over
// IMAP. The presets are Microsoft and Google; every field may be overridden (tests point
// the URLs at authtest's fake).
type Provider struct {
	// Name is "microsoft" or "google" for the presets.
	Name string
	// Endpoint holds AuthURL, TokenURL and DeviceAuthURL.
	Endpoint oauth2.Endpoint
	// Scopes are asked for when a mailbox's owner signs in (device code, browser).
	Scopes []string
	// AppScopes are asked for app-only access (client credentials, service accounts).
	AppScopes []string
	// RedirectHost is the host of the loopback redirect of the browser sign-in; the
	// listener is always on 127.0.0.1.
	RedirectHost string
	// AuthParams are extra parameters of the authorization request.
	AuthParams map[string]string
}

// Microsoft is Microsoft 365 (Entra ID, v2.0 endpoints) for tenant: "organizations" (any
// work account; the default) or the customer's tenant ID or domain.
func Microsoft(tenant string) Provider {
	if tenant == "" {
		tenant = "organizations"
	}
	ep := microsoft.AzureADEndpoint(tenant)
	ep.AuthStyle = oauth2.AuthStyleInParams
	return Provider{
		Name:      "microsoft",
		Endpoint:  ep,
		Scopes:    []string{"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"},
		AppScopes: []string{"https://outlook.office365.com/.default"},
		// Matches the redirect URI "http://localhost" of the app registration: Entra ID
		// ignores the port of a localhost redirect.
		RedirectHost: "localhost",
	}
}

// Google is Google Workspace. Google's device flow refuses the Gmail scope: use the
// browser sign-in, or a service account for admin-wide access.
func Google() Provider {
	// golang.org/x/oauth2/google's Endpoint, without the package's Compute Engine client.
	ep := oauth2.Endpoint{
		AuthURL:       "https://accounts.google.com/o/oauth2/auth",
		TokenURL:      "https://oauth2.googleapis.com/token",
		DeviceAuthURL: "https://oauth2.googleapis.com/device/code",
		AuthStyle:     oauth2.AuthStyleInParams,
	}
	return Provider{
		Name:         "google",
		Endpoint:     ep,
		Scopes:       []string{"https://mail.google.com/"},
		AppScopes:    []string{"https://mail.google.com/"},
		RedirectHost: "127.0.0.1",
		// A refresh token only comes with offline access, and again only on consent.
		AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
	}
}

// App is the customer's own app registration (Microsoft) or OAuth client (Google): Cutover
// ships no client ID.
type App struct {
	ClientID string
	// ClientSecret: none for a Microsoft public client; Google's "Desktop" clients have one;
	// Microsoft app-only access uses one.
	ClientSecret secrets.Secret
	// Certificate replaces the secret for Microsoft app-only access (NewAppSource).
	Certificate *ClientCertificate
}

// Options are what the flows and token sources depend on. The zero value uses
// http.DefaultClient, the wall clock and real waits.
type Options struct {
	// HTTPClient talks to the provider.
	HTTPClient *http.Client
	// Now is the clock deciding when a token is about to expire.
	Now func() time.Time
	// Wait pauses between device-code polls; it returns early with ctx's error.
	Wait func(ctx context.Context, d time.Duration) error
	// Margin: a token is renewed when it expires within this; default 5 minutes.
	Margin time.Duration
	// Log receives one line per sign-in and refresh (never a token).
	Log *slog.Logger
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) wait(ctx context.Context, d time.Duration) error {
	if o.Wait != nil {
		return o.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (o Options) margin() time.Duration {
	if o.Margin > 0 {
		return o.Margin
	}
	return 5 * time.Minute
}

func (o Options) log() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (o Options) httpClient() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return http.DefaultClient
}

// ctx carries the HTTP client to x/oauth2.
func (o Options) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, o.httpClient())
}

func (p Provider) config(app App, scopes []string) *oauth2.Config {
	return &oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret.Reveal(), Endpoint: p.Endpoint, Scopes: scopes}
}

// stamp sets the token's expiry from expires_in against the injected clock (x/oauth2
// computes it from the wall clock); start is when the request was sent, so the expiry errs
// early.
func stamp(t *oauth2.Token, start time.Time) *oauth2.Token {
	secs := t.ExpiresIn
	if secs == 0 {
		if v, ok := t.Extra("expires_in").(float64); ok {
			secs = int64(v)
		}
	}
	if secs > 0 {
		t.Expiry = start.Add(time.Duration(secs) * time.Second)
	}
	return t
}

// SMTP is p asking, at sign-in, for what sends mail through its SMTP submission server
// (smtp.office365.com, smtp.gmail.com) rather than what opens a mailbox over IMAP.
func (p Provider) SMTP() Provider {
	switch p.Name {
	case "microsoft":
		p.Scopes = []string{"https://outlook.office.com/SMTP.Send", "offline_access"}
	case "google":
		p.Scopes = []string{"https://mail.google.com/"}
	}
	return p
}
