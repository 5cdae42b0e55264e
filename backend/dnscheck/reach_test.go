package dnscheck

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCert is a self-signed certificate for host and the pool that trusts it.
func testCert(t *testing.T, host string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// serveTLS accepts implicit-TLS connections (like IMAPS on 993) and greets.
func serveTLS(t *testing.T, cert tls.Certificate) string {
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = c.Write([]byte("* OK IMAP ready\r\n"))
				_, _ = c.Read(make([]byte, 1))
			}()
		}
	}()
	return l.Addr().String()
}

// serveSMTP speaks just enough SMTP for STARTTLS (RFC 3207), like submission on 587.
func serveSMTP(t *testing.T, cert tls.Certificate) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				_, _ = c.Write([]byte("220 smtp ready\r\n"))
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
					case strings.HasPrefix(cmd, "EHLO"):
						_, _ = c.Write([]byte("250-smtp\r\n250-PIPELINING\r\n250 STARTTLS\r\n"))
					case cmd == "STARTTLS":
						_, _ = c.Write([]byte("220 go ahead\r\n"))
						tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
						_ = tc.Handshake()
						_, _ = tc.Read(make([]byte, 1))
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func TestReachabilityVerifiesTheCertificate(t *testing.T) {
	const host = "mail.dest.example"
	cert, pool := testCert(t, host)
	ports := map[string]string{"993": serveTLS(t, cert), "587": serveSMTP(t, cert)}
	// A port nobody listens on: taken, then released.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	ports["465"] = l.Addr().String()
	l.Close()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		h, p, _ := net.SplitHostPort(addr)
		if h != host {
			t.Errorf("dialled %s", addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, ports[p])
	}
	run := func(roots *x509.CertPool) map[int]Reach {
		c := New(Options{Reach: &ReachOptions{Host: host, DialContext: dial, RootCAs: roots, Timeout: 5 * time.Second}})
		out := map[int]Reach{}
		for _, r := range c.reach(context.Background(), *c.o.Reach) {
			_, p, _ := net.SplitHostPort(r.Addr)
			n, _ := strconv.Atoi(p)
			out[n] = r
		}
		return out
	}
	got := run(pool)
	if r := got[993]; !r.OK || r.Service != "IMAP" || !strings.Contains(r.Detail, "certificate valid for mail.dest.example") {
		t.Errorf("993: %+v", r)
	}
	if r := got[587]; !r.OK || r.Service != "Submission" {
		t.Errorf("587 STARTTLS: %+v", r)
	}
	if r := got[465]; r.OK || !strings.Contains(r.Detail, "cannot connect") {
		t.Errorf("465 closed: %+v", r)
	}
	// Without the test's root, the certificate is not trusted: never skipped.
	got = run(x509.NewCertPool())
	if r := got[993]; r.OK || !strings.Contains(r.Detail, "certificate") {
		t.Errorf("993 untrusted: %+v", r)
	}
}
