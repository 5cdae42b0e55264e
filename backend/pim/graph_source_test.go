package pim_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
	"cutover/backend/secrets"
)

// m365Mailbox fills the Graph source fake with alice's default contacts, a supplier
// folder (three contacts: two pages), a calendar with a weekly meeting, an all-day
// holiday series and a single event, and a To Do list with an open and a completed task.
func m365Mailbox(g *pimtest.GraphSource) (meetingID, maxID string) {
	const u = "alice@example.test"
	maxID = g.Add(u, "contacts", map[string]any{"displayName": "Max Muster", "givenName": "Max", "surname": "Muster",
		"emailAddresses": []any{map[string]any{"name": "Max", "address": "max@supplier.example"}}, "mobilePhone": "+49 170 1234567",
		"companyName": "Muster GmbH", "jobTitle": "Einkauf", "categories": []any{"Lieferanten"}, "birthday": "1980-04-01T11:59:00Z",
		"businessAddress": map[string]any{"street": "Hauptstr. 1", "city": "Köln", "postalCode": "50667", "countryOrRegion": "Germany"}})
	folder := g.AddContainer(u, "contactFolders", "Suppliers")
	for _, n := range []string{"Ada Lovelace", "Émile Zola", "Grace Hopper, Rear Admiral"} {
		g.Add(u, "contactFolders/"+folder, map[string]any{"displayName": n, "personalNotes": "met at the fair; call back"})
	}
	cal := g.AddContainer(u, "calendars", "Calendar")
	meetingID = g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "040000008200E00074C5B7101A82E0080000000001", "subject": "Weekly sync",
		"type": "seriesMaster", "start": map[string]any{"dateTime": "2026-01-05T08:00:00.0000000", "timeZone": "UTC"},
		"end":          map[string]any{"dateTime": "2026-01-05T08:30:00.0000000", "timeZone": "UTC"},
		"body":         map[string]any{"contentType": "html", "content": "<html><body><p>Agenda &amp; notes</p></body></html>"},
		"location":     map[string]any{"displayName": "Room 2"},
		"organizer":    map[string]any{"emailAddress": map[string]any{"name": "Alice", "address": "alice@example.test"}},
		"attendees":    []any{map[string]any{"type": "required", "emailAddress": map[string]any{"name": "Bob", "address": "bob@example.test"}}},
		"isReminderOn": true, "reminderMinutesBeforeStart": 15,
		"recurrence": map[string]any{"pattern": map[string]any{"type": "weekly", "interval": 1, "daysOfWeek": []any{"monday", "wednesday"}, "firstDayOfWeek": "monday"},
			"range": map[string]any{"type": "endDate", "startDate": "2026-01-05", "endDate": "2026-06-29"}}})
	g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "holiday-1", "subject": "Company day", "isAllDay": true, "showAs": "free",
		"start": map[string]any{"dateTime": "2026-05-04T00:00:00.0000000", "timeZone": "UTC"}, "end": map[string]any{"dateTime": "2026-05-05T00:00:00.0000000", "timeZone": "UTC"},
		"recurrence": map[string]any{"pattern": map[string]any{"type": "relativeYearly", "interval": 1, "month": 5, "daysOfWeek": []any{"monday"}, "index": "first"},
			"range": map[string]any{"type": "noEnd", "startDate": "2026-05-04"}}})
	g.Add(u, "calendars/"+cal, map[string]any{"iCalUId": "dentist-1", "subject": "Dentist", "sensitivity": "private",
		"start": map[string]any{"dateTime": "2026-02-10T14:00:00.0000000", "timeZone": "UTC"}, "end": map[string]any{"dateTime": "2026-02-10T15:00:00.0000000", "timeZone": "UTC"}})
	list := g.AddContainer(u, "todo/lists", "Tasks")
	g.Add(u, "todo/lists/"+list, map[string]any{"title": "Order paper", "status": "notStarted", "importance": "high",
		"dueDateTime": map[string]any{"dateTime": "2026-12-10T00:00:00.0000000", "timeZone": "UTC"}, "createdDateTime": "2026-11-01T09:00:00Z"})
	g.Add(u, "todo/lists/"+list, map[string]any{"title": "File taxes", "status": "completed",
		"completedDateTime": map[string]any{"dateTime": "2026-04-30T00:00:00.0000000", "timeZone": "UTC"}, "createdDateTime": "2026-01-01T09:00:00Z"})
	return meetingID, maxID
}

