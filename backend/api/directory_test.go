package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"cutover/backend/auth"
	"cutover/backend/auth/authtest"
	"cutover/backend/directory"
	"cutover/backend/directory/directorytest"
	"cutover/backend/fault"
	"cutover/backend/internal/testsrv"
	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/sheets"
)

// detectWorld is an API over a fresh database with a project "acme" of example.test
// (no people yet) and a fake identity provider.
func newDetectWorld(t *testing.T) (*API, *authtest.IdP) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	idp := authtest.New(t, authtest.Options{Now: c.now})
	a := testAPI(t, c)
	a.signIns().opts = &auth.Options{Now: c.now, HTTPClient: authtest.LoopbackClient()}
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"example.test"}, Provider: ptr("m365"),
		Source: ptr("imap+plain://127.0.0.1:9"), Dest: ptr("imaps://outlook.office365.com"), Cutover: ptr("2099-05-14 18:00"), Zone: ptr("UTC"), Holidays: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	return a, idp
}

type counts struct{ add, upd, same, skip int }

func countsOf(r ImportReport) counts { return counts{r.Added, r.Updated, r.Unchanged, r.Skipped} }

// detectTwice previews, imports, then previews and imports again: the second time
// everything is unchanged and nothing is added.
func detectTwice(t *testing.T, a *API, source string, users, groups, contacts counts) DetectReport {
	t.Helper()
	before, _ := a.Users("acme")
	pre, err := a.PeopleDetect("acme", source)
	if err != nil {
		t.Fatal(err)
	}
	if got := [3]counts{countsOf(pre.Users), countsOf(pre.Groups), countsOf(pre.Contacts)}; got != [3]counts{users, groups, contacts} {
		t.Fatalf("%s preview: users/groups/contacts %+v, want %+v", source, got, [3]counts{users, groups, contacts})
	}
	if n, _ := a.Users("acme"); len(n) != len(before) {
		t.Fatalf("the preview stored %d users", len(n)-len(before))
	}
	imp, err := a.PeopleDetectImport("acme", source, ImportOptions{})
	if err != nil || !imp.Imported {
		t.Fatalf("import: %v", err)
	}
	again, err := a.PeopleDetect("acme", source)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []ImportReport{again.Users, again.Groups, again.Contacts} {
		if r.Added != 0 || r.Updated != 0 || r.Unchanged != len(r.Rows) {
			t.Errorf("second detection of %s %s: %+v, want all unchanged", source, r.Kind, countsOf(r))
		}
	}
	imp2, err := a.PeopleDetectImport("acme", source, ImportOptions{})
	if err != nil || imp2.Users.Added+imp2.Users.Updated+imp2.Groups.Added+imp2.Groups.Updated+imp2.Contacts.Added+imp2.Contacts.Updated != 0 {
		t.Fatalf("second import: %+v, %v", imp2, err)
	}
	return pre
}

func rowWarnings(r ImportReport, key string) string {
	var out []string
	for _, row := range r.Rows {
		if row.Key == key {
			for _, p := range row.Problems {
				out = append(out, p.Message+": "+p.Value)
			}
		}
	}
	return strings.Join(out, "\n")
}

func TestDetectFromGraphWithTheSourceAppPreviewsThenImportsOnce(t *testing.T) {
	a, idp := newDetectWorld(t)
	idp.AddApp("app-id", "app-secret", "example.test")
	graph := directorytest.NewGraph(t)
	// Only a token of the source's app, asked for Graph, opens the fake.
	graph.Authorize = func(tok string) bool {
		return idp.Active(tok) && idp.Scope(tok) == "https://graph.microsoft.com/.default"
	}
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "source", Method: SignInMicrosoftApp, ClientID: "app-id", ClientSecret: "app-secret", IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Source: "graph", URL: graph.URL}); err != nil {
		t.Fatal(err)
	}
	pre := detectTwice(t, a, "graph", counts{add: 4}, counts{add: 2}, counts{add: 1})
	if w := rowWarnings(pre.Users, "info@example.test"); w != "" {
		t.Errorf("info@'s shared flag and alias are kept, not warned about:\n%s", w)
	}
	if w := rowWarnings(pre.Users, "carol@example.test"); !strings.Contains(w, "sign-in blocked") {
		t.Errorf("carol's row: %s", w)
	}
	if pre.Users.File != "Microsoft 365 directory (Graph)" || pre.Users.LayoutName != pre.Users.File {
		t.Errorf("the preview names %q / %q", pre.Users.File, pre.Users.LayoutName)
	}
	if !strings.Contains(strings.Join(pre.Notes, "\n"), "guest account") {
		t.Errorf("notes: %v", pre.Notes)
	}
	users, _ := a.Users("acme")
	if len(users) != 4 || users[0].Address != "alice@example.test" || users[0].FirstName != "Alice" || users[0].OfficePhone != "+33 1 23 45 67 89" || !users[0].Migrate {
		t.Fatalf("users stored: %+v", users)
	}
	for _, u := range users {
		if u.Address == "info@example.test" && (!u.Shared || !reflect.DeepEqual(u.Aliases, []string{"contact@example.test"})) {
			t.Errorf("info@ stored without its shared flag or alias: %+v", u)
		}
		if u.Address == "alice@example.test" && (u.Shared || !reflect.DeepEqual(u.Aliases, []string{"a.martin@example.test"})) {
			t.Errorf("alice stored %+v", u)
		}
	}
	groups, _ := a.Groups("acme")
	if len(groups) != 2 || !reflect.DeepEqual(groups[0].Members, []string{"alice@example.test", "bob@example.test", "jane@partner.example"}) {
		t.Fatalf("groups stored: %+v", groups)
	}
	entries, _ := a.store.Batch(a.ctx, 1)
	if len(entries) != 4 {
		t.Fatalf("the batch holds %d entries, want one per user", len(entries))
	}
}

