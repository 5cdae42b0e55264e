package pim_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"cutover/backend/internal/testsrv"
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

	if strings.Contains(got["Weekly sync"], "EXDATE") || strings.Contains(got["Weekly sync"], "RECURRENCE-ID") {
		t.Errorf("a series never changed got exceptions:\n%s", got["Weekly sync"])
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

func TestM365SourceListsItsFolders(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	m365Mailbox(g)
	src := &pim.GraphSource{Base: g.URL, User: "alice@example.test", HTTP: bearer("t")}
	colls, err := src.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range colls {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "Contacts,Suppliers,Calendar,Tasks" || len(src.Unread()) != 0 {
		t.Errorf("collections %v, unread %v", names, src.Unread())
	}
}

// destText is the text of each object at a DAV destination, by summary.
func destText(t *testing.T, dst pim.Dest) map[string]string {
	t.Helper()
	colls, err := dst.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, col := range colls {
		items, err := dst.Items(t.Context(), col)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			got[it.Summary] = unfoldText(string(it.Data))
		}
	}
	return got
}

func TestM365SeriesArrivesAtRadicaleWithItsCancelledAndMovedOccurrencesAndOnlyItIsCopiedAgainWhenOneChanges(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	meetingID, _ := m365Mailbox(g)
	const u = "alice@example.test"
	// Monday 12 January is cancelled; Wednesday 14 January moves to Thursday 15, 10:00.
	g.CancelOccurrence(u, meetingID, "2026-01-12")
	g.ChangeOccurrence(u, meetingID, "2026-01-14", map[string]any{"subject": "Weekly sync (moved)",
		"start": map[string]any{"dateTime": "2026-01-15T10:00:00.0000000", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-01-15T10:30:00.0000000", "timeZone": "UTC"}})
	srv := testsrv.NewRadicale(t)
	dst := dial(t, srv, "alice")
	src := &pim.GraphSource{Base: g.URL, User: u, HTTP: bearer("t")}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed != 0 || res.Copied != 9 {
		t.Fatalf("first pass: %+v %v", res, err)
	}
	got := destText(t, dst)
	series := strings.ToUpper(got["Weekly sync"])
	for _, w := range []string{"RRULE:FREQ=WEEKLY;BYDAY=MO,WE;WKST=MO;UNTIL=20260629T080000Z", "EXDATE:20260112T080000Z",
		"RECURRENCE-ID:20260114T080000Z", "DTSTART:20260115T100000Z", "DTEND:20260115T103000Z", "SUMMARY:WEEKLY SYNC (MOVED)"} {
		if !strings.Contains(series, w) {
			t.Errorf("the series at Radicale lacks %q:\n%s", w, got["Weekly sync"])
		}
	}
	if n := strings.Count(series, "EXDATE"); n != 1 {
		t.Errorf("%d EXDATEs, want the 12 January's only:\n%s", n, got["Weekly sync"])
	}
	if n := strings.Count(series, "BEGIN:VEVENT"); n != 2 {
		t.Errorf("%d VEVENTs, want the series and its moved occurrence:\n%s", n, got["Weekly sync"])
	}
	if strings.Contains(strings.ToUpper(got["Company day"]), "EXDATE") {
		t.Errorf("the holiday series, never changed, got an EXDATE:\n%s", got["Company day"])
	}

	// Nothing changed: nothing is copied. The moved meeting moves again, to 11:00: that
	// series alone is copied again (its master's changeKey did not change).
	if again, err := c.Run(t.Context(), pim.Options{}); err != nil || again.Copied+again.Updated+again.Failed != 0 {
		t.Fatalf("second pass: %+v %v", again, err)
	}
	g.ChangeOccurrence(u, meetingID, "2026-01-14", map[string]any{
		"start": map[string]any{"dateTime": "2026-01-15T11:00:00.0000000", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-01-15T11:30:00.0000000", "timeZone": "UTC"}})
	third, err := c.Run(t.Context(), pim.Options{})
	if err != nil || third.Updated != 1 || third.Copied+third.Failed != 0 {
		t.Fatalf("after the occurrence moved again: %+v %v", third, err)
	}
	if s := destText(t, dst)["Weekly sync"]; !strings.Contains(s, "DTSTART:20260115T110000Z") || strings.Contains(s, "DTSTART:20260115T100000Z") {
		t.Errorf("the occurrence did not move at Radicale:\n%s", s)
	}
	// Another occurrence cancelled: the series again, and it alone.
	g.CancelOccurrence(u, meetingID, "2026-02-02")
	fourth, err := c.Run(t.Context(), pim.Options{})
	if err != nil || fourth.Updated != 1 || fourth.Copied+fourth.Failed != 0 {
		t.Fatalf("after a second cancellation: %+v %v", fourth, err)
	}
	if s := destText(t, dst)["Weekly sync"]; !strings.Contains(s, "EXDATE:20260202T080000Z") {
		t.Errorf("the second cancellation did not arrive:\n%s", s)
	}
}

func TestM365ContactPhotosArriveByteForByteAndAreReadOnlyForContactsCopied(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	_, maxID := m365Mailbox(g)
	const u = "alice@example.test"
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 254, 255}, 3000)...)
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("Ada"), 2000)...)
	g.SetPhoto(u, maxID, png, "image/png")
	folder := g.AddContainer(u, "contactFolders", "Family")
	ada := g.Add(u, "contactFolders/"+folder, map[string]any{"displayName": "Ada Family"})
	g.SetPhoto(u, ada, jpeg, "image/jpeg")
	_, dst := aliceDAV(t)
	src := &pim.GraphSource{Base: g.URL, User: u, HTTP: bearer("t")}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{Only: []pim.Class{pim.ClassContacts}})
	if err != nil || res.Failed != 0 || res.Copied != 5 || len(res.Notes) != 0 {
		t.Fatalf("pass: %+v %v", res, err)
	}
	got := destText(t, dst)
	for name, want := range map[string]struct {
		img []byte
		typ string
	}{"Max Muster": {png, "image/png"}, "Ada Family": {jpeg, "image/jpeg"}} {
		ct, err := pim.ParseContact(pim.Item{Data: []byte(got[name])})
		if err != nil || !bytes.Equal(ct.Photo, want.img) || ct.PhotoType != want.typ {
			t.Errorf("%s's photo: %d bytes of %s (%v), want the %d bytes of %s", name, len(ct.Photo), ct.PhotoType, err, len(want.img), want.typ)
		}
	}
	if strings.Contains(got["Ada Lovelace"], "PHOTO") {
		t.Error("a contact without a photo got one")
	}
	// A second pass copies nothing, so it reads no photo.
	photos := g.Photos
	if again, err := c.Run(t.Context(), pim.Options{Only: []pim.Class{pim.ClassContacts}}); err != nil || again.Copied+again.Updated+again.Failed != 0 || g.Photos != photos {
		t.Errorf("second pass: %+v %v; %d photo reads, want none", again, err, g.Photos-photos)
	}
}

func TestM365SourceWithoutToDoPermissionCopiesTheRestAndSaysWhatToGrant(t *testing.T) {
	g := pimtest.NewGraphSource(t)
	m365Mailbox(g)
	g.DenyToDo = true
	dav, dst := aliceDAV(t)
	src := &pim.GraphSource{Base: g.URL, User: "alice@example.test", HTTP: bearer("t")}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Copied != 4+3 || dav.Count("alice") != 7 {
		t.Fatalf("pass: %+v %v; destination holds %d, want the 4 contacts and 3 events", res, err, dav.Count("alice"))
	}
	if len(res.Failures) != 1 || res.Failed != 1 || !strings.Contains(res.Failures[0].Reason, "application permission with admin consent (Tasks.Read.All at a source)") ||
		!strings.Contains(res.Failures[0].Summary, "alice@example.test") {
		t.Errorf("failures %+v, want the To Do lists with what to grant", res.Failures)
	}
	// A pass of contacts only has nothing to say about To Do.
	con, err := c.Run(t.Context(), pim.Options{Only: []pim.Class{pim.ClassContacts}})
	if err != nil || con.Failed != 0 || len(con.Failures) != 0 {
		t.Errorf("contacts pass: %+v %v", con, err)
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
