package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"cutover/backend/dnscheck"
	"cutover/backend/dnsupdate"
	"cutover/backend/fault"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// Kinds of DNS host (dnsupdate's providers).
const (
	DNSHostRFC2136    = "rfc2136"
	DNSHostCloudflare = "cloudflare"
)

// DnsHostInput is how Cutover reaches the customer's DNS host. The secret (the TSIG
// key's, or Cloudflare's API token) is write-only: empty keeps the one stored.
type DnsHostInput struct {
	Kind      string         `json:"kind"`                // rfc2136 or cloudflare
	Zone      string         `json:"zone,omitempty"`      // default: the project's (first) domain
	Server    string         `json:"server,omitempty"`    // rfc2136: the primary, host[:port]
	KeyName   string         `json:"keyName,omitempty"`   // rfc2136: the TSIG key's name
	Algorithm string         `json:"algorithm,omitempty"` // rfc2136: hmac-sha256 (default), ...
	ZoneID    string         `json:"zoneId,omitempty"`    // cloudflare: the zone's ID
	Secret    secrets.Secret `json:"secret"`
	// APIURL points Cloudflare's provider at another address (the tests' fake); nil keeps
	// it, "" removes it.
	APIURL *string `json:"apiUrl,omitempty"`
}

// DnsHostView is the DNS host as the UI shows it: whether a secret is stored, never it.
type DnsHostView struct {
	store.DNSHost
	HasSecret bool `json:"hasSecret"`
}

func dnsHostRef(projectID int64) string { return fmt.Sprintf("dnshost/%d/secret", projectID) }

// DnsHostSet stores how Cutover reaches the project's DNS host, after checking the
// settings (bad input names its field); the secret is sealed in the vault.
func (a *API) DnsHostSet(projectName string, in DnsHostInput) (DnsHostView, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DnsHostView{}, err
	}
	old, err := a.store.DNSHost(a.ctx, p.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return DnsHostView{}, err
	}
	h := store.DNSHost{Kind: strings.ToLower(strings.TrimSpace(in.Kind)), Zone: strings.ToLower(strings.TrimSuffix(strings.TrimSpace(in.Zone), ".")),
		Server: strings.TrimSpace(in.Server), KeyName: strings.TrimSpace(in.KeyName), Algorithm: strings.ToLower(strings.TrimSpace(in.Algorithm)),
		ZoneID: strings.TrimSpace(in.ZoneID), APIURL: old.APIURL}
	if in.APIURL != nil {
		h.APIURL = strings.TrimSpace(*in.APIURL)
		if h.APIURL != "" {
			if err := checkSecureURL("api url", h.APIURL, "the address of Cloudflare's API, https://…/client/v4"); err != nil {
				return DnsHostView{}, err
			}
		}
	}
	if h.Zone == "" && len(p.Domains) > 0 {
		h.Zone = p.Domains[0]
	}
	var errs fault.FieldErrors
	if h.Kind != DNSHostRFC2136 && h.Kind != DNSHostCloudflare {
		errs = append(errs, &fault.FieldError{Field: "kind", Value: in.Kind, Expected: "rfc2136 (BIND, Knot, PowerDNS with a TSIG key) or cloudflare"})
	}
	if !zoneOfProject(h.Zone, p) {
		errs = append(errs, &fault.FieldError{Field: "zone", Value: in.Zone, Expected: "the zone of one of the project's domains: " + strings.Join(p.Domains, ", ")})
	}
	secret := in.Secret
	if secret.IsZero() && old.Kind == h.Kind {
		if s, err := a.vault.Get(a.ctx, dnsHostRef(p.ID)); err == nil {
			secret = s
		}
	}
	if len(errs) == 0 {
		if _, err := newProvider(h, secret); err != nil {
			var fe fault.FieldErrors
			if !errors.As(err, &fe) {
				return DnsHostView{}, err
			}
			errs = append(errs, fe...)
		}
	}
	if len(errs) > 0 {
		return DnsHostView{}, errs
	}
	if !in.Secret.IsZero() {
		if err := a.vault.Put(a.ctx, dnsHostRef(p.ID), p.ID, in.Secret); err != nil {
			return DnsHostView{}, err
		}
	}
	if err := a.store.PutDNSHost(a.ctx, p.ID, h); err != nil {
		return DnsHostView{}, err
	}
	return a.DnsHost(projectName)
}

// zoneOfProject reports whether zone is one of p's domains or a parent of one.
func zoneOfProject(zone string, p project.Project) bool {
	for _, d := range p.Domains {
		if zone != "" && (d == zone || strings.HasSuffix(d, "."+zone)) {
			return true
		}
	}
	return false
}

// DnsHost returns the project's DNS host.
func (a *API) DnsHost(projectName string) (DnsHostView, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DnsHostView{}, err
	}
	h, err := a.store.DNSHost(a.ctx, p.ID)
	if err != nil {
		return DnsHostView{}, err
	}
	_, serr := a.vault.Get(a.ctx, dnsHostRef(p.ID))
	return DnsHostView{DNSHost: h, HasSecret: serr == nil}, nil
}

