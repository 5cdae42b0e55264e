package directory_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"cutover/backend/directory"
	"cutover/backend/directory/directorytest"
	"cutover/backend/internal/testsrv"
	"cutover/backend/people"
	"cutover/backend/secrets"
)

func bearer(token string) *http.Client {
	return oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer"}))
}

func addresses[T any](items []T, addr func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, addr(it))
	}
	return out
}

func userAddr(u directory.User) string    { return u.Address }
func groupAddr(g people.Group) string     { return g.Address }
func contactAddr(c people.Contact) string { return c.Address }
func user(f directory.Found, a string) directory.User {
	for _, u := range f.Users {
		if u.Address == a {
			return u
		}
	}
	return directory.User{}
}

func TestGraphFindsUsersSharedMailboxesGroupsAndContactsAcrossPages(t *testing.T) {
	fake := directorytest.NewGraph(t)
	g := &directory.Graph{URL: fake.URL, HTTP: bearer(fake.Token)}
	f, err := g.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := addresses(f.Users, userAddr), []string{"alice@example.test", "bob@example.test", "info@example.test", "carol@example.test"}; !reflect.DeepEqual(got, want) {
		t.Errorf("users %v, want %v (the guest and the account without mailbox left out)", got, want)
	}
	alice := user(f, "alice@example.test")
	if alice.FirstName != "Alice" || alice.LastName != "Martin" || alice.SourceLogin != "alice@example.test" || alice.OfficePhone != "+33 1 23 45 67 89" || alice.JobTitle != "Director" {
		t.Errorf("alice read as %+v", alice)
	}
	if !reflect.DeepEqual(alice.Aliases, []string{"a.martin@example.test"}) || alice.Shared || alice.Disabled {
		t.Errorf("alice: aliases %v shared %v disabled %v", alice.Aliases, alice.Shared, alice.Disabled)
	}
	if info := user(f, "info@example.test"); !info.Shared || info.Disabled {
		t.Errorf("info@ (blocked, unlicensed, with a mailbox) should be a shared mailbox: %+v", info)
	}
	if carol := user(f, "carol@example.test"); carol.Shared || !carol.Disabled {
		t.Errorf("carol@ (blocked but licensed) should be a disabled user, not shared: %+v", carol)
	}
	if got := addresses(f.Groups, groupAddr); !reflect.DeepEqual(got, []string{"sales@example.test", "staff@example.test"}) {
		t.Errorf("groups %v (the security group without mail left out)", got)
	}
	if m := f.Groups[0].Members; !reflect.DeepEqual(m, []string{"alice@example.test", "bob@example.test", "jane@partner.example"}) {
		t.Errorf("sales members %v", m)
	}
	if m := f.Groups[1].Members; !reflect.DeepEqual(m, []string{"alice@example.test", "bob@example.test", "sales@example.test"}) {
		t.Errorf("staff members %v (the member without address left out)", m)
	}
	if len(f.Contacts) != 1 || f.Contacts[0].Address != "jane@partner.example" || f.Contacts[0].Company != "Partner Ltd" || f.Contacts[0].Phone != "+44 20 7946 0000" {
		t.Errorf("contacts %+v", f.Contacts)
	}
	notes := strings.Join(f.Notes, "\n")
	for _, want := range []string{"guest account", "scanner@example.onmicrosoft.com: no mailbox", `"File share readers": not mail-enabled`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	// Six users on pages of two: three requests, following @odata.nextLink.
	if n := fake.Count("GET", "/v1.0/users"); n != 3 {
		t.Errorf("%d requests for users, want 3 pages", n)
	}
}

func TestGraphRefusalSaysWhatPermissionToGrant(t *testing.T) {
	fake := directorytest.NewGraph(t)
	g := &directory.Graph{URL: fake.URL, HTTP: bearer("wrong")}
	_, err := g.Detect(context.Background())
	var ae *directory.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(ae.Message, "InvalidAuthenticationToken") || !strings.Contains(err.Error(), "sign-in settings") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestGraphRefusesANextPageOnAnotherHost(t *testing.T) {
	var hits int
	srv := directorytest.NewGraph(t)
	// A page whose nextLink leaves the API's host: the token must not follow it.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[],"@odata.nextLink":"https://elsewhere.example/v1.0/users?$skiptoken=x"}`))
	})
	g := &directory.Graph{URL: srv.URL, HTTP: bearer(srv.Token)}
	_, err := g.Detect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not on") || hits != 1 {
		t.Fatalf("got %v after %d requests", err, hits)
	}
}

func TestGoogleFindsUsersAndGroupsWithMembersAcrossPages(t *testing.T) {
	fake := directorytest.NewGoogle(t)
	g := &directory.Google{URL: fake.URL, HTTP: bearer(fake.Token)}
	f, err := g.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(f.Users, userAddr); !reflect.DeepEqual(got, []string{"alice@example.test", "bob@example.test", "carol@example.test"}) {
		t.Errorf("users %v", got)
	}
	alice := user(f, "alice@example.test")
	if alice.OrgUnit != "/Management" || alice.JobTitle != "Director" || !reflect.DeepEqual(alice.Aliases, []string{"a.martin@example.test"}) || alice.OfficePhone == "" {
		t.Errorf("alice read as %+v", alice)
	}
	if !user(f, "carol@example.test").Disabled || user(f, "bob@example.test").MobilePhone != "+33 6 12 34 56 78" {
		t.Errorf("carol suspended / bob's mobile: %+v", f.Users)
	}
	if got := addresses(f.Groups, groupAddr); !reflect.DeepEqual(got, []string{"sales@example.test", "staff@example.test"}) {
		t.Errorf("groups %v", got)
	}
	if m := f.Groups[0].Members; !reflect.DeepEqual(m, []string{"alice@example.test", "bob@example.test", "jane@partner.example"}) {
		t.Errorf("sales members %v", m)
	}
	if m := f.Groups[1].Members; !reflect.DeepEqual(m, []string{"sales@example.test"}) {
		t.Errorf("staff members %v (the whole-organisation member left out)", m)
	}
	// The outside member becomes a contact so that the group keeps it.
	if got := addresses(f.Contacts, contactAddr); !reflect.DeepEqual(got, []string{"jane@partner.example"}) {
		t.Errorf("contacts %v", got)
	}
	if n := fake.Count("GET", "/admin/directory/v1/groups/sales@example.test/members"); n != 2 {
		t.Errorf("%d requests for sales' 3 members, want 2 pages", n)
	}
}

