package dnscheck

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/miekg/dns"

	"cutover/backend/project"
)

// Match is how a record's answers are compared with its expected value.
type Match string

const (
	MatchExact Match = "exact" // one answer equals the value (names compared without case)
	MatchSPF   Match = "spf"   // the one SPF record (RFC 7208) has the mechanism in Value, e.g. include:_spf.google.com
)

// DefaultTTL is the TTL the records are published with during a cutover, and the target
// the TTLs of the records that will change must be lowered to.
const DefaultTTL = 300

// Record is a DNS record a project expects.
type Record struct {
	Domain   string `json:"domain"`             // the mail domain it belongs to
	Key      string `json:"key"`                // stable within a domain: mx, spf, verify, autodiscover, srv-imaps, ...
	Purpose  string `json:"purpose"`            // in words
	Name     string `json:"name"`               // owner name, absolute, without the final dot
	Type     string `json:"type"`               // MX, TXT, CNAME, SRV, A, AAAA
	Value    string `json:"value"`              // RDATA as in a zone file; TXT: the text; SPF: the mechanism
	Match    Match  `json:"match"`              // exact or spf
	TTL      uint32 `json:"ttl"`                // TTL to publish it with
	Changes  bool   `json:"changes"`            // its current value changes at cutover: its TTL is lowered before
	Step     string `json:"step,omitempty"`     // the timeline step it is evidence for
	Custom   bool   `json:"custom,omitempty"`   // added or edited for this project
	Disabled bool   `json:"disabled,omitempty"` // not checked
	// Accept are other values that count as the expected one (exact match only): any
	// of them stands in for Value and none is flagged as an old value left over.
	Accept []string `json:"accept,omitempty"`
	// IfOffered: checked only when the host offers the service, i.e. when the name the
	// record points to exists (autoconfig and autodiscover of another IMAP host).
	IfOffered bool `json:"ifOffered,omitempty"`
}