// newProvider is the dnsupdate provider for a host.
func newProvider(h store.DNSHost, secret secrets.Secret) (dnsupdate.Provider, error) {
	switch h.Kind {
	case DNSHostRFC2136:
		return dnsupdate.NewRFC2136(dnsupdate.RFC2136Config{Server: h.Server, Zone: h.Zone, KeyName: h.KeyName, Algorithm: h.Algorithm, Secret: secret})
	case DNSHostCloudflare:
		c, err := dnsupdate.NewCloudflare(dnsupdate.CloudflareConfig{Zone: h.Zone, ZoneID: h.ZoneID, Token: secret})
		if err == nil && h.APIURL != "" {
			c.BaseURL = h.APIURL
		}
		return c, err
	}
	return nil, fmt.Errorf("DNS host of kind %q: not one Cutover knows", h.Kind)
}

// dnsProvider is the project's DNS host as a provider.
func (a *API) dnsProvider(p project.Project) (dnsupdate.Provider, store.DNSHost, error) {
	h, err := a.store.DNSHost(a.ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, h, &fault.FieldError{Field: "DNS host", Expected: "the customer's DNS host first (cutover dns host set, or the DNS page)"}
	}
	if err != nil {
		return nil, h, err
	}
	secret, err := a.vault.Get(a.ctx, dnsHostRef(p.ID))
	if err != nil {
		return nil, h, fmt.Errorf("the DNS host's secret: %w", err)
	}
	pr, err := newProvider(h, secret)
	return pr, h, err
}

// DnsChangePlan is a change as the user confirms it: each line of the diff, and the
// fingerprint that DnsChangeApply's confirmation must name.
type DnsChangePlan struct {
	Kind        string             `json:"kind"`
	Zone        string             `json:"zone"`
	Changes     []dnsupdate.Change `json:"changes"`
	Lines       []string           `json:"lines"`
	Diff        string             `json:"diff"`
	Fingerprint string             `json:"fingerprint"`      // empty when nothing would change
	Undoes      int64              `json:"undoes,omitempty"` // rollback: the change it undoes
	// Timing is what the timeline and the DNS checks say about doing it now: the step's
	// due time, and for a switch whether the old TTLs have run out (shown, not enforced).
	Timing []string `json:"timing"`
}

// DnsChangeResult is a change applied.
type DnsChangeResult struct {
	DnsChangePlan
	ID    int64  `json:"id"`    // in the project's DNS changes (0: nothing to change)
	State string `json:"state"` // applied, partial, failed
}

// DnsChangePlan reads the records at the DNS host and plans a change without making it:
// "lower" lowers the TTLs of the records that will change to the project's TTL target,
// "switch" points MX, SPF and Autodiscover at the expected records, "rollback" puts
// back the records the latest change not yet rolled back replaced.
func (a *API) DnsChangePlan(projectName, kind string) (DnsChangePlan, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DnsChangePlan{}, err
	}
	plan, undoes, _, err := a.dnsPlan(p, kind)
	if err != nil {
		return DnsChangePlan{}, err
	}
	v := planView(plan, undoes)
	v.Timing = a.dnsTiming(p, plan.Kind)
	return v, nil
}

// dnsTiming is what the timeline says about a change, and for a switch the safe-switch
// time the latest "before" check computed.
func (a *API) dnsTiming(p project.Project, kind dnsupdate.Kind) []string {
	out := []string{}
	step := map[dnsupdate.Kind]string{dnsupdate.KindLower: "lower_ttl", dnsupdate.KindSwitch: "dns_change"}[kind]
	if step == "" {
		return out
	}
	if tl, err := a.timeline(p); err == nil {
		if s, ok := tl.Step(step); ok {
			out = append(out, fmt.Sprintf("Timeline: %s, due %s (%s)", s.Title, s.Due.In(p.Location()).Format("Mon 2006-01-02 15:04 MST"), s.Status))
		}
	}
	if kind != dnsupdate.KindSwitch {
		return out
	}
	c, err := a.store.LatestDNSCheck(a.ctx, p.ID, dnscheck.Before)
	switch {
	case err != nil:
		out = append(out, "No DNS check has seen the TTLs lowered: `cutover dns check --phase before` says when it is safe to switch.")
	case c.Report.Safe.Known && a.now().Before(c.Report.Safe.SafeAfter):
		out = append(out, "Not yet safe to switch: "+c.Report.Safe.Sentence)
	case c.Report.Safe.Sentence != "":
		out = append(out, c.Report.Safe.Sentence)
	}
	return out
}

