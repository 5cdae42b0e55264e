package dnsupdate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"cutover/backend/dnscheck"
)

// Switched reports whether an expected record is one a switch changes: the MX, the SPF
// TXT record and the Autodiscover CNAME. A record checked only when the host offers
// the service (IfOffered) is left out: whether the name it points to exists is not
// known here, and pointing clients at nothing is worse than leaving them be.
func Switched(r dnscheck.Record) bool {
	if r.Disabled || !r.Changes || r.IfOffered {
		return false
	}
	switch r.Type {
	case "MX":
		return true
	case "TXT":
		return r.Match == dnscheck.MatchSPF || isSPF(r.Value)
	case "CNAME":
		return r.Key == "autodiscover"
	}
	return false
}

// Keys are the RRsets inside zone that a switch to expected changes, in the order of
// expected, each once: what to Read before planning a lowering or a switch.
func Keys(zone string, expected []dnscheck.Record) []Key {
	zone = canonName(zone)
	var out []Key
	for _, r := range expected {
		k := Key{Name: canonName(r.Name), Type: r.Type}
		if Switched(r) && inZone(k.Name, zone) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func inZone(name, zone string) bool { return name == zone || strings.HasSuffix(name, "."+zone) }

func canonName(n string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(n), "."))
}

// PlanLowerTTL lowers to ttl the TTL of each current RRset that has records and a
// higher TTL; the records stay as they are.
func PlanLowerTTL(zone string, current []RRset, ttl uint32) Plan {
	p := Plan{Zone: canonName(zone), Kind: KindLower}
	for _, s := range current {
		if s.Exists() && s.TTL > ttl {
			n := s
			n.Values = slices.Clone(s.Values)
			n.TTL = ttl
			p.Changes = append(p.Changes, Change{Old: s, New: n})
		}
	}
	return p
}

// PlanSwitch points the records of zone at expected: the MX set becomes the expected
// MX (unless what is there is already one the record accepts), the one SPF record
// becomes the expected one (other TXT records of the name are kept as they are), the
// Autodiscover CNAME the expected target. current is what Read returned for Keys. A
// changed set takes the expected record's TTL, or its own when that is lower.
func PlanSwitch(zone string, current []RRset, expected []dnscheck.Record) (Plan, error) {
	zone = canonName(zone)
	p := Plan{Zone: zone, Kind: KindSwitch}
	for _, k := range Keys(zone, expected) {
		old := RRset{Name: k.Name, Type: k.Type}
		for _, s := range current {
			if s.Key() == k {
				old = s
			}
		}
		var want []dnscheck.Record
		for _, r := range expected {
			if Switched(r) && canonName(r.Name) == k.Name && r.Type == k.Type {
				want = append(want, r)
			}
		}
		n, err := switchSet(old, want)
		if err != nil {
			return p, err
		}
		if !n.Equal(old) {
			p.Changes = append(p.Changes, Change{Old: old, New: n})
		}
	}
	return p, nil
}

// switchSet is what the RRset old becomes under the expected records want (all of
// its name and type).
func switchSet(old RRset, want []dnscheck.Record) (RRset, error) {
	n := RRset{Name: old.Name, Type: old.Type, TTL: want[0].TTL}
	if n.TTL == 0 || (old.Exists() && old.TTL < n.TTL) {
		// Never raised at the switch: a TTL lowered further keeps a rollback quick.
		n.TTL = old.TTL
	}
	if old.Type == "TXT" {
		return switchSPF(old, n, want[0])
	}
	accepted := map[string]bool{}
	for _, r := range want {
		v, err := Canon(r.Type, r.Value)
		if err != nil {
			return n, fmt.Errorf("expected %s record %s: %w", r.Type, r.Name, err)
		}
		if !slices.Contains(n.Values, v) {
			n.Values = append(n.Values, v)
		}
		accepted[v] = true
		for _, a := range r.Accept {
			if v, err := Canon(r.Type, a); err == nil {
				accepted[v] = true
			}
		}
	}
	// Already pointing where the destination accepts (Google's older ASPMX set): leave it.
	already := old.Exists()
	for _, v := range old.Values {
		already = already && accepted[v]
	}
	if already && (old.TTL <= n.TTL || n.TTL == 0) {
		return old, nil
	}
	if already {
		n.Values = slices.Clone(old.Values)
	}
	return n, nil
}

