package api

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/project"
	"cutover/backend/store"
	"cutover/backend/timeline"
)

// resolvConf is where the system resolver is read from.
const resolvConf = "/etc/resolv.conf"

// DnsSetup is what the DNS page shows before any check: the expected records and the settings.
type DnsSetup struct {
	Records  []dnscheck.Record `json:"records"`
	Settings dnscheck.Settings `json:"settings"`
	// DefaultResolvers are asked when Settings.Resolvers is empty.
	DefaultResolvers []dnscheck.Server `json:"defaultResolvers"`
}

// DnsSetup returns a project's expected records (the provider's, with the project's
// edits) and its DNS settings.
func (a *API) DnsSetup(projectName string) (DnsSetup, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DnsSetup{}, err
	}
	st, err := a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return DnsSetup{}, err
	}
	recs, err := a.dnsRecords(p, st)
	if err != nil {
		return DnsSetup{}, err
	}
	return DnsSetup{Records: recs, Settings: st, DefaultResolvers: a.dnsDefaultResolvers()}, nil
}

func (a *API) dnsDefaultResolvers() []dnscheck.Server {
	if a.ext.dnsDefaults != nil {
		return a.ext.dnsDefaults()
	}
	return dnscheck.DefaultResolvers(resolvConf)
}

// dnsRecords is the provider's records for every domain of p, with the project's edits.
func (a *API) dnsRecords(p project.Project, st dnscheck.Settings) ([]dnscheck.Record, error) {
	var def []dnscheck.Record
	for _, d := range p.Domains {
		def = append(def, dnscheck.Defaults(p.Provider, d, p.Dest.Host, st.Verification[d])...)
	}
	edits, err := a.store.DNSRecordEdits(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return dnscheck.Sorted(dnscheck.Merge(def, edits)), nil
}

// DnsSetRecord adds an expected record or changes one (a provider's default is changed
// for this project only; DnsResetRecord brings it back).
func (a *API) DnsSetRecord(projectName string, in dnscheck.RecordInput) (dnscheck.Record, error) {
	p, err := a.project(projectName)
	if err != nil {
		return dnscheck.Record{}, err
	}
	r, err := dnscheck.ParseRecord("", in, p.Domains)
	if err != nil {
		return r, err
	}
	if err := a.store.PutDNSRecordEdit(a.ctx, p.ID, r); err != nil {
		return r, err
	}
	_ = a.store.LogEvent(a.ctx, p.ID, "dns", fmt.Sprintf("expected record %s/%s set: %s %s %s", r.Domain, r.Key, r.Name, r.Type, r.Value))
	a.bus.Publish("dns:changed", p.Name, r)
	return r, nil
}

// DnsResetRecord drops a project's edit of a record: a provider's record comes back as
// the provider has it, an added one goes.
func (a *API) DnsResetRecord(projectName, domain, key string) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	if err := a.store.RemoveDNSRecordEdit(a.ctx, p.ID, strings.ToLower(strings.TrimSpace(domain)), strings.ToLower(strings.TrimSpace(key))); err != nil {
		return err
	}
	a.bus.Publish("dns:changed", p.Name, key)
	return nil
}

// DnsSettingsInput is the DNS settings as typed; nil fields are left unchanged.
type DnsSettingsInput struct {
	// Verification sets the TXT value per domain ("" removes it). A single value with
	// the key "" goes to the project's only (or first) domain.
	Verification map[string]string `json:"verification,omitempty"`
	Resolvers    *[]string         `json:"resolvers,omitempty"`
	Nameservers  *[]string         `json:"nameservers,omitempty"`
	TTLTarget    *string           `json:"ttlTarget,omitempty"`
	Reach        *bool             `json:"reach,omitempty"`
}

