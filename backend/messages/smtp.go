package messages

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"cutover/backend/auth"
	"cutover/backend/fault"
	"cutover/backend/secrets"
)

// Security is how the submission connection is protected.
type Security string

const (
	StartTLS Security = "starttls" // port 587: STARTTLS is required, never skipped
	Implicit Security = "tls"      // port 465: TLS from the first byte
	Plain    Security = "plain"    // no TLS: loopback only, and only when allowed
)

// Server is the specialist's SMTP submission server.
type Server struct {
	Host     string         `json:"host"`
	Port     int            `json:"port"`
	Security Security       `json:"security"`
	Username string         `json:"username"`
	Password secrets.Secret `json:"-"`
	// Tokens, when set, signs Username in with an OAuth 2.0 bearer token (SASL XOAUTH2,
	// as Microsoft 365 and Gmail take it) instead of the password; the source renews the
	// token before it expires. Provider ("microsoft", "google") words a refusal.
	Tokens   auth.TokenSource `json:"-"`
	Provider string           `json:"-"`
	// AllowPlain permits Plain to a loopback host (tests, a local relay).
	AllowPlain bool `json:"allowPlain,omitempty"`
	// RootCAs replaces the system's roots (a test's own CA); nil: the system's.
	RootCAs *x509.CertPool `json:"-"`
	Timeout time.Duration  `json:"-"` // per command; 0: 30 s
}

// Check says what is wrong with s before anything is dialled.
func (s Server) Check() error {
	if strings.TrimSpace(s.Host) == "" {
		return &fault.FieldError{Field: "smtp host", Expected: "the SMTP submission server of the specialist's mail, e.g. smtp.office365.com (set it in the specialist's profile)"}
	}
	if s.Port < 1 || s.Port > 65535 {
		return &fault.FieldError{Field: "smtp port", Value: strconv.Itoa(s.Port), Expected: "587 (STARTTLS) or 465 (TLS)"}
	}
	switch s.Security {
	case StartTLS, Implicit:
	case Plain:
		ip := net.ParseIP(s.Host)
		loop := strings.EqualFold(s.Host, "localhost") || (ip != nil && ip.IsLoopback())
		if !loop || !s.AllowPlain {
			return &fault.FieldError{Field: "smtp security", Value: string(s.Security), Expected: "starttls or tls: a password is never sent in plain text (plain only to a loopback relay, explicitly allowed)"}
		}
	default:
		return &fault.FieldError{Field: "smtp security", Value: string(s.Security), Expected: "starttls (port 587) or tls (port 465)"}
	}
	return nil
}

