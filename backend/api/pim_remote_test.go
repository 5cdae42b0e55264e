package api

import (
	"net/url"
	"strings"
	"testing"

	"cutover/backend/auth/authtest"
	"cutover/backend/fault"
	"cutover/backend/pim/pimtest"
	"cutover/backend/project"
	"cutover/backend/store"
)

// pimWorld is the detect world's project, on provider (m365, google), with alice in the
// batch and her contacts, a weekly meeting and a task on a DAV source.
func pimWorld(t *testing.T, provider string) (*API, *authtest.IdP, *pimtest.Server) {
	t.Helper()
	a, idp := newDetectWorld(t)
	if _, err := a.EditProject("acme", project.Input{Provider: &provider}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "alice", SourcePassword: "alice-secret", DestLogin: "alice@example.test"}); err != nil {
		t.Fatal(err)
	}
	dav, err := pimtest.Start(map[string]string{"alice": "alice-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dav.Close() })
	dav.Put("alice", "contacts", "c1.vcf", false, "Contacts", []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Max Muster\r\nN:Muster;Max;;;\r\nEMAIL:max@supplier.example\r\nEND:VCARD\r\n"))
	dav.Put("alice", "contacts", "c2.vcf", false, "Contacts", []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c2\r\nFN:Eva Gruen\r\nN:Gruen;Eva;;;\r\nEND:VCARD\r\n"))
	dav.Put("alice", "cal", "e1.ics", true, "Calendar", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART:20260105T090000Z\r\nDTEND:20260105T093000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:Weekly\r\nATTENDEE;CN=Bob:mailto:bob@example.test\r\nORGANIZER:mailto:alice@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	dav.Put("alice", "cal", "t1.ics", true, "Calendar", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Order paper\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"))
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: dav.URL}); err != nil {
		t.Fatal(err)
	}
	return a, idp, dav
}

func TestM365DestinationCopiesContactsCalendarsAndToDoTasksThroughGraphWithTheAppToken(t *testing.T) {
	a, idp, _ := pimWorld(t, "m365")
	idp.AddApp("dest-app", "dest-secret", "example.test")
	graph := pimtest.NewGraph(t)
	// Only an app token of the destination's app, asked for Graph, opens the fake.
	graph.Authorize = func(tok string) bool {
		return idp.Active(tok) && idp.Scope(tok) == "https://graph.microsoft.com/.default"
	}
	// The project is on Microsoft 365: Graph is its destination by default; the
	// setting points it at the fake.
	src := a.mustPIM(t).SourceURL
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: src, DestKind: "graph", DestURL: graph.URL}); err != nil {
		t.Fatal(err)
	}

	// Not signed in with Microsoft at the destination: what to do, as an input error.
	_, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"contacts", "calendars"}})
	if err != nil {
		t.Fatal(err)
	}
	if run := a.lastPIMRun(t); run.State != "failed" || !strings.Contains(run.Error, "alice@example.test") || !strings.Contains(run.Error, SignInMicrosoftApp) {
		t.Fatalf("without a Microsoft sign-in: %+v", run)
	}
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "dest", Method: SignInMicrosoftApp, ClientID: "dest-app", ClientSecret: "dest-secret", IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}

	mail, only, err := a.MigrateParts("acme", []string{"contacts", "calendars"})
	if err != nil || mail {
		t.Fatalf("--only contacts,calendars: mail %v, %v", mail, err)
	}
	res, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: only})
	if err != nil || res.Errors != 0 || res.Copied != 3 || res.Failed != 0 {
		t.Fatalf("pass: %+v %v (%+v)", res, err, res.Mailboxes)
	}
	if n := len(graph.Objects("contact")); n != 2 {
		t.Errorf("Graph holds %d contacts, want 2", n)
	}
	events := graph.Objects("event")
	if len(events) != 1 || events[0]["recurrence"] == nil {
		t.Fatalf("Graph events: %v", events)
	}
	if _, invited := events[0]["attendees"]; invited {
		t.Error("the event was created with attendees: Graph would mail them")
	}
	if len(graph.Users) != 1 || graph.Users["alice@example.test"] == 0 {
		t.Errorf("Graph was asked for the mailboxes %v, want alice@example.test's only", graph.Users)
	}
	// A second pass copies nothing.
	again, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: only})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 {
		t.Errorf("second pass: %+v %v", again, err)
	}

	// Tasks: To Do is reached app-only too. Before the admin granted Tasks.ReadWrite.All,
	// Graph answers 403: the task is refused with what to grant; after, it is copied.
	graph.DenyToDo = true
	denied, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"tasks"}})
	if err != nil || denied.Failed != 1 || denied.Errors != 0 {
		t.Fatalf("tasks pass without the permission: %+v %v", denied, err)
	}
	if f := denied.Mailboxes[0].Result.Failures; len(f) != 1 || f[0].UID != "t1" || !strings.Contains(f[0].Reason, "needs the Tasks.ReadWrite.All application permission with admin consent") {
		t.Errorf("task refusal: %+v", f)
	}
	graph.DenyToDo = false
	tasks, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"tasks"}})
	if err != nil || tasks.Copied != 1 || tasks.Failed != 0 {
		t.Fatalf("tasks pass: %+v %v", tasks, err)
	}
	if tk := graph.Objects("task"); len(tk) != 1 || tk[0]["title"] != "Order paper" {
		t.Errorf("Graph's To Do holds %v", tk)
	}
}

