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
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

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

// isLoopback is true for "localhost" and loopback literals only: a name that merely
// resolves to a loopback address today may resolve elsewhere tomorrow.
func (s Server) isLoopback() bool {
	if strings.EqualFold(s.Host, "localhost") {
		return true
	}
	ip := net.ParseIP(s.Host)
	return ip != nil && ip.IsLoopback()
}

// Check applies the transport policy before anything is dialled: plain text only to a
// loopback host or where the server's settings allow it explicitly.
func (s Server) Check() error {
	switch s.TLS {
	case TLSImplicit, TLSStartTLS:
		return nil
	case TLSPlain:
		if s.AllowPlain || s.isLoopback() {
			return nil
		}
		return &PolicyError{Server: s.Addr(), Reason: "plain text IMAP is allowed on loopback only unless the server allows it explicitly (use imaps:// or imap:// with STARTTLS)"}
	}
	return &PolicyError{Server: s.Addr(), Reason: fmt.Sprintf("unknown TLS mode %q", s.TLS)}
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

// PolicyError is a connection refused by the transport policy: the credentials were not
// sent.
type PolicyError struct {
	Server, Reason string
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("connect to %s: %s; no credentials were sent", e.Server, e.Reason)
}

// CertError is a certificate that failed verification.
type CertError struct {
	Host   string
	Reason string
}

func (e *CertError) Error() string {
	return fmt.Sprintf("certificate of %s failed verification: %s; no credentials were sent (add its CA with a PEM file, or turn off verification for this server explicitly)", e.Host, e.Reason)
}

// AuthError is a refused login.
type AuthError struct {
	Server, User, Reason string
	// Advice says what to do, when the credential was a token ("sign in again as …").
	Advice string
}

func (e *AuthError) Error() string {
	msg := fmt.Sprintf("login to %s as %q refused: %s", e.Server, e.User, e.Reason)
	if e.Advice != "" {
		msg += " — " + e.Advice
	}
	return msg
}

// Conn is a logged-in IMAP connection.
type Conn struct {
	*imapclient.Client
	Server Server
	User   string
	raw    *prefixConn
}

// Dial connects to s and logs in with c, through open like every connection of the engine.
func Dial(ctx context.Context, s Server, c Credentials) (*Conn, error) {
	rc, err := open(ctx, s, c)
	if err != nil {
		return nil, err
	}
	// go-imap takes over the logged-in connection: a PREAUTH greeting with the
	// capabilities read after login puts it in the authenticated state (RFC 3501 §7.1.4).
	greeting := "* PREAUTH [CAPABILITY " + strings.Join(rc.caps, " ") + "] logged in\r\n"
	conn := &prefixConn{Conn: rc.conn, r: io.MultiReader(strings.NewReader(greeting), rc.br)}
	return &Conn{Client: imapclient.New(conn, nil), Server: s, User: c.User, raw: conn}, nil
}

// prefixConn reads r (what was read ahead, then the connection) before the connection,
// and remembers the first I/O error (go-imap reports a broken connection as text only)
// and the last BYE line (go-imap ends the pending commands with "unexpected EOF" and drops
// its text, where Exchange says how long to wait).
type prefixConn struct {
	net.Conn
	r   io.Reader
	mu  sync.Mutex
	err error
	bye string
}

var byeLine = []byte("* BYE ")

func (c *prefixConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if i := bytes.Index(p[:n], byeLine); i >= 0 && (i == 0 || p[i-1] == '\n') {
		line := p[i:n]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		c.mu.Lock()
		c.bye = string(bytes.TrimRight(line[:min(len(line), 1024)], "\r"))
		c.mu.Unlock()
	}
	c.fail(err)
	return n, err
}

// lastBye is the last BYE line the server sent, or "".
func (c *Conn) lastBye() string {
	if c == nil || c.raw == nil {
		return ""
	}
	c.raw.mu.Lock()
	defer c.raw.mu.Unlock()
	return c.raw.bye
}

func (c *prefixConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.fail(err)
	return n, err
}

func (c *prefixConn) fail(err error) {
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
}

// ioErr is the first error reading or writing the connection, nil while it is whole.
func (c *Conn) ioErr() error {
	if c.raw == nil {
		return nil
	}
	c.raw.mu.Lock()
	defer c.raw.mu.Unlock()
	return c.raw.err
}

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
	return fmt.Errorf("TLS with %s: %w; no credentials were sent", s.Addr(), err)
}
