package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"cutover/backend/directory"
	"cutover/backend/directory/directorytest"
	"cutover/backend/fault"
)

func TestPeopleCreateDryRunThenCreatesOnceWithSealedPasswords(t *testing.T) {
	a, idp := newDetectWorld(t)
	idp.AddApp("dest-app", "dest-secret", "example.test")
	graph := directorytest.NewGraph(t)
	graph.Authorize = func(tok string) bool {
		return idp.Active(tok) && idp.Scope(tok) == "https://graph.microsoft.com/.default"
	}

	// Not signed in at the destination: what to set up.
	_, err := a.PeopleCreate("acme", CreateOptions{To: "graph"})
	if err == nil || !strings.Contains(err.Error(), "destination side signing in with Microsoft app-only access") || fault.Classify(err).Kind != fault.KindInput {
		t.Fatalf("without sign-in: %v", err)
	}
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "dest", Method: SignInMicrosoftApp, ClientID: "dest-app", ClientSecret: "dest-secret", IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Side: "dest", Source: "graph", URL: graph.URL}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, a, "users", "u.csv", []byte("Email address,Display name,New password,Aliases,Shared mailbox\r\nalice@example.test,Alice Martin,,,\r\n"+
		"dave@example.test,Dave Petit,Dave-Init-77,d.petit@example.test,no\r\nerin@example.test,Erin Roux,,,\r\naccounts@example.test,Accounts,,billing@example.test,yes\r\n"), ImportOptions{})
	mustImport(t, a, "contacts", "c.csv", []byte("Display name,External address\r\nMax O'Neil,max@supplier.example\r\n"), ImportOptions{})
	mustImport(t, a, "groups", "g.csv", []byte("Group name,Group address,Members\r\nTeam,team@example.test,dave@example.test; max@supplier.example\r\n"), ImportOptions{})

	opts := CreateOptions{To: "graph", SKU: "O365_BUSINESS_PREMIUM", UsageLocation: "fr"}
	dry, err := a.PeopleCreate("acme", opts)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Counts[directory.WillCreate] != 2 || dry.Counts[directory.Exists] != 1 || dry.Counts[directory.ByScript] != 3 || dry.Generated != 1 || dry.Applied {
		t.Fatalf("dry run: %+v", dry.Counts)
	}
	// The shared mailbox and the aliases are the script's, and the dry run says so.
	for _, it := range dry.Items {
		switch it.Address {
		case "accounts@example.test":
			if it.Action != directory.ByScript || !it.Shared || !reflect.DeepEqual(it.Aliases, []string{"billing@example.test"}) {
				t.Errorf("shared mailbox's row %+v", it)
			}
		case "dave@example.test":
			if !reflect.DeepEqual(it.Aliases, []string{"d.petit@example.test"}) || !strings.Contains(it.Reason, "the Exchange script adds d.petit@example.test") {
				t.Errorf("dave's row %+v", it)
			}
		}
	}
	if graph.Count("POST", "/v1.0/users") != 0 {
		t.Fatal("the dry run created users")
	}
	opts.Apply = true
	done, err := a.PeopleCreate("acme", opts)
	if err != nil {
		t.Fatal(err)
	}
	if done.Counts[directory.Created] != 2 || done.Generated != 1 {
		t.Fatalf("apply: %+v", done.Counts)
	}
	if graph.Passwords["dave@example.test"] != "Dave-Init-77" {
		t.Errorf("dave was created with another password than the sheet's")
	}
	// erin's generated password is sealed in her batch entry and is the one she was created with.
	entries, _ := a.store.Batch(a.ctx, 1)
	for _, e := range entries {
		if e.DestLogin != "erin@example.test" {
			continue
		}
		_, dest, err := a.batchPasswords(e)
		if err != nil || dest.Reveal() == "" || dest.Reveal() != graph.Passwords["erin@example.test"] {
			t.Fatalf("erin's sealed password does not match the one created (%v)", err)
		}
		b, _ := json.Marshal(done)
		if strings.Contains(string(b), dest.Reveal()) {
			t.Fatal("the report shows a password")
		}
	}
	again, err := a.PeopleCreate("acme", opts)
	if err != nil || again.Counts[directory.Created] != 0 || again.Counts[directory.Exists] != 3 || again.Generated != 0 {
		t.Fatalf("again: %+v %v", again.Counts, err)
	}

	f, err := a.PeopleCreateScript("acme")
	if err != nil {
		t.Fatal(err)
	}
	s := string(f.Data)
	for _, want := range []string{"New-MailContact -Name 'Max O''Neil'",
		"New-Mailbox -Shared -Name 'Accounts' -DisplayName 'Accounts' -PrimarySmtpAddress 'accounts@example.test'",
		"Set-Mailbox -Identity 'dave@example.test' -EmailAddresses @{Add='smtp:d.petit@example.test'}",
		"Set-Mailbox -Identity 'accounts@example.test' -EmailAddresses @{Add='smtp:billing@example.test'}", "-PrimarySmtpAddress 'team@example.test' -Type Distribution",
		"Add-DistributionGroupMember -Identity 'team@example.test' -Member 'dave@example.test'"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
}

func TestPeopleCreateRefusesBadOptionsByField(t *testing.T) {
	a, _ := newDetectWorld(t)
	_, err := a.PeopleCreate("acme", CreateOptions{To: "exchange", UsageLocation: "France", GroupsAs: "lists"})
	env := fault.Classify(err)
	if env.Kind != fault.KindInput || len(env.Fields) != 3 {
		t.Fatalf("%v", err)
	}
}

func TestPeopleCreateInGoogleWorkspaceWithTheServiceAccount(t *testing.T) {
	a, idp := newDetectWorld(t)
	g := googleWorld(t, a, idp, "dest", "auth/admin.directory.user ") // read-write, not .readonly
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Side: "dest", Source: "google", URL: g.URL, Admin: "admin@example.test"}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, a, "users", "u.csv", []byte("Email address,First name,Last name,New password\r\nalice@example.test,Alice,Martin,\r\nnina@example.test,Nina,Blanc,Nina-Init-42\r\n"), ImportOptions{})
	opts := CreateOptions{To: "google", Apply: true}
	done, err := a.PeopleCreate("acme", opts)
	if err != nil || done.Counts[directory.Created] != 1 || done.Counts[directory.Exists] != 1 || g.Passwords["nina@example.test"] != "Nina-Init-42" {
		t.Fatalf("apply: %+v %v", done.Counts, err)
	}
	again, err := a.PeopleCreate("acme", opts)
	if err != nil || again.Counts[directory.Exists] != 2 {
		t.Fatalf("again: %+v %v", again.Counts, err)
	}
}
