package mailbox

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"

	"cutover/backend/auth"
)

// Every connection the engine opens — planning, source, destination, the APPEND
// connections, analysis and verification — is opened by open: it is the one place that
// applies the transport policy, checks certificates and sends credentials. A connection
// gets credentials only once it is secured as its server's settings say: implicit TLS
// (imaps://), STARTTLS that the server offers and completes (imap://, RFC 3501 §6.2.1,
// RFC 9051 §6.2.1), or plain text to a loopback host or one explicitly allowed.

// NetDialer opens a TCP connection. Tests reach a loopback listener under a
// remote-looking name with their own (WithNetDialer).
type NetDialer func(ctx context.Context, network, addr string) (net.Conn, error)

type netDialerKey struct{}

// WithNetDialer returns a context whose IMAP connections are opened with d instead of
// the system's dialer and resolver.
func WithNetDialer(ctx context.Context, d NetDialer) context.Context {
	return context.WithValue(ctx, netDialerKey{}, d)
}

func netDialer(ctx context.Context) NetDialer {
	if d, ok := ctx.Value(netDialerKey{}).(NetDialer); ok && d != nil {
		return d
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return d.DialContext
}

// preAuthTimeout bounds the greeting, STARTTLS and login.
const preAuthTimeout = 30 * time.Second

// rawConn is a connection before go-imap or the appender takes it over: greeting,
// capabilities, STARTTLS and authentication.
type rawConn struct {
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	tag  int
	caps []string // upper-case; nil until known
}

// open dials s, secures the connection as s.TLS says and logs in with c.
func open(ctx context.Context, s Server, c Credentials) (*rawConn, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	tlsConf, err := tlsConfig(s)
	if err != nil {
		return nil, err
	}
	conn, err := netDialer(ctx)(ctx, "tcp", s.Addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // stopped while connecting
		}
		return nil, fmt.Errorf("connect to %s: %w", s.Addr(), err)
	}
	// Cancelling ctx while connecting closes the socket.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetDeadline(time.Now().Add(preAuthTimeout))
	rc, err := secure(ctx, s, conn, tlsConf)
	if err == nil {
		err = rc.login(ctx, s, c)
	}
	if err != nil {
		conn.Close()
		if rc != nil {
			rc.conn.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	rc.conn.SetDeadline(time.Time{})
	return rc, nil
}

// secure reads the greeting and brings the connection to the TLS the server's settings
// ask for; nothing secret is sent before it returns.
func secure(ctx context.Context, s Server, conn net.Conn, tlsConf *tls.Config) (*rawConn, error) {
	if s.TLS == TLSImplicit {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, certErr(s, err)
		}
		conn = tc
	}
	rc := newRawConn(conn)
	if err := rc.greeting(s); err != nil {
		return nil, err
	}
	if s.TLS != TLSStartTLS {
		return rc, nil
	}
	if rc.caps == nil {
		if err := rc.capability(); err != nil {
			return nil, fmt.Errorf("capabilities of %s: %w", s.Addr(), err)
		}
	}
	if !rc.has("STARTTLS") {
		return nil, &PolicyError{Server: s.Addr(), Reason: "the server does not offer STARTTLS, and imap:// requires it (use imaps:// if it has implicit TLS)"}
	}
	if _, err := rc.command("STARTTLS"); err != nil {
		return nil, &PolicyError{Server: s.Addr(), Reason: "the server refused STARTTLS (" + reason(err) + ")"}
	}
	// Anything the server sent after its OK came before TLS: an injection (CVE-2011-0411).
	if rc.br.Buffered() > 0 {
		return nil, &PolicyError{Server: s.Addr(), Reason: "the server sent data before the TLS handshake"}
	}
	tc := tls.Client(conn, tlsConf)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, certErr(s, err)
	}
	rc = newRawConn(tc) // capabilities from before TLS no longer count
	return rc, nil
}

func newRawConn(conn net.Conn) *rawConn {
	return &rawConn{conn: conn, br: bufio.NewReaderSize(conn, 256<<10), bw: bufio.NewWriterSize(conn, 64<<10)}
}

// greeting reads the server's greeting.
func (rc *rawConn) greeting(s Server) error {
	l, err := rc.line()
	if err != nil {
		return fmt.Errorf("greeting of %s: %w", s.Addr(), err)
	}
	status, text, _ := strings.Cut(strings.TrimPrefix(l, "* "), " ")
	switch strings.ToUpper(status) {
	case "OK":
		rc.takeCaps(text)
		return nil
	case "PREAUTH":
		// Already logged in by the server: no credentials are needed, but the identity
		// is the server's choice, not the one asked for.
		return fmt.Errorf("greeting of %s: the server logged in on its own (PREAUTH), as no user we asked for", s.Addr())
	case "BYE":
		return fmt.Errorf("greeting of %s: the server refused the connection: %s", s.Addr(), text)
	}
	return fmt.Errorf("greeting of %s: not IMAP: %.80q", s.Addr(), l)
}

