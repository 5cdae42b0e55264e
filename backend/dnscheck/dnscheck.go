// Package dnscheck checks the DNS records an email cutover depends on, the way the
// customer's mail clients and the rest of the Internet will see them.
//
// It knows the records each destination provider expects (Microsoft 365, Google
// Workspace, or another IMAP host with its RFC 6186 SRV records), reads their TTLs
// from the domain's authoritative servers (found through NS, RFC 1034 §4.2, or given),
// and follows a change as it propagates across recursive resolvers. Queries go to the
// chosen servers directly with github.com/miekg/dns (RFC 1035): concurrently, each
// bounded in time, falling back from UDP to TCP when an answer is truncated (RFC 7766
// §5), following CNAME chains (RFC 1034 §3.6.2) and joining multi-string TXT records
// (RFC 7208 §3.3). NXDOMAIN, NODATA, SERVFAIL, REFUSED and timeouts are reported as
// what they are, never as success; negative answers carry the TTL resolvers cache them
// for (RFC 2308 §5: the lesser of the SOA's TTL and its MINIMUM).
//
// Every answer is an Observation with its time, server, values and TTL. From the
// observations of the authoritative servers, SafeSwitch says when a lowered TTL has
// taken effect everywhere: a resolver may hold an answer for as long as the TTL it was
// given, so after a drop observed at T the old answer is gone by T + the old TTL.
package dnscheck

import (
	"strings"
	"time"

	"cutover/backend/project"
)

// Phase is when a check runs: before the cutover (verification and TTLs) or after it
// (the new records and their propagation).
type Phase string

const (
	Before Phase = "before"
	After  Phase = "after"
)

// ParsePhase reads a phase as typed.
func ParsePhase(s string) (Phase, error) {
	switch Phase(strings.ToLower(strings.TrimSpace(s))) {
	case Before, "pre", "":
		return Before, nil
	case After, "post":
		return After, nil
	}
	return "", &project.FieldError{Field: "phase", Value: s, Expected: "before or after"}
}

// Verdict is the outcome of one check, or of one server's answer.
type Verdict string

const (
	OK          Verdict = "ok"
	Wrong       Verdict = "wrong"       // a record is there with another value
	Extra       Verdict = "extra"       // the expected value is there, but so is an old one
	Missing     Verdict = "missing"     // the name exists but has no record of this type (NODATA)
	NXDomain    Verdict = "nxdomain"    // the name does not exist
	ServFail    Verdict = "servfail"    // the server failed to answer (SERVFAIL)
	Refused     Verdict = "refused"     // the server refused the question (REFUSED)
	Timeout     Verdict = "timeout"     // no answer in time
	Failed      Verdict = "error"       // anything else: unreachable, malformed, lame, CNAME loop
	TTLHigh     Verdict = "ttl_high"    // value fine, TTL above the target
	Propagating Verdict = "propagating" // right on the authoritative servers, not yet on every resolver
	Unset       Verdict = "unset"       // nothing to compare with: the expected value is not set
)

// Passed reports whether v counts as a pass.
func (v Verdict) Passed() bool { return v == OK }

// Role is what kind of server answered.
type Role string

const (
	Authoritative Role = "authoritative"
	Resolver      Role = "resolver"
)

// Kind is what a result checks.
type Kind string

const (
	KindValue Kind = "value" // the record has the expected value
	KindTTL   Kind = "ttl"   // the record that will change has a short enough TTL
)

// Answer is what one server said about one record.
type Answer struct {
	Server  string    `json:"server"`          // host:port asked
	Label   string    `json:"label"`           // how to call it: "ns1.acme.example", "system resolver", "9.9.9.9"
	Role    Role      `json:"role"`            // authoritative or resolver
	Rcode   string    `json:"rcode"`           // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT, ERROR
	Values  []string  `json:"values"`          // the records of the asked type, in zone-file form
	Chain   []string  `json:"chain,omitempty"` // CNAMEs followed, in order
	TTL     uint32    `json:"ttl"`             // of the answer (negative answers: how long it is cached)
	HasTTL  bool      `json:"hasTTL"`          // false when no TTL was learned (errors, timeouts)
	Verdict Verdict   `json:"verdict"`
	Detail  string    `json:"detail,omitempty"` // the problem in words
	TCP     bool      `json:"tcp,omitempty"`    // the answer came over TCP after a truncated UDP one
	At      time.Time `json:"at"`
}

