package dnscheck

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Options are what a Checker is built from. Tests pass their own loopback servers,
// clock and dialer, so a check is deterministic and never leaves the machine.
type Options struct {
	// Resolvers are the recursive resolvers a propagation check asks, and the ones used
	// to find a domain's authoritative servers when Nameservers is empty. Nil means
	// none: the caller chooses (see DefaultResolvers).
	Resolvers []Server
	// Nameservers, when given, are asked as the domains' authoritative servers instead
	// of those found through NS (e.g. a DNS host's servers before the delegation).
	Nameservers []Server
	Timeout     time.Duration // one query; default 2 s
	Tries       int           // UDP tries before a timeout is reported; default 2
	Bound       time.Duration // the whole check; default 20 s
	TTLTarget   uint32        // TTL the changing records must be lowered to; default 300
	Concurrency int           // queries in flight; default 16
	Dialer      *net.Dialer   // for DNS queries; nil: a plain one
	// NSPort is the port of the authoritative servers found through NS: "53" unless a
	// test serves them elsewhere.
	NSPort   string
	Now      func() time.Time
	Location *time.Location // the project's zone, for moments in words; nil: UTC
	Log      *slog.Logger
	Reach    *ReachOptions // nil: no reachability check
}

// Checker runs DNS checks.
type Checker struct {
	o Options
	q *querier
}

