package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/internal/testsrv"
)

func TestCopyCommandStreamsJSONLinesResumesAndReportsRefusals(t *testing.T) {
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source"})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Separator: "/", MaxMailSize: 30000})
	if err := src.Fill("alice", 60); err != nil { // a few of them are over 30 kB
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "c.db")
	from := fmt.Sprintf("imap+plain://alice@127.0.0.1:%d", src.Port)
	to := fmt.Sprintf("imap+plain://alice@127.0.0.1:%d", dst.Port)
	t.Setenv("CUTOVER_FROM_PASSWORD", "alice-secret")
	t.Setenv("CUTOVER_TO_PASSWORD", "alice-secret")

	out, stderr, code := run(t, db, "", "--json", "copy", "--from", from, "--to", to)
	if code != ExitPartial {
		t.Fatalf("copy with refused messages: exit %d, want %d: %s", code, ExitPartial, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Event  string
		Result struct {
			Copied, Failed int
			Failures       []struct {
				Folder  string
				UID     uint32
				Subject string
				Reason  string
			}
		}
	}
	progress := 0
	for i, l := range lines {
		var ev struct{ Event string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, l)
		}
		if ev.Event == "progress" {
			progress++
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Event != "result" {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if progress == 0 {
		t.Errorf("no progress lines before the result")
	}
	if last.Result.Failed == 0 || last.Result.Copied+last.Result.Failed != 60 {
		t.Fatalf("copied %d, refused %d; want 60 in all with some refused\nresult: %s\nstderr: %s", last.Result.Copied, last.Result.Failed, lines[len(lines)-1], stderr)
	}
	f := last.Result.Failures[0]
	if f.Folder == "" || f.UID == 0 || !strings.HasPrefix(f.Subject, "Sample message") || !strings.Contains(f.Reason, "maximum size") {
		t.Errorf("refusal reported as %+v; want folder, UID, subject and the server's reason", f)
	}
	if strings.Contains(out+stderr, "alice-secret") {
		t.Fatal("a password was printed")
	}

	// Run again: nothing is copied twice; the refused ones are tried and reported again.
	out, _, code = run(t, db, "", "copy", "--from", from, "--to", to)
	if code != ExitPartial || !strings.HasPrefix(out, fmt.Sprintf("0 copied (0 B), 0 already there, %d refused", last.Result.Failed)) {
		t.Fatalf("second run: exit %d: %s", code, out)
	}
}

func TestMailCommandsRejectBadInputNamingTheField(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	t.Setenv("CUTOVER_FROM_PASSWORD", "x")
	t.Setenv("CUTOVER_TO_PASSWORD", "y")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"copy", "--from", "imaps://mail.old.example", "--to", "imaps://bob@mail.new.example"}, "from: \"imaps://mail.old.example\" is not valid; expected a mailbox like imaps://alice@"},
		{[]string{"copy", "--from", "imaps://a:pw@old.example", "--to", "imaps://b@new.example"}, "no password in the URL"},
		{[]string{"copy", "--from", "pop3://a@old.example", "--to", "imaps://b@new.example"}, "scheme imaps://"},
		{[]string{"copy", "--from", "imaps://a@old.example", "--to", "imaps://b@new.example", "--older-than", "soon"}, `older-than: "soon" is not valid`},
		{[]string{"migrate", "--pass", "pre"}, "--project"},
	} {
		_, stderr, code := run(t, db, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, stderr, tc.want)
		}
	}
	run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--source", "imaps://mail.old.example", "--dest", "imaps://mail.new.example", "--cutover", "2099-05-14 18:00", "--tz", "UTC")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "--project", "acme", "--pass", "middle"}, `pass: "middle" is not valid`},
		{[]string{"migrate", "--project", "acme", "--pass", "pre"}, "batch: missing; expected at least one enabled mailbox"},
		{[]string{"verify", "--project", "acme", "--user", "zed"}, `user: "zed" is not valid`},
	} {
		_, stderr, code := run(t, db, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestMigrateAndVerifyExitCodes(t *testing.T) {
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source"})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Separator: "/"})
	if err := src.Fill("alice", 80); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "c.db")
	run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--source", fmt.Sprintf("imap+plain://127.0.0.1:%d", src.Port), "--dest", fmt.Sprintf("imap+plain://127.0.0.1:%d", dst.Port),
		"--cutover", "2099-05-14 18:00", "--tz", "UTC")
	t.Setenv("CUTOVER_SOURCE_PASSWORD", "")
	t.Setenv("CUTOVER_DEST_PASSWORD", "")
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice")
	// No user passwords: the project's administrator logins open the mailboxes.
	t.Setenv("CUTOVER_ADMIN_PASSWORD", "admin-secret")
	for _, side := range []string{"source", "dest"} {
		if _, stderr, code := run(t, db, "", "mail-admin", "--project", "acme", "--side", side, "--login", "admin", "--mode", "dovecot-master"); code != 0 {
			t.Fatalf("mail-admin %s: exit %d: %s", side, code, stderr)
		}
	}
	if _, stderr, code := run(t, db, "", "migrate", "--project", "acme", "--pass", "pre", "--older-than", "60d"); code != 0 {
		t.Fatalf("pre pass: exit %d: %s", code, stderr)
	}
	out, _, code := run(t, db, "", "verify", "--project", "acme")
	if code != ExitPartial || !strings.Contains(out, "alice: INCOMPLETE") {
		t.Fatalf("verify after the pre pass only: exit %d: %s", code, out)
	}
	if _, stderr, code := run(t, db, "", "migrate", "--project", "acme", "--pass", "final"); code != 0 {
		t.Fatalf("final pass: exit %d: %s", code, stderr)
	}
	out, _, code = run(t, db, "", "--json", "verify", "--project", "acme")
	if code != 0 {
		t.Fatalf("verify after the final pass: exit %d: %s", code, out)
	}
	var checks []struct {
		Complete bool
		Missing  int
	}
	if err := json.Unmarshal([]byte(out), &checks); err != nil || len(checks) != 1 || !checks[0].Complete {
		t.Fatalf("verify --json: %v %s", err, out)
	}
	out, _, code = run(t, db, "", "analyze", "--project", "acme")
	if code != 0 || !strings.Contains(out, "Archive.2024") || !strings.Contains(out, "Archive/2024") {
		t.Fatalf("analyze: exit %d: %s", code, out)
	}
}

