package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/internal/testsrv"
)

func TestPeopleDetectPreviewsImportsAndIsIdempotent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	createAcme(t, db)
	d := testsrv.NewDovecot(t, testsrv.DovecotOptions{DoveadmAPIKey: "Dk-7731",
		Users: []testsrv.User{{Name: "alice", Password: "a"}, {Name: "bob@acme.example", Password: "b"}}})

	// Not set up: exit 2 and what to run.
	_, stderr, code := run(t, db, "", "people", "detect", "--project", "acme", "--from", "doveadm")
	if code != ExitUsage || !strings.Contains(stderr, "cutover people directory set --project acme --from doveadm") {
		t.Fatalf("not set up: exit %d: %s", code, stderr)
	}
	// Plain http to another machine would send the key in clear.
	_, stderr, code = run(t, db, "Dk-7731\n", "people", "directory", "set", "--project", "acme", "--from", "doveadm", "--url", "http://mail.old.example:8080", "--token")
	if code != ExitUsage || !strings.Contains(stderr, "https://") {
		t.Fatalf("plain http: exit %d: %s", code, stderr)
	}
	out, stderr, code := run(t, db, "Dk-7731\n", "people", "directory", "set", "--project", "acme", "--from", "doveadm", "--url", d.DoveadmURL(), "--token")
	if code != 0 || out != "Dovecot users (doveadm) set up for acme (token sealed)\n" {
		t.Fatalf("set: exit %d: %q %s", code, out, stderr)
	}
	out, _, _ = run(t, db, "", "people", "directory", "show", "--project", "acme")
	if !strings.Contains(out, "doveadm  "+d.DoveadmURL()) || strings.Contains(out, "Dk-7731") {
		t.Fatalf("show:\n%s", out)
	}

	out, stderr, code = run(t, db, "", "people", "detect", "--project", "acme", "--from", "doveadm")
	if code != 0 || !strings.Contains(out, "users: 2 found, 0 errors, 0 warnings\n  preview, nothing stored: would add 2, update 0, leave 0 unchanged, skip 0\n") {
		t.Fatalf("preview: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = run(t, db, "", "people", "detect", "--project", "acme", "--from", "doveadm", "--import")
	if code != 0 || !strings.Contains(out, "imported: 2 added, 0 updated, 0 unchanged, 0 skipped") {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	out, _, code = run(t, db, "", "--json", "people", "detect", "--project", "acme", "--from", "doveadm", "--import")
	var rep struct {
		Users struct{ Added, Unchanged int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Users.Added != 0 || rep.Users.Unchanged != 2 {
		t.Fatalf("again: exit %d %v %s", code, err, out)
	}
	out, _, _ = run(t, db, "", "people", "users", "--project", "acme")
	if !strings.Contains(out, "alice@acme.example") || !strings.Contains(out, "bob@acme.example") {
		t.Fatalf("users:\n%s", out)
	}
}
