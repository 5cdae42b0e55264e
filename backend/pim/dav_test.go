package pim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cutover/backend/internal/testsrv"
	"cutover/backend/pim"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

func dial(t testing.TB, r *testsrv.Radicale, user string) *pim.DAV {
	t.Helper()
	d, err := pim.DialDAV(context.Background(), r.URL, pim.DAVOptions{User: user, Password: secrets.New(r.Password(user))})
	if err != nil {
		t.Fatalf("dial %s as %s: %v", r.URL, user, err)
	}
	return d
}

func openLedger(t testing.TB, path string) *store.PIMLedger {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.PIMLedger()
}

func fixtureFiles(t testing.TB) *pim.Files {
	t.Helper()
	var paths []string
	for _, n := range []string{"outlook-contacts.vcf", "apple-contacts.vcf", "contacts-v4.vcf", "outlook-calendar.ics", "google-calendar.ics", "apple-tasks.ics"} {
		paths = append(paths, filepath.Join("testdata", n))
	}
	f, err := pim.ReadFiles(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// loadSource imports the fixture files into a Radicale account: the source of the tests.
func loadSource(t testing.TB, r *testsrv.Radicale, src pim.Source) *pim.DAV {
	t.Helper()
	d := dial(t, r, "alice")
	c := &pim.Copier{Job: "import", Source: src, Dest: d, Ledger: openLedger(t, filepath.Join(t.TempDir(), "import.db"))}
	res, err := c.Run(context.Background(), pim.Options{})
	if err != nil || res.Failed > 0 {
		t.Fatalf("import: %v %+v", err, res.Failures)
	}
	return d
}

// counts lists the items of each collection of an account by name, and every item's
// text by UID.
func counts(t testing.TB, d *pim.DAV) (map[string]map[pim.Kind]int, map[string]string) {
	t.Helper()
	colls, err := d.Collections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, texts := map[string]map[pim.Kind]int{}, map[string]string{}
	for _, c := range colls {
		items, err := d.Items(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		n[c.Name] = map[pim.Kind]int{}
		for _, it := range items {
			n[c.Name][it.Kind]++
			if _, dup := texts[it.UID]; dup {
				t.Errorf("UID %s twice", it.UID)
			}
			texts[it.UID] = string(it.Data)
		}
	}
	return n, texts
}

func TestCopyBetweenRadicaleServersKeepsEveryItemByMeaning(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	src := loadSource(t, srcSrv, fixtureFiles(t))
	dst := dial(t, dstSrv, "alice")
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed > 0 {
		t.Fatalf("copy: %v %+v", err, res.Failures)
	}
	if res.Copied != 15 {
		t.Errorf("copied %d, want 15 (7 contacts, 5 events, 2 tasks, 1 journal)", res.Copied)
	}
	srcN, srcText := counts(t, src)
	dstN, dstText := counts(t, dst)
	if fmt.Sprint(srcN) != fmt.Sprint(dstN) {
		t.Errorf("per collection: source %v, destination %v", srcN, dstN)
	}
	for uid, want := range map[string][]string{
		"040000008200E00074C5B7101A82E00800000000LUNCH":                                          {`Lunch\, then budget review`, `Café "Zur Post"\, Hauptstraße 1`, "VALARM"},
		"040000008200E00074C5B7101A82E0080000000010B25AA1F27DDA01000000000000000010000000A1B2C3": {"RECURRENCE-ID", "EXDATE", "W. Europe Standard Time", "Team-Jour-fixe (verschoben)"},
		"040000008200E00074C5B7101A82E00800000000EASTER2026":                                     {"DTSTART;VALUE=DATE:20260406"},
		"5E1B7D44-2C1A-4B6E-8D0A-TASK-DONE":                                                      {"COMPLETED:20260128T171500Z", "Steuererklärung"},
		"5E1B7D44-2C1A-4B6E-8D0A-JOURNAL-1":                                                      {"VJOURNAL", `José\, Zoë\, Søren`},
		"7A1C4F2E-35B1-4C8F-9E2D-1A2B3C4D5E6F":                                                   {"Søren Østergaard", "PHOTO", "X-ABLabel"},
		"urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1":                                          {"Łukasz Żółć", "PHOTO", "Klienci"},
	} {
		text, ok := dstText[uid]
		if !ok {
			t.Errorf("%s missing at the destination", uid)
			continue
		}
		for _, w := range want {
			if !strings.Contains(strings.ToUpper(unfoldText(text)), strings.ToUpper(w)) {
				t.Errorf("%s lost %q at the destination:\n%s", uid, w, text)
			}
		}
		if srcText[uid] == "" {
			t.Errorf("%s missing at the source", uid)
		}
	}
	// The photo arrives whole: the same base64 at both ends.
	for uid, text := range srcText {
		if photo(text) != photo(dstText[uid]) {
			t.Errorf("%s: photo changed on the way", uid)
		}
	}
}

func unfoldText(s string) string {
	return strings.NewReplacer("\r\n ", "", "\r\n\t", "", "\n ", "").Replace(s)
}

func photo(text string) string {
	for _, l := range strings.Split(unfoldText(text), "\r\n") {
		if strings.HasPrefix(strings.ToUpper(l), "PHOTO") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimPrefix(strings.ReplaceAll(v, `\,`, ","), "data:image/jpeg;base64,")
		}
	}
	return ""
}

func TestRerunCopiesOnlyNewAndChangedItems(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	src := loadSource(t, srcSrv, fixtureFiles(t))
	dst := dial(t, dstSrv, "alice")
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	cutoff := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	pre, err := c.Run(t.Context(), pim.Options{Cutoff: cutoff})
	if err != nil || pre.Failed > 0 {
		t.Fatalf("pre pass: %v %+v", err, pre.Failures)
	}
	// 7 contacts, Jour-fixe, Easter, Q3, the completed task, the journal.
	if pre.Copied != 12 {
		t.Errorf("pre pass copied %d, want 12", pre.Copied)
	}
	// At the source, a contact changes and a new event appears.
	changed, _ := pim.ReadFiles(writeFile(t, "outlook-contacts.vcf", strings.Replace(readFile(t, "testdata/outlook-contacts.vcf"), "+34 91 000 00 00", "+34 91 111 11 11", 1)))
	added, _ := pim.ReadFiles(writeFile(t, "google-calendar.ics", strings.Replace(strings.Replace(readFile(t, "testdata/google-calendar.ics"), "0a1b2c3d4e5f@google.com", "new-one@google.com", 1), "Quartalsabschluss Q3", "Neu", 1)))
	loadSource(t, srcSrv, changed)
	loadSource(t, srcSrv, added)

	final, err := c.Run(t.Context(), pim.Options{})
	if err != nil || final.Failed > 0 {
		t.Fatalf("final pass: %v %+v", err, final.Failures)
	}
	// New: Lunch, Stand-up, the open task, "Neu"; changed: Zoë's card.
	if final.Copied != 4 || final.Updated != 1 || final.Matched != 0 {
		t.Errorf("final pass copied %d, updated %d, matched %d; want 4, 1, 0", final.Copied, final.Updated, final.Matched)
	}
	again, err := c.Run(t.Context(), pim.Options{})
	if err != nil || again.Copied+again.Updated+again.Matched != 0 {
		t.Errorf("third pass wrote %+v (%v), want nothing", again, err)
	}
	_, texts := counts(t, dst)
	if !strings.Contains(texts["b8e3c1f0-6a57-4c1e-9a55-zoe-nandu"], "+34 91 111 11 11") {
		t.Errorf("the changed card did not arrive: %s", texts["b8e3c1f0-6a57-4c1e-9a55-zoe-nandu"])
	}
}

func TestItemChangedAtTheDestinationIsReportedNotOverwritten(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	f, _ := pim.ReadFiles("testdata/apple-contacts.vcf")
	src := loadSource(t, srcSrv, f)
	dst := dial(t, dstSrv, "alice")
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	if _, err := c.Run(t.Context(), pim.Options{}); err != nil {
		t.Fatal(err)
	}
	// Someone edits Søren at the destination, then at the source.
	edit := func(d *pim.DAV, phone string) {
		colls, _ := d.Collections(t.Context())
		items, _ := d.Items(t.Context(), colls[0])
		for _, it := range items {
			if strings.Contains(it.Summary, "Søren") {
				it.Data = []byte(strings.Replace(string(it.Data), "+45 33 12 34 56", phone, 1))
				if _, _, err := d.Put(t.Context(), colls[0], it.Href, it, it.ETag, false); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	edit(dst, "+45 99 99 99 99")
	edit(src, "+45 11 11 11 11")
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || !strings.Contains(res.Failures[0].Reason, "changed at the destination") || res.Failures[0].Summary != "Søren Østergaard" {
		t.Fatalf("result %+v, want Søren reported as changed at the destination", res)
	}
}

func TestRefusalsAreReportedPerItemWithTheServersReason(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	src := loadSource(t, srcSrv, fixtureFiles(t))
	dst := dial(t, dstSrv, "alice")
	// At the destination, an item with Zoë's UID exists already under another name:
	// Radicale refuses a second resource with the same UID (409).
	zoe, _ := pim.ReadFiles(writeFile(t, "existing.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë (old)\r\nUID:b8e3c1f0-6a57-4c1e-9a55-zoe-nandu\r\nEND:VCARD\r\n"))
	colls, _ := src.Collections(t.Context())
	var outlook pim.Collection
	for _, c := range colls {
		if c.Name == "outlook-contacts" {
			outlook = c
		}
	}
	dc, err := dst.Ensure(t.Context(), outlook)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := zoe.Items(t.Context(), pim.Collection{Href: "file/existing"})
	if _, _, err := dst.Put(t.Context(), dc, dc.Href+"someone-elses-name.vcf", items[0], "", true); err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || res.Failures[0].Summary != "Zoë Ñandú" || !strings.Contains(res.Failures[0].Reason, "409") {
		t.Fatalf("failures %+v, want Zoë refused with Radicale's 409", res.Failures)
	}
	if res.Copied != 14 {
		t.Errorf("copied %d, want the other 14", res.Copied)
	}
}

// TestHelperPIMCopyProcess is the copying child of the kill tests.
func TestHelperPIMCopyProcess(t *testing.T) {
	if os.Getenv("PIM_CHILD") == "" {
		t.Skip("run by the kill tests")
	}
	pw := secrets.New(os.Getenv("PIM_PASSWORD"))
	src, err := pim.DialDAV(t.Context(), os.Getenv("PIM_SRC"), pim.DAVOptions{User: "alice", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := pim.DialDAV(t.Context(), os.Getenv("PIM_DST"), pim.DAVOptions{User: "alice", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	killN, _ := strconv.Atoi(os.Getenv("PIM_KILL_N"))
	seen := 0
	c := &pim.Copier{Job: "alice", Source: src, Dest: dst, Ledger: openLedger(t, os.Getenv("PIM_DB")), BatchSize: 5,
		Checkpoint: func(p pim.Checkpoint) {
			if string(p) == os.Getenv("PIM_KILL_AT") {
				if seen++; seen == killN {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
				}
			}
		}}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Failed > 0 {
		t.Fatalf("copy: %v %+v", err, res.Failures)
	}
	fmt.Printf("RESULT copied=%d matched=%d\n", res.Copied, res.Matched)
}

func TestKilledPassResumesWithoutDuplicates(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	src := loadSource(t, srcSrv, fixtureFiles(t))
	db := filepath.Join(t.TempDir(), "ledger.db")
	run := func(at pim.Checkpoint, n int) (killed bool, out string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPIMCopyProcess$", "-test.v")
		cmd.Env = append(os.Environ(), "PIM_CHILD=1", "PIM_SRC="+srcSrv.URL, "PIM_DST="+dstSrv.URL, "PIM_PASSWORD="+srcSrv.Password("alice"),
			"PIM_DB="+db, "PIM_KILL_AT="+string(at), "PIM_KILL_N="+strconv.Itoa(n))
		b, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				return true, string(b)
			}
		}
		if err != nil {
			t.Fatalf("copy process: %v\n%s", err, b)
		}
		return false, string(b)
	}
	// Killed between a PUT and its ledger entry (7 items in: 5 recorded, 2 not), then
	// right after a commit, then let finish.
	for _, k := range []struct {
		at pim.Checkpoint
		n  int
	}{{pim.CheckpointWritten, 7}, {pim.CheckpointRecorded, 1}, {pim.CheckpointWritten, 3}} {
		if killed, out := run(k.at, k.n); !killed {
			t.Fatalf("not killed at %s #%d:\n%s", k.at, k.n, out)
		}
	}
	if killed, out := run("", 0); killed || !strings.Contains(out, "RESULT") {
		t.Fatalf("last run: killed %v\n%s", killed, out)
	} else if !strings.Contains(out, "matched=") || strings.Contains(out, "matched=0\n") {
		t.Errorf("want the last run to find the unrecorded items at the destination: %s", out)
	}
	srcN, _ := counts(t, src)
	dstN, _ := counts(t, dial(t, dstSrv, "alice"))
	if fmt.Sprint(srcN) != fmt.Sprint(dstN) {
		t.Errorf("after the kills: source %v, destination %v", srcN, dstN)
	}
}

func readFile(t testing.TB, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t testing.TB, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnalyzeAndVerifyCountPerCollection(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	src := loadSource(t, srcSrv, fixtureFiles(t))
	c := &pim.Copier{Job: "alice", Source: src, Dest: dial(t, dstSrv, "alice"), Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	cutoff := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	stats, err := c.Analyze(t.Context(), pim.Options{Cutoff: cutoff})
	if err != nil {
		t.Fatal(err)
	}
	var total pim.Counts
	pre, todo := 0, 0
	for _, s := range stats {
		total.Contacts += s.Contacts
		total.Events += s.Events
		total.Tasks += s.Tasks
		total.Journals += s.Journals
		pre += s.Pre
		todo += s.Todo
	}
	if total != (pim.Counts{Contacts: 7, Events: 5, Tasks: 2, Journals: 1}) || pre != 12 || todo != 15 {
		t.Errorf("analysis: %+v pre %d todo %d", total, pre, todo)
	}
	if _, err := c.Run(t.Context(), pim.Options{Cutoff: cutoff}); err != nil {
		t.Fatal(err)
	}
	missing := func(opts pim.Options) (n int) {
		checks, err := c.Verify(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range checks {
			n += len(ch.Missing)
			if len(ch.Missing) == 0 && ch.SourceN != ch.DestN && opts.Cutoff.IsZero() {
				t.Errorf("%s: source %+v destination %+v", ch.Name, ch.SourceN, ch.DestN)
			}
		}
		return n
	}
	if n := missing(pim.Options{Cutoff: cutoff}); n != 0 {
		t.Errorf("after the pre pass, %d of its items missing", n)
	}
	if n := missing(pim.Options{}); n != 3 {
		t.Errorf("after the pre pass, %d items missing for the final pass, want 3 (Lunch, Stand-up, the open task)", n)
	}
	if n := missing(pim.Options{Only: []pim.Class{pim.ClassTasks}}); n != 1 {
		t.Errorf("tasks missing: %d, want 1", n)
	}
}
