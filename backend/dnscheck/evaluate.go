package dnscheck

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// expectedText is the expected value in words.
func expectedText(r Record) string {
	switch {
	case r.Value == "":
		return "(not set)"
	case r.Match == MatchSPF:
		return "SPF with " + r.Value
	case len(r.Accept) > 0:
		return r.Value + " (or " + strings.Join(r.Accept, ", ") + ")"
	}
	return r.Value
}

// wanted reports whether v is the expected value of r, or one it accepts instead.
func wanted(r Record, v string) bool {
	c := comparable(r.Type, v)
	if c == comparable(r.Type, r.Value) {
		return true
	}
	for _, alt := range r.Accept {
		if c == comparable(r.Type, alt) {
			return true
		}
	}
	return false
}

// evaluate compares the answers of one check with what is expected, and says what to change.
func (c *Checker) evaluate(ch *check, phase Phase) {
	res := &ch.res
	if ch.res.Kind == KindTTL {
		c.evaluateTTL(ch)
		return
	}
	if ch.rec.Value == "" {
		res.Verdict = Unset
		res.Summary = "the expected value is not set"
		res.Fix = "Enter the value the destination's console gives for " + ch.rec.Purpose + " (Cutover: DNS → expected records), then publish it as a " + res.Type + " record at " + res.Name + "."
		return
	}
	var authN, authOK int
	var worst *Answer
	var gone time.Time // when the last resolver holding an old answer lets it go
	behind := 0        // resolvers with an old answer (or an old "no such record") cached
	var broken *Answer // the worst resolver that failed to answer at all
	for i := range res.Answers {
		a := &res.Answers[i]
		if a.Verdict == "" {
			a.Verdict, a.Detail = match(ch.rec, a.Values)
		}
		if a.Role == Authoritative {
			authN++
			if a.Verdict == OK {
				authOK++
			} else if worst == nil || rank(a.Verdict) > rank(worst.Verdict) {
				worst = a
			}
			continue
		}
		res.Asked++
		if a.Verdict == OK || a.Verdict == Extra {
			res.Seen++
		}
		if a.Verdict != OK {
			if old := stale(ch.rec, a.Values); len(old) > 0 {
				left := ""
				if a.HasTTL {
					// A resolver's TTL is what is left of its cache time (RFC 1035 §4.1.3).
					until := a.At.Add(time.Duration(a.TTL) * time.Second)
					left = fmt.Sprintf(" (cached for up to %d s more, until %s)", a.TTL, when(until, c.o.Location))
					if until.After(gone) {
						gone = until
					}
				}
				res.Lingering = append(res.Lingering, fmt.Sprintf("%s still answers %s%s", a.Label, strings.Join(old, ", "), left))
			} else if !resolverFailed(a.Verdict) {
				// An old "no such record" still cached (RFC 2308). A resolver that
				// fails holds nothing old: it is named in the fix as broken instead.
				res.Lingering = append(res.Lingering, fmt.Sprintf("%s: %s", a.Label, a.Detail))
			}
			if resolverFailed(a.Verdict) {
				if broken == nil || rank(a.Verdict) > rank(broken.Verdict) {
					broken = a
				}
			} else if a.Verdict != Extra {
				behind++
			}
		}
	}
	what := "the new " + shortPurpose(ch.rec)
	if phase == Before {
		what = "the " + shortPurpose(ch.rec)
	}
	switch {
	case authN == 0:
		res.Verdict = Failed
		res.Summary = "no authoritative server to ask"
		res.Fix = "Give the domain's name servers (--nameserver) or a resolver that can find them."
		return
	case worst != nil:
		res.Verdict = worst.Verdict
		res.Summary = fmt.Sprintf("%d of %d authoritative servers publish %s; %s: %s", authOK, authN, what, worst.Label, worst.Detail)
		res.Fix, res.FixRecord = fix(ch.rec, *worst)
		return
	}
	res.Summary = fmt.Sprintf("%d of %d authoritative servers publish %s", authOK, authN, what)
	if res.Asked == 0 {
		res.Verdict = OK
		return
	}
	res.Summary = fmt.Sprintf("%d of %d resolvers see %s", res.Seen, res.Asked, what)
	if res.Seen < res.Asked {
		res.Fix = "Nothing to change at the DNS host: the new value is published."
		if behind > 0 {
			res.Verdict = Propagating
			res.Fix += " Resolvers still holding the old answer drop it when its TTL runs out"
			if !gone.IsZero() {
				res.Fix += ", by " + when(gone, c.o.Location) + " at the latest"
			}
			res.Fix += "."
		} else {
			// Not propagation: a resolver that fails says nothing about the change.
			res.Verdict = broken.Verdict
		}
		if broken != nil {
			res.Fix += fmt.Sprintf(" %s (%s) did not answer properly (%s): check that resolver, or leave it out of the list.", broken.Label, broken.Server, broken.Detail)
		}
		return
	}
	res.Verdict = OK
}