// Refusal is a recipient the server refused, with its answer.
type Refusal struct {
	Address string `json:"address"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (r Refusal) String() string { return fmt.Sprintf("%s: %d %s", r.Address, r.Code, r.Message) }

// Result is what the server accepted.
type Result struct {
	Accepted []string  `json:"accepted"`
	Refused  []Refusal `json:"refused"`
}

// RefusedError is every recipient refused: nothing was sent.
type RefusedError struct{ Refused []Refusal }

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Refused))
	for i, r := range e.Refused {
		parts[i] = r.String()
	}
	return "the SMTP server refused every recipient: " + strings.Join(parts, "; ")
}

// InputFields names each refused address as the bad input it is.
func (e *RefusedError) InputFields() []fault.Field {
	out := make([]fault.Field, len(e.Refused))
	for i, r := range e.Refused {
		out[i] = fault.Field{Field: "to", Value: r.Address, Problem: fmt.Sprintf("refused by the server: %d %s", r.Code, r.Message), Expected: "an address the server accepts"}
	}
	return out
}

// Send submits msg from the envelope sender from to every recipient. A recipient the
// server refuses is reported in Result.Refused and the others still get the message; when
// all are refused nothing is sent and the error is a *RefusedError.
func Send(ctx context.Context, s Server, from string, to []string, msg []byte) (Result, error) {
	res := Result{Accepted: []string{}, Refused: []Refusal{}}
	if err := s.Check(); err != nil {
		return res, err
	}
	if len(to) == 0 {
		return res, &fault.FieldError{Field: "to", Expected: "at least one recipient"}
	}
	if s.Tokens != nil && s.Security == Plain {
		return res, &fault.FieldError{Field: "smtp security", Value: string(s.Security), Expected: "starttls or tls: a token is never sent in plain text"}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return res, fmt.Errorf("connect to the SMTP server %s: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // cancelling ends the session
	defer stop()
	tc := &tls.Config{ServerName: s.Host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch s.Security {
	case Implicit:
		c = smtp.NewClient(tls.Client(conn, tc))
	case StartTLS:
		if c, err = smtp.NewClientStartTLS(conn, tc); err != nil {
			conn.Close()
			return res, fmt.Errorf("STARTTLS with %s (required on port %d; the password is never sent without it): %w", addr, s.Port, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = timeout, 2*timeout
	// EHLO now (again after STARTTLS), so a failed TLS handshake, such as an untrusted
	// certificate, is reported as such rather than as missing extensions.
	if err := c.Hello("localhost"); err != nil {
		return res, fmt.Errorf("SMTP session with %s: %w", addr, err)
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return res, fmt.Errorf("the SMTP server %s offers no AUTH: check the port (587 or 465)", addr)
		}
		if err := s.signIn(ctx, c, addr); err != nil {
			return res, err
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return res, fmt.Errorf("MAIL FROM <%s>: %w", from, err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			var se *smtp.SMTPError
			if errors.As(err, &se) {
				res.Refused = append(res.Refused, Refusal{Address: rcpt, Code: se.Code, Message: se.Message})
				continue
			}
			return res, fmt.Errorf("RCPT TO <%s>: %w", rcpt, err)
		}
		res.Accepted = append(res.Accepted, rcpt)
	}
	if len(res.Accepted) == 0 {
		_ = c.Reset()
		return res, &RefusedError{Refused: res.Refused}
	}
	w, err := c.Data()
	if err != nil {
		return res, fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return res, fmt.Errorf("send the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return res, fmt.Errorf("the server did not take the message: %w", err)
	}
	_ = c.Quit()
	return res, nil
}

// signIn authenticates: AUTH PLAIN with the password, or XOAUTH2 with a token from
// s.Tokens. A refused token is an *auth.RefusedError saying to sign in again.
func (s Server) signIn(ctx context.Context, c *smtp.Client, addr string) error {
	if s.Tokens == nil {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password.Reveal())); err != nil {
			return fault.Mark(fault.KindInput, fmt.Errorf("sign in to %s as %s: %w (check the user name and password in the specialist's profile)", addr, s.Username, err))
		}
		return nil
	}
	tok, err := s.Tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("SMTP sign-in of %s: %w (cutover specialist signin --smtp)", s.Username, err)
	}
	_, mechs := c.Extension("AUTH")
	if !slices.ContainsFunc(strings.Fields(mechs), func(m string) bool { return strings.EqualFold(m, auth.XOAuth2) }) {
		return fmt.Errorf("the SMTP server %s does not take OAuth sign-in (XOAUTH2; it offers %s): check the host, or use a password", addr, mechs)
	}
	cred := auth.Credential{Method: auth.MethodToken, User: s.Username, Provider: s.Provider, Mechanism: auth.XOAuth2}
	login, err := auth.NewLogin(strings.Fields(mechs), cred, secrets.New(tok.AccessToken))
	if err != nil {
		return err
	}
	if err := c.Auth(login); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code >= 500 {
			return &auth.RefusedError{User: s.Username, Mechanism: auth.XOAuth2, Method: auth.MethodToken, Provider: s.Provider,
				Status: strconv.Itoa(se.Code), Err: fmt.Errorf("SMTP server %s: %w (cutover specialist signin --smtp)", addr, err)}
		}
		return fmt.Errorf("SMTP sign-in of %s at %s: %w", s.Username, addr, err)
	}
	return nil
}
