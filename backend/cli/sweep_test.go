package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSweepCommandsStartShowAndStop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--source", "imaps://mail.old.example", "--dest", "imaps://mail.new.example", "--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris")
	if out, _, code := run(t, db, "", "sweep", "status", "--project", "acme"); code != 0 || !strings.Contains(out, "no sweeps") {
		t.Fatalf("status before: exit %d: %s", code, out)
	}
	out, stderr, code := run(t, db, "", "sweep", "start", "--project", "acme")
	if code != 0 || !strings.HasPrefix(out, "sweeping until Sun 18:00") || !strings.Contains(out, "72 hours after the switch") {
		t.Fatalf("start: exit %d: %s%s", code, out, stderr)
	}
	if out, _, code = run(t, db, "", "sweep", "stop", "--project", "acme"); code != 0 || !strings.HasPrefix(out, "sweeps stopped") {
		t.Fatalf("stop: exit %d: %s", code, out)
	}
	if _, stderr, code = run(t, db, "", "sweep", "start", "--project", "acme", "--until", "soon"); code != ExitUsage || !strings.Contains(stderr, `until: "soon"`) {
		t.Fatalf("a bad end: exit %d: %s", code, stderr)
	}
}

func TestDayCommandShowsTheWindowAndWhatIsLeft(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--source", "imaps://mail.old.example", "--dest", "imaps://mail.new.example", "--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris")
	out, stderr, code := run(t, db, "", "day", "--project", "acme")
	for _, want := range []string{"switch window  Thu 14 May 18:00 – 20:00", "final pass     not started", "sweeps         no sweeps", "DNS record changes (customer), due Thu 14 May 18:00: todo"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("cutover day: exit %d, want %q in:\n%s%s", code, want, out, stderr)
		}
	}
}