// Defaults are the records provider expects for domain. dest is the destination IMAP
// host (used for another IMAP host); verification the TXT value the destination's
// console gave (empty: not known yet).
func Defaults(provider project.Provider, domain, dest, verification string) []Record {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	at := func(label string) string {
		if label == "" {
			return d
		}
		return label + "." + d
	}
	var out []Record
	add := func(r Record) {
		r.Domain = d
		if r.TTL == 0 {
			r.TTL = DefaultTTL
		}
		if r.Match == "" {
			r.Match = MatchExact
		}
		out = append(out, r)
	}
	verify := func(purpose string) {
		add(Record{Key: "verify", Purpose: purpose, Name: d, Type: "TXT", Value: verification, TTL: 3600, Step: "verify_domain"})
	}
	switch provider {
	case project.ProviderM365:
		verify("Microsoft 365 domain verification (MS=ms…)")
		// Microsoft publishes the MX host as the domain with dots turned into dashes.
		add(Record{Key: "mx", Purpose: "Mail exchanger", Name: d, Type: "MX", Value: "0 " + strings.ReplaceAll(d, ".", "-") + ".mail.protection.outlook.com.", Changes: true, Step: "dns_change"})
		add(Record{Key: "autodiscover", Purpose: "Outlook Autodiscover", Name: at("autodiscover"), Type: "CNAME", Value: "autodiscover.outlook.com.", Changes: true, Step: "outlook"})
		add(Record{Key: "spf", Purpose: "SPF (who may send for the domain)", Name: d, Type: "TXT", Value: "include:spf.protection.outlook.com", Match: MatchSPF, Changes: true, Step: "dns_change"})
	case project.ProviderGoogle:
		verify("Google Workspace domain verification (google-site-verification=…)")
		// Google's current single MX; domains set up earlier publish the ASPMX set, which
		// delivers to Google just the same.
		add(Record{Key: "mx", Purpose: "Mail exchanger", Name: d, Type: "MX", Value: "1 smtp.google.com.", Accept: GoogleASPMX, Changes: true, Step: "dns_change"})
		add(Record{Key: "spf", Purpose: "SPF (who may send for the domain)", Name: d, Type: "TXT", Value: "include:_spf.google.com", Match: MatchSPF, Changes: true, Step: "dns_change"})
	default:
		host := strings.ToLower(strings.TrimSuffix(dest, "."))
		if host == "" {
			host = "mail." + d
		}
		if verification != "" {
			verify("Domain verification TXT")
		}
		add(Record{Key: "mx", Purpose: "Mail exchanger", Name: d, Type: "MX", Value: "10 " + host + ".", Changes: true, Step: "dns_change"})
		add(Record{Key: "spf", Purpose: "SPF (who may send for the domain)", Name: d, Type: "TXT", Value: "a:" + host, Match: MatchSPF, Changes: true, Step: "dns_change"})
		// RFC 6186 §3.2 (IMAP over TLS) and §3.1 (message submission).
		add(Record{Key: "srv-imaps", Purpose: "IMAP client setup (RFC 6186)", Name: at("_imaps._tcp"), Type: "SRV", Value: "0 1 993 " + host + ".", Changes: true, Step: "dns_change"})
		add(Record{Key: "srv-submission", Purpose: "Submission client setup (RFC 6186)", Name: at("_submission._tcp"), Type: "SRV", Value: "0 1 587 " + host + ".", Changes: true, Step: "dns_change"})
		// Thunderbird's autoconfig and Outlook's Autodiscover, where the host offers them:
		// a hosting company publishes autoconfig.<its domain> and autodiscover.<its domain>,
		// and its customers point theirs there. Checked only when those names exist.
		if p := hostDomain(host); p != d && !strings.HasSuffix(p, "."+d) && !strings.HasSuffix(d, "."+p) {
			add(Record{Key: "autoconfig", Purpose: "Thunderbird autoconfig (if " + p + " offers it)", Name: at("autoconfig"), Type: "CNAME", Value: "autoconfig." + p + ".", Changes: true, IfOffered: true, Step: "dns_change"})
			add(Record{Key: "autodiscover", Purpose: "Outlook Autodiscover (if " + p + " offers it)", Name: at("autodiscover"), Type: "CNAME", Value: "autodiscover." + p + ".", Changes: true, IfOffered: true, Step: "outlook"})
		}
	}
	return out
}

// hostDomain is the domain a mail host belongs to: imap.host.example → host.example.
func hostDomain(host string) string {
	labels := dns.SplitDomainName(host)
	if len(labels) < 3 {
		return host
	}
	return strings.Join(labels[1:], ".")
}

// GoogleASPMX is the older set of Google Workspace MX records.
var GoogleASPMX = []string{"1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com.", "5 alt2.aspmx.l.google.com.", "10 alt3.aspmx.l.google.com.", "10 alt4.aspmx.l.google.com."}

// Merge applies a project's edits to the defaults: an edit with the key of a default
// replaces it (or disables it), any other is added. The result is in a stable order.
func Merge(defaults, edits []Record) []Record {
	out := make([]Record, 0, len(defaults)+len(edits))
	idx := map[string]int{}
	for _, r := range defaults {
		idx[r.Domain+"/"+r.Key] = len(out)
		out = append(out, r)
	}
	for _, e := range edits {
		e.Custom = true
		if i, ok := idx[e.Domain+"/"+e.Key]; ok {
			if e.Step == "" {
				e.Step = out[i].Step
			}
			if e.Purpose == "" {
				e.Purpose = out[i].Purpose
			}
			if e.Type == out[i].Type && e.Value == out[i].Value {
				// The same record switched off or on again: what the default accepts still holds.
				e.Accept, e.IfOffered = out[i].Accept, out[i].IfOffered
			}
			out[i] = e
			continue
		}
		idx[e.Domain+"/"+e.Key] = len(out)
		out = append(out, e)
	}
	return out
}