// cancelOnProgress cancels once a progress line says some messages were copied: Ctrl-C
// in the middle of a pass.
type cancelOnProgress struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelOnProgress) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"event":"progress"`)) && !bytes.Contains(p, []byte(`"messagesDone":0,`)) {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

func TestInterruptedCopySaysHowToGoOnAndTheNextRunFinishes(t *testing.T) {
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source"})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Separator: "/"})
	const n = 1500
	if err := src.Fill("alice", n); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "c.db")
	args := []string{"--db", db, "--json", "copy", "--from", fmt.Sprintf("imap+plain://alice@127.0.0.1:%d", src.Port),
		"--to", fmt.Sprintf("imap+plain://alice@127.0.0.1:%d", dst.Port)}
	t.Setenv("CUTOVER_FROM_PASSWORD", "alice-secret")
	t.Setenv("CUTOVER_TO_PASSWORD", "alice-secret")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOnProgress{cancel: cancel}
	var stderr bytes.Buffer
	code := Run(ctx, args, Options{Stdout: out, Stderr: &stderr, Stdin: strings.NewReader("")})
	if code != ExitFailed || !strings.Contains(stderr.String(), "stopped by an interrupt") || !strings.Contains(stderr.String(), "run the same command again") {
		t.Fatalf("interrupted copy: exit %d, stderr %q; want exit %d and how to go on", code, stderr.String(), ExitFailed)
	}
	first := lastResult(t, out.String())
	if first.Copied == 0 || first.Copied >= n {
		t.Fatalf("interrupted copy copied %d of %d; the test did not interrupt a pass", first.Copied, n)
	}

	out2, stderr2, code := run(t, db, "", args[2:]...)
	if code != ExitOK {
		t.Fatalf("second run: exit %d: %s", code, stderr2)
	}
	second := lastResult(t, out2)
	if first.Copied+second.Copied+second.Matched != n {
		t.Fatalf("first run copied %d, second copied %d and found %d already there; want %d in all, each once",
			first.Copied, second.Copied, second.Matched, n)
	}
}

type copyResult struct{ Copied, Matched, Failed int }

func lastResult(t *testing.T, out string) copyResult {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Event  string
		Result copyResult
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Event != "result" {
		t.Fatalf("last line %q is not the result: %v", lines[len(lines)-1], err)
	}
	return last.Result
}
