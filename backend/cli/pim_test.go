package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/pim"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// fillDAV imports exported files into a Radicale account, the source of a test.
func fillDAV(t *testing.T, r *testsrv.Radicale, files ...string) {
	t.Helper()
	f, err := pim.ReadFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	d, err := pim.DialDAV(t.Context(), r.URL, pim.DAVOptions{User: "alice", Password: secrets.New(r.Password("alice"))})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "fill.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &pim.Copier{Job: "fill", Source: f, Dest: d, Ledger: st.PIMLedger()}
	if res, err := c.Run(t.Context(), pim.Options{}); err != nil || res.Failed > 0 {
		t.Fatalf("fill: %v %+v", err, res.Failures)
	}
}

func TestMigrateVerifyAnalyzeCoverContactsCalendarsAndTasks(t *testing.T) {
	src, dst := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	fixtures := filepath.Join("..", "pim", "testdata")
	fillDAV(t, src, filepath.Join(fixtures, "outlook-contacts.vcf"), filepath.Join(fixtures, "outlook-calendar.ics"), filepath.Join(fixtures, "apple-tasks.ics"))
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("project create: %s", stderr)
	}
	t.Setenv("CUTOVER_SOURCE_PASSWORD", "alice-secret")
	t.Setenv("CUTOVER_DEST_PASSWORD", "alice-secret")
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice")
	if _, stderr, code := run(t, db, "", "pim", "set", "--project", "acme", "--source-url", src.URL, "--dest-url", dst.URL); code != 0 {
		t.Fatalf("pim set: %s", stderr)
	}
	out, stderr, code := run(t, db, "", "analyze", "--project", "acme")
	if code != 0 || !strings.Contains(out, "outlook-calendar") || !strings.Contains(out, "apple-tasks") {
		t.Fatalf("analyze: exit %d: %s %s", code, out, stderr)
	}
	// Pre pass: the project has no IMAP servers, so only contacts, calendars and tasks.
	out, stderr, code = run(t, db, "", "migrate", "--project", "acme", "--pass", "pre", "--older-than", "30d")
	if code != 0 || !strings.Contains(out, "6 contacts, events and tasks copied") {
		t.Fatalf("pre pass: exit %d: %s %s", code, out, stderr)
	}
	// The open task and the December lunch are left for the final pass.
	out, _, code = run(t, db, "", "verify", "--project", "acme")
	if code != ExitPartial || !strings.Contains(out, "INCOMPLETE (2 missing)") || !strings.Contains(out, "Lunch, then budget review") {
		t.Fatalf("verify after the pre pass: exit %d: %s", code, out)
	}
	out, stderr, code = run(t, db, "", "migrate", "--project", "acme", "--pass", "final", "--only", "calendars")
	if code != 0 || !strings.Contains(out, "1 contacts, events and tasks copied") || !strings.Contains(stderr, `alice: calendars 4/4  (collection 3 of 3 "apple-tasks")`) {
		t.Fatalf("final pass of calendars: exit %d: %s %s", code, out, stderr)
	}
	if _, _, code = run(t, db, "", "migrate", "--project", "acme", "--pass", "final"); code != 0 {
		t.Fatalf("final pass: exit %d", code)
	}
	if out, _, code = run(t, db, "", "verify", "--project", "acme"); code != 0 || !strings.Contains(out, "complete") {
		t.Fatalf("verify after the final pass: exit %d: %s", code, out)
	}
	// Files for a host without DAV, into the same mailbox.
	out, stderr, code = run(t, db, "", "pim", "import", "--project", "acme", "--mailbox", "alice", "--file", filepath.Join(fixtures, "contacts-v4.vcf"))
	if code != 0 || !strings.Contains(out, "3 copied") {
		t.Fatalf("pim import: exit %d: %s %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "alice: contacts 3/3") { // the import's progress, like a pass's
		t.Errorf("pim import showed no progress: %q", stderr)
	}
	out, _, _ = run(t, db, "", "pim", "copied", "--project", "acme")
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "alice 5 3 2 1") {
		t.Errorf("pim copied: %s", out)
	}
	// A bad file names itself and the line; exit 2.
	_, stderr, code = run(t, db, "", "pim", "import", "--project", "acme", "--mailbox", "alice", "--file", filepath.Join(fixtures, "..", "pim.go"))
	if code != 2 || !strings.Contains(stderr, "pim.go") {
		t.Errorf("bad file: exit %d: %s", code, stderr)
	}
	if _, stderr, code = run(t, db, "", "migrate", "--project", "acme", "--pass", "final", "--only", "mail,faxes"); code != 2 || !strings.Contains(stderr, "faxes") {
		t.Errorf("--only faxes: exit %d: %s", code, stderr)
	}
}

func TestPimSetChoosesEachSidesKindAndShowSaysWhichApplies(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "m365",
		"--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("project create: %s", stderr)
	}
	if _, stderr, code := run(t, db, "", "pim", "set", "--project", "acme", "--source-url", "https://old.example:2080/"); code != 0 {
		t.Fatalf("pim set: %s", stderr)
	}
	// Microsoft 365 project without a destination URL: Graph.
	if out, _, _ := run(t, db, "", "pim", "show", "--project", "acme"); !strings.Contains(out, "source: dav https://old.example:2080/") || !strings.Contains(out, "destination: graph (the service's own address)") {
		t.Errorf("pim show: %s", out)
	}
	if _, stderr, code := run(t, db, "", "pim", "set", "--project", "acme", "--source-kind", "google", "--dest-kind", "dav", "--dest-url", "https://dav.new.example/"); code != 0 {
		t.Fatalf("pim set google → dav: %s", stderr)
	}
	if out, _, _ := run(t, db, "", "pim", "show", "--project", "acme"); !strings.Contains(out, "source: google (the service's own address)") || !strings.Contains(out, "destination: dav https://dav.new.example/") {
		t.Errorf("pim show: %s", out)
	}
	if _, stderr, code := run(t, db, "", "pim", "set", "--project", "acme", "--source-kind", "exchange"); code != 2 || !strings.Contains(stderr, "dav, graph or google") {
		t.Errorf("--source-kind exchange: exit %d: %s", code, stderr)
	}
}
