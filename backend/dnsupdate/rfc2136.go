package dnsupdate

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"cutover/backend/fault"
	"cutover/backend/secrets"
)

// RFC2136Config is how Cutover reaches a self-hosted primary server (BIND, Knot,
// PowerDNS) that accepts dynamic updates (RFC 2136) signed with a TSIG key (RFC 8945).
type RFC2136Config struct {
	Server    string         `json:"server"`    // host:port of the primary; port 53 when left out
	Zone      string         `json:"zone"`      // e.g. acme.example
	KeyName   string         `json:"keyName"`   // the TSIG key's name, as the server knows it
	Algorithm string         `json:"algorithm"` // hmac-sha256 (default), hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1
	Secret    secrets.Secret `json:"secret"`    // the key's secret, base64 as in the server's configuration
}

var tsigAlgorithms = map[string]string{
	"hmac-sha1": dns.HmacSHA1, "hmac-sha224": dns.HmacSHA224, "hmac-sha256": dns.HmacSHA256,
	"hmac-sha384": dns.HmacSHA384, "hmac-sha512": dns.HmacSHA512,
}

// RFC2136 is a DNS host reached by RFC 2136 dynamic updates.
type RFC2136 struct {
	server, zone, key, alg string
	secret                 secrets.Secret
	// Timeout bounds each exchange with the server (default 10 s).
	Timeout time.Duration
}

// NewRFC2136 checks a configuration and returns its provider; bad input names its field.
func NewRFC2136(c RFC2136Config) (*RFC2136, error) {
	var errs fault.FieldErrors
	bad := func(f, v, exp string) { errs = append(errs, &fault.FieldError{Field: f, Value: v, Expected: exp}) }
	server := strings.TrimSpace(c.Server)
	if _, _, err := net.SplitHostPort(server); err != nil && server != "" {
		server = net.JoinHostPort(server, "53")
	}
	if host, port, err := net.SplitHostPort(server); err != nil || host == "" || port == "" {
		bad("server", c.Server, "the primary server's address, host or host:port (e.g. ns1.acme.example:53)")
	}
	zone := canonName(c.Zone)
	if _, ok := dns.IsDomainName(zone); !ok || zone == "" {
		bad("zone", c.Zone, "the zone's name, e.g. acme.example")
	}
	key := strings.ToLower(dns.Fqdn(strings.TrimSpace(c.KeyName)))
	if _, ok := dns.IsDomainName(key); !ok || key == "." {
		bad("key name", c.KeyName, "the TSIG key's name as the server's configuration gives it")
	}
	algName := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.Algorithm), "."))
	if algName == "" {
		algName = "hmac-sha256"
	}
	alg, ok := tsigAlgorithms[algName]
	if !ok {
		bad("algorithm", c.Algorithm, "hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224 or hmac-sha1")
	}
	if raw, err := base64.StdEncoding.DecodeString(c.Secret.Reveal()); err != nil || len(raw) == 0 {
		// The value is a secret: the error never repeats it.
		bad("secret", "", "the TSIG key's secret in base64, as in the server's key file")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &RFC2136{server: server, zone: zone, key: key, alg: alg, secret: c.Secret, Timeout: 10 * time.Second}, nil
}

func (r *RFC2136) client() *dns.Client {
	return &dns.Client{Net: "tcp", Timeout: r.Timeout, TsigSecret: map[string]string{r.key: r.secret.Reveal()}}
}

// Read asks the primary for each RRset over TCP (an apex TXT set is often larger than
// a UDP answer). The answer must be authoritative: a server that is not the zone's
// primary could answer from an old copy.
func (r *RFC2136) Read(ctx context.Context, keys []Key) ([]RRset, error) {
	out := make([]RRset, 0, len(keys))
	c := r.client()
	for _, k := range keys {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(k.Name), dns.StringToType[k.Type])
		resp, _, err := c.ExchangeContext(ctx, m, r.server)
		if err != nil {
			return nil, fmt.Errorf("read %s from %s: %w", describe(k), r.server, err)
		}
		if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
			return nil, fmt.Errorf("read %s from %s: the server answered %s", describe(k), r.server, dns.RcodeToString[resp.Rcode])
		}
		if !resp.Authoritative {
			return nil, fmt.Errorf("read %s from %s: the answer is not authoritative: give the zone's primary server", describe(k), r.server)
		}
		out = append(out, fromRRs(k, resp.Answer))
	}
	return out, nil
}

// Apply sends the whole plan as one signed update whose prerequisites are the plan's
// old records (RFC 2136 §2.4.2 and §2.4.3): the server applies all of it, or nothing if
// any RRset is not what the plan saw (§3.2).
func (r *RFC2136) Apply(ctx context.Context, p Plan) error {
	if p.Empty() {
		return nil
	}
	if canonName(p.Zone) != r.zone {
		return fmt.Errorf("a plan for zone %s cannot be applied to zone %s", p.Zone, r.zone)
	}
	m, err := r.update(p)
	if err != nil {
		return err
	}
	resp, _, err := r.client().ExchangeContext(ctx, m, r.server)
	if resp != nil && resp.Rcode != dns.RcodeSuccess {
		return r.refused(ctx, p, resp)
	}
	if err != nil {
		if errors.Is(err, dns.ErrSig) || errors.Is(err, dns.ErrKey) || errors.Is(err, dns.ErrTime) {
			return fmt.Errorf("update zone %s at %s: the server's answer is not signed with the key (%w): check whether the update was applied before retrying", r.zone, r.server, err)
		}
		// The update went out; whether the server applied it is not known.
		return fmt.Errorf("update zone %s at %s: %w: the server may or may not have applied it; show the plan again to see", r.zone, r.server, err)
	}
	return nil
}