// switchSPF replaces the SPF record(s) among old's TXT records with the one want
// describes, keeping every other TXT record.
func switchSPF(old, n RRset, want dnscheck.Record) (RRset, error) {
	var spf []string
	for _, v := range old.Values {
		if isSPF(txtText(v)) {
			spf = append(spf, txtText(v))
		} else {
			n.Values = append(n.Values, v)
		}
	}
	text := strings.TrimSpace(want.Value)
	if want.Match == dnscheck.MatchSPF {
		if len(spf) == 1 && hasTerm(spf[0], text) {
			text = spf[0]
		} else {
			all := "~all"
			if len(spf) == 1 {
				all = allTerm(spf[0], all)
			}
			text = "v=spf1 " + strings.ToLower(text) + " " + all
		}
	}
	if !isSPF(text) {
		return n, fmt.Errorf("expected SPF record %s: %q does not start with v=spf1", want.Name, want.Value)
	}
	v, err := Canon("TXT", txtValue(text))
	if err != nil {
		return n, fmt.Errorf("expected SPF record %s: %w", want.Name, err)
	}
	n.Values = append(n.Values, v)
	if len(spf) == 1 && spf[0] == text && old.TTL <= n.TTL {
		return old, nil
	}
	return n, nil
}

// isSPF reports whether a TXT record's text is an SPF record (RFC 7208 §4.5: the
// version section "v=spf1", alone or followed by a space).
func isSPF(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return t == "v=spf1" || strings.HasPrefix(t, "v=spf1 ")
}

// hasTerm reports whether an SPF record has the term (mechanism), case aside.
func hasTerm(spf, term string) bool {
	for _, f := range strings.Fields(strings.ToLower(spf)) {
		if f == strings.ToLower(term) {
			return true
		}
	}
	return false
}

// allTerm is the record's "all" mechanism with its qualifier (RFC 7208 §5.1), or def.
func allTerm(spf, def string) string {
	for _, f := range strings.Fields(strings.ToLower(spf)) {
		if strings.TrimLeft(f, "+-~?") == "all" {
			return f
		}
	}
	return def
}

// Snapshot is the records a change replaced, kept so that a rollback can put them back.
type Snapshot struct {
	Zone        string  `json:"zone"`
	Kind        Kind    `json:"kind"`        // the change it was taken before
	Fingerprint string  `json:"fingerprint"` // of that change's plan
	Before      []RRset `json:"before"`      // the RRsets as they were
	After       []RRset `json:"after"`       // as the change left them
}

// Snapshot is the plan's old RRsets, to be stored before the plan is applied.
func (p Plan) Snapshot() Snapshot {
	s := Snapshot{Zone: p.Zone, Kind: p.Kind, Fingerprint: p.Fingerprint()}
	for _, c := range p.Changes {
		s.Before = append(s.Before, c.Old)
		s.After = append(s.After, c.New)
	}
	return s
}

// Keys are the snapshot's RRsets' names and types: what to Read before a rollback.
func (s Snapshot) Keys() []Key {
	out := make([]Key, len(s.Before))
	for i, b := range s.Before {
		out[i] = b.Key()
	}
	return out
}

// ParseSnapshot reads a snapshot stored as JSON.
func ParseSnapshot(b []byte) (Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("read DNS snapshot: %w", err)
	}
	return s, nil
}

// PlanRollback puts back the snapshot's records where current (what Read returned for
// s.Keys()) differs from them.
func PlanRollback(current []RRset, s Snapshot) Plan {
	p := Plan{Zone: s.Zone, Kind: KindRollback}
	for _, b := range s.Before {
		now := RRset{Name: b.Name, Type: b.Type}
		for _, c := range current {
			if c.Key() == b.Key() {
				now = c
			}
		}
		if !now.Equal(b) {
			p.Changes = append(p.Changes, Change{Old: now, New: b})
		}
	}
	return p
}