func TestPIMSettingKinds(t *testing.T) {
	a, _, _ := pimWorld(t, "m365")
	src := a.mustPIM(t).SourceURL
	for _, c := range []struct {
		in    PIMSettingInput
		field string
	}{
		{PIMSettingInput{SourceURL: src, DestKind: "exchange"}, "destination contacts and calendars"},
		{PIMSettingInput{SourceKind: "exchange"}, "source contacts and calendars"},
		{PIMSettingInput{SourceKind: "graph", SourceURL: "graph.example"}, "source graph URL"},
		{PIMSettingInput{SourceURL: src, DestKind: "google", DestURL: "www.googleapis.com"}, "destination google URL"},
		{PIMSettingInput{SourceURL: src, DestKind: "graph", DestURL: "http://graph.example/v1.0"}, "destination graph URL"},
	} {
		err := a.PIMSettingSet("acme", c.in)
		if err == nil || fault.Classify(err).Kind != fault.KindInput || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: %v, want an input error about %s", c.in, err, c.field)
		}
	}
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: src, DestKind: "Graph"}); err != nil {
		t.Fatal(err)
	}
	if set := a.mustPIM(t); set.DestKind != "graph" || set.DestURL != "" {
		t.Errorf("stored %+v", set)
	}
	// DAV chosen without its URL yet stays DAV (not the provider's Graph), and the pass
	// says what is missing.
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: src, DestKind: "dav"}); err != nil {
		t.Fatal(err)
	}
	if set := a.mustPIM(t); set.DestKind != "dav" {
		t.Errorf("stored %+v", set)
	}
	res, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final"})
	if err != nil || res.Errors != 1 || !strings.Contains(res.Mailboxes[0].Error, "destination DAV URL") {
		t.Errorf("pass without the destination DAV URL: %+v %v", res, err)
	}
	// Without any setting, a Microsoft 365 project's destination is Graph.
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: src}); err != nil {
		t.Fatal(err)
	}
	if set := a.mustPIM(t); set.DestKind != "graph" || set.SourceKind != "dav" {
		t.Errorf("default kinds %+v", set)
	}
}