// DnsSetSettings changes a project's DNS settings: verification values, resolvers,
// authoritative servers, the TTL target and the reachability check.
func (a *API) DnsSetSettings(projectName string, in DnsSettingsInput) (dnscheck.Settings, error) {
	p, err := a.project(projectName)
	if err != nil {
		return dnscheck.Settings{}, err
	}
	st, err := a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return st, err
	}
	var errs project.InputErrors
	addErr := func(err error) {
		var fe *project.FieldError
		if errors.As(err, &fe) {
			errs = append(errs, fe)
		}
	}
	set := map[string]string{}
	for d, v := range in.Verification {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if d == "" && len(p.Domains) > 0 {
			d = p.Domains[0]
		}
		known := false
		for _, pd := range p.Domains {
			known = known || pd == d
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch {
		case !known:
			addErr(&project.FieldError{Field: "verification domain", Value: d, Expected: "one of the project's domains: " + strings.Join(p.Domains, ", ")})
		case len(v) > 255 || strings.ContainsAny(v, "\n\r\t"):
			addErr(&project.FieldError{Field: "verification", Value: v, Expected: "the one-line TXT value the destination's console shows (e.g. MS=ms12345678)"})
		default:
			set[d] = v
		}
	}
	if in.Resolvers != nil {
		ss, err := dnscheck.ParseServers("resolver", *in.Resolvers)
		addErr(err)
		st.Resolvers = addrs(ss)
	}
	if in.Nameservers != nil {
		ss, err := dnscheck.ParseServers("nameserver", *in.Nameservers)
		addErr(err)
		st.Nameservers = addrs(ss)
	}
	if in.TTLTarget != nil {
		n, err := strconv.ParseUint(strings.TrimSpace(*in.TTLTarget), 10, 32)
		if err != nil || n < 30 || n > 86400 {
			addErr(&project.FieldError{Field: "ttl target", Value: *in.TTLTarget, Expected: "a TTL in seconds from 30 to 86400 (300 is usual)"})
		}
		st.TTLTarget = uint32(n)
	}
	if in.Reach != nil {
		st.Reach = *in.Reach
	}
	if len(errs) > 0 {
		return st, errs
	}
	st.Verification = set
	if err := a.store.PutDNSSettings(a.ctx, p.ID, st); err != nil {
		return st, err
	}
	st, err = a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return st, err
	}
	a.bus.Publish("dns:changed", p.Name, st)
	return st, nil
}

func addrs(ss []dnscheck.Server) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Addr
	}
	return out
}

func servers(ss []string, field string) ([]dnscheck.Server, error) {
	return dnscheck.ParseServers(field, ss)
}

// DnsCheckOptions choose how a check runs; empty fields use the project's settings.
type DnsCheckOptions struct {
	Phase       string   `json:"phase"` // before or after; empty: before until the cutover, after from it
	Resolvers   []string `json:"resolvers,omitempty"`
	Nameservers []string `json:"nameservers,omitempty"`
	Reach       *bool    `json:"reach,omitempty"`
}

// DnsCheckResult is a stored check with what it is evidence of.
type DnsCheckResult struct {
	ID       int64           `json:"id"`
	Report   dnscheck.Report `json:"report"`
	Evidence []StepEvidence  `json:"evidence"`
	Project  string          `json:"project"`
	Zone     string          `json:"tz"`
}

// StepEvidence is what the latest check says about a timeline step.
type StepEvidence struct {
	Step    string         `json:"step"`
	Title   string         `json:"title"`
	CheckID int64          `json:"checkId"`
	Phase   dnscheck.Phase `json:"phase"`
	At      time.Time      `json:"at"`
	Passed  bool           `json:"passed"`
	Summary string         `json:"summary"`
	Status  string         `json:"status"` // the step's status now
	// Proof is the same as figures, for documents that word it in their own language.
	Proof dnscheck.Proof `json:"-"`
}

// DnsCheck checks a project's DNS records now, stores every answer, and returns the
// report with the safe-switch time and what it proves for the timeline.
func (a *API) DnsCheck(projectName string, o DnsCheckOptions) (DnsCheckResult, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DnsCheckResult{}, err
	}
	var phase dnscheck.Phase
	if strings.TrimSpace(o.Phase) == "" {
		phase = dnscheck.Before
		if !a.now().Before(p.Cutover) {
			phase = dnscheck.After
		}
	} else if phase, err = dnscheck.ParsePhase(o.Phase); err != nil {
		return DnsCheckResult{}, err
	}
	st, err := a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return DnsCheckResult{}, err
	}
	res, err := servers(o.Resolvers, "resolver")
	if err != nil {
		return DnsCheckResult{}, err
	}
	if len(res) == 0 {
		if res, err = servers(st.Resolvers, "resolver"); err != nil {
			return DnsCheckResult{}, err
		}
	}
	if len(res) == 0 {
		res = a.dnsDefaultResolvers()
	}
	nss, err := servers(o.Nameservers, "nameserver")
	if err != nil {
		return DnsCheckResult{}, err
	}
	if len(nss) == 0 {
		if nss, err = servers(st.Nameservers, "nameserver"); err != nil {
			return DnsCheckResult{}, err
		}
	}
	recs, err := a.dnsRecords(p, st)
	if err != nil {
		return DnsCheckResult{}, err
	}
	opts := dnscheck.Options{Resolvers: res, Nameservers: nss, TTLTarget: st.TTLTarget, Now: a.now, Location: p.Location(), Log: a.log}
	reach := st.Reach
	if o.Reach != nil {
		reach = *o.Reach
	}
	if reach && p.Dest.Host != "" && p.Dest.TLS == project.TLSImplicit {
		opts.Reach = &dnscheck.ReachOptions{Host: p.Dest.Host, Targets: dnscheck.ReachTargets(p.Provider, p.Dest.Host, p.Dest.Port)}
		if p.Dest.CAFile != "" {
			if opts.Reach.RootCAs, err = rootsWith(p.Dest.CAFile, "dest CA file"); err != nil {
				return DnsCheckResult{}, err
			}
		}
	}
	var hosts []string
	if p.Source.Host != "" {
		hosts = append(hosts, p.Source.Host)
	}
	a.bus.Publish("dns:checking", p.Name, map[string]any{"phase": phase, "resolvers": len(res), "nameservers": len(nss)})
	rep, err := dnscheck.New(opts).Check(a.ctx, dnscheck.Request{Phase: phase, Records: recs, Hosts: hosts})
	if err != nil {
		return DnsCheckResult{}, fmt.Errorf("DNS check of %s: %w", p.Name, err)
	}
	id, err := a.store.SaveDNSCheck(a.ctx, p.ID, rep)
	if err != nil {
		return DnsCheckResult{}, err
	}
	_ = a.store.LogEvent(a.ctx, p.ID, "dns", fmt.Sprintf("%s check: %d passed, %d failed", phase, rep.Passed, rep.Failed))
	out, err := a.dnsResult(p, store.DNSCheck{ID: id, Report: rep}, st)
	if err != nil {
		return out, err
	}
	a.bus.Publish("dns:checked", p.Name, map[string]any{"id": id, "phase": phase, "ok": rep.OK, "passed": rep.Passed, "failed": rep.Failed})
	return out, nil
}

