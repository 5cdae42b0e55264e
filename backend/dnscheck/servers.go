package dnscheck

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"cutover/backend/project"
)

// PublicResolvers are well-known public resolvers a propagation check may ask besides
// the system's. Tests never use them: they always pass their own loopback servers.
var PublicResolvers = []Server{
	{Addr: "1.1.1.1:53", Label: "Cloudflare 1.1.1.1"},
	{Addr: "8.8.8.8:53", Label: "Google 8.8.8.8"},
	{Addr: "9.9.9.9:53", Label: "Quad9 9.9.9.9"},
	{Addr: "208.67.222.222:53", Label: "OpenDNS 208.67.222.222"},
}

// SystemResolvers reads the resolvers of resolv.conf (e.g. /etc/resolv.conf).
func SystemResolvers(resolvConf string) ([]Server, error) {
	cc, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, s := range cc.Servers {
		addr := net.JoinHostPort(s, cc.Port)
		out = append(out, Server{Addr: addr, Label: "system resolver " + s})
	}
	return out, nil
}

// DefaultResolvers is the system resolver plus the public ones, without duplicates.
func DefaultResolvers(resolvConf string) []Server {
	sys, _ := SystemResolvers(resolvConf)
	return dedupe(append(sys, PublicResolvers...))
}

func dedupe(ss []Server) []Server {
	seen := map[string]bool{}
	var out []Server
	for _, s := range ss {
		if !seen[s.Addr] {
			seen[s.Addr] = true
			out = append(out, s)
		}
	}
	return out
}

// ParseServer reads a DNS server as typed: an IP address with an optional port
// ("127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353"). Port 53 is the default. Host
// names are refused: resolving them would need a resolver, which is what is checked.
func ParseServer(field, s string) (Server, error) {
	raw := s
	s = strings.TrimSpace(s)
	bad := &project.FieldError{Field: field, Value: raw, Expected: "an IP address with an optional port, like 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53"}
	if s == "" {
		return Server{}, bad
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return Server{}, bad
		}
		return Server{Addr: ap.String(), Label: ap.String()}, nil
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && a.Zone() == "" {
		ap := netip.AddrPortFrom(a, 53)
		return Server{Addr: ap.String(), Label: a.String()}, nil
	}
	if host, port, err := net.SplitHostPort(s); err == nil {
		if _, perr := strconv.ParseUint(port, 10, 16); perr == nil && net.ParseIP(host) == nil {
			bad.Expected = "an IP address, not a host name (" + host + "), with an optional port"
		}
	}
	return Server{}, bad
}

// ParseServers reads a list of servers, naming the first bad one.
func ParseServers(field string, ss []string) ([]Server, error) {
	var out []Server
	for _, s := range ss {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			sv, err := ParseServer(field, part)
			if err != nil {
				return nil, err
			}
			out = append(out, sv)
		}
	}
	return dedupe(out), nil
}
