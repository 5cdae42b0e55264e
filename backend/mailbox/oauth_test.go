package mailbox_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"cutover/backend/auth"
	"cutover/backend/auth/authtest"
	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
)

// tokenWorld is a source Dovecot with passwords, and a destination Dovecot that takes
// bearer tokens checked with a fake identity provider, all on one test clock.
type tokenWorld struct {
	clock    *authtest.Clock
	idp      *authtest.IdP
	src, dst *testsrv.Dovecot
	apps     *auth.AppSource
}

const (
	aliceAt = "alice@example.test"
	bobAt   = "bob@example.test"
)

func newTokenWorld(t *testing.T, lifetime time.Duration) *tokenWorld {
	t.Helper()
	clock := authtest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	idp := authtest.New(t, authtest.Options{Now: clock.Now, Lifetime: lifetime})
	idp.AddApp("cutover-app", "app-secret", "example.test")
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source", Separator: ".",
		Users: []testsrv.User{{Name: "alice", Password: "alice-secret"}, {Name: "bob", Password: "bob-secret"}}})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Separator: "/",
		Users:  []testsrv.User{{Name: aliceAt, Password: "a-pw"}, {Name: bobAt, Password: "b-pw"}},
		OAuth2: &testsrv.OAuth2Options{IntrospectionURL: idp.IntrospectionURL(), AppTokens: true}})
	apps := auth.NewAppSource(idp.Microsoft(), auth.App{ClientID: "cutover-app", ClientSecret: secrets.New("app-secret")},
		auth.Options{HTTPClient: authtest.LoopbackClient(), Now: clock.Now, Wait: clock.Wait, Margin: 5 * time.Minute})
	return &tokenWorld{clock: clock, idp: idp, src: src, dst: dst, apps: apps}
}

// copier copies the source's user into the destination mailbox to, signed in as the app.
func (w *tokenWorld) copier(t *testing.T, user, to string, dest mailbox.Server) *mailbox.Copier {
	c := copier(openStore(t), w.src, w.dst, user)
	c.Job = "test/" + to
	c.Dest = dest
	c.DestCreds = mailbox.Credentials{User: to, Tokens: w.apps.For(to), AppWide: true, Provider: "microsoft"}
	return c
}

// destSnapshot reads a destination mailbox with its password.
func (w *tokenWorld) destSnapshot(t *testing.T, user string) map[string][]snapMsg {
	return snapshot(t, w.dst, user)
}

func TestCopyIntoMailboxesOpenedWithAnAppTokenStopsOnlyTheRefusedOne(t *testing.T) {
	// One application token opens every destination mailbox, named in XOAUTH2/OAUTHBEARER's
	// user= (Exchange Online's app-only access). Once the app loses access to bob's
	// mailbox, bob's copy stops with what to do, and alice's finishes.
	w := newTokenWorld(t, time.Hour)
	seed(t, w.src, "alice", awkward())
	seed(t, w.src, "bob", awkward()[:4])

	alice := w.copier(t, "alice", aliceAt, plainServer(w.dst))
	if _, err := alice.Run(context.Background(), mailbox.Options{}); err != nil {
		t.Fatalf("alice's copy with the app's token: %v", err)
	}
	checkCopied(t, snapshot(t, w.src, "alice"), w.destSnapshot(t, aliceAt))

	w.idp.RevokeUser("cutover-app")
	bob := w.copier(t, "bob", bobAt, plainServer(w.dst))
	bob.Retries = -1
	_, err := bob.Run(context.Background(), mailbox.Options{})
	var ae *mailbox.AuthError
	if !errors.As(err, &ae) || ae.User != bobAt || !strings.Contains(err.Error(), "FullAccess") {
		t.Fatalf("bob's copy after the app lost access: %v; want a refused login naming %s and saying to grant FullAccess", err, bobAt)
	}
	if n := len(w.destSnapshot(t, bobAt)["INBOX"]); n != 0 {
		t.Errorf("bob's INBOX holds %d messages after a refused login", n)
	}
}

// cuttingProxy forwards connections to target; Cut closes every connection open now.
type cuttingProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	open   []net.Conn
}

func newCuttingProxy(t *testing.T, target string) *cuttingProxy {
	p := &cuttingProxy{target: target}
	p.ln = serveLoopback(t, func(c net.Conn) {
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			return
		}
		p.mu.Lock()
		p.open = append(p.open, c, s)
		p.mu.Unlock()
		go func() { io.Copy(s, c); s.Close() }()
		io.Copy(c, s)
		c.Close()
	})
	return p
}

func (p *cuttingProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *cuttingProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.open {
		c.Close()
	}
	p.open = nil
}

func TestTokenThatExpiresMidPassIsRenewedOnReconnect(t *testing.T) {
	// Tokens live ten minutes. After the first ledger commit the clock jumps twenty
	// minutes and every connection is cut: the pass reconnects, and each new connection
	// must present a renewed token (the expired one is refused by the server), then go on
	// without losing or repeating a message.
	w := newTokenWorld(t, 10*time.Minute)
	msgs := killCorpus(600)
	seed(t, w.src, "alice", msgs)
	proxy := newCuttingProxy(t, w.dst.Addr())
	dest := plainServer(w.dst)
	dest.Port = proxy.port()
	c := w.copier(t, "alice", aliceAt, dest)
	var once sync.Once
	c.Checkpoint = func(p mailbox.Checkpoint) {
		if p == mailbox.CheckpointRecorded {
			once.Do(func() {
				w.clock.Advance(20 * time.Minute)
				proxy.Cut()
			})
		}
	}
	grantsBefore := w.idp.Grants("client_credentials")
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatalf("pass across the token's expiry: %v", err)
	}
	if res.Retries == 0 {
		t.Fatal("no reconnect: the test did not cut the connections")
	}
	if n := w.idp.Grants("client_credentials") - grantsBefore; n < 2 {
		t.Errorf("%d token grants for the pass; want a renewed token after the expiry", n)
	}
	source, got := snapshot(t, w.src, "alice"), w.destSnapshot(t, aliceAt)
	for _, f := range []string{"INBOX", "Archive", "Reçus"} {
		sameMultiset(t, f, source[f], got[f])
	}
	if res.Copied+res.Matched != len(msgs) {
		t.Errorf("copied %d + found %d, want %d", res.Copied, res.Matched, len(msgs))
	}
}
