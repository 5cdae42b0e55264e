package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cutover/backend/auth/authtest"
	"cutover/backend/internal/testsrv"
)

// approveOnCode plays the person signing in: once the command has printed the code, it
// approves it at the fake provider as user.
type approveOnCode struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	idp  *authtest.IdP
	user string
	err  error
	done bool
}

var codeLine = regexp.MustCompile(`open (\S+) and enter the code (\S+)`)

func (w *approveOnCode) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := codeLine.FindStringSubmatch(w.buf.String()); m != nil && !w.done {
		w.done = true
		w.err = w.idp.Approve(m[2], w.user)
	}
	return len(p), nil
}

func TestSigninDeviceFlowThenStatusShowsTheMailboxSignedIn(t *testing.T) {
	idp := authtest.New(t, authtest.Options{Interval: time.Second})
	idp.AddClient("public-app", "")
	db := filepath.Join(t.TempDir(), "c.db")
	createAcme(t, db)
	t.Setenv("CUTOVER_SOURCE_PASSWORD", "src-pw")
	for _, u := range []string{"alice", "bob"} {
		if _, stderr, code := run(t, db, "", "batch", "set", "--project", "acme", "--source", u, "--dest", u+"@acme.example"); code != 0 {
			t.Fatalf("batch set: exit %d: %s", code, stderr)
		}
	}
	if _, stderr, code := run(t, db, "", "signin", "--project", "acme", "--side", "dest", "--device", "--user", "alice@acme.example"); code != ExitUsage || !strings.Contains(stderr, "microsoft-user") {
		t.Fatalf("signin on a password side: exit %d: %s; want a usage error naming the methods that sign in", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "signin", "set", "--project", "acme", "--side", "dest", "--method", "microsoft-user",
		"--client-id", "public-app", "--idp-url", idp.URL); code != 0 {
		t.Fatalf("signin set: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "signin", "--project", "acme", "--side", "dest", "--device"); code != ExitUsage || !strings.Contains(stderr, "alice@acme.example, bob@acme.example") {
		t.Fatalf("signin without --user on a side of two mailboxes: exit %d: %s; want a usage error listing them", code, stderr)
	}

	out := &approveOnCode{idp: idp, user: "alice@acme.example"}
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"--db", db, "signin", "--project", "acme", "--side", "dest", "--device", "--user", "alice@acme.example"},
		Options{Stdout: out, Stderr: &stderr, Stdin: strings.NewReader("")})
	if code != ExitOK || out.err != nil {
		t.Fatalf("signin: exit %d, approve %v: %s %s", code, out.err, out.buf.String(), stderr.String())
	}
	if !strings.Contains(out.buf.String(), idp.URL+"/device") || !strings.Contains(out.buf.String(), "Signed in as alice@acme.example (dest); the token is renewed by itself") {
		t.Errorf("signin printed %q; want the URL, the code, then signed in", out.buf.String())
	}

	status, stderr2, code := run(t, db, "", "signin", "status", "--project", "acme")
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr2)
	}
	lines := strings.Split(status, "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^source: password$`),
		regexp.MustCompile(`^dest: microsoft-user$`),
		regexp.MustCompile(`^\s+MAILBOX\s+STATE\s+EXPIRES\s+REFRESH$`),
		regexp.MustCompile(`^\s+alice@acme\.example\s+signed-in\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+yes$`),
		regexp.MustCompile(`^\s+bob@acme\.example\s+not-signed-in\s+-\s+-$`),
	}
	for i, re := range want {
		if i >= len(lines) || !re.MatchString(lines[i]) {
			t.Fatalf("status:\n%s\nline %d: want %s", status, i+1, re)
		}
	}

	// Removed: alice must sign in again.
	if _, stderr, code := run(t, db, "", "signin", "remove", "--project", "acme", "--side", "dest", "--user", "alice@acme.example"); code != 0 {
		t.Fatalf("remove: exit %d: %s", code, stderr)
	}
	status, _, _ = run(t, db, "", "--json", "signin", "status", "--project", "acme")
	if strings.Contains(status, `"signed-in"`) {
		t.Errorf("after remove: %s", status)
	}
}

func TestSigninScriptWritesTheGrantForEachMailbox(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	createAcme(t, db)
	t.Setenv("CUTOVER_SOURCE_PASSWORD", "src-pw")
	for _, u := range []string{"alice", "bob"} {
		if _, stderr, code := run(t, db, "", "batch", "set", "--project", "acme", "--source", u, "--dest", u+"@acme.example"); code != 0 {
			t.Fatalf("batch set: exit %d: %s", code, stderr)
		}
	}
	t.Setenv("CUTOVER_CLIENT_SECRET", "very-secret-value")
	out, stderr, code := run(t, db, "", "signin", "set", "--project", "acme", "--side", "dest", "--method", "microsoft-app",
		"--client-id", "11111111-2222-3333-4444-555555555555", "--client-secret")
	if code != 0 || strings.Contains(out+stderr, "very-secret-value") {
		t.Fatalf("signin set: exit %d: %s %s", code, out, stderr)
	}
	path := filepath.Join(t.TempDir(), "grant.ps1")
	if _, stderr, code := run(t, db, "", "signin", "script", "--project", "acme", "--side", "dest", "--out", path); code != 0 {
		t.Fatalf("script: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId",
		"Add-MailboxPermission -Identity 'alice@acme.example' -User $ObjectId -AccessRights FullAccess",
		"Add-MailboxPermission -Identity 'bob@acme.example' -User $ObjectId -AccessRights FullAccess",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("script lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "very-secret-value") {
		t.Error("the client secret is in the script")
	}
}

// TestCopyWithATokenFileLogsInWithTheToken copies to a destination that accepts only
// tokens (Dovecot asking the fake provider), with --to-token-file and no password. It
// passes once mailbox.Dial honours Credentials.Tokens.
func TestCopyWithATokenFileLogsInWithTheToken(t *testing.T) {
	const alice = "alice@acme.example"
	idp := authtest.New(t, authtest.Options{})
	idp.AddUser(alice)
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source"})
	if err := src.Fill("alice", 25); err != nil {
		t.Fatal(err)
	}
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Users: []testsrv.User{{Name: alice, Password: "unused"}},
		OAuth2: &testsrv.OAuth2Options{IntrospectionURL: idp.IntrospectionURL()}})
	tok := idp.UserToken(alice)
	file := filepath.Join(t.TempDir(), "alice.json")
	if err := os.WriteFile(file, []byte(`{"access_token":"`+tok+`","token_type":"Bearer","expiry":"`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "c.db")
	t.Setenv("CUTOVER_FROM_PASSWORD", "alice-secret")
	t.Setenv("CUTOVER_TO_PASSWORD", "")
	out, stderr, code := run(t, db, "", "copy", "--from", fmt.Sprintf("imap+plain://alice@127.0.0.1:%d", src.Port),
		"--to", fmt.Sprintf("imap+plain://%s@127.0.0.1:%d", alice, dst.Port), "--to-token-file", file)
	if code != ExitOK || !strings.HasPrefix(out, "25 copied") {
		t.Fatalf("copy with a token file: exit %d: %s %s", code, out, stderr)
	}
	if strings.Contains(out+stderr, tok) {
		t.Error("the token was printed")
	}
}