// New returns a Checker.
func New(o Options) *Checker {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Tries <= 0 {
		o.Tries = 2
	}
	if o.Bound <= 0 {
		o.Bound = 20 * time.Second
	}
	if o.TTLTarget == 0 {
		o.TTLTarget = DefaultTTL
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.NSPort == "" {
		o.NSPort = "53"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Checker{o: o, q: newQuerier(o.Dialer, o.Timeout, o.Tries)}
}

// Request is what to check.
type Request struct {
	Phase   Phase
	Records []Record // expected records; disabled ones are left out
	// Hosts are more names inside the domains whose A record changes at cutover
	// (e.g. the old IMAP server's name): their TTLs are checked before the cutover.
	Hosts []string
}

// check is one result being worked out, with the servers it asks.
type check struct {
	res     Result
	rec     Record
	qtype   uint16
	servers []Server
	roles   []Role
}

// Check runs the checks of req and returns the report. It returns an error only when
// the check could not start; what the servers said, good or bad, is in the report.
func (c *Checker) Check(ctx context.Context, req Request) (Report, error) {
	start := c.o.Now()
	ctx, cancel := context.WithTimeout(ctx, c.o.Bound)
	defer cancel()
	rep := Report{Phase: req.Phase, At: start, Resolvers: c.o.Resolvers}
	var recs []Record
	for _, r := range req.Records {
		if !r.Disabled {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return rep, fmt.Errorf("no expected records to check")
	}
	recs, rep.Notes = c.offered(ctx, recs)
	domains := map[string][]Server{}
	for _, r := range recs {
		if _, ok := domains[r.Domain]; !ok {
			domains[r.Domain] = nil
			rep.Domains = append(rep.Domains, r.Domain)
		}
	}
	sort.Strings(rep.Domains)
	for _, d := range rep.Domains {
		ns, err := c.authoritative(ctx, d)
		if err != nil {
			rep.Problems = append(rep.Problems, err.Error())
		}
		domains[d] = ns
		rep.Nameservers = append(rep.Nameservers, ns...)
	}

	var checks []*check
	switch req.Phase {
	case After:
		for _, r := range recs {
			if r.Key == "verify" {
				continue
			}
			checks = append(checks, c.valueCheck(r, domains[r.Domain], true))
		}
	default:
		for _, r := range recs {
			if r.Key == "verify" {
				checks = append(checks, c.valueCheck(r, domains[r.Domain], false))
			}
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if r.Changes {
				if ch := c.ttlCheck(r, r.Name, domains[r.Domain], seen); ch != nil {
					checks = append(checks, ch)
				}
			}
		}
		c.run(ctx, checks)
		// Second round: the mail hosts inside the domain that the MX and Autodiscover
		// records point to now, and the hosts given, change too.
		var more []*check
		for _, h := range c.mailHosts(checks, req.Hosts) {
			for _, d := range rep.Domains {
				if h == d || strings.HasSuffix(h, "."+d) {
					r := Record{Domain: d, Key: "host-" + h, Purpose: "Mail host " + h, Name: h, Type: "A", Changes: true, Step: "lower_ttl"}
					if ch := c.ttlCheck(r, h, domains[d], seen); ch != nil {
						more = append(more, ch)
					}
				}
			}
		}
		c.run(ctx, more)
		checks = append(checks, more...)
	}
	if req.Phase == After {
		c.run(ctx, checks)
	}
	for _, ch := range checks {
		c.evaluate(ch, req.Phase)
		rep.Results = append(rep.Results, ch.res)
	}
	if c.o.Reach != nil {
		rep.Reachability = c.reach(ctx, *c.o.Reach)
	}
	for _, r := range rep.Results {
		if r.Verdict.Passed() {
			rep.Passed++
		} else {
			rep.Failed++
		}
	}
	for _, r := range rep.Reachability {
		if r.OK {
			rep.Passed++
		} else {
			rep.Failed++
		}
	}
	rep.OK = rep.Failed == 0 && len(rep.Problems) == 0
	rep.Took = c.o.Now().Sub(start)
	return rep, nil
}

func (c *Checker) valueCheck(r Record, auth []Server, propagation bool) *check {
	ch := &check{rec: r, qtype: recordTypes[r.Type]}
	ch.res = Result{Domain: r.Domain, Key: r.Key, Kind: KindValue, Purpose: r.Purpose, Name: r.Name, Type: r.Type, Expected: expectedText(r), Step: r.Step}
	if r.Key == "verify" {
		ch.res.Step = "verify_domain"
	}
	for _, s := range auth {
		ch.servers, ch.roles = append(ch.servers, s), append(ch.roles, Authoritative)
	}
	if propagation {
		for _, s := range c.o.Resolvers {
			ch.servers, ch.roles = append(ch.servers, s), append(ch.roles, Resolver)
		}
	}
	return ch
}

// ttlCheck checks the TTL of what name holds now, for a record that will change. A
// CNAME-valued record is asked as A: whatever is there now (an A record or a CNAME)
// is what resolvers cache.
func (c *Checker) ttlCheck(r Record, name string, auth []Server, seen map[string]bool) *check {
	qtype := recordTypes[r.Type]
	if qtype == dns.TypeCNAME {
		qtype = dns.TypeA
	}
	k := name + "/" + dns.TypeToString[qtype]
	if seen[k] {
		return nil
	}
	seen[k] = true
	ch := &check{rec: r, qtype: qtype}
	ch.res = Result{Domain: r.Domain, Key: r.Key, Kind: KindTTL, Purpose: r.Purpose, Name: name, Type: dns.TypeToString[qtype],
		Expected: fmt.Sprintf("TTL ≤ %d s", c.o.TTLTarget), TTLTarget: c.o.TTLTarget, Step: "lower_ttl"}
	for _, s := range auth {
		ch.servers, ch.roles = append(ch.servers, s), append(ch.roles, Authoritative)
	}
	return ch
}

// mailHosts are the names the current MX records and Autodiscover chain lead to, and hosts.
func (c *Checker) mailHosts(checks []*check, hosts []string) []string {
	set := map[string]bool{}
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), ".")); h != "" {
			set[h] = true
		}
	}
	for _, ch := range checks {
		for _, a := range ch.res.Answers {
			if ch.qtype == dns.TypeMX {
				for _, v := range a.Values {
					if f := strings.Fields(v); len(f) == 2 {
						set[strings.TrimSuffix(f[1], ".")] = true
					}
				}
			}
			for _, t := range a.Chain {
				set[strings.TrimSuffix(t, ".")] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for h := range set {
		if h != "" {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// run asks every check's servers, concurrently, at most Concurrency at a time.
func (c *Checker) run(ctx context.Context, checks []*check) {
	sem := make(chan struct{}, c.o.Concurrency)
	var wg sync.WaitGroup
	for _, ch := range checks {
		ch.res.Answers = make([]Answer, len(ch.servers))
		for i, s := range ch.servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					a := errorAnswer(ctx.Err())
					a.Server, a.Label, a.Role, a.At = s.Addr, s.Label, ch.roles[i], c.o.Now()
					ch.res.Answers[i] = a
					return
				}
				defer func() { <-sem }()
				ch.res.Answers[i] = c.ask(ctx, s, ch.roles[i], ch.res.Name, ch.qtype)
			}()
		}
	}
	wg.Wait()
}

// ask puts one question to one server.
func (c *Checker) ask(ctx context.Context, s Server, role Role, name string, qtype uint16) Answer {
	r, tcp, err := c.q.exchange(ctx, s.Addr, name, qtype, role == Resolver)
	var a Answer
	if err != nil {
		a = errorAnswer(err)
	} else {
		a = answerOf(r, name, qtype)
		if role == Authoritative && r.Rcode == dns.RcodeSuccess && !r.Authoritative && a.Verdict == "" {
			a.Verdict, a.Detail = Failed, "the answer is not authoritative (no AA flag): this server does not serve the zone"
		}
	}
	a.Server, a.Label, a.Role, a.TCP, a.At = s.Addr, s.Label, role, tcp, c.o.Now()
	if a.Values == nil {
		a.Values = []string{}
	}
	c.o.Log.Debug("dns answer", "server", s.Addr, "name", name, "type", dns.TypeToString[qtype], "rcode", a.Rcode, "values", a.Values, "ttl", a.TTL)
	return a
}

// offered leaves out the IfOffered records whose target does not exist: the host does
// not offer that service. Each left out, or kept for want of an answer, is noted. The
// targets are asked about concurrently.
func (c *Checker) offered(ctx context.Context, recs []Record) ([]Record, []string) {
	seen := make([]existence, len(recs))
	var wg sync.WaitGroup
	for i, r := range recs {
		if target := offerTarget(r); target != "" {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seen[i] = c.exists(ctx, target)
			}()
		}
	}
	wg.Wait()
	var out []Record
	var notes []string
	for i, r := range recs {
		switch target := offerTarget(r); {
		case target == "":
			out = append(out, r)
		case seen[i] == existsNo:
			notes = append(notes, fmt.Sprintf("%s %s not checked: %s does not exist, so the host does not offer it", r.Name, r.Type, target))
		case seen[i] == existsUnknown:
			notes = append(notes, fmt.Sprintf("%s %s checked although no resolver said whether %s exists", r.Name, r.Type, target))
			out = append(out, r)
		default:
			out = append(out, r)
		}
	}
	return out, notes
}

// offerTarget is the name an IfOffered record points to, or "".
func offerTarget(r Record) string {
	if !r.IfOffered || r.Value == "" {
		return ""
	}
	f := strings.Fields(r.Value)
	switch r.Type {
	case "CNAME", "MX", "SRV":
		return strings.ToLower(strings.TrimSuffix(f[len(f)-1], "."))
	}
	return ""
}

type existence int

const (
	existsUnknown existence = iota
	existsYes
	existsNo
)

// exists asks the resolvers, in turn, whether name has an address (directly or
// through a CNAME). NXDOMAIN and NODATA mean no; only errors from every resolver
// leave it unknown.
func (c *Checker) exists(ctx context.Context, name string) existence {
	for _, s := range c.o.Resolvers {
		a := c.ask(ctx, s, Resolver, name, dns.TypeA)
		switch {
		case len(a.Values) > 0 || len(a.Chain) > 0:
			return existsYes
		case a.Verdict == NXDomain || (a.Verdict == Missing && a.Rcode == "NOERROR"):
			return existsNo
		}
	}
	return existsUnknown
}

// authoritative finds the servers of domain's zone: the given ones, else those its NS
// records name (RFC 1034 §4.2), with their addresses, through the resolvers.
func (c *Checker) authoritative(ctx context.Context, domain string) ([]Server, error) {
	if len(c.o.Nameservers) > 0 {
		out := make([]Server, len(c.o.Nameservers))
		for i, s := range c.o.Nameservers {
			s.Domain = domain
			out[i] = s
		}
		return out, nil
	}
	if len(c.o.Resolvers) == 0 {
		return nil, fmt.Errorf("%s: no resolver to find its authoritative servers with, and no --nameserver given", domain)
	}
	var lastErr error
	for _, res := range c.o.Resolvers {
		hosts, err := c.nsHosts(ctx, res, domain)
		if err != nil {
			lastErr = err
			continue
		}
		var out []Server
		for _, h := range hosts {
			r, _, err := c.q.exchange(ctx, res.Addr, h, dns.TypeA, true)
			if err != nil || r.Rcode != dns.RcodeSuccess {
				continue
			}
			for _, rr := range r.Answer {
				if a, ok := rr.(*dns.A); ok {
					out = append(out, Server{Addr: net.JoinHostPort(a.A.String(), c.o.NSPort), Label: strings.TrimSuffix(h, "."), Domain: domain})
				}
			}
		}
		if len(out) == 0 {
			lastErr = fmt.Errorf("%s: the addresses of its name servers (%s) could not be found through %s", domain, strings.Join(hosts, ", "), res.Label)
			continue
		}
		return dedupe(out), nil
	}
	return nil, fmt.Errorf("find the authoritative servers of %s: %w", domain, lastErr)
}

// nsHosts asks res for the NS records of domain, walking up to the zone's apex when
// domain is not one (the SOA of a NODATA answer names it).
func (c *Checker) nsHosts(ctx context.Context, res Server, domain string) ([]string, error) {
	name := domain
	for range 4 {
		r, _, err := c.q.exchange(ctx, res.Addr, name, dns.TypeNS, true)
		if err != nil {
			return nil, fmt.Errorf("NS of %s from %s: %w", name, res.Label, err)
		}
		if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
			return nil, fmt.Errorf("NS of %s from %s: %s", name, res.Label, dns.RcodeToString[r.Rcode])
		}
		var hosts []string
		for _, rr := range r.Answer {
			if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(ns.Hdr.Name, dns.Fqdn(name)) {
				hosts = append(hosts, strings.ToLower(ns.Ns))
			}
		}
		if len(hosts) > 0 {
			sort.Strings(hosts)
			return hosts, nil
		}
		apex := ""
		for _, rr := range r.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				apex = strings.TrimSuffix(strings.ToLower(soa.Hdr.Name), ".")
			}
		}
		if apex == "" || apex == name {
			return nil, fmt.Errorf("NS of %s from %s: no NS records", name, res.Label)
		}
		name = apex
	}
	return nil, fmt.Errorf("NS of %s from %s: no zone apex found", domain, res.Label)
}
