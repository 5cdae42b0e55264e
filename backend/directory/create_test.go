package directory_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"cutover/backend/directory"
	"cutover/backend/directory/directorytest"
	"cutover/backend/people"
	"cutover/backend/secrets"
)

func wantUser(addr, name, pw string) directory.WantUser {
	return directory.WantUser{User: people.User{Address: addr, DisplayName: name, FirstName: strings.Fields(name)[0]}, Password: secrets.New(pw)}
}

func actions(p directory.Plan) map[string]string {
	out := map[string]string{}
	for _, it := range p.Items {
		out[it.Address] = it.Action
		if it.Reason != "" {
			out[it.Address] += ": " + it.Reason
		}
	}
	return out
}

func TestGraphCreatorPlansFirstThenCreatesOnceMatchingWhatExists(t *testing.T) {
	fake := directorytest.NewGraph(t)
	cr := &directory.GraphCreator{URL: fake.URL, HTTP: bearer(fake.Token)}
	want := directory.Want{
		Users: []directory.WantUser{
			wantUser("alice@example.test", "Alice Martin", "Xy7-pass-1"), // there already
			wantUser("a.martin@example.test", "A Martin", "Xy7-pass-2"),  // alice's alias
			wantUser("dave@example.test", "Dave Petit", "Xy7-pass-3"),    // new
			wantUser("erin@example.test", "Erin Roux", "Xy7-pass-4"),     // new
			wantUser("frank@example.test", "Frank Blanc", "Xy7-pass-5"),  // new, but no licence left
		},
		Groups: []people.Group{
			{Address: "sales@example.test", Name: "Sales", Members: []string{"alice@example.test", "dave@example.test"}},
			{Address: "team@example.test", Name: "Team", Members: []string{"dave@example.test", "erin@example.test", "alice@example.test", "jane@partner.example"}},
		},
		Contacts:      []people.Contact{{Address: "jane@partner.example", DisplayName: "Jane Partner"}, {Address: "max@supplier.example", DisplayName: "Max"}},
		UsageLocation: "FR", SKU: "O365_BUSINESS_PREMIUM", GroupsAs: directory.GroupsM365,
	}
	plan, err := cr.Plan(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	wantPlan := map[string]string{
		"alice@example.test":    "exists",
		"a.martin@example.test": "conflict: address taken by the user alice@example.test",
		"dave@example.test":     "create",
		"erin@example.test":     "create",
		"frank@example.test":    "failed: licence exhausted: no O365_BUSINESS_PREMIUM left (3 of 5 assigned)",
		"sales@example.test":    "exists",
		"team@example.test":     "create",
		"jane@partner.example":  "exists",
		"max@supplier.example":  "script: Graph cannot create mail contacts: run the Exchange script",
	}
	if got := actions(plan); !reflect.DeepEqual(got, wantPlan) {
		t.Fatalf("plan:\n%v\nwant\n%v", got, wantPlan)
	}
	if fake.Count("POST", "/v1.0/users") != 0 || fake.Count("POST", "/v1.0/groups") != 0 {
		t.Fatal("the dry run wrote to the tenant")
	}

	done, err := cr.Apply(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(done)
	for addr, a := range map[string]string{"dave@example.test": "created", "erin@example.test": "created",
		"alice@example.test": "exists", "frank@example.test": wantPlan["frank@example.test"]} {
		if got[addr] != a {
			t.Errorf("%s: %q, want %q", addr, got[addr], a)
		}
	}
	if !strings.HasPrefix(got["team@example.test"], "created") || !strings.HasPrefix(got["sales@example.test"], "exists") {
		t.Errorf("groups: %v", got)
	}
	if fake.Passwords["dave@example.test"] != "Xy7-pass-3" || fake.Licensed("O365_BUSINESS_PREMIUM") != 5 {
		t.Errorf("dave's password %q, licences assigned %d", fake.Passwords["dave@example.test"], fake.Licensed("O365_BUSINESS_PREMIUM"))
	}
	if m := fake.MembersOf("team@example.test"); !reflect.DeepEqual(m, []string{"dave@example.test", "erin@example.test", "alice@example.test"}) {
		t.Errorf("team's members %v", m)
	}
	if !strings.Contains(got["team@example.test"], "jane@partner.example: not a user or group of the tenant") {
		t.Errorf("team's contact member should be named: %q", got["team@example.test"])
	}
	// sales existed: matched, never overwritten, but the members it lacks are added.
	if m := fake.MembersOf("sales@example.test"); !reflect.DeepEqual(m, []string{"alice@example.test", "bob@example.test", "jane@partner.example", "dave@example.test"}) {
		t.Errorf("sales' members %v", m)
	}

	// Again: everything exists, nothing is created or added twice.
	users, groups, refs := fake.Count("POST", "/v1.0/users"), fake.Count("POST", "/v1.0/groups"), len(fake.Requests())
	again, err := cr.Apply(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	if again.Count(directory.Created) != 0 || fake.Count("POST", "/v1.0/users") != users || fake.Count("POST", "/v1.0/groups") != groups {
		t.Fatalf("second run: %v", actions(again))
	}
	for _, r := range fake.Requests()[refs:] {
		if strings.HasPrefix(r, "POST") {
			t.Errorf("second run wrote: %s", r)
		}
	}
}

func TestGraphCreatorReportsEachRefusalOnItsRow(t *testing.T) {
	fake := directorytest.NewGraph(t)
	cr := &directory.GraphCreator{URL: fake.URL, HTTP: bearer(fake.Token)}
	want := directory.Want{Users: []directory.WantUser{
		wantUser("zed@other.example", "Zed Other", "Xy7-pass-9"),
		{User: people.User{Address: "nopw@example.test", DisplayName: "No Password"}},
		wantUser("gus@example.test", "Gus Vert", "Xy7-pass-8"),
	}, SKU: "EXCHANGESTANDARD", UsageLocation: "FR"}
	done, err := cr.Apply(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(done)
	if !strings.Contains(got["zed@other.example"], "failed: licence exhausted") {
		t.Errorf("zed: %q", got["zed@other.example"])
	}
	// Without a licence to assign, the tenant's own refusals come back per row.
	want.SKU = ""
	done, _ = cr.Apply(context.Background(), want)
	got = actions(done)
	if got["zed@other.example"] != "failed: Request_BadRequest: The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization." {
		t.Errorf("zed: %q", got["zed@other.example"])
	}
	if !strings.HasPrefix(got["nopw@example.test"], "failed: no initial password: give the user a New password") || got["gus@example.test"] != "created" {
		t.Errorf("rows: %v", got)
	}
	if _, err := cr.Plan(context.Background(), directory.Want{SKU: "ENTERPRISEPACK"}); err == nil || !strings.Contains(err.Error(), "O365_BUSINESS_PREMIUM, EXCHANGESTANDARD") {
		t.Errorf("unknown SKU: %v", err)
	}
}

func TestGoogleCreatorCreatesUsersGroupsAndMembersOnce(t *testing.T) {
	fake := directorytest.NewGoogle(t)
	cr := &directory.GoogleCreator{URL: fake.URL, HTTP: bearer(fake.Token)}
	want := directory.Want{
		Users: []directory.WantUser{
			wantUser("alice@example.test", "Alice Martin", "Xy7-pass-1"),
			wantUser("a.martin@example.test", "A Martin", "Xy7-pass-2"),
			{User: people.User{Address: "dave@example.test", FirstName: "Dave", LastName: "Petit", DisplayName: "Dave Petit", OrgUnit: "/Sales"}, Password: secrets.New("Xy7-pass-3")},
			wantUser("zed@other.example", "Zed Other", "Xy7-pass-4"),
		},
		Groups:   []people.Group{{Address: "team@example.test", Name: "Team", Members: []string{"dave@example.test", "alice@example.test"}}, {Address: "sales@example.test", Name: "Sales", Members: []string{"dave@example.test"}}},
		Contacts: []people.Contact{{Address: "max@supplier.example", DisplayName: "Max"}},
	}
	plan, err := cr.Plan(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	for addr, a := range map[string]string{"alice@example.test": "exists", "a.martin@example.test": "conflict: address taken by the user alice@example.test",
		"dave@example.test": "create", "team@example.test": "create", "sales@example.test": "exists"} {
		if got[addr] != a {
			t.Errorf("plan %s: %q, want %q", addr, got[addr], a)
		}
	}
	if !strings.HasPrefix(got["max@supplier.example"], "manual: ") {
		t.Errorf("contact: %q", got["max@supplier.example"])
	}
	done, err := cr.Apply(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got = actions(done)
	if got["dave@example.test"] != "created" || got["team@example.test"] != "created" || got["zed@other.example"] != "failed: Domain not found." {
		t.Errorf("apply: %v", got)
	}
	if fake.Passwords["dave@example.test"] != "Xy7-pass-3" {
		t.Error("dave's password")
	}
	if m := fake.MemberEmails("team@example.test"); !reflect.DeepEqual(m, []string{"dave@example.test", "alice@example.test"}) {
		t.Errorf("team members %v", m)
	}
	if m := fake.MemberEmails("sales@example.test"); len(m) != 4 || m[3] != "dave@example.test" {
		t.Errorf("sales members %v", m)
	}
	posts := fake.Count("POST", "/admin/directory/v1/users")
	again, err := cr.Apply(context.Background(), want)
	if err != nil || again.Count(directory.Created) != 0 || fake.Count("POST", "/admin/directory/v1/users") != posts+1 { // zed is tried again and refused again
		t.Fatalf("again: %v %v", actions(again), err)
	}
	if n := fake.Count("POST", "/admin/directory/v1/groups/team@example.test/members"); n != 2 {
		t.Errorf("%d member insertions into team, want 2 (none the second time)", n)
	}
}

func TestGraphCreatorLeavesSharedMailboxesAndAliasesToTheScriptWithoutALicence(t *testing.T) {
	fake := directorytest.NewGraph(t)
	cr := &directory.GraphCreator{URL: fake.URL, HTTP: bearer(fake.Token)}
	alice := wantUser("alice@example.test", "Alice Martin", "Xy7-pass-1") // there, with a.martin@ already
	alice.Aliases = []string{"a.martin@example.test", "alice.m@example.test", "bob@example.test"}
	shared := directory.WantUser{User: people.User{Address: "accounts@example.test", DisplayName: "Accounts", Shared: true, Aliases: []string{"billing@example.test"}}}
	dave := wantUser("dave@example.test", "Dave Petit", "Xy7-pass-3")
	dave.Aliases = []string{"d.petit@example.test"}
	want := directory.Want{Users: []directory.WantUser{alice, shared, dave}, UsageLocation: "FR", SKU: "O365_BUSINESS_PREMIUM"}
	plan, err := cr.Plan(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	wantPlan := map[string]string{
		"alice@example.test":    "exists: alias bob@example.test taken by the user bob@example.test; Graph cannot add aliases: the Exchange script adds alice.m@example.test",
		"accounts@example.test": "script: Graph cannot create shared mailboxes: run the Exchange script (New-Mailbox -Shared, no licence)",
		"dave@example.test":     "create: Graph cannot add aliases: the Exchange script adds d.petit@example.test",
	}
	if got := actions(plan); !reflect.DeepEqual(got, wantPlan) {
		t.Fatalf("plan:\n%v\nwant\n%v", got, wantPlan)
	}
	if it := plan.Items[1]; !it.Shared || !reflect.DeepEqual(it.Aliases, []string{"billing@example.test"}) {
		t.Errorf("the shared mailbox's item %+v", it)
	}
	licensed := fake.Licensed("O365_BUSINESS_PREMIUM")
	done, err := cr.Apply(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(done); !strings.HasPrefix(got["accounts@example.test"], "script: ") || !strings.HasPrefix(got["dave@example.test"], "created") {
		t.Fatalf("apply: %v", got)
	}
	if _, ok := fake.Passwords["accounts@example.test"]; ok || fake.Licensed("O365_BUSINESS_PREMIUM") != licensed+1 {
		t.Errorf("the shared mailbox was created as a user, or licensed: licences %d → %d", licensed, fake.Licensed("O365_BUSINESS_PREMIUM"))
	}
}

func TestGoogleCreatorAddsMissingAliasesOnceAndNamesSharedMailboxesItCannotMake(t *testing.T) {
	fake := directorytest.NewGoogle(t)
	cr := &directory.GoogleCreator{URL: fake.URL, HTTP: bearer(fake.Token)}
	alice := wantUser("alice@example.test", "Alice Martin", "Xy7-pass-1") // there, with a.martin@ already
	alice.Aliases = []string{"A.Martin@example.test", "alice.m@example.test", "elsewhere@other.example"}
	dave := wantUser("dave@example.test", "Dave Petit", "Xy7-pass-3")
	dave.Aliases = []string{"d.petit@example.test"}
	shared := directory.WantUser{User: people.User{Address: "accounts@example.test", DisplayName: "Accounts", Shared: true, Aliases: []string{"billing@example.test"}}}
	want := directory.Want{Users: []directory.WantUser{alice, dave, shared}}
	plan, err := cr.Plan(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan)["accounts@example.test"]; got != "manual: Google Workspace has no shared mailbox: create a Google Group or a delegated user" {
		t.Errorf("shared: %q", got)
	}
	if a, d := plan.Items[0].Aliases, plan.Items[1].Aliases; !reflect.DeepEqual(a, []string{"alice.m@example.test", "elsewhere@other.example"}) || !reflect.DeepEqual(d, []string{"d.petit@example.test"}) {
		t.Errorf("aliases to add: alice %v dave %v", a, d)
	}
	if fake.Count("POST", "/admin/directory/v1/users/alice@example.test/aliases") != 0 {
		t.Fatal("the dry run wrote")
	}
	done, err := cr.Apply(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(done)
	if got["alice@example.test"] != "exists: alias elsewhere@other.example not added: Invalid Input: alias email" || got["dave@example.test"] != "created" {
		t.Errorf("apply: %v", got)
	}
	if a := fake.AliasesOf("alice@example.test"); !reflect.DeepEqual(a, []string{"a.martin@example.test", "alice.m@example.test"}) {
		t.Errorf("alice's aliases %v", a)
	}
	if a := fake.AliasesOf("dave@example.test"); !reflect.DeepEqual(a, []string{"d.petit@example.test"}) {
		t.Errorf("dave's aliases %v", a)
	}
	if fake.Count("POST", "/admin/directory/v1/users") != 1 {
		t.Errorf("the shared mailbox was created as a user")
	}
	// Again: the aliases there are not added twice (the refused one is tried again).
	n := fake.Count("POST", "/admin/directory/v1/users/alice@example.test/aliases") + fake.Count("POST", "/admin/directory/v1/users/dave@example.test/aliases")
	if _, err := cr.Apply(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if m := fake.Count("POST", "/admin/directory/v1/users/alice@example.test/aliases") + fake.Count("POST", "/admin/directory/v1/users/dave@example.test/aliases"); m != n+1 {
		t.Errorf("%d alias insertions the second time, want 1 (the refused one)", m-n)
	}
}
