package api

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/project"
)

func adminAPI(t *testing.T) (*API, project.Project) {
	t.Helper()
	a, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(a) })
	p, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2099-05-14 18:00"), Zone: ptr("UTC")})
	if err != nil {
		t.Fatal(err)
	}
	return a, p
}

// The administrator password comes in as the JSON the window and the browser send,
// is sealed in the vault, and cannot be printed from the input on the way.
func TestMailAdminPasswordFromTheUIIsSealedAndNeverPrinted(t *testing.T) {
	a, p := adminAPI(t)
	var in MailAdminInput
	if err := json.Unmarshal([]byte(`{"side":"source","login":"admin","mode":"dovecot-master","password":"admin-secret"}`), &in); err != nil {
		t.Fatal(err)
	}
	if out := fmt.Sprintf("%v %+v %#v", in, in, in); strings.Contains(out, "admin-secret") {
		t.Errorf("the input prints its password: %s", out)
	}
	if err := a.MailAdminSet("acme", in); err != nil {
		t.Fatal(err)
	}
	got, err := a.vault.Get(a.ctx, adminRef(p.ID, "source"))
	if err != nil || got.Reveal() != "admin-secret" {
		t.Errorf("sealed password %q, %v", got.Reveal(), err)
	}
}

// The administrator login follows the rule of every login (people.LoginFault): one
// with a no-break space pasted in is refused with the character named, and nothing
// is stored.
func TestMailAdminLoginFollowsTheLoginRule(t *testing.T) {
	a, _ := adminAPI(t)
	err := a.MailAdminSet("acme", MailAdminInput{Side: "source", Login: "ad\u00a0min", Mode: "dovecot-master"})
	if !IsInputError(err) || !strings.Contains(err.Error(), "no-break space (U+00A0) at character 3") || !strings.Contains(err.Error(), "login") {
		t.Fatalf("login with a no-break space: %v (input error: %v)", err, IsInputError(err))
	}
	if admins, err := a.MailAdmins("acme"); err != nil || len(admins) != 0 {
		t.Errorf("stored %+v, %v; want nothing", admins, err)
	}
	// Spaces around a login are trimmed, as everywhere else; an empty one is still asked for.
	if err := a.MailAdminSet("acme", MailAdminInput{Side: "source", Login: " admin\u00a0"}); err != nil {
		t.Fatal(err)
	}
	if admins, _ := a.MailAdmins("acme"); len(admins) != 1 || admins[0].Login != "admin" {
		t.Errorf("stored %+v; want the trimmed login", admins)
	}
	if err := a.MailAdminSet("acme", MailAdminInput{Side: "dest", Login: " "}); !IsInputError(err) || !strings.Contains(err.Error(), "expected the administrator's login") {
		t.Errorf("empty login: %v", err)
	}
}
