package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/api"
	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

func TestMigrateShowsEachMailboxsContactsCalendarsAndTasksAsTheyAreCopied(t *testing.T) {
	users := map[string]string{"jose": "jose-secret", "ana": "ana-secret"}
	src, err := pimtest.Start(users)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := pimtest.Start(users)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for i := range 3 {
		src.Put("jose", "contacts", fmt.Sprintf("c%d.vcf", i), false, "Contacts", []byte(fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c%d\r\nFN:Person %d\r\nEND:VCARD\r\n", i, i)))
	}
	for _, it := range []struct{ comp, uid, extra string }{{"VEVENT", "e1", "DTSTART:20260105T100000Z"}, {"VEVENT", "e2", "DTSTART:20260106T100000Z"}, {"VTODO", "t1", "STATUS:NEEDS-ACTION"}} {
		src.Put("jose", "work", it.uid+".ics", true, "Work", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:"+it.comp+"\r\nUID:"+it.uid+
			"\r\nDTSTAMP:20260101T000000Z\r\n"+it.extra+"\r\nSUMMARY:"+it.uid+"\r\nEND:"+it.comp+"\r\nEND:VCALENDAR\r\n"))
	}
	src.Put("ana", "contacts", "c.vcf", false, "Contacts", []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-c\r\nFN:Ana\r\nEND:VCARD\r\n"))
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("project create: %s", stderr)
	}
	for u, pw := range users {
		t.Setenv("CUTOVER_SOURCE_PASSWORD", pw)
		t.Setenv("CUTOVER_DEST_PASSWORD", pw)
		if _, stderr, code := run(t, db, "", "batch", "set", "--project", "acme", "--source", u, "--dest", u); code != 0 {
			t.Fatalf("batch set %s: %s", u, stderr)
		}
	}
	if _, stderr, code := run(t, db, "", "pim", "set", "--project", "acme", "--source-url", src.URL, "--dest-url", dst.URL); code != 0 {
		t.Fatalf("pim set: %s", stderr)
	}

	// --json: a "pim-progress" line per report, in the shape of mail's "progress" lines,
	// each mailbox's numbers never going back and ending with everything done.
	out, stderr, code := run(t, db, "", "--json", "migrate", "--project", "acme", "--pass", "final")
	if code != 0 {
		t.Fatalf("migrate --json: exit %d: %s", code, stderr)
	}
	last := map[string]pimProgressLine{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, l := range lines {
		var ev struct{ Event string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, l)
		}
		if ev.Event != "pim-progress" {
			continue
		}
		var p pimProgressLine
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatal(err)
		}
		if prev, ok := last[p.SourceLogin]; ok && p.done() < prev.done() {
			t.Errorf("%s went back: %s", p.SourceLogin, l)
		}
		last[p.SourceLogin] = p
	}
	if !strings.HasPrefix(lines[len(lines)-1], `{"event":"result"`) {
		t.Errorf("the last line is not the result: %s", lines[len(lines)-1])
	}
	jose, ana := last["jose"], last["ana"]
	if fmt.Sprint(jose.Classes) != "[{contacts 3 3 0} {calendars 2 2 0} {tasks 1 1 0}]" || !jose.Counted || jose.Reached != 2 || jose.Collections != 2 || jose.Name != "Work" || jose.Pass != "final" {
		t.Errorf("jose's last progress: %+v", jose)
	}
	if fmt.Sprint(ana.Classes) != "[{contacts 1 1 0}]" || !ana.Counted {
		t.Errorf("ana's last progress: %+v", ana)
	}

	// On a terminal: one line per mailbox that stays once it is done; run again, the
	// items already there count as done.
	_, stderr, code = run(t, db, "", "migrate", "--project", "acme", "--pass", "final")
	if code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	var shown []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts := strings.Split(l, "\r") // the line as it was left on the terminal
			shown = append(shown, strings.TrimSuffix(parts[len(parts)-1], "\033[K"))
		}
	}
	want := []string{
		`ana: contacts 1/1  (collection 1 of 1 "Contacts")`,
		`jose: contacts 3/3  calendars 2/2  tasks 1/1  (collection 2 of 2 "Work")`,
	}
	if strings.Contains(shown[0], "jose") {
		want[0], want[1] = want[1], want[0]
	}
	if fmt.Sprint(shown) != fmt.Sprint(want) {
		t.Errorf("the terminal shows\n%q\nwant\n%q", shown, want)
	}
}

// pimProgressLine is a "pim-progress" line of --json.
type pimProgressLine struct {
	SourceLogin, Pass, Name string
	Classes                 []struct {
		Class               string
		Done, Total, Failed int
	}
	Reached, Collections int
	Counted              bool
}

func (p pimProgressLine) done() (n int) {
	for _, c := range p.Classes {
		n += c.Done
	}
	return n
}

func TestAPIMProgressLineSaysWhichTotalsAreSoFar(t *testing.T) {
	for _, c := range []struct {
		p    pim.Progress
		want string
	}{
		{pim.Progress{Collections: 3}, "alice: reading"},
		{pim.Progress{Collections: 0, Counted: true}, "alice: nothing to copy"},
		{pim.Progress{Collection: "/alice/cal/", Reached: 2, Collections: 3, Classes: []pim.ClassProgress{{Class: pim.ClassContacts, Done: 2, Total: 2}, {Class: pim.ClassCalendars, Done: 1, Total: 3, Failed: 1}}},
			`alice: contacts 2/2  calendars 1/3 so far  (collection 2 of 3 "/alice/cal/")  1 refused`},
		{pim.Progress{Name: "Tasks", Reached: 3, Collections: 3, Counted: true, Classes: []pim.ClassProgress{{Class: pim.ClassTasks, Done: 0, Total: 4}}},
			`alice: tasks 0/4  (collection 3 of 3 "Tasks")`},
	} {
		if got := pimLine(api.PIMProgress{SourceLogin: "alice", Progress: c.p}); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.p, got, c.want)
		}
	}
}