func (a *API) mustPIM(t *testing.T) store.PIMSetting {
	t.Helper()
	set, err := a.PIMSetting("acme")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func (a *API) lastPIMRun(t *testing.T) store.PIMRun {
	t.Helper()
	c, err := a.PIMCopied("acme")
	if err != nil || len(c) != 1 || c[0].Last == nil {
		t.Fatalf("PIMCopied: %+v %v", c, err)
	}
	return *c[0].Last
}

func TestGoogleDestinationImportsEventsAndTasksAndWritesContactsWithEachMailboxsDelegatedToken(t *testing.T) {
	a, idp, _ := pimWorld(t, "google")
	idp.AddUser("alice@example.test")
	saKey := idp.AddServiceAccount("migrator@acme-project.iam.gserviceaccount.com")
	g := pimtest.NewGoogle(t)
	// Only a token the service account got for alice, with the calendar, tasks and
	// contacts scopes, opens the fake.
	g.Authorize = func(tok string) bool {
		sc := " " + idp.Scope(tok) + " "
		return idp.Active(tok) && idp.Subject(tok) == "alice@example.test" &&
			strings.Contains(sc, " https://www.googleapis.com/auth/calendar ") && strings.Contains(sc, " https://www.googleapis.com/auth/tasks ") &&
			strings.Contains(sc, " https://www.googleapis.com/auth/contacts ")
	}
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "dest", Method: SignInGoogleServiceAccount, ServiceAccountKey: string(saKey), IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	src := a.mustPIM(t).SourceURL
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: src, DestKind: "google", DestURL: strings.TrimSuffix(g.CalendarBase, "/calendar/v3")}); err != nil {
		t.Fatal(err)
	}
	res, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"calendars", "tasks"}})
	if err != nil || res.Errors != 0 || res.Copied != 2 || res.Failed != 0 {
		t.Fatalf("pass: %+v %v (%+v)", res, err, res.Mailboxes)
	}
	if ev, tk := g.Events(), g.Tasks(); len(ev) != 1 || len(tk) != 1 || g.Imports != 1 {
		t.Fatalf("Google holds events %v and tasks %v (%d imports)", ev, tk, g.Imports)
	}
	again, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"calendars", "tasks"}})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 || g.Imports != 1 {
		t.Errorf("second pass: %+v %v, %d imports", again, err, g.Imports)
	}
	// Contacts: through the People API, the source's "Contacts" book into the contact
	// list itself (no label), each with its source UID.
	con, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"contacts"}})
	if err != nil || con.Errors != 0 || con.Copied != 2 || con.Failed != 0 {
		t.Fatalf("contacts to Google: %+v %v (%+v)", con, err, con.Mailboxes)
	}
	if g.PersonByUID("c1") == nil || g.PersonByUID("c2") == nil || len(g.Persons()) != 2 || len(g.Labels()) != 0 {
		t.Errorf("Google holds %v, labels %v", g.Persons(), g.Labels())
	}
	if con, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"contacts"}}); err != nil || con.Copied+con.Updated+con.Failed != 0 || len(g.Persons()) != 2 {
		t.Errorf("contacts again: %+v %v", con, err)
	}
	checks, err := a.PIMVerify("acme", nil)
	if err != nil || len(checks) != 1 || !checks[0].Complete {
		t.Errorf("verify: %+v %v", checks, err)
	}
}