// Result is one record checked on every server.
type Result struct {
	Domain    string   `json:"domain"`
	Key       string   `json:"key"`
	Kind      Kind     `json:"kind"`
	Purpose   string   `json:"purpose"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Expected  string   `json:"expected"`            // in words: "0 acme-example.mail.protection.outlook.com." or "TTL ≤ 300 s"
	TTLTarget uint32   `json:"ttlTarget,omitempty"` // for TTL checks
	Answers   []Answer `json:"answers"`
	Verdict   Verdict  `json:"verdict"`
	Summary   string   `json:"summary"`             // "4 of 5 resolvers see the new MX"
	Seen      int      `json:"seen"`                // resolvers that see the expected value
	Asked     int      `json:"asked"`               // resolvers asked
	Lingering []string `json:"lingering,omitempty"` // old values still answered, with who answers them
	Fix       string   `json:"fix,omitempty"`       // what to change, in words
	FixRecord string   `json:"fixRecord,omitempty"` // the exact record to publish, zone-file line
	Step      string   `json:"step,omitempty"`      // the timeline step this result is evidence for
}

// Authoritative counts the authoritative servers asked and those that answered as
// expected: the figures of the result's Summary, for texts that say it another way.
func (r Result) Authoritative() (ok, asked int) {
	for _, a := range r.Answers {
		if a.Role != Authoritative {
			continue
		}
		asked++
		if a.Verdict == OK {
			ok++
		}
	}
	return ok, asked
}

// AuthoritativeOK is the first figure of Authoritative, for templates.
func (r Result) AuthoritativeOK() int { ok, _ := r.Authoritative(); return ok }

// AuthoritativeAsked is the second figure of Authoritative, for templates.
func (r Result) AuthoritativeAsked() int { _, n := r.Authoritative(); return n }

// Worst is the authoritative answer the Summary names, the worst of those that are not
// as expected (nil when every authoritative server is).
func (r Result) Worst() *Answer {
	var worst *Answer
	for i := range r.Answers {
		a := &r.Answers[i]
		if a.Role != Authoritative || a.Verdict == OK {
			continue
		}
		if worst == nil || rank(a.Verdict) > rank(worst.Verdict) {
			worst = a
		}
	}
	return worst
}

// Report is one check of a project's domains.
type Report struct {
	Phase        Phase         `json:"phase"`
	At           time.Time     `json:"at"`
	Domains      []string      `json:"domains"`
	Nameservers  []Server      `json:"nameservers"`
	Resolvers    []Server      `json:"resolvers"`
	Results      []Result      `json:"results"`
	Reachability []Reach       `json:"reachability,omitempty"`
	Problems     []string      `json:"problems,omitempty"` // what kept the check from running fully
	Notes        []string      `json:"notes,omitempty"`    // records left out, and why
	Passed       int           `json:"passed"`
	Failed       int           `json:"failed"`
	OK           bool          `json:"ok"`
	Safe         *SafeSwitch   `json:"safe,omitempty"` // filled from the stored history
	Took         time.Duration `json:"took"`
}

// Server is a DNS server to ask.
type Server struct {
	Addr   string `json:"addr"`             // host:port
	Label  string `json:"label"`            // shown to people
	Domain string `json:"domain,omitempty"` // for authoritative servers: the domain they serve
}

// Observation is one stored answer: what a server said about a name and type, when.
type Observation struct {
	At     time.Time `json:"at"`
	Domain string    `json:"domain"`
	Kind   Kind      `json:"kind"`
	Name   string    `json:"name"`
	Type   string    `json:"type"`
	Server string    `json:"server"`
	Label  string    `json:"label"`
	Role   Role      `json:"role"`
	Rcode  string    `json:"rcode"`
	Values []string  `json:"values"`
	TTL    uint32    `json:"ttl"`
	HasTTL bool      `json:"hasTTL"`
}

// Observations lists every answer of the report.
func (r Report) Observations() []Observation {
	var out []Observation
	for _, res := range r.Results {
		for _, a := range res.Answers {
			out = append(out, Observation{At: a.At, Domain: res.Domain, Kind: res.Kind, Name: res.Name, Type: res.Type,
				Server: a.Server, Label: a.Label, Role: a.Role, Rcode: a.Rcode, Values: a.Values, TTL: a.TTL, HasTTL: a.HasTTL})
		}
	}
	return out
}

// Result returns the result of domain with key and kind, if any.
func (r Report) Result(domain, key string, kind Kind) (Result, bool) {
	for _, res := range r.Results {
		if res.Domain == domain && res.Key == key && res.Kind == kind {
			return res, true
		}
	}
	return Result{}, false
}
