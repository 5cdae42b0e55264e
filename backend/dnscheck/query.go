package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// querier asks one server one question, over UDP with a fallback to TCP.
type querier struct {
	udp, tcp *dns.Client
	timeout  time.Duration
	tries    int
}

func newQuerier(dialer *net.Dialer, timeout time.Duration, tries int) *querier {
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	return &querier{
		udp:     &dns.Client{Net: "udp", UDPSize: 1232, Dialer: dialer, Timeout: timeout},
		tcp:     &dns.Client{Net: "tcp", Dialer: dialer, Timeout: timeout},
		timeout: timeout,
		tries:   tries,
	}
}

// exchange sends the question; rd asks a resolver to recurse (an authoritative server
// is asked without). A truncated UDP answer is asked again over TCP (RFC 7766 §5); a
// UDP timeout is retried, since a datagram may be lost.
func (q *querier) exchange(ctx context.Context, server, name string, qtype uint16, rd bool) (*dns.Msg, bool, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = rd
	m.SetEdns0(1232, false)
	var r *dns.Msg
	var err error
	for try := 0; try < q.tries; try++ {
		r, err = q.do(ctx, q.udp, m, server)
		if err == nil || !isTimeout(err) || ctx.Err() != nil {
			break
		}
	}
	tcp := false
	if err == nil && r.Truncated {
		tcp = true
		r, err = q.do(ctx, q.tcp, m, server)
		if err != nil {
			err = fmt.Errorf("truncated over UDP, then over TCP: %w", err)
		}
	}
	if err != nil {
		return nil, tcp, err
	}
	if len(r.Question) != 1 || !strings.EqualFold(r.Question[0].Name, m.Question[0].Name) || r.Question[0].Qtype != qtype {
		return r, tcp, errors.New("answered a different question")
	}
	return r, tcp, nil
}

// do runs one exchange bounded by the timeout, and returns as soon as ctx is cancelled
// (the client only watches deadlines; the abandoned read ends at its own).
func (q *querier) do(ctx context.Context, c *dns.Client, m *dns.Msg, server string) (*dns.Msg, error) {
	qctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	type result struct {
		r   *dns.Msg
		err error
	}
	ch := make(chan result, 1)
	go func() {
		r, _, err := c.ExchangeContext(qctx, m, server)
		ch <- result{r, err}
	}()
	select {
	case x := <-ch:
		return x.r, x.err
	case <-ctx.Done():
		return nil, fmt.Errorf("check stopped: %w", context.Cause(ctx))
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// answerOf reads a response: the values of qtype at the end of the CNAME chain that
// starts at name, the chain, the TTL resolvers would cache, and the verdict of the
// server's answer itself (before comparing values).
func answerOf(r *dns.Msg, name string, qtype uint16) (a Answer) {
	a.Rcode = dns.RcodeToString[r.Rcode]
	switch r.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		a.Verdict, a.Detail = NXDomain, "the name does not exist (NXDOMAIN)"
		a.TTL, a.HasTTL = negativeTTL(r)
		return a
	case dns.RcodeServerFailure:
		a.Verdict, a.Detail = ServFail, "the server failed to answer (SERVFAIL)"
		return a
	case dns.RcodeRefused:
		a.Verdict, a.Detail = Refused, "the server refused the question (REFUSED)"
		return a
	default:
		a.Verdict, a.Detail = Failed, "the server answered "+a.Rcode
		return a
	}
	owner := strings.ToLower(dns.Fqdn(name))
	seen := map[string]bool{owner: true}
	first := true
	for hop := 0; hop < 16; hop++ {
		var next string
		var found []dns.RR
		for _, rr := range r.Answer {
			h := rr.Header()
			if !strings.EqualFold(h.Name, owner) {
				continue
			}
			if h.Rrtype == qtype {
				found = append(found, rr)
			} else if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
				next = strings.ToLower(c.Target)
				if first {
					a.TTL, a.HasTTL = h.Ttl, true
				}
				a.Chain = append(a.Chain, next)
			}
		}
		if len(found) > 0 {
			for _, rr := range found {
				a.Values = append(a.Values, rdata(rr))
			}
			if first {
				a.TTL, a.HasTTL = minTTL(found), true
			}
			return a
		}
		if next == "" {
			break
		}
		if seen[next] {
			a.Verdict, a.Detail = Failed, "CNAME loop at "+next
			return a
		}
		seen[next] = true
		owner, first = next, false
	}
	if len(a.Chain) > 0 {
		a.Detail = "CNAME " + strings.Join(a.Chain, " → ") + " with no " + dns.TypeToString[qtype] + " record at its end in the answer"
		a.Verdict = Missing
		return a
	}
	if !r.Authoritative && !r.RecursionAvailable && len(r.Ns) > 0 && hasNS(r.Ns) {
		a.Verdict, a.Detail = Failed, "not authoritative: the server referred the question elsewhere (lame delegation?)"
		return a
	}
	a.Verdict, a.Detail = Missing, "no "+dns.TypeToString[qtype]+" record at this name (NODATA)"
	a.TTL, a.HasTTL = negativeTTL(r)
	return a
}

func hasNS(rrs []dns.RR) bool {
	for _, rr := range rrs {
		if _, ok := rr.(*dns.NS); ok {
			return true
		}
	}
	return false
}

// negativeTTL is how long a negative answer is cached: the lesser of the SOA record's
// TTL and its MINIMUM field (RFC 2308 §5).
func negativeTTL(r *dns.Msg) (uint32, bool) {
	for _, rr := range r.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return min(soa.Hdr.Ttl, soa.Minttl), true
		}
	}
	return 0, false
}

func minTTL(rrs []dns.RR) uint32 {
	t := rrs[0].Header().Ttl
	for _, rr := range rrs[1:] {
		t = min(t, rr.Header().Ttl)
	}
	return t
}

// rdata writes a record's data as in a zone file; TXT strings are joined into the one
// text they make (RFC 7208 §3.3, RFC 1035 §3.3.14).
func rdata(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.TXT:
		return strings.Join(v.Txt, "")
	case *dns.MX:
		return strconv.Itoa(int(v.Preference)) + " " + strings.ToLower(v.Mx)
	case *dns.CNAME:
		return strings.ToLower(v.Target)
	case *dns.SRV:
		return fmt.Sprintf("%d %d %d %s", v.Priority, v.Weight, v.Port, strings.ToLower(v.Target))
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	case *dns.NS:
		return strings.ToLower(v.Ns)
	}
	s := rr.String()
	h := rr.Header().String()
	return strings.TrimPrefix(s, h)
}

// errorAnswer is the answer when no response came.
func errorAnswer(err error) Answer {
	if isTimeout(err) {
		return Answer{Rcode: "TIMEOUT", Verdict: Timeout, Detail: "no answer in time"}
	}
	return Answer{Rcode: "ERROR", Verdict: Failed, Detail: err.Error()}
}