// RecordInput is an expected record as a user types it.
type RecordInput struct {
	Domain   string `json:"domain"`
	Key      string `json:"key"`
	Purpose  string `json:"purpose,omitempty"`
	Name     string `json:"name"` // "@", a label relative to the domain, or an absolute name inside it
	Type     string `json:"type"`
	Value    string `json:"value"`
	Match    string `json:"match,omitempty"`
	TTL      string `json:"ttl,omitempty"` // seconds; empty: 300
	Changes  *bool  `json:"changes,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
}

var recordTypes = map[string]uint16{"MX": dns.TypeMX, "TXT": dns.TypeTXT, "CNAME": dns.TypeCNAME, "SRV": dns.TypeSRV, "A": dns.TypeA, "AAAA": dns.TypeAAAA}

// ParseRecord validates an expected record typed for one of domains. field prefixes
// the names of the fields in errors (e.g. "record 3").
func ParseRecord(field string, in RecordInput, domains []string) (Record, error) {
	var errs project.InputErrors
	bad := func(f, v, exp string) {
		errs = append(errs, &project.FieldError{Field: strings.TrimSpace(field + " " + f), Value: v, Expected: exp})
	}
	r := Record{Purpose: strings.TrimSpace(in.Purpose), Disabled: in.Disabled, Match: MatchExact, TTL: DefaultTTL}
	r.Domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(in.Domain), "."))
	if r.Domain == "" && len(domains) == 1 {
		r.Domain = domains[0]
	}
	found := false
	for _, d := range domains {
		found = found || d == r.Domain
	}
	if !found {
		bad("domain", in.Domain, "one of the project's domains: "+strings.Join(domains, ", "))
	}
	r.Key = strings.ToLower(strings.TrimSpace(in.Key))
	if !validKey(r.Key) {
		bad("key", in.Key, "a short key of letters, digits and '-' (e.g. mx, spf, autodiscover, srv-imaps)")
	}
	r.Type = strings.ToUpper(strings.TrimSpace(in.Type))
	qtype, typeOK := recordTypes[r.Type]
	if !typeOK {
		bad("type", in.Type, "MX, TXT, CNAME, SRV, A or AAAA")
	}
	if found {
		name, err := absName(in.Name, r.Domain)
		if err != "" {
			bad("name", in.Name, err)
		}
		r.Name = name
	}
	switch m := Match(strings.ToLower(strings.TrimSpace(in.Match))); m {
	case "", MatchExact:
	case MatchSPF:
		if r.Type != "TXT" {
			bad("match", in.Match, "spf only for a TXT record")
		}
		r.Match = MatchSPF
	default:
		bad("match", in.Match, "exact or spf")
	}
	if s := strings.TrimSpace(in.TTL); s != "" {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n == 0 || n > 604800 {
			bad("ttl", in.TTL, "a TTL in seconds from 1 to 604800")
		}
		r.TTL = uint32(n)
	}
	r.Value = strings.TrimSpace(in.Value)
	if typeOK && (r.Value != "" || !in.Disabled) {
		v, exp := normalizeValue(qtype, r.Match, r.Value)
		if exp != "" {
			bad("value", in.Value, exp)
		}
		r.Value = v
	}
	r.Changes = r.Type != "TXT" || r.Match == MatchSPF
	if in.Changes != nil {
		r.Changes = *in.Changes
	}
	if len(errs) > 0 {
		return r, errs
	}
	return r, nil
}

func validKey(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// absName turns "@", "autodiscover" or "autodiscover.acme.example." into the absolute
// name inside domain; the second result says what was expected when it is not one.
func absName(name, domain string) (string, string) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || n == "@" {
		return domain, ""
	}
	n = strings.TrimSuffix(n, ".")
	if n != domain && !strings.HasSuffix(n, "."+domain) {
		n = n + "." + domain
	}
	if _, ok := dns.IsDomainName(n); !ok || strings.Contains(n, "..") || len(n) > 253 {
		return n, "a name inside " + domain + ` ("@", "autodiscover" or "_imaps._tcp")`
	}
	for _, l := range dns.SplitDomainName(n) {
		if len(l) > 63 {
			return n, "labels of at most 63 characters"
		}
	}
	return n, ""
}

// normalizeValue checks an expected value against its type and writes it the way
// answers are written, so the two compare; the second result says what was expected.
func normalizeValue(qtype uint16, m Match, v string) (string, string) {
	if m == MatchSPF {
		if v == "" || strings.ContainsAny(v, " \t\"") {
			return v, "one SPF mechanism such as include:spf.protection.outlook.com"
		}
		return strings.ToLower(v), ""
	}
	switch qtype {
	case dns.TypeTXT:
		v = strings.TrimFunc(v, func(r rune) bool { return r == '"' || unicode.IsSpace(r) }) // quotes as a zone file writes them are not part of the text
		if v == "" {
			return v, "the text of the record (e.g. MS=ms12345678)"
		}
		if len(v) > 4000 {
			return v, "at most 4000 characters"
		}
		return v, ""
	case dns.TypeA, dns.TypeAAAA:
		ip := net.ParseIP(v)
		if ip == nil || (qtype == dns.TypeA) != (ip.To4() != nil) {
			return v, map[uint16]string{dns.TypeA: "an IPv4 address", dns.TypeAAAA: "an IPv6 address"}[qtype]
		}
		return ip.String(), ""
	case dns.TypeCNAME:
		h, ok := hostName(v)
		if !ok {
			return v, "a host name such as autodiscover.outlook.com"
		}
		return h, ""
	case dns.TypeMX:
		f := strings.Fields(v)
		if len(f) == 1 {
			f = []string{"10", f[0]}
		}
		if len(f) != 2 {
			return v, "a preference and a host, e.g. 0 acme-example.mail.protection.outlook.com"
		}
		pref, err := strconv.ParseUint(f[0], 10, 16)
		h, ok := hostName(f[1])
		if err != nil || !ok {
			return v, "a preference (0-65535) and a host, e.g. 0 acme-example.mail.protection.outlook.com"
		}
		return fmt.Sprintf("%d %s", pref, h), ""
	case dns.TypeSRV:
		f := strings.Fields(v)
		if len(f) != 4 {
			return v, "priority weight port target, e.g. 0 1 993 imap.example.net (RFC 2782)"
		}
		var n [3]uint64
		for i := range 3 {
			x, err := strconv.ParseUint(f[i], 10, 16)
			if err != nil {
				return v, "priority weight port target with numbers from 0 to 65535"
			}
			n[i] = x
		}
		h, ok := hostName(f[3])
		if !ok || n[2] == 0 {
			return v, "priority weight port target, e.g. 0 1 993 imap.example.net (RFC 2782)"
		}
		return fmt.Sprintf("%d %d %d %s", n[0], n[1], n[2], h), ""
	}
	return v, "a supported record type"
}

// hostName returns h as an absolute lower-case name with its final dot.
func hostName(h string) (string, bool) {
	h = strings.ToLower(strings.TrimSpace(h))
	if h == "" || h == "." || strings.Contains(h, "..") || strings.ContainsAny(h, " \t\"") {
		return h, false
	}
	if _, ok := dns.IsDomainName(h); !ok {
		return h, false
	}
	return dns.Fqdn(h), true
}

// Sorted returns records ordered by domain, then the order they are usually shown in.
func Sorted(rs []Record) []Record {
	order := map[string]int{"verify": 0, "mx": 1, "spf": 2, "autodiscover": 3}
	out := append([]Record(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Domain != out[j].Domain {
			return out[i].Domain < out[j].Domain
		}
		oi, ok := order[out[i].Key]
		if !ok {
			oi = 9
		}
		oj, ok := order[out[j].Key]
		if !ok {
			oj = 9
		}
		return oi < oj
	})
	return out
}