// googleWorld signs side in with a service account of the fake provider that may act for
// admin@example.test, and starts the Directory API fake, which accepts its tokens when
// they were asked for a scope holding scope.
func googleWorld(t *testing.T, a *API, idp *authtest.IdP, side, scope string) *directorytest.Google {
	t.Helper()
	idp.AddUser("admin@example.test")
	saKey := idp.AddServiceAccount("migrator@acme-project.iam.gserviceaccount.com")
	g := directorytest.NewGoogle(t)
	g.Authorize = func(tok string) bool { return idp.Active(tok) && strings.Contains(idp.Scope(tok)+" ", scope) }
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: side, Method: SignInGoogleServiceAccount, ServiceAccountKey: string(saKey), IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestDetectFromGoogleWithTheServiceAccountActingForTheAdmin(t *testing.T) {
	a, idp := newDetectWorld(t)
	g := googleWorld(t, a, idp, "source", "admin.directory.user.readonly")
	// Without the administrator, the error says what to set.
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Source: "google", URL: g.URL}); err == nil || !strings.Contains(err.Error(), "admin") {
		t.Fatalf("google without an admin: %v", err)
	}
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Source: "google", URL: g.URL, Admin: "admin@example.test"}); err != nil {
		t.Fatal(err)
	}
	detectTwice(t, a, "google", counts{add: 3}, counts{add: 2}, counts{add: 1})
	users, _ := a.Users("acme")
	if users[0].OrgUnit != "/Management" {
		t.Errorf("alice's org unit %q", users[0].OrgUnit)
	}
}

func TestDetectFromCPanelKeepsWhatTheSheetsSaidAndNeverShowsTheToken(t *testing.T) {
	a, _ := newDetectWorld(t)
	cp := directorytest.NewCPanel(t)
	a.ext.directoryHTTP = cp.Client()
	// A user typed in a sheet before: cPanel knows no names, so the name stays; it knows
	// alice's forwarder, so her alias is added (an update).
	mustImport(t, a, "users", "u.csv", []byte("Email address,First name,Last name\r\nalice@example.test,Alice,Martin\r\n"), ImportOptions{})
	view, err := a.DirectorySet("acme", DirectorySettingInput{Source: "cpanel", URL: cp.URL, Account: cp.User, Token: cp.Token})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(view)
	if !view.HasToken || strings.Contains(string(b), cp.Token) {
		t.Fatalf("setting view %s", b)
	}
	pre := detectTwice(t, a, "cpanel", counts{add: 1, upd: 1}, counts{add: 2}, counts{add: 1})
	if pre.Users.Result.Users[0].User.Address != "alice@example.test" || !reflect.DeepEqual(pre.Users.Result.Users[0].User.Aliases, []string{"contact@example.test"}) {
		t.Errorf("alice's aliases: %+v", pre.Users.Result.Users[0].User)
	}
	b, _ = json.Marshal(pre)
	if strings.Contains(string(b), cp.Token) {
		t.Fatal("the report shows the token")
	}
	users, _ := a.Users("acme")
	if users[0].FirstName != "Alice" || users[0].DisplayName != "Alice Martin" {
		t.Errorf("alice after detection: %+v", users[0])
	}
}

