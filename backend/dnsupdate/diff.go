package dnsupdate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Diff is the plan as the user reads it before confirming, one line per RRset:
//
//	MX acme.example 3600: mail.old.example 10 → acme-example.mail.protection.outlook.com 0
//	TXT acme.example 300: "v=spf1 a:mail ~all" → "v=spf1 include:spf.protection.outlook.com ~all" (2 other TXT records unchanged)
//	MX acme.example 86400 → 300: mail.acme.example 10 (unchanged)
//
// MX records are written host then preference, as DNS hosts' control panels show them.
func (p Plan) Diff() string {
	var b strings.Builder
	for _, c := range p.Changes {
		b.WriteString(c.Line())
		b.WriteByte('\n')
	}
	return b.String()
}

// Line is the change as one line of Diff.
func (c Change) Line() string {
	var removed, added, kept []string
	for _, v := range c.Old.Values {
		if slices.Contains(c.New.Values, v) {
			kept = append(kept, v)
		} else {
			removed = append(removed, v)
		}
	}
	for _, v := range c.New.Values {
		if !slices.Contains(c.Old.Values, v) {
			added = append(added, v)
		}
	}
	ttl := fmt.Sprint(c.New.TTL)
	switch {
	case !c.New.Exists():
		ttl = fmt.Sprint(c.Old.TTL)
	case c.Old.Exists() && c.Old.TTL != c.New.TTL:
		ttl = fmt.Sprintf("%d → %d", c.Old.TTL, c.New.TTL)
	}
	head := fmt.Sprintf("%s %s %s: ", c.New.Type, c.New.Name, ttl)
	if len(removed) == 0 && len(added) == 0 {
		if len(kept) > 3 {
			return head + fmt.Sprintf("%d records (unchanged)", len(kept))
		}
		return head + values(c.New.Type, kept) + " (unchanged)"
	}
	line := head + values(c.New.Type, removed) + " → " + values(c.New.Type, added)
	if len(kept) > 0 {
		line += fmt.Sprintf(" (%d other %s %s unchanged)", len(kept), c.New.Type, plural(len(kept), "record", "records"))
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// values writes RDATA for Diff: names without their final dot, MX as host then
// preference, "(none)" for no record.
func values(typ string, vs []string) string {
	if len(vs) == 0 {
		return "(none)"
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = shown(typ, v)
	}
	return strings.Join(out, ", ")
}

func shown(typ, v string) string {
	rr, err := toRR(RRset{Name: "shown.invalid", Type: typ}, v)
	if err != nil {
		return v
	}
	switch r := rr.(type) {
	case *dns.MX:
		return fmt.Sprintf("%s %d", strings.TrimSuffix(r.Mx, "."), r.Preference)
	case *dns.CNAME:
		return strings.TrimSuffix(r.Target, ".")
	}
	return v
}
