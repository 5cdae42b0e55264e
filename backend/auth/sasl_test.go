package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/secrets"
)

func TestMechanismFollowsTheServerAndTheCredential(t *testing.T) {
	pw := Credential{Method: MethodPassword, User: "alice", Password: secrets.New("pw")}
	tok := Credential{Method: MethodToken, User: "bob@example.com"}
	for _, tc := range []struct {
		name string
		caps []string
		c    Credential
		want string // mechanism, or "error"
	}{
		{"Exchange Online offers XOAUTH2 only", []string{"IMAP4rev1", "AUTH=PLAIN", "AUTH=XOAUTH2", "SASL-IR"}, tok, XOAuth2},
		{"Gmail offers both: the standard wins", []string{"IMAP4rev1", "AUTH=XOAUTH2", "AUTH=OAUTHBEARER", "AUTH=PLAIN"}, tok, OAuthBearer},
		{"bare SASL names (SMTP)", []string{"PLAIN", "xoauth2"}, tok, XOAuth2},
		{"no AUTH= listed at all", []string{"IMAP4rev1"}, tok, XOAuth2},
		{"a password server for a token", []string{"IMAP4rev1", "AUTH=PLAIN"}, tok, "error"},
		{"a password", []string{"AUTH=PLAIN", "AUTH=XOAUTH2"}, pw, Plain},
		{"a password where only tokens work", []string{"AUTH=XOAUTH2"}, pw, "error"},
		{"forced", []string{"AUTH=OAUTHBEARER", "AUTH=XOAUTH2"}, Credential{Method: MethodToken, User: "b", Mechanism: "xoauth2"}, XOAuth2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLogin(tc.caps, tc.c, secrets.New("tok"))
			if tc.want == "error" {
				var ne *NoMechanismError
				if !errors.As(err, &ne) {
					t.Fatalf("got %v, want a *NoMechanismError", err)
				}
				return
			}
			if err != nil || l.Mechanism != tc.want {
				t.Fatalf("got %v %v, want %s", l, err, tc.want)
			}
		})
	}
}

func TestInitialResponses(t *testing.T) {
	for _, tc := range []struct {
		c    Credential
		want string
	}{
		{Credential{Method: MethodToken, User: "bob@example.com", Mechanism: XOAuth2}, "user=bob@example.com\x01auth=Bearer T\x01\x01"},
		{Credential{Method: MethodToken, User: "a,b=c", Mechanism: OAuthBearer}, "n,a=a=2Cb=3Dc,\x01auth=Bearer T\x01\x01"},
		{Credential{Method: MethodAdminPassword, User: "bob", Admin: "admin", Password: secrets.New("pw")}, "bob\x00admin\x00pw"},
		{Credential{Method: MethodPassword, User: "bob", Password: secrets.New("pw")}, "\x00bob\x00pw"},
	} {
		l, err := NewLogin([]string{"AUTH=PLAIN"}, tc.c, secrets.New("T"))
		if err != nil {
			t.Fatal(err)
		}
		_, ir, _ := l.Start()
		if string(ir) != tc.want {
			t.Errorf("%s: %q, want %q", l.Mechanism, ir, tc.want)
		}
	}
}

func TestRefusalIsTypedOnlyForTheServersVerdict(t *testing.T) {
	c := Credential{Method: MethodToken, User: "bob@example.com", AppWide: true, Provider: "microsoft"}
	l, _ := NewLogin([]string{"AUTH=XOAUTH2"}, c, secrets.New("T"))
	resp, _ := l.Next([]byte(`{"status":"401","schemes":"bearer","scope":"mail"}`))
	if string(resp) != "\x01" {
		t.Errorf("answer to the error challenge %q", resp)
	}
	no := &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "AUTHENTICATE failed."}
	err := l.Err(no)
	var re *RefusedError
	if !errors.As(err, &re) || re.Status != "401" || !errors.Is(err, no) {
		t.Fatalf("%v: want a *RefusedError with status 401 wrapping the NO", err)
	}
	if !strings.Contains(err.Error(), "grant FullAccess to the app on bob@example.com") {
		t.Errorf("advice: %v", err)
	}
	unavailable := &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeUnavailable}
	l2, _ := NewLogin([]string{"AUTH=XOAUTH2"}, c, secrets.New("T"))
	if err := l2.Err(unavailable); IsRefused(err) {
		t.Errorf("[UNAVAILABLE] is the server failing to check, not a refusal: %v", err)
	}
	if err := l2.Err(errors.New("connection reset")); IsRefused(err) {
		t.Errorf("a broken connection is not a refusal: %v", err)
	}
}
