// Package dnsupdate changes records at a customer's DNS host for a cutover: it lowers
// the TTLs of the records that will change, switches MX, SPF (the one TXT record that
// starts "v=spf1", RFC 7208 §4.5; other TXT records are left as they are) and the
// Autodiscover CNAME to the destination's, and rolls a change back from the snapshot
// of the records it replaced. dnscheck stays the package that observes; this one
// only writes, and only what a Plan shown to the user says.
//
// A Plan is made from the records as they are now (Provider.Read) and holds each
// RRset's old and new value; Diff is the text the user confirms and Fingerprint the
// short code that confirmation names, so a plan that changed since it was shown is
// never applied. Providers apply a plan only if the records are still what the plan
// saw: RFC 2136 dynamic updates (rfc2136.go) carry that as prerequisites (§2.4.2,
// "RRset exists (value dependent)", and §2.4.3) in the same signed message (TSIG,
// RFC 8945), so the server applies all of it or nothing; Cloudflare's API
// (cloudflare.go) has no transactions, so its provider compares first and changes
// record by record, in an order that never leaves a name without a record.
//
// Another DNS host is one file: a type with Read and Apply.
package dnsupdate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cutover/backend/fault"
)

// RRset is the records of one name and type (RFC 2181 §5: they share one TTL).
type RRset struct {
	Name string `json:"name"` // absolute, lower case, without the final dot
	Type string `json:"type"` // MX, TXT, CNAME
	TTL  uint32 `json:"ttl"`
	// Values are the RDATA in zone-file presentation (RFC 1035 §5.1), names absolute with
	// their final dot: "10 mail.acme.example.", `"v=spf1 a:mail ~all"`, "autodiscover.outlook.com.".
	// None: the name has no record of this type.
	Values []string `json:"values"`
}

// Key is the name and type of an RRset.
type Key struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Key is the set's name and type.
func (s RRset) Key() Key { return Key{Name: s.Name, Type: s.Type} }

// Exists reports whether the set has any record.
func (s RRset) Exists() bool { return len(s.Values) > 0 }

// Equal reports whether two sets hold the same records with the same TTL (an empty
// set's TTL does not count).
func (s RRset) Equal(o RRset) bool {
	if s.Key() != o.Key() || !sameValues(s.Values, o.Values) {
		return false
	}
	return !s.Exists() || s.TTL == o.TTL
}

func sameValues(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// Change is one RRset as the plan saw it and as it will be.
type Change struct {
	Old RRset `json:"old"`
	New RRset `json:"new"`
}

// Kind is what a plan does.
type Kind string

const (
	KindLower    Kind = "lower"    // lower the TTLs of the records that will change
	KindSwitch   Kind = "switch"   // point MX, SPF and Autodiscover at the destination
	KindRollback Kind = "rollback" // put back the records a change replaced
)

// ParseKind reads a kind typed by the user.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case KindLower, KindSwitch, KindRollback:
		return k, nil
	}
	return "", &fault.FieldError{Field: "kind", Value: s, Expected: "lower, switch or rollback"}
}

// Plan is the changes to one zone, each with the RRset it replaces.
type Plan struct {
	Zone    string   `json:"zone"` // without the final dot
	Kind    Kind     `json:"kind"`
	Changes []Change `json:"changes"`
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Provider reads and changes the records of one zone at a DNS host.
type Provider interface {
	// Read returns the current RRset of each key, in the same order (an RRset without
	// values when the name has no record of that type).
	Read(ctx context.Context, keys []Key) ([]RRset, error)
	// Apply makes the plan's changes only if every changed RRset still holds the plan's
	// old records; otherwise it changes nothing and returns a *StaleError.
	Apply(ctx context.Context, p Plan) error
}

// StaleError is a plan refused because records changed since it was made: nothing was
// changed. Records names each RRset that differs, with what it holds now.
type StaleError struct {
	Zone    string
	Records []string // e.g. `MX acme.example: the plan saw 10 mail.acme.example., now 10 other.example.`
}

func (e *StaleError) Error() string {
	what := "records"
	if len(e.Records) > 0 {
		what = strings.Join(e.Records, "; ")
	}
	return fmt.Sprintf("zone %s changed since the plan was made (%s): nothing was changed; make the plan again and check it", e.Zone, what)
}

// RefusedError is an update the DNS host refused as a whole: nothing was changed.
type RefusedError struct {
	Server string // address or API
	Reason string // the server's answer
	Hint   string // what to do
}

func (e *RefusedError) Error() string {
	s := fmt.Sprintf("%s refused the update (%s): nothing was changed", e.Server, e.Reason)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// describe is an RRset as the errors name it: "MX acme.example".
func describe(k Key) string { return k.Type + " " + k.Name }

// staleRecords compares what a plan saw with what is there now and names each
// difference.
func staleRecords(p Plan, now []RRset) []string {
	var out []string
	for i, c := range p.Changes {
		if i >= len(now) || c.Old.Equal(now[i]) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: the plan saw %s, now %s", describe(c.Old.Key()), setText(c.Old), setText(now[i])))
	}
	return out
}

// setText is an RRset's values and TTL in one line, for errors.
func setText(s RRset) string {
	if !s.Exists() {
		return "no record"
	}
	return fmt.Sprintf("%s (TTL %d)", strings.Join(s.Values, ", "), s.TTL)
}

// keys are the plan's RRsets' names and types.
func (p Plan) keys() []Key {
	out := make([]Key, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = c.Old.Key()
	}
	return out
}