func TestCPanelFindsMailboxesAliasesForwardersAndLists(t *testing.T) {
	fake := directorytest.NewCPanel(t)
	c := &directory.CPanel{URL: fake.URL, User: fake.User, Token: secrets.New(fake.Token), HTTP: fake.Client()}
	f, err := c.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(f.Users, userAddr); !reflect.DeepEqual(got, []string{"alice@example.test", "bob@example.test"}) {
		t.Errorf("users %v (the account's default mailbox left out)", got)
	}
	if a := user(f, "alice@example.test"); !reflect.DeepEqual(a.Aliases, []string{"contact@example.test"}) {
		t.Errorf("alice's aliases %v: a forwarder to one mailbox is its alias", a.Aliases)
	}
	if !user(f, "bob@example.test").Disabled {
		t.Error("bob's login is suspended")
	}
	if got := addresses(f.Groups, groupAddr); !reflect.DeepEqual(got, []string{"news@example.test", "sales@example.test"}) {
		t.Errorf("groups %v", got)
	}
	if m := f.Groups[1].Members; !reflect.DeepEqual(m, []string{"alice@example.test", "bob@example.test", "jane@partner.example"}) {
		t.Errorf("sales members %v", m)
	}
	if got := addresses(f.Contacts, contactAddr); !reflect.DeepEqual(got, []string{"jane@partner.example"}) {
		t.Errorf("contacts %v", got)
	}
	if notes := strings.Join(f.Notes, "\n"); !strings.Contains(notes, "Mailman list's members") || !strings.Contains(notes, "acme: the account's default mailbox") {
		t.Errorf("notes:\n%s", notes)
	}
}

func TestCPanelBadTokenIsRefusedWithWhatToDo(t *testing.T) {
	fake := directorytest.NewCPanel(t)
	c := &directory.CPanel{URL: fake.URL, User: fake.User, Token: secrets.New("nope"), HTTP: fake.Client()}
	_, err := c.Detect(context.Background())
	var ae *directory.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(err.Error(), "Manage API Tokens") || strings.Contains(err.Error(), "nope") {
		t.Fatalf("got %v", err)
	}
	if _, err := (&directory.CPanel{URL: fake.URL}).Detect(context.Background()); !errors.Is(err, directory.ErrNoCredentials) {
		t.Fatalf("without a token: %v", err)
	}
}

func TestDoveadmListsTheUsersOfARealDovecot(t *testing.T) {
	d := testsrv.NewDovecot(t, testsrv.DovecotOptions{DoveadmAPIKey: "doveadm-k3y",
		Users: []testsrv.User{{Name: "alice@example.test", Password: "a"}, {Name: "bob", Password: "b"}}})
	src := &directory.Doveadm{URL: d.DoveadmURL(), Key: secrets.New("doveadm-k3y"), Domain: "example.test"}
	f, err := src.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(f.Users, userAddr); !reflect.DeepEqual(got, []string{"alice@example.test", "bob@example.test"}) {
		t.Errorf("users %v", got)
	}
	if u := user(f, "bob@example.test"); u.SourceLogin != "bob" {
		t.Errorf("bob's source login %q, want the Dovecot login bob", u.SourceLogin)
	}
	src.Key = secrets.New("wrong")
	_, err = src.Detect(context.Background())
	var ae *directory.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(err.Error(), "doveadm_api_key") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestPleskFindsMailboxesAliasesAndForwardingGroups(t *testing.T) {
	fake := directorytest.NewPlesk(t)
	p := &directory.Plesk{URL: fake.URL, Key: secrets.New(fake.Key), HTTP: fake.Client()}
	f, err := p.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(f.Users, userAddr); !reflect.DeepEqual(got, []string{"alice@example.test", "bob@example.test"}) {
		t.Errorf("users %v", got)
	}
	if a := user(f, "alice@example.test"); !reflect.DeepEqual(a.Aliases, []string{"a.martin@example.test"}) {
		t.Errorf("alice's aliases %v", a.Aliases)
	}
	if len(f.Groups) != 1 || f.Groups[0].Address != "sales@example.test" || !reflect.DeepEqual(f.Groups[0].Members, []string{"alice@example.test", "bob@example.test", "jane@partner.example"}) {
		t.Errorf("groups %+v", f.Groups)
	}
	if got := addresses(f.Contacts, contactAddr); !reflect.DeepEqual(got, []string{"jane@partner.example"}) {
		t.Errorf("contacts %v", got)
	}
	if !strings.Contains(strings.Join(f.Notes, "\n"), "old@example.test: no mailbox and no forwarding") {
		t.Errorf("notes %v", f.Notes)
	}
	p.Key = secrets.New("nope-7731")
	_, err = p.Detect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "error 1001: Authentication failed") || !strings.Contains(err.Error(), "secret_key -c") || strings.Contains(err.Error(), "nope-7731") {
		t.Fatalf("wrong key: %v", err)
	}
}
