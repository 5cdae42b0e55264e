package testsrv

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// RemoteName is a name that is not loopback, so that the plain-text guard and the TLS
// checks apply to it; tests reach a Recorder under it with Recorder.Dial.
const RemoteName = "mail.remote.test"

// Recorder is an IMAP server that records every byte it receives, to prove that no
// credential reached it. Its modes: "no-starttls" (offers no STARTTLS), "starttls-no"
// (offers STARTTLS, answers it NO), "self-signed" (implicit TLS with a self-signed
// certificate), "plain". To any other command it answers OK, as a careless client would
// wish.
type Recorder struct {
	ln    net.Listener
	mode  string
	mu    sync.Mutex
	got   strings.Builder
	conns int
}

// NewRecorder starts a Recorder on loopback; it stops with the test.
func NewRecorder(t testing.TB, mode string) *Recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if mode == "self-signed" {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}})
	}
	r := &Recorder{ln: ln, mode: mode}
	t.Cleanup(func() { ln.Close() })
	go r.serve()
	return r
}

func (r *Recorder) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns++
		r.mu.Unlock()
		go r.handle(c)
	}
}

func (r *Recorder) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	caps := "IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+"
	if r.mode == "starttls-no" {
		caps += " STARTTLS"
	}
	fmt.Fprintf(c, "* OK [CAPABILITY %s] ready\r\n", caps)
	br := bufio.NewReader(c)
	for {
		l, err := br.ReadString('\n')
		r.mu.Lock()
		r.got.WriteString(l)
		r.mu.Unlock()
		if err != nil {
			return
		}
		tag, cmd, _ := strings.Cut(strings.TrimSpace(l), " ")
		switch verb, _, _ := strings.Cut(strings.ToUpper(cmd), " "); verb {
		case "CAPABILITY":
			fmt.Fprintf(c, "* CAPABILITY %s\r\n%s OK done\r\n", caps, tag)
		case "STARTTLS":
			fmt.Fprintf(c, "%s NO [UNAVAILABLE] TLS is not available today\r\n", tag)
		case "LOGOUT":
			fmt.Fprintf(c, "* BYE\r\n%s OK bye\r\n", tag)
			return
		default:
			fmt.Fprintf(c, "%s OK welcome\r\n", tag)
		}
	}
}

// Port is the port the Recorder listens on.
func (r *Recorder) Port() int { return r.ln.Addr().(*net.TCPAddr).Port }

// Saw is everything the Recorder received.
func (r *Recorder) Saw() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got.String()
}

// Conns is how many connections it accepted.
func (r *Recorder) Conns() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns
}

// Dial connects RemoteName to the Recorder and loopback addresses to themselves; any
// other address is refused, so that no test traffic leaves the machine.
func (r *Recorder) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(addr)
	var d net.Dialer
	if host == RemoteName {
		return d.DialContext(ctx, network, r.ln.Addr().String())
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return d.DialContext(ctx, network, addr)
	}
	return nil, fmt.Errorf("test dialer: %s is not reachable from a test", addr)
}

func selfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: RemoteName}, DNSNames: []string{RemoteName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