// update is the plan as an RFC 2136 UPDATE message, signed.
func (r *RFC2136) update(p Plan) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetUpdate(dns.Fqdn(r.zone))
	for _, c := range p.Changes {
		if !inZone(c.Old.Name, r.zone) || c.Old.Key() != c.New.Key() {
			return nil, fmt.Errorf("change of %s: not an RRset of zone %s", describe(c.New.Key()), r.zone)
		}
		// Each section gets records of its own: Used, Remove and Insert set the class
		// and TTL of the records they are given.
		var sets [3][]dns.RR
		for i, s := range []RRset{c.Old, c.Old, c.New} {
			rs, err := rrs(s)
			if err != nil {
				return nil, err
			}
			sets[i] = rs
		}
		old, oldAgain, nu := sets[0], sets[1], sets[2]
		empty := []dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: dns.Fqdn(c.Old.Name), Rrtype: dns.StringToType[c.Old.Type]}}}
		switch {
		case c.Old.Exists():
			m.Used(old)
		case c.Old.Type == "CNAME":
			// A CNAME cannot sit beside other data (RFC 1034 §3.6.2), and a server ignores
			// such an add silently: require the name to be unused.
			m.NameNotUsed(empty)
		default:
			m.RRsetNotUsed(empty)
		}
		if c.Old.Exists() && c.New.Exists() && c.Old.TTL == c.New.TTL {
			// Only the records that differ: the others of the set are not touched.
			m.Remove(minus(oldAgain, c.New.Values))
			m.Insert(minus(nu, c.Old.Values))
			continue
		}
		if c.Old.Exists() {
			m.RemoveRRset(empty)
		}
		m.Insert(nu)
	}
	m.SetTsig(r.key, r.alg, 300, time.Now().Unix())
	return m, nil
}

// rrs is the set's records.
func rrs(s RRset) ([]dns.RR, error) {
	var out []dns.RR
	for _, v := range s.Values {
		rr, err := toRR(s, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", describe(s.Key()), err)
		}
		out = append(out, rr)
	}
	return out, nil
}

// minus is the records of rs whose RDATA is not among values.
func minus(rs []dns.RR, values []string) []dns.RR {
	var out []dns.RR
	for _, rr := range rs {
		if v := rdata(rr); !containsValue(values, v) {
			out = append(out, rr)
		}
	}
	return out
}

func containsValue(values []string, v string) bool { return slices.Contains(values, v) }

// refused turns the server's refusal into an error that says why and what to do.
func (r *RFC2136) refused(ctx context.Context, p Plan, resp *dns.Msg) error {
	rcode := dns.RcodeToString[resp.Rcode]
	switch resp.Rcode {
	case dns.RcodeNXRrset, dns.RcodeYXRrset, dns.RcodeYXDomain, dns.RcodeNameError:
		// A prerequisite failed (RFC 2136 §3.2.5): say which RRset is no longer as planned.
		now, err := r.Read(ctx, p.keys())
		if err == nil {
			if st := staleRecords(p, now); len(st) > 0 {
				return &StaleError{Zone: r.zone, Records: st}
			}
		}
		var names []string
		for _, c := range p.Changes {
			if resp.Rcode == dns.RcodeYXDomain && c.Old.Type == "CNAME" && !c.Old.Exists() {
				// §2.4.5 "name is not in use" failed: the name has records of other types.
				return &StaleError{Zone: r.zone, Records: []string{fmt.Sprintf("%s has records of other types, and a CNAME cannot sit beside them (RFC 1034 §3.6.2): remove them at the DNS host, or change the expected record", c.Old.Name)}}
			}
			names = append(names, describe(c.Old.Key()))
		}
		return &StaleError{Zone: r.zone, Records: []string{fmt.Sprintf("the server found one of %s not as the plan saw it (%s)", strings.Join(names, ", "), rcode)}}
	case dns.RcodeNotAuth:
		reason := rcode
		if t := resp.IsTsig(); t != nil && t.Error != 0 {
			reason += ", TSIG " + dns.RcodeToString[int(t.Error)]
		}
		return &RefusedError{Server: r.server, Reason: reason,
			Hint: fmt.Sprintf("the TSIG key was not accepted: check the key name (%s), the algorithm and the secret against the server's configuration, and the clocks (within 5 minutes)", strings.TrimSuffix(r.key, "."))}
	case dns.RcodeRefused:
		return &RefusedError{Server: r.server, Reason: rcode,
			Hint: fmt.Sprintf("the server does not let key %s update zone %s: allow it in the zone's update policy (BIND update-policy, Knot acl action update)", strings.TrimSuffix(r.key, "."), r.zone)}
	case dns.RcodeNotZone:
		return &RefusedError{Server: r.server, Reason: rcode, Hint: fmt.Sprintf("the server is not authoritative for zone %s: give the zone's primary server", r.zone)}
	}
	return &RefusedError{Server: r.server, Reason: rcode}
}
