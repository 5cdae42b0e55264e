package api

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"cutover/backend/batch"
	"cutover/backend/directory"
	"cutover/backend/fault"
	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

// Creating the project's people at the destination (issue 18): a dry run first, which
// reads the tenant and says per record what would be created, what exists (matched, never
// changed) and what conflicts; then the same with Apply. What Graph cannot create
// (distribution lists, mail contacts) is in the Exchange script, and the dry run run
// again afterwards is the check of what exists.

// CreateOptions choose how people are created.
type CreateOptions struct {
	To            string `json:"to"`                      // "graph" (Microsoft 365)
	SKU           string `json:"sku,omitempty"`           // licence: skuPartNumber or skuId, one of the tenant's; empty: none
	UsageLocation string `json:"usageLocation,omitempty"` // two-letter country code, needed for a licence
	GroupsAs      string `json:"groupsAs,omitempty"`      // distribution (default: by the script) or m365
	Apply         bool   `json:"apply,omitempty"`         // false: the dry run
}

// CreateReport is a plan or its outcome, with the counts by action.
type CreateReport struct {
	directory.Plan
	Applied bool           `json:"applied"`
	Counts  map[string]int `json:"counts"`
	// Generated is how many initial passwords were generated (and sealed in the batch).
	Generated int `json:"generated"`
}

