package pim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/fault"
)

func TestFilesSplitIntoOneItemPerCardAndPerUID(t *testing.T) {
	f, err := ReadFiles(fixtures(t)...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[Kind]int{
		"file/outlook-contacts": {KindContact: 2},
		"file/apple-contacts":   {KindContact: 2},
		"file/contacts-v4":      {KindContact: 3},
		// the weekly meeting and its moved instance are one item
		"file/outlook-calendar": {KindEvent: 3},
		"file/google-calendar":  {KindEvent: 2},
		"file/apple-tasks":      {KindTask: 2, KindJournal: 1},
	}
	colls, _ := f.Collections(t.Context())
	if len(colls) != len(want) {
		t.Fatalf("collections %v", colls)
	}
	for _, c := range colls {
		items, _ := f.Items(t.Context(), c)
		got := countKinds(items)
		for k, n := range want[c.Href] {
			if got[k] != n {
				t.Errorf("%s: %d %s, want %d", c.Href, got[k], k, n)
			}
		}
		for _, it := range items {
			if it.UID == "" || it.ETag == "" || !strings.Contains(string(it.Data), "\r\n") {
				t.Errorf("%s: item %+v incomplete", c.Href, it.Href)
			}
			if strings.Contains(string(it.Data), "METHOD:") {
				t.Errorf("%s kept METHOD, which CalDAV refuses in a stored object", it.Href)
			}
		}
	}
}

func TestRecurringEventKeepsOverrideAndTimeZone(t *testing.T) {
	f, err := ReadFiles("testdata/outlook-calendar.ics")
	if err != nil {
		t.Fatal(err)
	}
	items, _ := f.Items(t.Context(), Collection{Href: "file/outlook-calendar"})
	text := string(items[0].Data)
	for _, want := range []string{"RECURRENCE-ID", "EXDATE", "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time", "BEGIN:VALARM"} {
		if !strings.Contains(text, want) {
			t.Errorf("the recurring event lost %s:\n%s", want, text)
		}
	}
	if strings.Count(text, "BEGIN:VEVENT") != 2 {
		t.Errorf("want master and override in one object:\n%s", text)
	}
	if !strings.Contains(string(items[2].Data), `SUMMARY:Lunch\, then budget review`) {
		t.Errorf("unescaped comma not escaped:\n%s", items[2].Data)
	}
}

func TestPrePassTakesWhatEndedBeforeTheCutoff(t *testing.T) {
	f, err := ReadFiles(fixtures(t)...)
	if err != nil {
		t.Fatal(err)
	}
	cutoff := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	pre := map[string]bool{}
	colls, _ := f.Collections(t.Context())
	for _, c := range colls {
		items, _ := f.Items(t.Context(), c)
		for _, it := range items {
			pre[it.Summary] = it.InPrePass(cutoff)
		}
	}
	for summary, want := range map[string]bool{
		"Dr. José Müller":             true,  // contacts always
		"Team-Jour-fixe":              true,  // weekly until March 2026
		"Ostermontag":                 true,  // all-day, April 2026
		"Lunch, then budget review":   false, // December 2026
		"Stand-up":                    false, // daily without end
		"Quartalsabschluss Q3":        true,
		"Steuererklärung abgeben":     true,  // completed in January
		"Domain umziehen, DNS prüfen": false, // open task
		"Notizen zum Kick-off":        true,
	} {
		if got, ok := pre[summary]; !ok || got != want {
			t.Errorf("%q in the pre pass: %v (found %v), want %v", summary, got, ok, want)
		}
	}
}

func TestBadFilesNameFileLineAndWhatToDo(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, text, want string }{
		{"cut.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\n", "line 1: the last card has no END:VCARD"},
		{"junk.vcf", "hello\r\n", "line 1: text outside BEGIN:VCARD"},
		{"nouid.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "line 3: VEVENT without UID"},
		{"notes.txt", "x", "not a .vcf or .ics file"},
	} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, []byte(c.text), 0o644)
		_, err := ReadFiles(p)
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: %v, want a FileError with %q", c.name, err, c.want)
			continue
		}
		if env := fault.Classify(err); env.Kind != fault.KindInput || env.Fields[0].Row == 0 {
			t.Errorf("%s: envelope %+v, want input with the line", c.name, env)
		}
	}
}

func fixtures(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, n := range []string{"outlook-contacts.vcf", "apple-contacts.vcf", "contacts-v4.vcf", "outlook-calendar.ics", "google-calendar.ics", "apple-tasks.ics"} {
		out = append(out, filepath.Join("testdata", n))
	}
	return out
}

// FuzzSplitFiles: any exported file is split into items or refused with a FileError
// naming a line inside it; it never panics, nor does reading a contact for an API
// destination.
func FuzzSplitFiles(f *testing.F) {
	for _, p := range fixtures(f) {
		b, _ := os.ReadFile(p)
		f.Add(b, strings.HasSuffix(p, ".ics"))
	}
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nDTSTART;TZID=Nowhere/Zone:20260101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, ics bool) {
		split := splitVCards
		if ics {
			split = splitICalendar
		}
		items, err := split("in.file", data)
		var fe *FileError
		if err != nil && (!errors.As(err, &fe) || fe.Line < 1) {
			t.Fatalf("error without a line: %v", err)
		}
		for _, it := range items {
			if it.UID == "" || len(it.Data) == 0 {
				t.Fatalf("item without UID or data: %+v", it)
			}
			_ = it.InPrePass(time.Now())
			if it.Kind == KindContact {
				_ = isGroup(it)
				if c, err := ParseContact(it); err == nil {
					googlePersonBody(c)
				}
			}
		}
	})
}

func TestCardsSharingAUIDInOneFileStayTwo(t *testing.T) {
	text := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:same\r\nFN:Anna\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:same\r\nFN:Anna (copy)\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:same\r\nFN:Anna\r\nEND:VCARD\r\n"
	items, err := splitVCards("x.vcf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].UID == items[1].UID || items[0].Href == items[1].Href || !strings.Contains(string(items[1].Data), "UID:"+items[1].UID) {
		t.Fatalf("items %+v: want Anna and her copy under two UIDs, the exact duplicate once", items)
	}
}

func TestTwoVersionsOfAnEventInOneFileKeepTheNewer(t *testing.T) {
	ev := func(seq int, summary string) string {
		return fmt.Sprintf("BEGIN:VEVENT\r\nUID:v1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nSEQUENCE:%d\r\nSUMMARY:%s\r\nEND:VEVENT\r\n", seq, summary)
	}
	text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + ev(2, "Newer") + ev(1, "Older") +
		"BEGIN:VEVENT\r\nUID:v1\r\nRECURRENCE-ID:20260112T100000Z\r\nDTSTART:20260113T100000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	items, err := splitICalendar("x.ics", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Summary != "Newer" || strings.Count(string(items[0].Data), "BEGIN:VEVENT") != 2 {
		t.Fatalf("items %+v", items)
	}
}
