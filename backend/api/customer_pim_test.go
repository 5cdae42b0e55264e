package api

import (
	"html"
	"strings"
	"testing"

	"cutover/backend/pim/pimtest"
)

// The Migration Tool Limitations document says, for the project's own pair, what moves
// of contacts, calendars and tasks and what changes (no meeting invitation), and lists
// each item the destination refused or took without something; the progress report
// counts them per mailbox. In English and in French.
func TestTheLimitationsSayWhatMovesOfContactsAndCalendarsAndListWhatDidNot(t *testing.T) {
	a, idp, dav := pimWorld(t, "m365")
	dav.Put("alice", "contacts", "g1.vcf", false, "Contacts", []byte("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:g1\r\nKIND:group\r\nFN:Équipe vente\r\nMEMBER:urn:uuid:c1\r\nEND:VCARD\r\n"))
	dav.Put("alice", "cal", "j1.ics", true, "Calendar", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VJOURNAL\r\nUID:j1\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART;VALUE=DATE:20260102\r\nSUMMARY:Notes de réunion\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"))
	idp.AddApp("dest-app", "dest-secret", "example.test")
	graph := pimtest.NewGraph(t)
	graph.Authorize = func(tok string) bool { return idp.Active(tok) }
	if err := a.PIMSettingSet("acme", PIMSettingInput{SourceURL: a.mustPIM(t).SourceURL, DestKind: "graph", DestURL: graph.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignInSet("acme", SignInSettingInput{Side: "dest", Method: SignInMicrosoftApp, ClientID: "dest-app", ClientSecret: "dest-secret", IdPURL: &idp.URL}); err != nil {
		t.Fatal(err)
	}
	res, err := a.PIMMigrate("acme", PIMPassInput{Pass: "final", Only: []string{"contacts", "calendars"}})
	if err != nil || res.Copied != 3 || res.Failed != 2 {
		t.Fatalf("pass: %+v %v", res, err)
	}

	doc := func(kind string) string {
		t.Helper()
		f, err := a.CustomerDocument("acme", kind, "html")
		if err != nil {
			t.Fatal(err)
		}
		return html.UnescapeString(string(f.Data))
	}
	check := func(text string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the document lacks %q", w)
			}
		}
	}
	lim := doc("limitations")
	check(lim,
		"over CardDAV and CalDAV, with the user's own login. They are only read, never changed.",
		"Meetings: nobody is invited and nobody receives mail.",
		"Tasks go into Microsoft To Do lists",
		// The refused items, each with its mailbox, address book or calendar and reason.
		"<td>alice</td><td>Contact</td><td>Contacts</td><td>Équipe vente</td><td>contact groups (KIND:group) cannot be created",
		"<td>alice</td><td>Journal entry</td><td>Calendar</td><td>Notes de réunion</td>",
		// The meeting, copied without inviting Bob.
		"These items were copied without something the destination cannot hold:",
		"<td>alice</td><td>Event</td><td>Calendar</td><td>Weekly</td>",
		// No folder is left out: said, without an empty table.
		"None: every folder is copied.")
	// Read over DAV: nobody is asked to export contacts and calendars by hand.
	if g := doc("guide"); strings.Contains(g, "Your contacts and calendars, before the switch") {
		t.Error("the user guide asks users to export what Cutover reads itself")
	}
	if strings.Contains(lim, "<th>Why</th>") {
		t.Error("the limitations show an empty table of folders left out")
	}
	check(doc("report-progress"), "<h2>Contacts, calendars and tasks</h2>",
		"<td>alice</td><td>2</td><td>1</td><td>0</td><td>0</td><td>2</td><td>Final</td>")

	// The verification compares by UID: what Graph refused is missing there, and so is
	// the task this pass left out (--only contacts,calendars).
	checks, err := a.PIMVerify("acme", nil)
	if err != nil || len(checks) != 1 || checks[0].Missing != 3 {
		t.Fatalf("verify: %+v %v", checks, err)
	}
	check(doc("report-verify"), "3 contacts, events or tasks are not at the destination yet",
		"<td>alice</td><td>Contacts</td><td>3</td><td>2</td><td>1</td>",
		"<td>alice</td><td>Contact</td><td>Contacts</td><td>Équipe vente</td><td>g1</td>")
	p, err := a.project("acme")
	if err != nil {
		t.Fatal(err)
	}
	open, err := a.closeOpen(p)
	if err != nil || !strings.Contains(openText(open), "3 contacts, events or tasks missing") {
		t.Errorf("closing is held by %+v %v, want the missing contacts and events too", open, err)
	}

	fr := "fr"
	if _, err := a.SetCustomerSettings("acme", CustomerSettingsInput{Language: &fr}); err != nil {
		t.Fatal(err)
	}
	check(doc("limitations"), "Réunions : personne n'est invité et personne ne reçoit de courriel.",
		"<td>alice</td><td>Entrée de journal</td><td>Calendar</td><td>Notes de réunion</td>",
		"Aucun : chaque dossier est copié.")
	check(doc("report-progress"), "<h2>Contacts, calendriers et tâches</h2>", "<td>Finale</td>")
}
