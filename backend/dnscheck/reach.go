package dnscheck

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"cutover/backend/project"
)

// ReachTarget is a port of the destination to try.
type ReachTarget struct {
	Service string `json:"service"`        // "IMAP", "Submission"
	Host    string `json:"host,omitempty"` // empty: ReachOptions.Host
	Port    int    `json:"port"`
	// StartTLS: the port speaks SMTP and is upgraded with STARTTLS (RFC 3207, port 587);
	// otherwise TLS starts at once (RFC 8314: 993 and 465).
	StartTLS bool `json:"startTLS"`
}

// ReachTargets are the IMAP and submission ports a destination offers (RFC 8314):
// imapHost is the IMAP server; the big providers submit on their own SMTP hosts.
func ReachTargets(provider project.Provider, imapHost string, imapPort int) []ReachTarget {
	if imapPort == 0 {
		imapPort = 993
	}
	out := []ReachTarget{{Service: "IMAP", Host: imapHost, Port: imapPort}}
	switch provider {
	case project.ProviderM365:
		return append(out, ReachTarget{Service: "Submission", Host: "smtp.office365.com", Port: 587, StartTLS: true})
	case project.ProviderGoogle:
		return append(out, ReachTarget{Service: "Submission", Host: "smtp.gmail.com", Port: 465})
	}
	return append(out, ReachTarget{Service: "Submission", Host: imapHost, Port: 465}, ReachTarget{Service: "Submission", Host: imapHost, Port: 587, StartTLS: true})
}

// DefaultReachTargets are the destination's IMAP and submission ports (RFC 8314).
var DefaultReachTargets = []ReachTarget{
	{Service: "IMAP", Port: 993},
	{Service: "Submission", Port: 465},
	{Service: "Submission", Port: 587, StartTLS: true},
}

// ReachOptions say how to try the destination's ports.
type ReachOptions struct {
	Host    string
	Targets []ReachTarget // nil: DefaultReachTargets
	// DialContext connects (nil: a net.Dialer's); tests point it at loopback.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	RootCAs     *x509.CertPool // nil: the system's
	Timeout     time.Duration  // per port; default 5 s
}

// Reach is whether one port answered with a valid certificate.
type Reach struct {
	Service string    `json:"service"`
	Addr    string    `json:"addr"`
	OK      bool      `json:"ok"`
	Detail  string    `json:"detail"`
	TLS     string    `json:"tls,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
}

// reach tries every target of o concurrently. Certificates are verified against the
// host name (never skipped).
func (c *Checker) reach(ctx context.Context, o ReachOptions) []Reach {
	targets := o.Targets
	if targets == nil {
		targets = DefaultReachTargets
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.DialContext == nil {
		o.DialContext = (&net.Dialer{}).DialContext
	}
	out := make([]Reach, len(targets))
	done := make(chan struct{}, len(targets))
	for i, t := range targets {
		go func() {
			defer func() { done <- struct{}{} }()
			out[i] = reachOne(ctx, o, t)
		}()
	}
	for range targets {
		<-done
	}
	return out
}

func reachOne(ctx context.Context, o ReachOptions, t ReachTarget) Reach {
	host := o.Host
	if t.Host != "" {
		host = t.Host
	}
	addr := net.JoinHostPort(host, strconv.Itoa(t.Port))
	r := Reach{Service: t.Service, Addr: addr}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	conn, err := o.DialContext(ctx, "tcp", addr)
	if err != nil {
		r.Detail = "cannot connect: " + err.Error()
		return r
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if t.StartTLS {
		if err := smtpStartTLS(conn, host); err != nil {
			r.Detail = err.Error()
			return r
		}
	}
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		r.Detail = "TLS: " + err.Error()
		return r
	}
	st := tc.ConnectionState()
	r.OK, r.TLS = true, tls.VersionName(st.Version)
	if len(st.PeerCertificates) > 0 {
		r.Expires = st.PeerCertificates[0].NotAfter
	}
	r.Detail = fmt.Sprintf("%s, certificate valid for %s", r.TLS, host)
	return r
}

// smtpStartTLS reads the greeting, says EHLO and asks for STARTTLS (RFC 3207 §4).
func smtpStartTLS(conn net.Conn, host string) error {
	tp := textproto.NewReader(bufio.NewReader(conn))
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	if _, err := fmt.Fprintf(conn, "EHLO cutover.invalid\r\n"); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	_, msg, err := tp.ReadResponse(250)
	if err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if !strings.Contains(strings.ToUpper(msg), "STARTTLS") {
		return fmt.Errorf("SMTP on %s does not offer STARTTLS", host)
	}
	if _, err := fmt.Fprintf(conn, "STARTTLS\r\n"); err != nil {
		return fmt.Errorf("SMTP STARTTLS: %w", err)
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fmt.Errorf("SMTP STARTTLS: %w", err)
	}
	return nil
}