func TestM365SourceIsReadThroughGraphWithTheSourceAppIntoDAV(t *testing.T) {
	a, idp := newDetectWorld(t)
	idp.AddApp("src-app", "src-secret", "example.test")
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "alice@example.test", DestLogin: "alice", DestPassword: "alice-secret"}); err != nil {
		t.Fatal(err)
	}
	g := pimtest.NewGraphSource(t)
	g.Authorize = func(tok string) bool {
		return idp.Active(tok) && idp.Scope(tok) == "https://graph.microsoft.com/.default"
	}
	const u = "alice@example.test"
	g.Add(u, "contacts", map[string]any{"displayName": "Max Muster", "emailAddresses": []any{map[string]any{"address": "max@supplier.example"}}})
	cal := g.AddContainer(u, "calendars", "Calendar")
	g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "weekly-1", "subject": "Weekly",
		"start": map[string]any{"dateTime": "2026-01-05T08:00:00.0000000", "timeZone": "UTC"}, "end": map[string]any{"dateTime": "2026-01-05T08:30:00.0000000", "timeZone": "UTC"},
		"recurrence": map[string]any{"pattern": map[string]any{"type": "daily", "interval": 2}, "range": map[string]any{"type": "numbered", "numberOfOccurrences": 10, "startDate": "2026-01-05"}}})
	list := g.AddContainer(u, "todo/lists", "Tasks")
	g.Add(u, "todo/lists/"+list, map[string]any{"title": "Order paper", "status": "notStarted"})
	// The app registration lacks Tasks.Read.All until the admin grants it.
	g.DenyToDo = true
	dav, err := pimtest.Start(map[string]string{"alice": "alice-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dav.Close() })
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "source", Method: SignInMicrosoftApp, ClientID: "src-app", ClientSecret: "src-secret", IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceKind: "graph", SourceURL: g.URL, DestURL: dav.URL}); err != nil {
		t.Fatal(err)
	}
	if mail, only, err := a.MigrateParts("acme", nil); err != nil || len(only) != 3 || !mail {
		t.Errorf("migrate parts: mail %v, %v, %v", mail, only, err)
	}
	res, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final"})
	if err != nil || res.Errors != 0 || res.Copied != 2 || res.Failed != 1 {
		t.Fatalf("pass: %+v %v (%+v)", res, err, res.Mailboxes)
	}
	if dav.Count("alice") != 2 {
		t.Errorf("the destination holds %d objects, want the contact and the series", dav.Count("alice"))
	}
	run := res.Mailboxes[0]
	if f := run.Result.Failures; run.State != "partial" || len(f) != 1 || !strings.Contains(f[0].Summary, "alice@example.test") ||
		!strings.Contains(f[0].Reason, "the app registration needs the Tasks.ReadWrite.All application permission with admin consent (Tasks.Read.All at a source)") {
		t.Errorf("the mailbox's report should say what to grant for To Do: %s %+v", run.State, f)
	}
	// Granted: the next pass copies the task, and only it.
	g.DenyToDo = false
	granted, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final"})
	if err != nil || granted.Copied != 1 || granted.Updated+granted.Failed != 0 || dav.Count("alice") != 3 {
		t.Fatalf("pass after the grant: %+v %v, destination %d", granted, err, dav.Count("alice"))
	}
	again, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final"})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 {
		t.Errorf("second pass: %+v %v", again, err)
	}
	checks, err := a.PIMVerify("acme", nil)
	if err != nil || len(checks) != 1 || !checks[0].Complete {
		t.Errorf("verify: %+v %v", checks, err)
	}
	an, err := a.PIMAnalyze("acme", nil, "")
	if err != nil || len(an) != 1 || an[0].Error != "" || len(an[0].Collections) != 3 {
		t.Errorf("analyze: %+v %v", an, err)
	}
}

func TestGoogleSourceIsReadWithEachMailboxsReadOnlyDelegatedToken(t *testing.T) {
	a, idp := newDetectWorld(t)
	idp.AddUser("alice@example.test")
	saKey := idp.AddServiceAccount("migrator@acme-project.iam.gserviceaccount.com")
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "alice@example.test", DestLogin: "alice", DestPassword: "alice-secret"}); err != nil {
		t.Fatal(err)
	}
	g := pimtest.NewGoogleSource(t)
	// Only alice's token with the three read-only scopes opens the fake.
	g.Authorize = func(tok string) bool {
		sc := " " + idp.Scope(tok) + " "
		for _, s := range googlePIMReadScopes {
			if !strings.Contains(sc, " "+s+" ") {
				return false
			}
		}
		return idp.Active(tok) && idp.Subject(tok) == "alice@example.test" && !strings.Contains(sc, "auth/calendar ")
	}
	g.AddPerson(map[string]any{"names": []any{map[string]any{"displayName": "Max Muster"}}})
	cal := g.AddCalendar("alice@example.test")
	g.AddEvent(cal, map[string]any{"iCalUID": "s1@google.com", "status": "confirmed", "summary": "Standup",
		"start": map[string]any{"dateTime": "2026-01-05T09:00:00Z"}, "end": map[string]any{"dateTime": "2026-01-05T09:15:00Z"},
		"recurrence": []any{"RRULE:FREQ=DAILY;COUNT=5"}})
	list := g.AddList("My Tasks")
	g.AddTask(list, map[string]any{"title": "Order paper", "status": "needsAction"})
	dav, err := pimtest.Start(map[string]string{"alice": "alice-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dav.Close() })
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "source", Method: SignInGoogleServiceAccount, ServiceAccountKey: string(saKey), IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceKind: "google", SourceURL: strings.TrimSuffix(g.CalendarBase, "/calendar/v3"), DestURL: dav.URL}); err != nil {
		t.Fatal(err)
	}
	res, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final"})
	if err != nil || res.Errors != 0 || res.Copied != 3 || res.Failed != 0 || dav.Count("alice") != 3 {
		t.Fatalf("pass: %+v %v (%+v), destination %d", res, err, res.Mailboxes, dav.Count("alice"))
	}
	again, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final"})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 {
		t.Errorf("second pass: %+v %v", again, err)
	}
}