func shortPurpose(r Record) string {
	switch r.Key {
	case "mx":
		return "MX"
	case "spf":
		return "SPF"
	case "autodiscover":
		return "Autodiscover"
	case "autoconfig":
		return "autoconfig"
	case "verify":
		return "verification TXT"
	}
	return r.Type + " record"
}

// resolverFailed reports whether v means the server gave no usable answer.
func resolverFailed(v Verdict) bool {
	return v == ServFail || v == Refused || v == Timeout || v == Failed
}

// rank orders verdicts from harmless to worst, to pick the one a result shows.
func rank(v Verdict) int {
	return slices.Index([]Verdict{OK, Propagating, TTLHigh, Extra, Wrong, Missing, NXDomain, Refused, ServFail, Timeout, Failed}, v)
}

// match compares one server's values with the record.
func match(r Record, values []string) (Verdict, string) {
	if r.Match == MatchSPF {
		return matchSPF(r, values)
	}
	found := false
	var others []string
	for _, v := range values {
		if wanted(r, v) {
			found = true
		} else {
			others = append(others, v)
		}
	}
	switch {
	case found && len(others) > 0 && r.Type != "TXT":
		return Extra, "the expected record is there, but so is " + strings.Join(others, ", ")
	case found:
		return OK, ""
	case len(values) == 0:
		return Missing, "no " + r.Type + " record"
	}
	return Wrong, "answers " + strings.Join(values, ", ")
}

// comparable is the part of a value that must match: MX and SRV priorities and
// weights do not decide where mail goes, so hosts (and SRV ports) are compared.
func comparable(typ, v string) string {
	f := strings.Fields(v)
	switch typ {
	case "MX":
		if len(f) == 2 {
			return dns.Fqdn(strings.ToLower(f[1]))
		}
	case "SRV":
		if len(f) == 4 {
			return f[2] + " " + dns.Fqdn(strings.ToLower(f[3]))
		}
	case "CNAME":
		return dns.Fqdn(strings.ToLower(v))
	case "TXT":
		return v
	}
	return strings.ToLower(v)
}

// spfRecords are the TXT values that are SPF records (RFC 7208 §4.5: "v=spf1" then a space or the end).
func spfRecords(values []string) []string {
	var out []string
	for _, v := range values {
		l := strings.ToLower(v)
		if l == "v=spf1" || strings.HasPrefix(l, "v=spf1 ") {
			out = append(out, v)
		}
	}
	return out
}

func matchSPF(r Record, values []string) (Verdict, string) {
	spf := spfRecords(values)
	switch len(spf) {
	case 0:
		return Missing, "no SPF record (v=spf1) among the TXT records"
	case 1:
	default:
		return Wrong, fmt.Sprintf("%d SPF records: RFC 7208 §4.5 makes that a permanent error for every receiver", len(spf))
	}
	for _, term := range strings.Fields(strings.ToLower(spf[0]))[1:] {
		if strings.TrimLeft(term, "+") == r.Value {
			return OK, ""
		}
	}
	return Wrong, "SPF record without " + r.Value + ": " + spf[0]
}

// stale are the values of an answer that are not the expected one.
func stale(r Record, values []string) []string {
	if r.Match == MatchSPF {
		return spfRecords(values)
	}
	var out []string
	for _, v := range values {
		if !wanted(r, v) {
			out = append(out, v)
		}
	}
	return out
}

// fix says what to change after an authoritative server's answer a.
func fix(r Record, a Answer) (string, string) {
	line := zoneLine(r.Name, r.TTL, r.Type, r.Value)
	switch a.Verdict {
	case Timeout:
		return fmt.Sprintf("%s (%s) did not answer in time: check that it is up and reachable on UDP and TCP port 53, or correct the domain's NS records at the registrar.", a.Label, a.Server), ""
	case Refused, ServFail, Failed:
		return fmt.Sprintf("%s (%s) %s: it does not serve %s properly. Fix the zone on that server, or correct the domain's NS records at the registrar.", a.Label, a.Server, strings.TrimPrefix(a.Detail, "the server "), r.Domain), ""
	case Extra:
		var lines []string
		for _, v := range stale(r, a.Values) {
			lines = append(lines, zoneLine(r.Name, r.TTL, r.Type, v))
		}
		return fmt.Sprintf("Remove the old %s record at %s (%s) and keep only: %s", r.Type, r.Name, strings.Join(lines, "; "), line), line
	}
	if r.Match == MatchSPF {
		spf := newSPF(r.Value, spfRecords(a.Values))
		line = zoneLine(r.Name, r.TTL, "TXT", spf)
		if n := len(spfRecords(a.Values)); n > 0 {
			return fmt.Sprintf("Replace the %d SPF record(s) at %s by this one TXT record (TTL %d): %s", n, r.Name, r.TTL, spf), line
		}
		return fmt.Sprintf("Publish at %s a TXT record (TTL %d): %s", r.Name, r.TTL, spf), line
	}
	verb := "Publish"
	if a.Verdict == Wrong {
		verb = "Replace the " + r.Type + " record (now " + strings.Join(a.Values, ", ") + ") with"
		return fmt.Sprintf("At %s: %s %s, TTL %d.", r.Name, verb, r.Value, r.TTL), line
	}
	return fmt.Sprintf("%s at %s a %s record: %s, TTL %d.", verb, r.Name, r.Type, r.Value, r.TTL), line
}

