// Package mailbox copies mailboxes from one IMAP server to another: connections and
// authentication, folder listing and analysis, folder mapping, the copy engine of the
// pre-migration and final passes with its ledger of copied messages, and verification.
//
// Standards followed: IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) through go-imap v2;
// the source is opened with EXAMINE and read with BODY.PEEK[] (RFC 3501 §6.3.2, §6.4.5) so
// it is never written to; SASL PLAIN with an authorization identity for administrator
// access (RFC 4616); SPECIAL-USE folder attributes (RFC 6154); modified UTF-7 folder names
// (RFC 3501 §5.1.3); UIDPLUS APPENDUID (RFC 4315) to learn destination UIDs; APPENDLIMIT
// (RFC 7889) and the response codes of RFC 5530 ([LIMIT], [OVERQUOTA], [UNAVAILABLE]) to
// tell a refused message from a throttled server; message identity from the Message-ID
// header (RFC 5322 §3.6.4).
package mailbox

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"cutover/backend/auth"
	"cutover/backend/secrets"
)

// TLSMode is how a connection is secured.
type TLSMode string

const (
	TLSImplicit TLSMode = "implicit" // imaps://, port 993
	TLSStartTLS TLSMode = "starttls" // imap:// upgraded with STARTTLS
	TLSPlain    TLSMode = "plain"    // no TLS: loopback or explicitly allowed only
)

// Server is where to connect.
type Server struct {
	Host       string
	Port       int
	TLS        TLSMode
	AllowPlain bool   // plain text allowed on a non-loopback host
	CAFile     string // extra PEM roots besides the system's
	SkipVerify bool   // explicit per-server opt-out of certificate checks
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

func (s Server) isLoopback() bool {
	if strings.EqualFold(s.Host, "localhost") {
		return true
	}
	ip := net.ParseIP(s.Host)
	return ip != nil && ip.IsLoopback()
}

// AdminMode is how an administrator logs in as a user without the user's password.
type AdminMode string

const (
	// AdminPlainAuthz: AUTHENTICATE PLAIN with the user as authorization identity and the
	// administrator's credentials (RFC 4616; Dovecot master users, Cyrus admins, Zimbra).
	AdminPlainAuthz AdminMode = "plain-authzid"
	// AdminDovecotMaster: LOGIN "user*admin" password (Dovecot's master user separator).
	AdminDovecotMaster AdminMode = "dovecot-master"
)

// Credentials log in as User, with the user's Password or, when Admin is set, as the
// administrator on the user's behalf.
type Credentials struct {
	User          string
	Password      secrets.Secret
	Admin         string
	AdminPassword secrets.Secret
	AdminMode     AdminMode
	// Separator of the Dovecot master form; default "*".
	MasterSeparator string
	// Tokens, when set, logs in with an OAuth 2.0 bearer token for User (XOAUTH2 or
	// OAUTHBEARER) instead of a password: the mailbox owner's sign-in, or an app-wide
	// token (AppWide: client credentials or a service account) naming User.
	Tokens   auth.TokenSource
	AppWide  bool
	Provider string // "microsoft", "google": for the advice when a token is refused
}

// CertError is a certificate that failed verification.
type CertError struct {
	Host   string
	Reason string
}

func (e *CertError) Error() string {
	return fmt.Sprintf("certificate of %s failed verification: %s (add its CA with a PEM file, or turn off verification for this server explicitly)", e.Host, e.Reason)
}

// AuthError is a refused login.
type AuthError struct {
	Server, User, Reason string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("login to %s as %q refused: %s", e.Server, e.User, e.Reason)
}

// Conn is a logged-in IMAP connection.
type Conn struct {
	*imapclient.Client
	Server Server
	User   string
}

// Dialer opens connections; tests wrap Dial to route through a fault-injecting proxy.
type Dialer func(ctx context.Context, s Server, c Credentials) (*Conn, error)

// Dial connects to s and logs in with c.
func Dial(ctx context.Context, s Server, c Credentials) (*Conn, error) {
	if s.TLS == TLSPlain && !s.AllowPlain && !s.isLoopback() {
		return nil, fmt.Errorf("connect to %s: plain text IMAP is allowed on loopback only unless the server allows it explicitly", s.Addr())
	}
	tlsConf, err := tlsConfig(s)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	opts := &imapclient.Options{TLSConfig: tlsConf, Dialer: d}
	raw, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.Addr(), err)
	}
	// Cancelling ctx while connecting closes the socket.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	// go-imap reads through a 4 KiB buffer: a larger one below it saves most of the read
	// system calls when bodies stream in.
	raw = &bufConn{Conn: raw, r: bufio.NewReaderSize(raw, 256<<10)}

	var cl *imapclient.Client
	switch s.TLS {
	case TLSImplicit:
		tc := tls.Client(raw, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, certErr(s, err)
		}
		cl = imapclient.New(tc, opts)
	case TLSStartTLS:
		cl, err = imapclient.NewStartTLS(raw, opts)
		if err != nil {
			raw.Close()
			return nil, certErr(s, err)
		}
	default:
		cl = imapclient.New(raw, opts)
	}
	if err := cl.WaitGreeting(); err != nil {
		cl.Close()
		return nil, fmt.Errorf("greeting of %s: %w", s.Addr(), err)
	}
	if err := login(cl, c); err != nil {
		cl.Close()
		return nil, &AuthError{Server: s.Addr(), User: c.User, Reason: reason(err)}
	}
	return &Conn{Client: cl, Server: s, User: c.User}, nil
}

func login(cl *imapclient.Client, c Credentials) error {
	if c.Admin == "" {
		return cl.Login(c.User, c.Password.Reveal()).Wait()
	}
	switch c.AdminMode {
	case AdminDovecotMaster:
		sep := c.MasterSeparator
		if sep == "" {
			sep = "*"
		}
		return cl.Login(c.User+sep+c.Admin, c.AdminPassword.Reveal()).Wait()
	default:
		return cl.Authenticate(sasl.NewPlainClient(c.User, c.Admin, c.AdminPassword.Reveal()))
	}
}

func reason(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) {
		if ie.Text != "" {
			return ie.Text
		}
	}
	return err.Error()
}

func tlsConfig(s Server) (*tls.Config, error) {
	conf := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if s.SkipVerify {
		conf.InsecureSkipVerify = true
		return conf, nil
	}
	if s.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file of %s: %w", s.Host, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s of %s: no PEM certificate in it", s.CAFile, s.Host)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// certErr turns a TLS handshake failure into an error naming the host and the reason.
func certErr(s Server, err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &hostname):
		return &CertError{Host: s.Host, Reason: "it is not valid for this name (" + hostname.Error() + ")"}
	case errors.As(err, &unknown):
		return &CertError{Host: s.Host, Reason: "signed by an unknown authority"}
	case errors.As(err, &invalid):
		return &CertError{Host: s.Host, Reason: invalid.Error()}
	case errors.As(err, &verify):
		return &CertError{Host: s.Host, Reason: verify.Err.Error()}
	}
	return fmt.Errorf("TLS with %s: %w", s.Addr(), err)
}

// bufConn is a connection read through a large buffer.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Close logs out and closes the connection.
func (c *Conn) Close() error {
	done := make(chan struct{})
	go func() {
		c.Client.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return c.Client.Close()
}
