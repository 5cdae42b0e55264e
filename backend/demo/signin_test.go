package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/oauth2"

	"cutover/backend/api"
	"cutover/backend/auth"
	"cutover/backend/auth/authtest"
	"cutover/backend/secrets"
)

type staticToken string

func (s staticToken) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s), TokenType: "Bearer"}, nil
}

func TestDemoDestinationAcceptsTheFakeProvidersTokens(t *testing.T) {
	const dana, lee = "dana@acme.example", "lee@acme.example"
	idp := authtest.New(t, authtest.Options{})
	idp.AddUser(dana, lee)
	srv, err := StartIMAP(map[string]string{dana: "new-dana", lee: "new-lee"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.AcceptTokens(idp.IntrospectionURL())

	n := 0
	login := func(c auth.Credential) error {
		n++
		cl, err := imapclient.DialInsecure(srv.Addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		if err := auth.Authenticate(context.Background(), cl, auth.IMAPCaps(cl.Caps()), c); err != nil {
			return err
		}
		return cl.Create(fmt.Sprintf("Signed in %d", n), nil).Wait() // needs the authenticated state
	}
	danaToken := staticToken(idp.UserToken(dana))
	for _, mech := range []string{"XOAUTH2", "OAUTHBEARER"} {
		if err := login(auth.Credential{Method: auth.MethodToken, User: dana, Tokens: danaToken, Mechanism: mech}); err != nil {
			t.Errorf("%s with dana's token: %v", mech, err)
		}
		if err := login(auth.Credential{Method: auth.MethodToken, User: lee, Tokens: danaToken, Mechanism: mech}); !auth.IsRefused(err) {
			t.Errorf("%s: dana's token opened lee's mailbox (%v)", mech, err)
		}
	}
	idp.Revoke(string(danaToken))
	if err := login(auth.Credential{Method: auth.MethodToken, User: dana, Tokens: danaToken}); !auth.IsRefused(err) {
		t.Errorf("a revoked token: %v; want refused", err)
	}
	if err := login(auth.Credential{Method: auth.MethodPassword, User: lee, Password: secrets.New("new-lee")}); err != nil {
		t.Errorf("password still opens the mailbox: %v", err)
	}
}

func TestDemoSeedSignInPointsTheDestinationAtTheFakeProvider(t *testing.T) {
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close(a)
	if _, err := Seed(a, Options{Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := SeedSignIn(a, "http://127.0.0.1:9"); err != nil {
		t.Fatal(err)
	}
	s, err := a.SignInSettings(ProjectName)
	if err != nil {
		t.Fatal(err)
	}
	if d := s[1]; d.Method != api.SignInMicrosoftUser || d.ClientID != DemoClientID || d.IdPURL != "http://127.0.0.1:9" {
		t.Errorf("demo destination sign-in %+v", d)
	}
}