// dnsResult adds the safe-switch time and the timeline evidence to a stored check.
func (a *API) dnsResult(p project.Project, c store.DNSCheck, st dnscheck.Settings) (DnsCheckResult, error) {
	obs, err := a.store.DNSObservations(a.ctx, p.ID, dnscheck.KindTTL)
	if err != nil {
		return DnsCheckResult{}, err
	}
	safe := dnscheck.ComputeSafeSwitch(obs, st.TTLTarget, p.Location(), a.now())
	c.Report.Safe = &safe
	ev, err := a.dnsEvidence(p)
	if err != nil {
		return DnsCheckResult{}, err
	}
	return DnsCheckResult{ID: c.ID, Report: c.Report, Evidence: ev, Project: p.Name, Zone: p.Zone}, nil
}

// DnsLatest returns the project's latest check of phase ("" for either), or null when
// there is none yet.
func (a *API) DnsLatest(projectName, phase string) (*DnsCheckResult, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	var ph dnscheck.Phase
	if strings.TrimSpace(phase) != "" {
		if ph, err = dnscheck.ParsePhase(phase); err != nil {
			return nil, err
		}
	}
	c, err := a.store.LatestDNSCheck(a.ctx, p.ID, ph)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	st, err := a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out, err := a.dnsResult(p, c, st)
	return &out, err
}

// dnsSteps are the timeline steps DNS checks are evidence for, with the phase of the
// check that proves them and which results count.
var dnsSteps = []struct {
	step  string
	phase dnscheck.Phase
	what  string
	take  func(r dnscheck.Result) bool
	pass  func(r dnscheck.Result) bool
}{
	{"verify_domain", dnscheck.Before, "verification TXT records",
		func(r dnscheck.Result) bool { return r.Key == "verify" },
		func(r dnscheck.Result) bool { return r.Verdict == dnscheck.OK }},
	{"lower_ttl", dnscheck.Before, "TTLs of the records that change",
		func(r dnscheck.Result) bool { return r.Kind == dnscheck.KindTTL },
		func(r dnscheck.Result) bool { return r.Verdict == dnscheck.OK }},
	// The customer's change is done once every authoritative server publishes the new
	// records; propagation to the resolvers follows on its own.
	{"dns_change", dnscheck.After, "new records on the authoritative servers",
		func(r dnscheck.Result) bool { return r.Kind == dnscheck.KindValue },
		authoritativeOK},
	// Outlook profiles are recreated once Autodiscover has reached every resolver.
	{"outlook", dnscheck.After, "Autodiscover on every resolver",
		func(r dnscheck.Result) bool { return r.Key == "autodiscover" && r.Kind == dnscheck.KindValue },
		func(r dnscheck.Result) bool { return r.Verdict == dnscheck.OK }},
}

// authoritativeOK reports whether every authoritative server publishes the expected
// value, whatever the resolvers say.
func authoritativeOK(r dnscheck.Result) bool {
	n := 0
	for _, a := range r.Answers {
		if a.Role != dnscheck.Authoritative {
			continue
		}
		if a.Verdict != dnscheck.OK {
			return false
		}
		n++
	}
	return n > 0
}