// Fingerprint is a short code for exactly this plan (zone, kind, every old and new
// record and TTL): what a confirmation names, so a plan that differs from the one
// shown is never applied.
func (p Plan) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", p.Zone, p.Kind)
	for _, c := range p.Changes {
		for _, s := range []RRset{c.Old, c.New} {
			v := slices.Clone(s.Values)
			slices.Sort(v)
			fmt.Fprintf(h, "%s %s %d %q\n", s.Name, s.Type, s.TTL, v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Canon is a record's RDATA as Values hold it: parsed and printed again by the zone
// file rules, host names absolute and in lower case.
func Canon(typ, value string) (string, error) {
	rr, err := toRR(RRset{Name: "canon.invalid", Type: typ, TTL: 0}, value)
	if err != nil {
		return "", err
	}
	return rdata(rr), nil
}

// toRR is one of the set's records as a miekg/dns record.
func toRR(s RRset, value string) (dns.RR, error) {
	typ := strings.ToUpper(s.Type)
	if _, ok := dns.StringToType[typ]; !ok {
		return nil, fmt.Errorf("record type %q: not a DNS type", s.Type)
	}
	v := strings.TrimSpace(value)
	if typ == "TXT" && !strings.HasPrefix(v, `"`) {
		v = txtValue(v)
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", dns.Fqdn(s.Name), s.TTL, typ, v))
	if err != nil {
		return nil, fmt.Errorf("%s record %q: %w", typ, value, err)
	}
	if rr == nil {
		return nil, fmt.Errorf("%s record %q: empty", typ, value)
	}
	switch r := rr.(type) {
	case *dns.MX:
		r.Mx = strings.ToLower(dns.Fqdn(r.Mx))
	case *dns.CNAME:
		r.Target = strings.ToLower(dns.Fqdn(r.Target))
	}
	return rr, nil
}

// rdata is a record without its header, as zone files write it.
func rdata(rr dns.RR) string {
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

// fromRRs groups records of one name and type into an RRset.
func fromRRs(k Key, rrs []dns.RR) RRset {
	s := RRset{Name: k.Name, Type: k.Type}
	for _, rr := range rrs {
		if canonName(rr.Header().Name) != k.Name || dns.TypeToString[rr.Header().Rrtype] != k.Type {
			continue
		}
		switch r := rr.(type) {
		case *dns.MX:
			r.Mx = strings.ToLower(r.Mx)
		case *dns.CNAME:
			r.Target = strings.ToLower(r.Target)
		}
		s.TTL = rr.Header().Ttl
		if v := rdata(rr); !slices.Contains(s.Values, v) {
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// txtValue is text as a TXT record's RDATA (quoted character-strings).
func txtValue(text string) string { return dnscheck.QuoteTXT(text) }

// txtText is the text of a TXT record's RDATA: its character-strings joined.
func txtText(value string) string {
	rr, err := dns.NewRR("t.invalid. 0 IN TXT " + value)
	if err != nil || rr == nil {
		return value
	}
	return joinTXT(rr.(*dns.TXT).Txt)
}

// joinTXT is the text of miekg/dns's character-strings, which it keeps escaped as in
// a zone file (\" \\ \DDD): joined and unescaped.
func joinTXT(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			if p[i] != '\\' || i+1 == len(p) {
				b.WriteByte(p[i])
				continue
			}
			if i+3 < len(p) && isDigits(p[i+1:i+4]) {
				n := int(p[i+1]-'0')*100 + int(p[i+2]-'0')*10 + int(p[i+3]-'0')
				b.WriteByte(byte(n))
				i += 3
				continue
			}
			i++
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

func isDigits(s string) bool { return strings.Trim(s, "0123456789") == "" }