// newSPF is the one SPF record to publish: the mechanisms of the existing ones plus
// mech, before the final "all" (kept if there was one, else -all).
func newSPF(mech string, existing []string) string {
	terms := []string{"v=spf1"}
	all := ""
	seen := map[string]bool{}
	for _, s := range existing {
		for _, t := range strings.Fields(s)[1:] {
			lt := strings.ToLower(t)
			if strings.HasSuffix(lt, "all") && len(strings.TrimLeft(lt, "+-~?")) == 3 {
				if all == "" {
					all = t
				}
				continue
			}
			if !seen[lt] {
				seen[lt] = true
				terms = append(terms, t)
			}
		}
	}
	if !seen[mech] {
		terms = append(terms, mech)
	}
	if all == "" {
		all = "-all"
	}
	return strings.Join(append(terms, all), " ")
}

// zoneLine is a record as a zone-file line (RFC 1035 §5.1); TXT text is quoted and
// split into strings of at most 255 bytes.
func zoneLine(name string, ttl uint32, typ, value string) string {
	if typ == "TXT" {
		value = QuoteTXT(value)
	}
	return fmt.Sprintf("%s %d IN %s %s", dns.Fqdn(name), ttl, typ, value)
}

// QuoteTXT is text as a TXT record's RDATA in a zone file: quoted character-strings of
// at most 255 bytes each (RFC 1035 §3.3.14), quotes and backslashes escaped.
func QuoteTXT(text string) string {
	var parts []string
	for len(text) > 255 {
		parts = append(parts, text[:255])
		text = text[255:]
	}
	parts = append(parts, text)
	for i, p := range parts {
		parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p) + `"`
	}
	return strings.Join(parts, " ")
}

// evaluateTTL judges the TTL each authoritative server gives what is there now.
func (c *Checker) evaluateTTL(ch *check) {
	res := &ch.res
	target := c.o.TTLTarget
	var worst *Answer
	n, ok := 0, 0
	for i := range res.Answers {
		a := &res.Answers[i]
		n++
		if a.Verdict == Missing && len(a.Chain) > 0 {
			a.Verdict, a.Detail = "", "" // a CNAME to outside the zone: its own TTL is what counts
		}
		switch a.Verdict {
		case "":
			if a.TTL <= target {
				a.Verdict = OK
			} else {
				a.Verdict, a.Detail = TTLHigh, fmt.Sprintf("TTL %d s, above %d s", a.TTL, target)
			}
		case Missing, NXDomain:
			// Nothing there yet: what resolvers cache is the negative answer (RFC 2308).
			if !a.HasTTL || a.TTL <= target {
				a.Verdict = OK
				a.Detail += fmt.Sprintf("; negative answers are cached %d s", a.TTL)
			} else {
				a.Verdict, a.Detail = TTLHigh, fmt.Sprintf("%s; negative answers are cached %d s (SOA minimum)", a.Detail, a.TTL)
			}
		}
		if a.Verdict == OK {
			ok++
		} else if worst == nil || rank(a.Verdict) > rank(worst.Verdict) {
			worst = a
		}
	}
	if n == 0 {
		res.Verdict, res.Summary = Failed, "no authoritative server to ask"
		res.Fix = "Give the domain's name servers (--nameserver) or a resolver that can find them."
		return
	}
	if worst == nil {
		res.Verdict = OK
		res.Summary = fmt.Sprintf("%d of %d authoritative servers give a TTL ≤ %d s", ok, n, target)
		return
	}
	res.Verdict = worst.Verdict
	res.Summary = fmt.Sprintf("%d of %d authoritative servers give a TTL ≤ %d s; %s: %s", ok, n, target, worst.Label, worst.Detail)
	if worst.Verdict != TTLHigh {
		res.Fix, _ = fix(ch.rec, *worst)
		return
	}
	if len(worst.Values) == 0 {
		res.Fix = fmt.Sprintf("%s has no %s record yet, but resolvers cache that for %d s: lower the SOA's minimum (its last field) and the SOA's TTL to %d.", res.Name, res.Type, worst.TTL, target)
		return
	}
	var lines []string
	for _, v := range worst.Values {
		lines = append(lines, zoneLine(res.Name, target, res.Type, v))
	}
	owner := res.Name
	if len(worst.Chain) > 0 {
		lines = []string{zoneLine(res.Name, target, "CNAME", worst.Chain[0])}
	}
	res.Fix = fmt.Sprintf("Lower the TTL of %s %s from %d to %d s, keeping its value, at least %d s before the cutover.", owner, res.Type, worst.TTL, target, worst.TTL)
	res.FixRecord = strings.Join(lines, "\n")
}
