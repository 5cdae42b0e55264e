package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func createAcme(t *testing.T, db string) {
	t.Helper()
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "m365",
		"--source", "imaps://mail.old.example", "--dest", "imaps://outlook.office365.com", "--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("create: exit %d: %s", code, stderr)
	}
}

func TestImportCommandExitCodesAndMessages(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	createAcme(t, db)
	file := filepath.Join(dir, "staff.csv")
	os.WriteFile(file, []byte("Email address;Source password;Badge\r\nalice@acme.example;Pw-Alice-9;1\r\nbob@acme;;2\r\ncarol@acme.example;;3\r\n"), 0o600)

	out, stderr, code := run(t, db, "", "import", "users", file, "--project", "acme")
	if code != ExitUsage {
		t.Fatalf("exit %d, want 2: %s %s", code, out, stderr)
	}
	wantOut := "staff.csv (UTF-8, separated by ;): Cutover users template, users (header on row 1)\n" +
		"  row 1, column C (Badge): warning: unknown column, ignored: \"Badge\"; expected a column of the Cutover users template\n" +
		"  row 3, column A (Email address): invalid address: \"bob@acme\"; expected an email address such as alice@example.com\n" +
		"1 error, 1 warning\nnothing imported\n"
	if out != wantOut || stderr != "cutover: 1 error in staff.csv: nothing imported (fix them, or import the valid rows with --skip-invalid)\n" {
		t.Fatalf("output:\n%s\nstderr: %s", out, stderr)
	}
	out, _, code = run(t, db, "", "import", "users", file, "--project", "acme", "--skip-invalid")
	if code != ExitPartial || !strings.Contains(out, "imported: 2 added, 0 updated, 0 unchanged, 1 skipped\n") {
		t.Fatalf("skip-invalid: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "Pw-Alice-9") {
		t.Fatal("a password was printed")
	}
	out, _, code = run(t, db, "", "--json", "import", "users", file, "--project", "acme", "--skip-invalid", "--dry-run")
	var rep struct {
		Layout                    string
		Added, Unchanged, Skipped int
		Imported, DryRun          bool
		Problems                  []struct {
			Row             int
			Column, Message string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitPartial {
		t.Fatalf("json: exit %d %v\n%s", code, err, out)
	}
	if rep.Layout != "cutover" || rep.Unchanged != 2 || rep.Skipped != 1 || rep.Imported || !rep.DryRun || len(rep.Problems) != 2 || rep.Problems[1].Row != 3 {
		t.Fatalf("json report: %+v", rep)
	}

	// Missing file, unknown kind, bad export format: bad usage, named.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "users", filepath.Join(dir, "nope.csv"), "--project", "acme"}, "nope.csv"},
		{[]string{"import", "printers", file, "--project", "acme"}, `kind: "printers": expected users, groups or contacts`},
		{[]string{"export", "users", "--project", "acme", "--format", "pdf", "--out", filepath.Join(dir, "x")}, `format: "pdf": expected xlsx, csv`},
		{[]string{"template", "users", "--out", filepath.Join(dir, "t.pdf")}, "expected a file name ending in .xlsx or .csv"},
		{[]string{"import", "users", file}, "--project"},
	} {
		_, stderr, code := run(t, db, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestTemplateImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	createAcme(t, db)
	tmpl := filepath.Join(dir, "users.xlsx")
	if _, stderr, code := run(t, db, "", "template", "users", "--project", "acme", "--out", tmpl); code != 0 {
		t.Fatalf("template: %d %s", code, stderr)
	}
	out, stderr, code := run(t, db, "", "import", "users", tmpl, "--project", "acme")
	if code != 0 || !strings.Contains(out, "imported: 1 added") {
		t.Fatalf("import the template: %d %s %s", code, out, stderr)
	}
	out, _, _ = run(t, db, "", "batch", "list", "--project", "acme")
	if !strings.Contains(out, "alice") || !strings.Contains(out, "alice@acme.example") {
		t.Fatalf("batch from the template's example row:\n%s", out)
	}
	m365 := filepath.Join(dir, "m365.csv")
	if _, stderr, code := run(t, db, "", "export", "provisioning", "--project", "acme", "--format", "m365", "--out", m365); code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	b, _ := os.ReadFile(m365)
	if string(b) != "User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,Mobile Phone,Fax,Alternate email address,Address,City,State or Province,ZIP or Postal Code,Country or Region\r\n"+
		"alice@acme.example,Alice,Martin,Alice Martin,Accountant,Finance,,0123456789,,,,,,,,\r\n" {
		t.Fatalf("m365 export:\n%q", b)
	}
	// The M365 file imports back as the bulk-add layout, unchanged.
	out, _, code = run(t, db, "", "import", "users", m365, "--project", "acme")
	if code != 0 || !strings.Contains(out, "Microsoft 365 admin center bulk-add CSV") || !strings.Contains(out, "0 added, 0 updated, 1 unchanged") {
		t.Fatalf("re-import m365: %d\n%s", code, out)
	}
	st, _ := os.Stat(m365)
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode())
	}
	withPw := filepath.Join(dir, "sync.txt")
	run(t, db, "", "export", "provisioning", "--project", "acme", "--format", "imapsync", "--out", withPw, "--include-passwords")
	if st, _ := os.Stat(withPw); st.Mode().Perm() != 0o600 {
		t.Fatalf("a file with passwords is readable by others: %v", st.Mode())
	}
}