func planView(p dnsupdate.Plan, undoes int64) DnsChangePlan {
	v := DnsChangePlan{Kind: string(p.Kind), Zone: p.Zone, Changes: p.Changes, Lines: []string{}, Diff: p.Diff(), Undoes: undoes, Timing: []string{}}
	if v.Changes == nil {
		v.Changes = []dnsupdate.Change{}
	}
	for _, c := range p.Changes {
		v.Lines = append(v.Lines, c.Line())
	}
	if !p.Empty() {
		v.Fingerprint = p.Fingerprint()
	}
	return v
}

func (a *API) dnsPlan(p project.Project, kindText string) (dnsupdate.Plan, int64, dnsupdate.Provider, error) {
	kind, err := dnsupdate.ParseKind(kindText)
	if err != nil {
		return dnsupdate.Plan{}, 0, nil, err
	}
	pr, h, err := a.dnsProvider(p)
	if err != nil {
		return dnsupdate.Plan{}, 0, nil, err
	}
	if kind == dnsupdate.KindRollback {
		c, err := a.store.DNSChangeToUndo(a.ctx, p.ID)
		if errors.Is(err, store.ErrNotFound) {
			return dnsupdate.Plan{}, 0, nil, &fault.FieldError{Field: "change", Value: "rollback", Expected: "a change to roll back: Cutover has made none, or all are rolled back"}
		}
		if err != nil {
			return dnsupdate.Plan{}, 0, nil, err
		}
		snap, err := dnsupdate.ParseSnapshot(c.Snapshot)
		if err != nil {
			return dnsupdate.Plan{}, 0, nil, fmt.Errorf("DNS change %d: %w", c.ID, err)
		}
		cur, err := pr.Read(a.ctx, snap.Keys())
		if err != nil {
			return dnsupdate.Plan{}, 0, nil, err
		}
		return dnsupdate.PlanRollback(cur, snap), c.ID, pr, nil
	}
	st, err := a.store.DNSSettings(a.ctx, p.ID)
	if err != nil {
		return dnsupdate.Plan{}, 0, nil, err
	}
	expected, err := a.dnsRecords(p, st)
	if err != nil {
		return dnsupdate.Plan{}, 0, nil, err
	}
	cur, err := pr.Read(a.ctx, dnsupdate.Keys(h.Zone, expected))
	if err != nil {
		return dnsupdate.Plan{}, 0, nil, err
	}
	if kind == dnsupdate.KindLower {
		return dnsupdate.PlanLowerTTL(h.Zone, cur, st.TTLTarget), 0, pr, nil
	}
	plan, err := dnsupdate.PlanSwitch(h.Zone, cur, expected)
	return plan, 0, pr, err
}

// DnsChangeApply makes a change at the DNS host, only if confirm is the fingerprint of
// the change as planned now (what DnsChangePlan showed): when the records at the host
// or the expected ones changed since, the plan is another and nothing is done. The
// snapshot of the records it replaces is stored first, for a rollback.
func (a *API) DnsChangeApply(projectName, kind, confirm string) (DnsChangeResult, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DnsChangeResult{}, err
	}
	plan, undoes, pr, err := a.dnsPlan(p, kind)
	if err != nil {
		return DnsChangeResult{}, err
	}
	res := DnsChangeResult{DnsChangePlan: planView(plan, undoes)}
	if plan.Empty() {
		return res, nil
	}
	if strings.TrimSpace(confirm) != res.Fingerprint {
		exp := "the fingerprint of the plan shown, to confirm it (cutover dns change shows it)"
		if strings.TrimSpace(confirm) != "" {
			exp = "the fingerprint of the plan as it is now: the records at the DNS host or the expected ones changed since the plan was shown; show the plan again and check it"
		}
		return res, &fault.FieldError{Field: "confirm", Value: confirm, Expected: exp}
	}
	snap, err := json.Marshal(plan.Snapshot())
	if err != nil {
		return res, err
	}
	res.ID, err = a.store.AddDNSChange(a.ctx, p.ID, store.DNSChange{Kind: res.Kind, Fingerprint: res.Fingerprint, Diff: res.Diff, Snapshot: snap, Undoes: undoes})
	if err != nil {
		return res, err
	}
	aerr := pr.Apply(a.ctx, plan)
	res.State = "applied"
	var partial *dnsupdate.PartialError
	switch {
	case errors.As(aerr, &partial):
		res.State = "partial"
	case aerr != nil:
		res.State = "failed"
	}
	errText := ""
	if aerr != nil {
		errText = aerr.Error()
	}
	if err := a.store.FinishDNSChange(a.ctx, res.ID, res.State, errText); err != nil {
		return res, errors.Join(aerr, err)
	}
	a.log.Info("DNS change", "project", p.Name, "kind", res.Kind, "zone", res.Zone, "changes", len(plan.Changes), "state", res.State)
	a.bus.Publish("dns:changed", p.Name, res)
	return res, aerr
}

// DnsChanges lists the changes Cutover made at the project's DNS host, the latest first.
func (a *API) DnsChanges(projectName string) ([]store.DNSChange, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	return a.store.DNSChanges(a.ctx, p.ID)
}
