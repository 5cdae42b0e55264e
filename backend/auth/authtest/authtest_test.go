package authtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// authorize walks the authorization endpoint as a browser would and returns the code
// the redirect carries.
func authorize(t *testing.T, p *IdP, conf *oauth2.Config, verifier string) string {
	t.Helper()
	c := LoopbackClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "st" {
		t.Fatalf("authorization answer %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestCodeGrantRejectsAWrongPKCEVerifier(t *testing.T) {
	p := New(t, Options{})
	p.AddClient("c", "")
	p.SetBrowserUser("alice@example.test")
	conf := &oauth2.Config{ClientID: "c", Endpoint: p.Microsoft().Endpoint, RedirectURL: "http://127.0.0.1:1/", Scopes: []string{"s"}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, LoopbackClient())

	v := oauth2.GenerateVerifier()
	code := authorize(t, p, conf, v)
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("wrong verifier: %v, want invalid_grant", err)
	}
	// The code was spent by the failed attempt, as a provider does.
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("a used code was accepted again")
	}
	code = authorize(t, p, conf, v)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("right verifier: %v", err)
	}
	if !p.Active(tok.AccessToken) || tok.RefreshToken == "" {
		t.Errorf("token %+v: want an active access token and a refresh token", tok)
	}
}

func TestMalformedRequestsFailTheTest(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(p *IdP) (*http.Response, error)
		want string
	}{
		{"token by GET", func(p *IdP) (*http.Response, error) {
			return LoopbackClient().Get(p.URL + "/token?grant_type=refresh_token")
		}, "want POST"},
		{"JSON body", func(p *IdP) (*http.Response, error) {
			return LoopbackClient().Post(p.URL+"/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		}, "content type"},
		{"device poll without device_code", func(p *IdP) (*http.Response, error) {
			return LoopbackClient().PostForm(p.URL+"/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {"c"}})
		}, "without device_code"},
		{"introspection without token", func(p *IdP) (*http.Response, error) {
			return LoopbackClient().PostForm(p.URL+"/introspect", url.Values{"token_type_hint": {"access_token"}})
		}, "missing parameter token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reported []string
			p := New(t, Options{Errorf: func(f string, a ...any) { reported = append(reported, fmt.Sprintf(f, a...)) }})
			resp, err := tc.do(p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %s, want 400", resp.Status)
			}
			if len(reported) != 1 || !strings.Contains(reported[0], tc.want) {
				t.Errorf("reported %q, want one report containing %q", reported, tc.want)
			}
		})
	}
}

func TestIntrospectionFollowsExpiryAndRevocation(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	p := New(t, Options{Now: clock.Now, Lifetime: 10 * time.Minute})
	p.AddApp("app", "secret", "example.test")
	ask := func(tok string) map[string]any {
		resp, err := LoopbackClient().PostForm(p.IntrospectionURL(), url.Values{"token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	user, app, gone := p.UserToken("alice@example.test"), p.AppToken("app"), p.UserToken("bob@example.test")
	p.Revoke(gone)
	for _, tc := range []struct {
		tok  string
		want string
	}{
		{user, "true alice@example.test no"},
		{app, "true app@example.test yes"},
		{gone, "false <nil> no"},
		{"made-up", "false <nil> no"},
	} {
		m := ask(tc.tok)
		if got := fmt.Sprint(m["active"], " ", m["email"], " ", m["app"]); got != tc.want {
			t.Errorf("introspect %s: %s, want %s", tc.tok[:3], got, tc.want)
		}
	}
	clock.Advance(10 * time.Minute)
	if m := ask(user); m["active"] != false {
		t.Errorf("after its lifetime the token is %v, want inactive", m)
	}
}

func TestDevicePageApprovesTheCode(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	p := New(t, Options{Now: clock.Now})
	p.AddClient("c", "")
	conf := &oauth2.Config{ClientID: "c", Endpoint: p.Microsoft().Endpoint, Scopes: []string{"s", "offline_access"}}
	da, err := conf.DeviceAuth(context.WithValue(context.Background(), oauth2.HTTPClient, LoopbackClient()))
	if err != nil {
		t.Fatal(err)
	}
	page, err := LoopbackClient().Get(da.VerificationURI)
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("verification page: %v %v", page, err)
	}
	page.Body.Close()
	resp, err := LoopbackClient().PostForm(da.VerificationURI, url.Values{"user_code": {strings.ToLower(da.UserCode)}, "user": {"alice@example.test"}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %v %v", resp, err)
	}
	resp.Body.Close()
	p.mu.Lock()
	approved := ""
	for _, d := range p.devices {
		approved = d.user
	}
	p.mu.Unlock()
	if approved != "alice@example.test" {
		t.Errorf("approved for %q", approved)
	}
}