func (o *CreateOptions) check() error {
	var errs fault.FieldErrors
	o.To = strings.ToLower(strings.TrimSpace(o.To))
	if o.To == "" {
		o.To = "graph"
	}
	if o.To != "graph" && o.To != "google" {
		errs = append(errs, &fault.FieldError{Field: "to", Value: o.To, Expected: "graph (Microsoft 365) or google (Google Workspace)"})
	}
	o.UsageLocation = strings.ToUpper(strings.TrimSpace(o.UsageLocation))
	if o.UsageLocation != "" && (len(o.UsageLocation) != 2 || strings.Trim(o.UsageLocation, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		errs = append(errs, &fault.FieldError{Field: "usage location", Value: o.UsageLocation, Expected: "a two-letter country code (ISO 3166-1), such as FR or GB"})
	}
	switch o.GroupsAs {
	case "":
		o.GroupsAs = directory.GroupsDistribution
	case directory.GroupsDistribution, directory.GroupsM365:
	default:
		errs = append(errs, &fault.FieldError{Field: "groups as", Value: o.GroupsAs, Expected: "distribution (by the Exchange script) or m365 (Microsoft 365 groups, through Graph)"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// PeopleCreate says what creating the project's users, groups and contacts at the
// destination would do (opts.Apply false), or does it. Initial passwords come from the
// batch (the destination password); a user without one gets a generated password,
// sealed in its batch entry when applied, never shown. Records that failed are in the
// report with their reasons, not an error: the faces show them row by row.
func (a *API) PeopleCreate(projectName string, opts CreateOptions) (CreateReport, error) {
	p, err := a.project(projectName)
	if err != nil {
		return CreateReport{}, err
	}
	if err := opts.check(); err != nil {
		return CreateReport{}, err
	}
	cr, err := a.creator(p, opts.To)
	if err != nil {
		return CreateReport{}, err
	}
	want, generated, err := a.want(p, opts)
	if err != nil {
		return CreateReport{}, err
	}
	rep := CreateReport{Applied: opts.Apply}
	if !opts.Apply {
		rep.Plan, err = cr.Plan(a.ctx, want)
	} else {
		rep.Plan, err = cr.Apply(a.ctx, want)
	}
	if err != nil {
		return rep, err
	}
	rep.Counts = map[string]int{}
	for _, it := range rep.Items {
		rep.Counts[it.Action]++
	}
	if opts.Apply {
		if rep.Generated, err = a.sealGenerated(p, rep.Plan, generated); err != nil {
			return rep, err
		}
		msg := fmt.Sprintf("people created at the destination (%s): %d created, %d existed, %d conflicts, %d failed, %d left to the Exchange script",
			opts.To, rep.Counts[directory.Created], rep.Counts[directory.Exists], rep.Counts[directory.Conflict], rep.Counts[directory.Failed], rep.Counts[directory.ByScript])
		a.log.Info("people created", "project", p.Name, "created", rep.Counts[directory.Created], "failed", rep.Counts[directory.Failed])
		_ = a.store.LogEvent(a.ctx, p.ID, "people", msg)
	} else {
		for _, it := range rep.Items {
			if _, ok := generated[strings.ToLower(it.Address)]; ok && it.Kind == people.Users && it.Action == directory.WillCreate {
				rep.Generated++
			}
		}
	}
	return rep, nil
}

// creator is the destination's: Graph with the destination's Microsoft app-only
// sign-in, or Google's Directory API with its service account acting for the
// administrator set (people directory set --side dest --from google --admin).
func (a *API) creator(p project.Project, to string) (directory.Creator, error) {
	v, _, err := a.store.DirectorySetting(a.ctx, p.ID, "dest", to)
	if err != nil {
		return nil, err
	}
	if to == "graph" {
		hc, err := a.graphClient(p, "dest", "User.ReadWrite.All, Group.ReadWrite.All and Organization.Read.All", v.URL)
		if err != nil {
			return nil, err
		}
		return &directory.GraphCreator{URL: v.URL, HTTP: hc}, nil
	}
	hc, err := a.googleClient(p, "dest", v.Admin, directory.GoogleWriteScopes, v.URL)
	if err != nil {
		return nil, err
	}
	return &directory.GoogleCreator{URL: v.URL, HTTP: hc}, nil
}

// want is what the project holds, with each user's initial password; generated are the
// passwords made for users without one, by lower-case address, with their batch entry.
func (a *API) want(p project.Project, opts CreateOptions) (directory.Want, map[string]generatedPassword, error) {
	w := directory.Want{SKU: opts.SKU, UsageLocation: opts.UsageLocation, GroupsAs: opts.GroupsAs}
	users, err := a.store.Users(a.ctx, p.ID)
	if err != nil {
		return w, nil, err
	}
	entries, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return w, nil, err
	}
	byDest := map[string]batch.Entry{}
	for _, e := range entries {
		byDest[strings.ToLower(e.DestLogin)] = e
	}
	generated := map[string]generatedPassword{}
	for _, u := range users {
		wu := directory.WantUser{User: u}
		e, ok := byDest[strings.ToLower(u.Address)]
		if ok && e.HasDestPassword {
			if _, wu.Password, err = a.batchPasswords(e); err != nil {
				return w, nil, err
			}
		} else if ok {
			wu.Password = newPassword()
			generated[strings.ToLower(u.Address)] = generatedPassword{entry: e, password: wu.Password}
		}
		// Without a batch entry there is nowhere to keep a password: the row fails with why.
		w.Users = append(w.Users, wu)
	}
	if w.Groups, err = a.store.Groups(a.ctx, p.ID); err != nil {
		return w, nil, err
	}
	if w.Contacts, err = a.store.Contacts(a.ctx, p.ID); err != nil {
		return w, nil, err
	}
	return w, generated, nil
}

type generatedPassword struct {
	entry    batch.Entry
	password secrets.Secret
}

// sealGenerated keeps the generated password of each user created with one.
func (a *API) sealGenerated(p project.Project, plan directory.Plan, generated map[string]generatedPassword) (int, error) {
	n := 0
	for _, it := range plan.Items {
		g, ok := generated[strings.ToLower(it.Address)]
		if it.Kind != people.Users || it.Action != directory.Created || !ok {
			continue
		}
		if err := a.vault.Put(a.ctx, batch.SecretRef(g.entry.ID, "dest"), p.ID, g.password); err != nil {
			return n, fmt.Errorf("seal the initial password of %s: %w", it.Address, err)
		}
		n++
	}
	return n, nil
}

// newPassword is 16 characters from a set without look-alikes, with an upper and a
// lower case letter, a digit and a symbol, as Entra ID's complexity rule wants.
func newPassword() secrets.Secret {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		symbol = "-_.!#%+"
	)
	all := upper + lower + digits + symbol
	pick := func(set string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(err) // crypto/rand does not fail on Linux
		}
		return set[n.Int64()]
	}
	b := []byte{pick(upper), pick(lower), pick(digits), pick(symbol)}
	for len(b) < 16 {
		b = append(b, pick(all))
	}
	return secrets.New(string(b))
}

// PeopleCreateScript is the Exchange Online PowerShell that creates the project's
// distribution lists and mail contacts (what Graph cannot create); run it, then the dry
// run of PeopleCreate says what exists.
func (a *API) PeopleCreateScript(projectName string) (File, error) {
	p, err := a.project(projectName)
	if err != nil {
		return File{}, err
	}
	groups, err := a.store.Groups(a.ctx, p.ID)
	if err != nil {
		return File{}, err
	}
	contacts, err := a.store.Contacts(a.ctx, p.ID)
	if err != nil {
		return File{}, err
	}
	users, err := a.store.Users(a.ctx, p.ID)
	if err != nil {
		return File{}, err
	}
	return File{Name: fileSafe(p.Name) + "-exchange-groups-contacts.ps1", MIME: "text/plain; charset=utf-8",
		Data: directory.ExchangeScript(p.Name, users, groups, contacts, false)}, nil
}