// DnsEvidence says, for each timeline step a DNS check proves, what the latest check of
// its phase found.
func (a *API) DnsEvidence(projectName string) ([]StepEvidence, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	return a.dnsEvidence(p)
}

func (a *API) dnsEvidence(p project.Project) ([]StepEvidence, error) {
	tl, err := a.timeline(p)
	if err != nil {
		return nil, err
	}
	latest := map[dnscheck.Phase]*store.DNSCheck{}
	for _, ph := range []dnscheck.Phase{dnscheck.Before, dnscheck.After} {
		c, err := a.store.LatestDNSCheck(a.ctx, p.ID, ph)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		latest[ph] = &c
	}
	var safe *dnscheck.SafeSwitch
	if latest[dnscheck.Before] != nil {
		st, err := a.store.DNSSettings(a.ctx, p.ID)
		if err != nil {
			return nil, err
		}
		obs, err := a.store.DNSObservations(a.ctx, p.ID, dnscheck.KindTTL)
		if err != nil {
			return nil, err
		}
		s := dnscheck.ComputeSafeSwitch(obs, st.TTLTarget, p.Location(), a.now())
		safe = &s
	}
	out := []StepEvidence{}
	for _, s := range dnsSteps {
		c := latest[s.phase]
		if c == nil {
			continue
		}
		ev := StepEvidence{Step: s.step, CheckID: c.ID, Phase: s.phase, At: c.Report.At, Passed: true,
			Proof: dnscheck.Proof{Step: s.step, Check: c.ID, Phase: s.phase, At: c.Report.At, Passed: true}}
		if step, ok := tl.Step(s.step); ok {
			ev.Title, ev.Status = step.Title, string(step.Status)
		}
		n := 0
		var bad []string
		for _, r := range c.Report.Results {
			if !s.take(r) {
				continue
			}
			n++
			if !s.pass(r) {
				ev.Passed, ev.Proof.Passed = false, false
				bad = append(bad, fmt.Sprintf("%s %s: %s", r.Name, r.Type, r.Summary))
				ev.Proof.Failing = append(ev.Proof.Failing, r)
			}
		}
		if n == 0 {
			continue
		}
		ev.Proof.Count = n
		when := c.Report.At.In(p.Location()).Format("2006-01-02 15:04 MST")
		if ev.Passed {
			ev.Summary = fmt.Sprintf("DNS check #%d (%s, %s): %s — all %d pass", c.ID, s.phase, when, s.what, n)
		} else {
			ev.Summary = fmt.Sprintf("DNS check #%d (%s, %s): %s — %d of %d do not pass yet: %s", c.ID, s.phase, when, s.what, len(bad), n, strings.Join(bad, "; "))
		}
		if s.step == "lower_ttl" && safe != nil {
			ev.Summary += ". " + safe.Sentence
			ev.Proof.Safe = safe
		}
		out = append(out, ev)
	}
	return out, nil
}

// DnsMarkStep marks a timeline step done on the evidence of the latest passing DNS
// check, which its note names.
func (a *API) DnsMarkStep(projectName, step string) (timeline.Step, error) {
	evs, err := a.DnsEvidence(projectName)
	if err != nil {
		return timeline.Step{}, err
	}
	var keys []string
	for _, s := range dnsSteps {
		keys = append(keys, s.step)
	}
	for _, ev := range evs {
		if ev.Step != step {
			continue
		}
		if !ev.Passed {
			return timeline.Step{}, &project.FieldError{Field: "step", Value: step, Expected: "a step whose latest DNS check passes; " + ev.Summary}
		}
		p, err := a.project(projectName)
		if err != nil {
			return timeline.Step{}, err
		}
		return a.setStep(p, step, timeline.Done, ev.Summary, &timeline.Evidence{Kind: timeline.DNSProof, DNS: &ev.Proof})
	}
	for _, k := range keys {
		if k == step {
			return timeline.Step{}, &project.FieldError{Field: "step", Value: step, Expected: "a DNS check of the right phase first (cutover dns check)"}
		}
	}
	return timeline.Step{}, &project.FieldError{Field: "step", Value: step, Expected: "a step a DNS check proves: " + strings.Join(keys, ", ")}
}

// rootsWith is the system's roots and the CA certificates of the PEM file (a self-hosted
// server's own CA); field names the setting in the error.
func rootsWith(file, field string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(file)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		return nil, &project.FieldError{Field: field, Value: file, Expected: "a readable PEM file of CA certificates"}
	}
	return pool, nil
}
