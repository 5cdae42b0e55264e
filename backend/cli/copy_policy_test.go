package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
)

func TestCopyToAServerThatCannotBeSecuredSendsNoPassword(t *testing.T) {
	// `cutover copy` to a remote-looking host whose connection cannot be secured as its
	// URL asks: the command fails naming the host and the reason, and the server never
	// sees a LOGIN, an AUTHENTICATE or the password, on any connection.
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source"})
	if err := src.Fill("alice", 5); err != nil {
		t.Fatal(err)
	}
	const password = "bob-s3cret-password"
	t.Setenv("CUTOVER_FROM_PASSWORD", "alice-secret")
	t.Setenv("CUTOVER_TO_PASSWORD", password)
	from := fmt.Sprintf("imap+plain://alice@127.0.0.1:%d", src.Port)
	for _, tc := range []struct {
		mode, scheme string
		code         int
		want         string
	}{
		{"plain", "imap+plain", ExitUsage, "plain text is refused for a host that is not loopback unless explicitly allowed (--allow-plain-to)"},
		{"no-starttls", "imap", ExitFailed, "does not offer STARTTLS"},
		{"starttls-no", "imap", ExitFailed, "refused STARTTLS"},
		{"self-signed", "imaps", ExitFailed, "signed by an unknown authority"},
	} {
		t.Run(tc.scheme+" "+tc.mode, func(t *testing.T) {
			rec := testsrv.NewRecorder(t, tc.mode)
			to := fmt.Sprintf("%s://bob@%s:%d", tc.scheme, testsrv.RemoteName, rec.Port())
			ctx := mailbox.WithNetDialer(context.Background(), rec.Dial)
			var out, errb bytes.Buffer
			code := Run(ctx, []string{"--db", filepath.Join(t.TempDir(), "c.db"), "copy", "--from", from, "--to", to},
				Options{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
			msg := out.String() + errb.String()
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, msg)
			}
			if !strings.Contains(msg, testsrv.RemoteName) || !strings.Contains(msg, tc.want) {
				t.Errorf("the command said %q; want the host %s and %q", msg, testsrv.RemoteName, tc.want)
			}
			saw := strings.ToUpper(rec.Saw())
			plain := base64.StdEncoding.EncodeToString([]byte("\x00bob\x00" + password))
			for _, leak := range []string{"LOGIN", "AUTHENTICATE", password, plain} {
				if strings.Contains(saw, strings.ToUpper(leak)) {
					t.Fatalf("the server received %q:\n%s", leak, rec.Saw())
				}
			}
			if strings.Contains(msg, password) {
				t.Fatal("the password was printed")
			}
		})
	}
}