// login authenticates with c: SASL through package auth (PLAIN, XOAUTH2, OAUTHBEARER),
// or LOGIN for a password where the server offers no SASL mechanism for it.
func (rc *rawConn) login(ctx context.Context, s Server, c Credentials) error {
	if rc.caps == nil {
		if err := rc.capability(); err != nil {
			return fmt.Errorf("capabilities of %s: %w", s.Addr(), err)
		}
	}
	cred := c.credential()
	err := auth.Authenticate(ctx, rc, rc.caps, cred)
	var nm *auth.NoMechanismError
	if errors.As(err, &nm) && cred.Method != auth.MethodToken && !rc.has("LOGINDISABLED") {
		err = rc.loginCommand(cred.User, cred.Password.Reveal())
		if err != nil {
			err = &AuthError{Server: s.Addr(), User: c.User, Reason: reason(err)}
		}
	}
	var re *auth.RefusedError
	if errors.As(err, &re) {
		return &AuthError{Server: s.Addr(), User: c.User, Reason: reason(re.Err), Advice: re.Advice()}
	}
	if err != nil {
		var ae *AuthError
		if errors.As(err, &ae) || ctx.Err() != nil {
			return err
		}
		return &AuthError{Server: s.Addr(), User: c.User, Reason: reason(err)}
	}
	// The capabilities change with login (RFC 3501 §7.2.1): read them again unless the
	// answer carried them.
	if rc.caps == nil {
		if err := rc.capability(); err != nil {
			return fmt.Errorf("capabilities of %s: %w", s.Addr(), err)
		}
	}
	return nil
}

// credential is c as package auth logs it in.
func (c Credentials) credential() auth.Credential {
	switch {
	case c.Tokens != nil:
		return auth.Credential{Method: auth.MethodToken, User: c.User, Tokens: c.Tokens, AppWide: c.AppWide, Provider: c.Provider}
	case c.Admin == "":
		return auth.Credential{Method: auth.MethodPassword, User: c.User, Password: c.Password}
	case c.AdminMode == AdminDovecotMaster:
		sep := c.MasterSeparator
		if sep == "" {
			sep = "*"
		}
		// Dovecot reads "user*master" as the master logging in as user, whatever the mechanism.
		return auth.Credential{Method: auth.MethodPassword, User: c.User + sep + c.Admin, Password: c.AdminPassword}
	default:
		return auth.Credential{Method: auth.MethodAdminPassword, User: c.User, Admin: c.Admin, Password: c.AdminPassword}
	}
}

// Authenticate runs AUTHENTICATE with a SASL client (RFC 3501 §6.2.2), with the initial
// response on the command line where the server has SASL-IR (RFC 4959).
func (rc *rawConn) Authenticate(cl sasl.Client) error {
	mech, ir, err := cl.Start()
	if err != nil {
		return err
	}
	rc.tag++
	tag := "c" + strconv.Itoa(rc.tag)
	line := tag + " AUTHENTICATE " + mech
	sendIR := ir != nil && rc.has("SASL-IR")
	if sendIR {
		enc := base64.StdEncoding.EncodeToString(ir)
		if enc == "" {
			enc = "="
		}
		line += " " + enc
	}
	rc.caps = nil
	if err := rc.send(line); err != nil {
		return err
	}
	first := true
	for {
		l, err := rc.line()
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(l, "+"):
			var resp []byte
			if first && ir != nil && !sendIR {
				resp = ir
			} else {
				challenge, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(l, "+")))
				if derr != nil {
					rc.send("*")
					return fmt.Errorf("AUTHENTICATE %s: bad challenge: %w", mech, derr)
				}
				if resp, err = cl.Next(challenge); err != nil {
					rc.send("*") // cancel (RFC 3501 §6.2.2)
					if _, terr := rc.tagged(tag, nil); terr != nil {
						return terr
					}
					return err
				}
			}
			first = false
			if err := rc.send(base64.StdEncoding.EncodeToString(resp)); err != nil {
				return err
			}
		case strings.HasPrefix(l, tag+" "):
			return rc.status(l[len(tag)+1:])
		default:
			rc.untagged(l)
		}
	}
}

