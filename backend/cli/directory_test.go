package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/auth/authtest"
	"cutover/backend/directory/directorytest"
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

func TestPeopleCreateDryRunApplyAndScript(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	createAcme(t, db)
	idp := authtest.New(t, authtest.Options{})
	idp.AddApp("dest-app", "dest-secret", "acme.example")
	graph := directorytest.NewGraph(t)
	graph.Domains = []string{"acme.example"}
	graph.Authorize = func(tok string) bool { return idp.Active(tok) }
	if _, stderr, code := run(t, db, "dest-secret\n", "signin", "set", "--project", "acme", "--side", "dest", "--method", "microsoft-app",
		"--client-id", "dest-app", "--client-secret", "--idp-url", idp.URL); code != 0 {
		t.Fatalf("signin set: %s", stderr)
	}
	if _, stderr, code := run(t, db, "", "people", "directory", "set", "--project", "acme", "--side", "dest", "--from", "graph", "--url", graph.URL); code != 0 {
		t.Fatalf("directory set: %s", stderr)
	}
	csv := filepath.Join(dir, "u.csv")
	os.WriteFile(csv, []byte("Email address,Display name,New password,Aliases\r\nnina@acme.example,Nina Blanc,Nina-Init-42,n.blanc@acme.example\r\n"), 0o600)
	if _, stderr, code := run(t, db, "", "import", "users", csv, "--project", "acme"); code != 0 {
		t.Fatal(stderr)
	}
	if out, _, _ := run(t, db, "", "people", "users", "--project", "acme"); !strings.Contains(out, "n.blanc@acme.example") {
		t.Fatalf("the users list lacks nina's alias:\n%s", out)
	}
	gcsv := filepath.Join(dir, "g.csv")
	os.WriteFile(gcsv, []byte("Group name,Group address,Members\r\nAll,all@acme.example,nina@acme.example\r\n"), 0o600)
	if _, stderr, code := run(t, db, "", "import", "groups", gcsv, "--project", "acme"); code != 0 {
		t.Fatal(stderr)
	}

	out, stderr, code := run(t, db, "", "people", "create", "--project", "acme", "--sku", "O365_BUSINESS_PREMIUM", "--usage-location", "FR")
	if code != 0 || !strings.Contains(out, "dry run, nothing created: 1 create, 1 script\n") || !strings.Contains(out, "O365_BUSINESS_PREMIUM (2 of 5 free)") ||
		!strings.Contains(out, "the Exchange script adds n.blanc@acme.example") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = run(t, db, "", "people", "create", "--project", "acme", "--sku", "O365_BUSINESS_PREMIUM", "--usage-location", "FR", "--apply")
	if code != 0 || !strings.Contains(out, "applied: 1 created, 1 script\n") || strings.Contains(out, "Nina-Init-42") {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	out, _, _ = run(t, db, "", "people", "create", "--project", "acme", "--sku", "O365_BUSINESS_PREMIUM", "--usage-location", "FR", "--apply")
	if !strings.Contains(out, "applied: 1 exists, 1 script\n") || graph.Count("POST", "/v1.0/users") != 1 {
		t.Fatalf("again:\n%s", out)
	}
	// A licence the tenant does not have: exit 2 with the ones it has.
	_, stderr, code = run(t, db, "", "people", "create", "--project", "acme", "--sku", "SPE_E5")
	if code != ExitUsage || !strings.Contains(stderr, "O365_BUSINESS_PREMIUM, EXCHANGESTANDARD") {
		t.Fatalf("unknown sku: exit %d %s", code, stderr)
	}
	out, _, code = run(t, db, "", "people", "create", "script", "--project", "acme", "--out", "-")
	if code != 0 || !strings.Contains(out, "New-DistributionGroup -Name 'All'") || !strings.Contains(out, "\r\n") ||
		!strings.Contains(out, "@{Add='smtp:n.blanc@acme.example'}") {
		t.Fatalf("script: exit %d\n%s", code, out)
	}
}
