// Package dnstest runs small DNS servers on loopback for tests: authoritative for one
// zone given as zone-file text (RFC 1035 §5), or acting as a recursive resolver over
// it, over UDP and TCP on the same random port. A server can be told to misbehave the
// way real ones do: answer slowly, never answer, truncate every UDP answer (RFC 7766
// §5), fail (SERVFAIL), refuse (REFUSED) or answer another question. Tests swap the
// zone between checks to play a TTL being lowered or a record being changed.
package dnstest

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Mode is how a server behaves.
type Mode int

const (
	Normal        Mode = iota
	ServFail           // every answer is SERVFAIL
	Refused            // every answer is REFUSED
	Silent             // never answers
	Truncate           // UDP answers are empty and truncated (TC); TCP answers are whole
	WrongQuestion      // answers with another question in the response
)

// Options describe a server.
type Options struct {
	Zone     string        // zone-file text with $ORIGIN (and $TTL)
	Resolver bool          // act as a recursive resolver (RA, no AA) instead of an authoritative server
	Mode     Mode          // misbehaviour
	Delay    time.Duration // wait before each answer
}

// Server is a running DNS server.
type Server struct {
	Addr    string // 127.0.0.1:port, UDP and TCP
	udp     *dns.Server
	tcp     *dns.Server
	closed  chan struct{}
	once    sync.Once
	queries atomic.Int64

	mu       sync.Mutex
	origin   string
	rrs      []dns.RR
	resolver bool
	mode     Mode
	delay    time.Duration
}

// Start starts a server for the test and stops it when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a server; Close stops it.
func New(o Options) (*Server, error) {
	s := &Server{closed: make(chan struct{}), resolver: o.Resolver, mode: o.Mode, delay: o.Delay}
	if err := s.SetZone(o.Zone); err != nil {
		return nil, err
	}
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen udp: %w", err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			lastErr = err
			continue
		}
		s.Addr = pc.LocalAddr().String()
		s.udp = &dns.Server{PacketConn: pc, Handler: s}
		s.tcp = &dns.Server{Listener: l, Handler: s}
		up := make(chan struct{}, 2)
		s.udp.NotifyStartedFunc = func() { up <- struct{}{} }
		s.tcp.NotifyStartedFunc = func() { up <- struct{}{} }
		go s.udp.ActivateAndServe()
		go s.tcp.ActivateAndServe()
		<-up
		<-up
		return s, nil
	}
	return nil, fmt.Errorf("listen tcp on the udp port: %w", lastErr)
}

// Close stops the server.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		_ = s.udp.Shutdown()
		_ = s.tcp.Shutdown()
	})
}

// Queries is how many questions the server received.
func (s *Server) Queries() int64 { return s.queries.Load() }

// SetZone replaces the zone the server answers from.
func (s *Server) SetZone(text string) error {
	zp := dns.NewZoneParser(strings.NewReader(text), "", "zone")
	var rrs []dns.RR
	origin := ""
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
		if soa, isSOA := rr.(*dns.SOA); isSOA {
			origin = strings.ToLower(soa.Hdr.Name)
		}
	}
	if err := zp.Err(); err != nil {
		return fmt.Errorf("zone: %w", err)
	}
	if origin == "" {
		return errors.New("zone: no SOA record")
	}
	s.mu.Lock()
	s.origin, s.rrs = origin, rrs
	s.mu.Unlock()
	return nil
}

// SetMode changes how the server behaves.
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	s.mode = m
	s.mu.Unlock()
}

// ServeDNS answers one question.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	s.mu.Lock()
	mode, delay, resolver := s.mode, s.delay, s.resolver
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-s.closed:
			return
		}
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative, m.RecursionAvailable = !resolver, resolver
	switch mode {
	case Silent:
		<-s.closed
		return
	case ServFail:
		m.Rcode = dns.RcodeServerFailure
	case Refused:
		m.Rcode = dns.RcodeRefused
	case Truncate:
		if w.RemoteAddr().Network() == "udp" {
			m.Truncated = true
			break
		}
		s.answer(m, req)
	case WrongQuestion:
		s.answer(m, req)
		m.Question[0].Name = "other." + m.Question[0].Name
	default:
		s.answer(m, req)
	}
	if w.RemoteAddr().Network() == "udp" {
		// Like a real server: what does not fit the asker's UDP size is truncated (TC).
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

func (s *Server) answer(m, req *dns.Msg) {
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		return
	}
	q := req.Question[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.ToLower(q.Name)
	if name != s.origin && !strings.HasSuffix(name, "."+s.origin) {
		if s.resolver {
			m.Rcode = dns.RcodeServerFailure
		} else {
			m.Rcode = dns.RcodeRefused
		}
		m.Authoritative = false
		return
	}
	seen := map[string]bool{}
	for hop := 0; hop < 8 && !seen[name]; hop++ {
		seen[name] = true
		var found, cname []dns.RR
		for _, rr := range s.rrs {
			h := rr.Header()
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			if h.Rrtype == q.Qtype {
				found = append(found, dns.Copy(rr))
			} else if h.Rrtype == dns.TypeCNAME {
				cname = append(cname, dns.Copy(rr))
			}
		}
		if len(found) > 0 {
			m.Answer = append(m.Answer, found...)
			return
		}
		if len(cname) == 0 {
			break
		}
		m.Answer = append(m.Answer, cname[0])
		name = strings.ToLower(cname[0].(*dns.CNAME).Target)
		if name != s.origin && !strings.HasSuffix(name, "."+s.origin) {
			return // out of the zone: the asker follows on
		}
	}
	if len(m.Answer) > 0 {
		return
	}
	exists := false
	for _, rr := range s.rrs {
		h := strings.ToLower(rr.Header().Name)
		if h == name || strings.HasSuffix(h, "."+name) {
			exists = true
			break
		}
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	for _, rr := range s.rrs {
		if soa, ok := rr.(*dns.SOA); ok {
			m.Ns = append(m.Ns, dns.Copy(soa))
		}
	}
}
