// Package smtptest is a real SMTP submission server for tests (emersion/go-smtp,
// in-process on 127.0.0.1): STARTTLS or implicit TLS with a certificate of its own CA,
// AUTH PLAIN (and XOAUTH2, with bearer tokens checked at an identity provider's RFC 7662
// introspection endpoint, such as authtest's) required before MAIL, recipients refused
// with 550 on demand, and every message it accepted kept for the test to read.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server took.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Options set the server up.
type Options struct {
	Implicit bool              // TLS from the first byte (port 465 style); else STARTTLS
	Users    map[string]string // user → password accepted by AUTH PLAIN
	Refuse   []string          // recipients answered 550 5.1.1
	Received func(Message)     // called with each message taken (may be nil)
	// Introspection, when set, offers XOAUTH2: the bearer token is accepted when this RFC
	// 7662 endpoint (authtest.IdP.IntrospectionURL) calls it active, for the user= named
	// (its "email"), with Scope among its scopes.
	Introspection string
	Scope         string
}

// Server is a running submission server.
type Server struct {
	Host    string
	Port    int
	RootCAs *x509.CertPool // trusts the server's certificate, and nothing else
	CAPEM   []byte         // the same CA as PEM, for a CA file
	opts    Options
	srv     *smtp.Server
	mu      sync.Mutex
	got     []Message
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// New starts a server on a free loopback port; Close stops it.
func New(o Options) (*Server, error) {
	cert, caPEM, err := certificate()
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	s := &Server{RootCAs: pool, CAPEM: caPEM, opts: o}
	srv := smtp.NewServer(s)
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	var l net.Listener
	if o.Implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, err
	}
	s.Host, s.Port, s.srv = "127.0.0.1", l.Addr().(*net.TCPAddr).Port, srv
	go srv.Serve(l)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

type session struct {
	s     *Server
	conn  *smtp.Conn
	authd bool
	msg   Message
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Introspection != "" {
		return []string{sasl.Plain, xoauth2}
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if _, ok := ss.conn.TLSConnectionState(); !ok {
		return nil, &smtp.SMTPError{Code: 538, EnhancedCode: smtp.EnhancedCode{5, 7, 11}, Message: "Encryption required"}
	}
	if mech == xoauth2 {
		return &xoauth2Server{check: ss.s.bearer, ok: func() { ss.authd = true }}, nil
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if want, ok := ss.s.opts.Users[user]; !ok || want != pass || (identity != "" && identity != user) {
			return errors.New("invalid credentials")
		}
		ss.authd = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authd {
		return errAuthRequired
	}
	ss.msg = Message{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.s.opts.Refuse {
		if strings.EqualFold(r, to) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Recipient address rejected: User unknown"}
		}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = b
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.msg)
	ss.s.mu.Unlock()
	if f := ss.s.opts.Received; f != nil {
		f(ss.msg)
	}
	return nil
}

func (ss *session) Reset()        { ss.msg = Message{} }
func (ss *session) Logout() error { return nil }

// certificate makes a CA and a certificate for 127.0.0.1 and localhost signed by it, and
// returns the CA as PEM.
func certificate() (tls.Certificate, []byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), nil
}
