package pim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

func TestGoogleImportKeepsUIDsSendsNothingAndResumesWithoutDuplicates(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	hc := oauth2.NewClient(nil, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token"}))
	dst := &pim.Google{CalendarBase: fake.CalendarBase, TasksBase: fake.TasksBase, HTTP: hc}
	f, err := pim.ReadFiles("testdata/outlook-calendar.ics", "testdata/google-calendar.ics", "testdata/apple-tasks.ics")
	if err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: f, Dest: dst, Ledger: openLedger(t, t.TempDir()+"/g.db")}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 7 || res.Failed != 1 || !strings.Contains(res.Failures[0].Reason, "no journals") {
		t.Errorf("copied %d, failures %+v; want 7 and the journal refused", res.Copied, res.Failures)
	}
	var attachNote bool
	for _, n := range res.Notes {
		attachNote = attachNote || (n.Summary == "Quartalsabschluss Q3" && strings.Contains(n.Reason, "inline attachments not copied"))
	}
	if !attachNote {
		t.Errorf("notes %+v: want the inline attachment Google cannot take named", res.Notes)
	}
	var series, moved map[string]any
	for _, e := range fake.Events() {
		if e["summary"] == "Team-Jour-fixe" {
			series = e
		}
		if e["summary"] == "Team-Jour-fixe (verschoben)" {
			moved = e
		}
	}
	if series == nil || moved == nil {
		t.Fatalf("series %v, exception %v", series, moved)
	}
	if series["start"].(map[string]any)["timeZone"] != "Europe/Berlin" || len(series["attendees"].([]any)) != 1 {
		t.Errorf("series %v: want the Windows zone as Europe/Berlin and the attendee kept (import sends nothing)", series)
	}
	rec := strings.Join(toStrings(series["recurrence"]), "\n")
	if !strings.Contains(rec, "RRULE:FREQ=WEEKLY;UNTIL=20260302T083000Z") || !strings.Contains(rec, "EXDATE;TZID=Europe/Berlin:20260126T093000") {
		t.Errorf("recurrence %q", rec)
	}
	if moved["recurringEventId"] != series["id"] || moved["iCalUID"] != series["iCalUID"] {
		t.Errorf("exception %v not tied to its series", moved)
	}
	// A rerun without the ledger imports the same UIDs again: updates, no duplicates.
	imports := fake.Imports
	fresh := &pim.Copier{Job: "alice", Source: f, Dest: &pim.Google{CalendarBase: fake.CalendarBase, TasksBase: fake.TasksBase, HTTP: hc}, Ledger: openLedger(t, t.TempDir()+"/lost.db")}
	if _, err := fresh.Run(t.Context(), pim.Options{}); err != nil {
		t.Fatal(err)
	}
	if fake.Imports == imports || len(fake.Events()) != 6 || len(fake.Tasks()) != 2 {
		t.Errorf("after a rerun without ledger: %d events (want 5 and 1 exception), %d tasks (want 2)", len(fake.Events()), len(fake.Tasks()))
	}
	if missing := missingAfter(t, c); missing != 1 {
		t.Errorf("verify: %d missing, want the journal only", missing)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func googleDest(fake *pimtest.Google) *pim.Google {
	return &pim.Google{CalendarBase: fake.CalendarBase, TasksBase: fake.TasksBase, PeopleBase: fake.PeopleBase, HTTP: bearer("test-token")}
}

// contactFiles are the vCard fixtures as four address books: Outlook's, Apple's, a
// vCard 4.0 one, and Google's own export saved as "Contacts" (a default book: no label).
func contactFiles(t *testing.T) *pim.Files {
	t.Helper()
	f, err := pim.ReadFiles("testdata/outlook-contacts.vcf", "testdata/apple-contacts.vcf", "testdata/contacts-v4.vcf",
		writeFile(t, "Contacts.vcf", readFile(t, "testdata/google-contacts.vcf")))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// personNamed is the contact whose name (family or unstructured) is name.
func personNamed(t *testing.T, fake *pimtest.Google, name string) map[string]any {
	t.Helper()
	for _, p := range fake.Persons() {
		for _, n := range p["names"].([]any) {
			n := n.(map[string]any)
			if n["familyName"] == name || n["unstructuredName"] == name {
				return p
			}
		}
	}
	t.Fatalf("no contact named %q among %v", name, fake.Persons())
	return nil
}

// field is the JSON of a person's field, for comparing with what the test expects.
func field(p map[string]any, name string) string {
	b, _ := json.Marshal(p[name])
	return string(b)
}

func labelsOf(fake *pimtest.Google, p map[string]any) []string {
	var out []string
	for name, members := range fake.Labels() {
		if slices.Contains(members, p["resourceName"].(string)) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestGoogleContactsLandWithTheirFieldsInALabelPerAddressBookAndARerunCopiesNothing(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	c := &pim.Copier{Job: "alice", Source: contactFiles(t), Dest: googleDest(fake), Ledger: openLedger(t, t.TempDir()+"/g.db")}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 9 || res.Failed != 0 || len(res.Notes) != 0 {
		t.Fatalf("copied %d, failures %+v, notes %+v; want 9 (the contact group a label) and nothing refused or left out", res.Copied, res.Failures, res.Notes)
	}

	for _, tc := range []struct {
		name   string
		fields map[string]string
		labels []string
	}{
		{"Díaz", map[string]string{
			"names":          `[{"familyName":"Díaz","givenName":"María"}]`,
			"nicknames":      `[{"value":"Mari"}]`,
			"emailAddresses": `[{"type":"work","value":"maria.diaz@example.es"},{"type":"home","value":"mari@example.com"}]`,
			"phoneNumbers":   `[{"type":"mobile","value":"+34 600 123 456"},{"type":"workFax","value":"+34 91 555 12 12"}]`,
			"addresses":      `[{"city":"Madrid","country":"España","postalCode":"28013","streetAddress":"Calle Mayor 7","type":"home"}]`,
			"organizations":  `[{"department":"Ventas","name":"Díaz \u0026 Hijos S.L.","title":"Gerente"}]`,
			"birthdays":      `[{"date":{"day":12,"month":6}}]`, // no year
			"urls":           `[{"value":"https://diaz.example.es"}]`,
			"biographies":    `[{"contentType":"TEXT_PLAIN","value":"Liebe Grüße aus Köln, bis bald"}]`,
			"imClients":      `[{"protocol":"skype","username":"maria.diaz"}]`, // X-SKYPE
		}, []string{"Kunden"}}, // the default book "Contacts" is no label; myContacts and starred are system groups
		{"Groß", map[string]string{
			"names":        `[{"familyName":"Groß","givenName":"Jürgen","honorificPrefix":"Prof."}]`,
			"phoneNumbers": `[{"type":"pager","value":"+49 89 99 99"}]`,
			"addresses":    `[{"city":"München","country":"Deutschland","extendedAddress":"Gebäude B","postalCode":"80802","region":"Bayern","streetAddress":"Leopoldstraße 1","type":"work"}]`,
			"birthdays":    `[{"date":{"day":3,"month":11,"year":1975}}]`,
		}, nil},
		{"Müller", map[string]string{
			"phoneNumbers": `[{"type":"work","value":"+49 30 1234567"},{"type":"mobile","value":"+49 171 7654321"}]`,
			"clientData":   `[{"key":"cutover-uid","value":"040000008200E00074C5B7101A82E00800000000D0F8E1A7C1B4D601000000000000000010000000"}]`,
		}, []string{"Suppliers", "VIP", "outlook-contacts"}},
		{"Østergaard", map[string]string{"birthdays": `[{"date":{"day":29,"month":2,"year":1984}}]`}, []string{"apple-contacts"}},
		{"Tanaka Hiroshi 田中 博", map[string]string{"names": `[{"unstructuredName":"Tanaka Hiroshi 田中 博"}]`}, []string{"apple-contacts"}},
		{"Żółć", map[string]string{"phoneNumbers": `[{"type":"mobile","value":"+48-600-000-000"}]`}, []string{"Klienci", "Polska", "Project Cutover team", "contacts-v4"}},
	} {
		p := personNamed(t, fake, tc.name)
		for f, want := range tc.fields {
			if got := field(p, f); got != want {
				t.Errorf("%s %s = %s, want %s", tc.name, f, got, want)
			}
		}
		if got := labelsOf(fake, p); fmt.Sprint(got) != fmt.Sprint(tc.labels) {
			t.Errorf("%s labels %v, want %v", tc.name, got, tc.labels)
		}
	}
	if !strings.Contains(field(personNamed(t, fake, "Díaz"), "memberships"), "contactGroups/starred") {
		t.Errorf("María is not starred (Google's export lists starred in CATEGORIES)")
	}
	for _, uid := range []string{"7A1C4F2E-35B1-4C8F-9E2D-1A2B3C4D5E6F", "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"} {
		if ph := fake.Photo(uid); len(ph) < 100 || ph[0] != 0xff {
			t.Errorf("photo of %s: %d bytes, want the JPEG", uid, len(ph))
		}
	}
	if fake.GroupCreates != 9 {
		t.Errorf("%d labels created, want 9, each once: %v", fake.GroupCreates, fake.Labels())
	}

	// verify compares per address book: a label's members, the whole list for "Contacts";
	// the contact group is its label.
	checks, err := c.Verify(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range checks {
		want := map[string]int{"outlook-contacts": 2, "apple-contacts": 2, "contacts-v4": 3, "Contacts": 8}[ch.Name]
		if ch.DestN.Contacts != want || len(ch.Missing) != 0 {
			t.Errorf("verify %s: %d at the destination (want %d), missing %+v", ch.Name, ch.DestN.Contacts, want, ch.Missing)
		}
	}

	writes := fake.PeopleWrites
	again, err := c.Run(t.Context(), pim.Options{})
	if err != nil || again.Copied+again.Updated+again.Matched != 0 || fake.PeopleWrites != writes || len(fake.Persons()) != 8 {
		t.Errorf("rerun: %+v %v, %d writes (want none), %d contacts", again, err, fake.PeopleWrites-writes, len(fake.Persons()))
	}
}

// crashingLedger loses every batch, as a process killed before its ledger commit does.
type crashingLedger struct{ pim.Ledger }

func (crashingLedger) Record(context.Context, []pim.Entry) error { return errors.New("killed") }

func TestGoogleContactCreatedButNotRecordedIsFoundByItsUIDNotDuplicated(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	l := openLedger(t, t.TempDir()+"/g.db")
	src := contactFiles(t)
	first := &pim.Copier{Job: "alice", Source: src, Dest: googleDest(fake), Ledger: crashingLedger{l}}
	if _, err := first.Run(t.Context(), pim.Options{}); err == nil || fake.Creates != 2 {
		t.Fatalf("first run: %v, %d created; want the 2 Outlook contacts created and the ledger write failed", err, fake.Creates)
	}
	// The next run (a new process: a new destination value) lists the contacts once and
	// finds the two by their clientData.
	next := &pim.Copier{Job: "alice", Source: src, Dest: googleDest(fake), Ledger: l}
	res, err := next.Run(t.Context(), pim.Options{})
	if err != nil || res.Matched != 2 || res.Copied != 7 {
		t.Fatalf("next run: %+v %v; want 2 matched, 6 copied", res, err)
	}
	if fake.Creates != 8 || len(fake.Persons()) != 8 {
		t.Errorf("%d creates, %d contacts: want 8, no duplicate", fake.Creates, len(fake.Persons()))
	}
	if got := labelsOf(fake, personNamed(t, fake, "Ñandú")); fmt.Sprint(got) != "[outlook-contacts]" {
		t.Errorf("Zoë's labels after the resumed run: %v", got)
	}
}

func TestGoogleContactChangedAtTheDestinationIsReportedNotOverwritten(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	l := openLedger(t, t.TempDir()+"/g.db")
	book := func(zoePhone, josePhone string, categories string) *pim.Files {
		text := strings.Replace(strings.Replace(readFile(t, "testdata/outlook-contacts.vcf"), "+34 91 000 00 00", zoePhone, 1), "+49 30 1234567", josePhone, 1)
		text = strings.Replace(text, "CATEGORIES:Suppliers,VIP", "CATEGORIES:"+categories, 1)
		f, err := pim.ReadFiles(writeFile(t, "outlook-contacts.vcf", text))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	c := &pim.Copier{Job: "alice", Source: book("+34 91 000 00 00", "+49 30 1234567", "Suppliers,VIP"), Dest: googleDest(fake), Ledger: l}
	if res, err := c.Run(t.Context(), pim.Options{}); err != nil || res.Copied != 2 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	// Zoë's number is corrected in Google Contacts; at the source both change, and José
	// gets a category more.
	fake.Edit("b8e3c1f0-6a57-4c1e-9a55-zoe-nandu", "phoneNumbers", []any{map[string]any{"value": "+34 91 222 22 22", "type": "home"}})
	c = &pim.Copier{Job: "alice", Source: book("+34 91 111 11 11", "+49 30 7654321", "Suppliers,VIP,Stammkunden"), Dest: googleDest(fake), Ledger: l}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Updated != 1 || res.Failed != 1 || res.Failures[0].Summary != "Zoë Ñandú" || !strings.Contains(res.Failures[0].Reason, "changed at the destination") {
		t.Fatalf("second run: %+v %v; want José updated and Zoë reported", res, err)
	}
	if got := field(personNamed(t, fake, "Ñandú"), "phoneNumbers"); !strings.Contains(got, "+34 91 222 22 22") {
		t.Errorf("Zoë's destination edit overwritten: %s", got)
	}
	if got := field(personNamed(t, fake, "Müller"), "phoneNumbers"); !strings.Contains(got, "+49 30 7654321") {
		t.Errorf("José not updated: %s", got)
	}
	if got := labelsOf(fake, personNamed(t, fake, "Müller")); fmt.Sprint(got) != "[Stammkunden Suppliers VIP outlook-contacts]" {
		t.Errorf("José's labels %v, want the new category's added", got)
	}
	// The ledger holds José's etag after his new label: the next change goes through.
	c = &pim.Copier{Job: "alice", Source: book("+34 91 111 11 11", "+49 30 1111111", "Suppliers,VIP,Stammkunden"), Dest: googleDest(fake), Ledger: l}
	if res, err := c.Run(t.Context(), pim.Options{}); err != nil || res.Updated != 1 || res.Failed != 1 {
		t.Errorf("third run: %+v %v; want José updated again (Zoë still reported)", res, err)
	}
	if fake.Creates != 2 {
		t.Errorf("%d creates, want 2", fake.Creates)
	}
}

func TestGoogleContactDeletedAtTheDestinationIsReportedNotMadeAgain(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	l := openLedger(t, t.TempDir()+"/g.db")
	book := func(phone string) *pim.Files {
		f, err := pim.ReadFiles(writeFile(t, "apple-contacts.vcf", strings.Replace(readFile(t, "testdata/apple-contacts.vcf"), "+45 33 12 34 56", phone, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if res, err := (&pim.Copier{Job: "alice", Source: book("+45 33 12 34 56"), Dest: googleDest(fake), Ledger: l}).Run(t.Context(), pim.Options{}); err != nil || res.Copied != 2 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	fake.Delete("7A1C4F2E-35B1-4C8F-9E2D-1A2B3C4D5E6F")
	res, err := (&pim.Copier{Job: "alice", Source: book("+45 33 99 99 99"), Dest: googleDest(fake), Ledger: l}).Run(t.Context(), pim.Options{})
	if err != nil || res.Failed != 1 || !strings.Contains(res.Failures[0].Reason, "changed at the destination") || len(fake.Persons()) != 1 {
		t.Errorf("after Søren was deleted in Google: %+v %v, %d contacts", res, err, len(fake.Persons()))
	}
}

func TestGooglePeopleThrottlingIsWaitedOutAndARefusedPhotoIsNoted(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	fake.Throttle, fake.RefusePhotos = 2, true
	dst := googleDest(fake)
	var waits []time.Duration
	dst.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	f, err := pim.ReadFiles("testdata/apple-contacts.vcf")
	if err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: f, Dest: dst, Ledger: openLedger(t, t.TempDir()+"/g.db")}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Copied != 2 || fake.Creates != 2 {
		t.Fatalf("run: %+v %v, %d creates", res, err, fake.Creates)
	}
	if fmt.Sprint(waits) != "[7s 7s]" {
		t.Errorf("waits %v, want Google's Retry-After twice", waits)
	}
	if len(res.Notes) != 1 || res.Notes[0].Summary != "Søren Østergaard" || !strings.Contains(res.Notes[0].Reason, "photo refused") {
		t.Errorf("notes %+v, want Søren copied without his photo, noted", res.Notes)
	}
}

func TestGooglePeopleRefusedSaysWhichScopeAndDelegation(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	fake.Scoped = func(string) bool { return false }
	f, err := pim.ReadFiles("testdata/apple-contacts.vcf")
	if err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: f, Dest: googleDest(fake), Ledger: openLedger(t, t.TempDir()+"/g.db")}
	_, err = c.Run(t.Context(), pim.Options{})
	if err == nil || !strings.Contains(err.Error(), "https://www.googleapis.com/auth/contacts") || !strings.Contains(err.Error(), "delegation") {
		t.Errorf("run without the contacts scope: %v", err)
	}
}