func TestDetectFromARealDovecotGivesLoginsTheProjectDomainAndReportsBadOnesByRow(t *testing.T) {
	a, _ := newDetectWorld(t)
	d := testsrv.NewDovecot(t, testsrv.DovecotOptions{DoveadmAPIKey: "k3y",
		Users: []testsrv.User{{Name: "alice", Password: "a"}, {Name: "bob@example.test", Password: "b"}, {Name: "x@@bad", Password: "c"}}})
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Source: "doveadm", URL: d.DoveadmURL(), Token: "k3y"}); err != nil {
		t.Fatal(err)
	}
	pre, err := a.PeopleDetect("acme", "doveadm")
	if err != nil {
		t.Fatal(err)
	}
	if countsOf(pre.Users) != (counts{add: 2, skip: 1}) || pre.Users.Errors != 1 {
		t.Fatalf("users %+v, %d errors", countsOf(pre.Users), pre.Users.Errors)
	}
	bad := pre.Users.Problems[0]
	if bad.Row != 3 || bad.Field != sheets.FAddress || bad.Value != "x@@bad" || bad.Error() != `Dovecot users (doveadm), row 3: invalid address: "x@@bad"; expected an email address such as alice@example.com` {
		t.Errorf("the bad login is reported as %q (row %d)", bad.Error(), bad.Row)
	}
	// With an error nothing is stored, and the error names the row; skipping it imports the rest.
	_, err = a.PeopleDetectImport("acme", "doveadm", ImportOptions{})
	if env := fault.Classify(err); env.Kind != fault.KindInput || len(env.Fields) != 1 || env.Fields[0].Row != 3 {
		t.Fatalf("import with an error: %v", err)
	}
	if us, _ := a.Users("acme"); len(us) != 0 {
		t.Fatal("a blocked import stored users")
	}
	if _, err := a.PeopleDetectImport("acme", "doveadm", ImportOptions{SkipInvalid: true}); err != nil {
		t.Fatal(err)
	}
	users, _ := a.Users("acme")
	if len(users) != 2 || users[0].Address != "alice@example.test" || users[0].SourceLogin != "alice" {
		t.Fatalf("users %+v", users)
	}
	again, _ := a.PeopleDetect("acme", "doveadm")
	if countsOf(again.Users) != (counts{same: 2, skip: 1}) {
		t.Errorf("again: %+v", countsOf(again.Users))
	}
}

func TestDetectRefusesWhatIsNotSetUpWithWhatToDo(t *testing.T) {
	a, _ := newDetectWorld(t)
	for _, c := range []struct {
		source, field, want string
	}{
		{"exchange", "from", "graph, google, cpanel, plesk, doveadm"},
		{"graph", "from", "Microsoft app-only access"},
		{"google", "from", "Google service account"},
		{"cpanel", "token", "cutover people directory set --project acme --from cpanel"},
	} {
		_, err := a.PeopleDetect("acme", c.source)
		var fe *fault.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.source, err)
		}
	}
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Source: "cpanel", URL: "ftp://x"}); err == nil ||
		!strings.Contains(err.Error(), "url") || !strings.Contains(err.Error(), "account") {
		t.Errorf("bad cpanel setting: %v", err)
	}
}

func TestDetectFromPleskWithItsSecretKey(t *testing.T) {
	a, _ := newDetectWorld(t)
	fake := directorytest.NewPlesk(t)
	a.ext.directoryHTTP = fake.Client()
	if _, err := a.DirectorySet("acme", DirectorySettingInput{Source: "plesk", URL: fake.URL, Token: fake.Key}); err != nil {
		t.Fatal(err)
	}
	detectTwice(t, a, "plesk", counts{add: 2}, counts{add: 1}, counts{add: 1})
}

func TestDetectedAliasesOutsideTheProjectsDomainsAreLeftBehindWithAWarning(t *testing.T) {
	us := []directory.User{
		{User: people.User{Address: "alice@example.test", Aliases: []string{"a.martin@example.test", "alice@old-brand.example", "A@EXAMPLE.TEST"}}},
		{User: people.User{Address: "bob@example.test"}},
	}
	foreign := foreignAliases(us, []string{"Example.test"})
	if !reflect.DeepEqual(us[0].Aliases, []string{"a.martin@example.test", "A@EXAMPLE.TEST"}) || !reflect.DeepEqual(foreign, map[int][]string{0: {"alice@old-brand.example"}}) {
		t.Fatalf("kept %v, left behind %v", us[0].Aliases, foreign)
	}
	rep := ImportReport{Result: &sheets.Result{File: "graph", Rows: []sheets.RowResult{{Row: 1}, {Row: 2}}}}
	markUsers(&rep, us, foreign)
	if rep.Warnings != 1 || len(rep.Rows[0].Problems) != 1 || !strings.Contains(rep.Rows[0].Problems[0].Message, "left behind") || rep.Rows[0].Problems[0].Value != "alice@old-brand.example" {
		t.Fatalf("warnings %d, row 1 %+v", rep.Warnings, rep.Rows[0].Problems)
	}
}
