package mailbox_test

import (
	"context"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
)

func TestNoCredentialLeavesWithoutTheTransportTheServerAsksFor(t *testing.T) {
	// Every connection a pass opens (planning, source, destination, the APPEND ones)
	// goes through one dial point: a destination that cannot be secured as its settings
	// say gets no LOGIN, no AUTHENTICATE and no password, on any connection, and the
	// error names the host and the reason.
	src, _ := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward())
	const password = "s3cret-of-bob"
	for _, tc := range []struct {
		mode, scheme string
		tls          mailbox.TLSMode
		want         string
	}{
		{"plain", "imap+plain", mailbox.TLSPlain, "plain text IMAP is allowed on loopback only"},
		{"no-starttls", "imap", mailbox.TLSStartTLS, "does not offer STARTTLS"},
		{"starttls-no", "imap", mailbox.TLSStartTLS, "refused STARTTLS (TLS is not available today)"},
		{"self-signed", "imaps", mailbox.TLSImplicit, "signed by an unknown authority"},
	} {
		t.Run(tc.scheme+" "+tc.mode, func(t *testing.T) {
			rec := testsrv.NewRecorder(t, tc.mode)
			st := openStore(t)
			c := copier(st, src, src, "alice")
			c.Dest = mailbox.Server{Host: testsrv.RemoteName, Port: rec.Port(), TLS: tc.tls}
			c.DestCreds = mailbox.Credentials{User: "bob", Password: secrets.New(password)}
			c.Retries = 1
			_, err := c.Run(mailbox.WithNetDialer(context.Background(), rec.Dial), mailbox.Options{})
			if err == nil {
				t.Fatal("the pass succeeded against a server it must not log in to")
			}
			if !strings.Contains(err.Error(), testsrv.RemoteName) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q; want it to name %s and say %q", err, testsrv.RemoteName, tc.want)
			}
			saw := rec.Saw()
			plain := base64.StdEncoding.EncodeToString([]byte("\x00bob\x00" + password))
			for _, leak := range []string{"LOGIN", "AUTHENTICATE", password, plain} {
				if strings.Contains(strings.ToUpper(saw), strings.ToUpper(leak)) {
					t.Fatalf("the server received %q:\n%s", leak, saw)
				}
			}
			if n := rec.Conns(); tc.mode == "plain" && n != 0 {
				t.Errorf("%d connections were opened to a server the policy refuses; want none", n)
			}
		})
	}
}

func TestReadingPassesOpenNoAppendConnection(t *testing.T) {
	// Analyze, Plan and Verify only read: they open one connection to each side.
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward())
	var mu sync.Mutex
	perAddr := map[string]int{}
	ctx := mailbox.WithNetDialer(context.Background(), func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		perAddr[addr]++
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	})
	c := copier(openStore(t), src, dst, "alice")
	if _, err := c.Analyze(ctx, mailbox.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.Plan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(ctx, mailbox.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := perAddr[dst.Addr()]; n != 3 {
		t.Errorf("analyze, plan and verify opened %d connections to the destination; want 3 (one each, no APPEND connection)", n)
	}
}