func TestGoogleUserSignInAsksForCalendarScopesWhenTheProjectCopiesThemThroughGoogle(t *testing.T) {
	w := newSignInWorld(t, "")
	w.idp.AddClient("desktop-app", "desktop-secret")
	w.idp.SetBrowserUser(bob)
	w.set(t, SignInSettingInput{Method: SignInGoogleUser, ClientID: "desktop-app", ClientSecret: "desktop-secret"})
	dav, err := pimtest.Start(map[string]string{"bob@old.test": "src-pw"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dav.Close() })
	dav.Put("bob@old.test", "cal", "e.ics", true, "Calendar", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART:20260105T090000Z\r\nDTEND:20260105T093000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	g := pimtest.NewGoogle(t)
	g.Authorize = func(tok string) bool { return w.idp.Active(tok) && w.idp.Subject(tok) == bob }
	g.Scoped = func(tok string) bool {
		return strings.Contains(w.idp.Scope(tok), "https://www.googleapis.com/auth/calendar")
	}
	signIn := func() {
		t.Helper()
		tk, err := w.a.SignInStart("acme", SignInStartInput{Side: "dest", Mailbox: bob})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := authtest.LoopbackClient().Get(tk.AuthURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if res, err := w.a.SignInWait(tk.Handle); err != nil || res.State != "signed-in" {
			t.Fatalf("sign-in: %+v %v", res, err)
		}
	}
	// Bob signed in for mail only, before the project copied calendars through Google:
	// the pass stops at his first request and says to sign in again.
	signIn()
	if err := w.a.PIMSettingSet("acme", PIMSettingInput{SourceURL: dav.URL, DestKind: "google", DestURL: strings.TrimSuffix(g.CalendarBase, "/calendar/v3")}); err != nil {
		t.Fatal(err)
	}
	old, err := w.a.PIMMigrate("acme", PIMPassInput{Pass: "final", Users: []string{bob}})
	if err != nil || old.Errors != 1 || !strings.Contains(old.Mailboxes[0].Error, "sign in again") || old.Failed != 0 {
		t.Fatalf("pass with a mail-only token: %+v %v", old, err)
	}
	tk, err := w.a.SignInStart("acme", SignInStartInput{Side: "dest", Mailbox: bob})
	if err != nil {
		t.Fatal(err)
	}
	w.a.SignInCancel(tk.Handle)
	for _, s := range append([]string{"https://mail.google.com/"}, googlePIMScopes...) {
		if !strings.Contains(tk.AuthURL, url.QueryEscape(s)) {
			t.Errorf("the sign-in does not ask for %s: %s", s, tk.AuthURL)
		}
	}
	signIn()
	res, err := w.a.PIMMigrate("acme", PIMPassInput{Pass: "final", Users: []string{bob}})
	if err != nil || res.Copied != 1 || res.Errors != 0 || len(g.Events()) != 1 {
		t.Fatalf("pass with bob's own token: %+v %v", res, err)
	}
}