// loginCommand runs LOGIN (RFC 3501 §6.2.3), the strings as literals where quoting would
// not carry them.
func (rc *rawConn) loginCommand(user, pass string) error {
	rc.tag++
	tag := "c" + strconv.Itoa(rc.tag)
	rc.caps = nil
	parts := []string{tag + " LOGIN", user, pass}
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		b.WriteByte(' ')
		if quotable(p) {
			b.WriteString(quote(p))
			continue
		}
		if rc.has("LITERAL+") {
			fmt.Fprintf(&b, "{%d+}\r\n%s", len(p), p)
			continue
		}
		fmt.Fprintf(&b, "{%d}", len(p))
		if err := rc.send(b.String()); err != nil {
			return err
		}
		b.Reset()
		l, err := rc.line()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(l, "+") {
			if strings.HasPrefix(l, tag+" ") {
				return rc.status(l[len(tag)+1:])
			}
			return fmt.Errorf("LOGIN: unexpected answer %.80q", l)
		}
		b.WriteString(p)
	}
	if err := rc.send(b.String()); err != nil {
		return err
	}
	_, err := rc.tagged(tag, nil)
	return err
}

// quotable reports whether s can go as a quoted string (RFC 3501 §4.3).
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// command runs a command without arguments that need literals and returns its untagged
// lines.
func (rc *rawConn) command(cmd string) ([]string, error) {
	rc.tag++
	tag := "c" + strconv.Itoa(rc.tag)
	if err := rc.send(tag + " " + cmd); err != nil {
		return nil, err
	}
	var untagged []string
	return rc.tagged(tag, &untagged)
}

// tagged reads until the tagged answer of tag.
func (rc *rawConn) tagged(tag string, untagged *[]string) ([]string, error) {
	for {
		l, err := rc.line()
		if err != nil {
			return nil, err
		}
		if rest, ok := strings.CutPrefix(l, tag+" "); ok {
			if err := rc.status(rest); err != nil {
				return nil, err
			}
			if untagged == nil {
				return nil, nil
			}
			return *untagged, nil
		}
		rc.untagged(l)
		if untagged != nil {
			*untagged = append(*untagged, l)
		}
	}
}

// status reads "OK [CAPABILITY …] text" or "NO [CODE] text".
func (rc *rawConn) status(rest string) error {
	status, text, _ := strings.Cut(rest, " ")
	if strings.EqualFold(status, "OK") {
		rc.takeCaps(text)
		return nil
	}
	var code string
	if strings.HasPrefix(text, "[") {
		if i := strings.IndexByte(text, ']'); i > 0 {
			code, text = text[1:i], strings.TrimSpace(text[i+1:])
		}
	}
	name, _, _ := strings.Cut(code, " ")
	typ := imap.StatusResponseTypeNo
	if strings.EqualFold(status, "BAD") {
		typ = imap.StatusResponseTypeBad
	}
	return &imap.Error{Type: typ, Code: imap.ResponseCode(strings.ToUpper(name)), Text: text}
}

// untagged takes the capabilities an untagged line carries.
func (rc *rawConn) untagged(l string) {
	if rest, ok := strings.CutPrefix(l, "* "); ok {
		if f, ok := cutFold(rest, "CAPABILITY "); ok {
			rc.caps = strings.Fields(strings.ToUpper(f))
			return
		}
		if f, ok := cutFold(rest, "OK "); ok {
			rc.takeCaps(f)
		}
	}
}

// takeCaps takes the capabilities of a "[CAPABILITY …]" response code.
func (rc *rawConn) takeCaps(text string) {
	if f, ok := cutFold(text, "[CAPABILITY "); ok {
		if i := strings.IndexByte(f, ']'); i >= 0 {
			rc.caps = strings.Fields(strings.ToUpper(f[:i]))
		}
	}
}

func cutFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

func (rc *rawConn) capability() error {
	_, err := rc.command("CAPABILITY")
	if err == nil && rc.caps == nil {
		rc.caps = []string{}
	}
	return err
}

func (rc *rawConn) has(cap string) bool {
	for _, c := range rc.caps {
		if c == cap {
			return true
		}
	}
	return false
}

func (rc *rawConn) send(line string) error {
	if _, err := rc.bw.WriteString(line + "\r\n"); err != nil {
		return err
	}
	return rc.bw.Flush()
}

// line reads one response line; a literal it announces is read into it, so that no
// response is cut (pre-login servers rarely send any).
func (rc *rawConn) line() (string, error) {
	var b strings.Builder
	for {
		l, err := rc.br.ReadString('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		l = strings.TrimRight(l, "\r\n")
		b.WriteString(l)
		i := strings.LastIndexByte(l, '{')
		if i < 0 || !strings.HasSuffix(l, "}") {
			return b.String(), nil
		}
		n, perr := strconv.Atoi(strings.TrimSuffix(l[i+1:len(l)-1], "+"))
		if perr != nil || n < 0 || n > 1<<20 {
			return b.String(), nil
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(rc.br, lit); err != nil {
			return "", err
		}
		b.Write(lit)
	}
}