func TestM365SourceToDAVCopiesContactsRecurringEventsAndTasksThenOnlyChanges(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	g.Authorize = func(tok string) bool { return tok == "graph-token" }
	meetingID, maxID := m365Mailbox(g)
	dav, dst := aliceDAV(t)
	hc := bearer("graph-token")
	src := &pim.GraphSource{Base: g.URL, User: "alice@example.test", HTTP: hc}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}

	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed != 0 {
		t.Fatalf("first pass: %+v %v", res, err)
	}
	if res.Copied != 4+3+2 || dav.Count("alice") != 9 {
		t.Fatalf("copied %d, destination holds %d; want 9 (4 contacts, 3 events, 2 tasks): %+v", res.Copied, dav.Count("alice"), res.Collections)
	}
	colls, err := dst.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // summary → object text
	for _, col := range colls {
		items, err := dst.Items(t.Context(), col)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			got[it.Summary] = string(it.Data)
		}
	}
	for summary, want := range map[string][]string{
		"Max Muster":                 {"EMAIL;TYPE=INTERNET,PREF:max@supplier.example", "TEL;TYPE=CELL:+49 170 1234567", "ORG:Muster GmbH;", "BDAY:1980-04-01", "ADR;TYPE=WORK:;;Hauptstr. 1;Köln;;50667;Germany"},
		"Grace Hopper, Rear Admiral": {`FN:Grace Hopper\, Rear Admiral`, `NOTE:met at the fair\; call back`},
		"Weekly sync": {"UID:040000008200E00074C5B7101A82E0080000000001", "DTSTART:20260105T080000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;WKST=MO;UNTIL=20260629T080000Z",
			"DESCRIPTION:Agenda & notes", "ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT:mailto:bob@example.test", "TRIGGER:-PT15M"},
		"Company day":  {"DTSTART;VALUE=DATE:20260504", "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=1MO", "TRANSP:TRANSPARENT"},
		"Dentist":      {"CLASS:PRIVATE"},
		"Order paper":  {"BEGIN:VTODO", "DUE;VALUE=DATE:20261210", "PRIORITY:1", "STATUS:NEEDS-ACTION"},
		"File taxes":   {"STATUS:COMPLETED", "COMPLETED:20260430T000000Z"},
		"Ada Lovelace": {"N:;;;;"},
	} {
		for _, w := range want {
			if !strings.Contains(got[summary], w) {
				t.Errorf("%s at the destination lacks %q:\n%s", summary, w, got[summary])
			}
		}
	}

	// A second pass copies nothing.
	gets := g.Gets
	again, err := c.Run(t.Context(), pim.Options{})
	if err != nil || again.Copied+again.Updated+again.Failed != 0 {
		t.Fatalf("second pass: %+v %v", again, err)
	}
	if g.Gets == gets {
		t.Error("the second pass did not read the source")
	}

	// An edited meeting and contact are copied again, over their copies; nothing else.
	g.Change("alice@example.test", meetingID, map[string]any{"subject": "Weekly sync (moved)", "location": map[string]any{"displayName": "Room 5"}})
	g.Change("alice@example.test", maxID, map[string]any{"jobTitle": "Einkaufsleiter"})
	third, err := c.Run(t.Context(), pim.Options{})
	if err != nil || third.Updated != 2 || third.Copied != 0 || third.Failed != 0 {
		t.Fatalf("after the edit: %+v %v", third, err)
	}
	if dav.Count("alice") != 9 {
		t.Errorf("the destination holds %d objects, want still 9", dav.Count("alice"))
	}
}

func TestM365SourceListsItsFoldersAndLeavesToDoOutWithoutAccess(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	m365Mailbox(g)
	hc := bearer("t")
	src := &pim.GraphSource{Base: g.URL, User: "alice@example.test", HTTP: hc}
	colls, err := src.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range colls {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "Contacts,Suppliers,Calendar,Tasks" {
		t.Errorf("collections %v", names)
	}
	// Without To Do access (app-only), the lists are left out.
	src.NoTasks = "no To Do app-only"
	if colls, _ := src.Collections(t.Context()); len(colls) != 3 {
		t.Errorf("without To Do: %d collections", len(colls))
	}
}

// aliceDAV starts an in-memory DAV server with alice's account and opens it: the
// destination of the source tests.
func aliceDAV(t *testing.T) (*pimtest.Server, *pim.DAV) {
	t.Helper()
	dav, err := pimtest.Start(map[string]string{"alice": "alice-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dav.Close() })
	dst, err := pim.DialDAV(t.Context(), dav.URL, pim.DAVOptions{User: "alice", Password: secrets.New("alice-secret")})
	if err != nil {
		t.Fatal(err)
	}
	return dav, dst
}

// bearer is an HTTP client sending token as its bearer token.
func bearer(token string) *http.Client {
	return oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
}
