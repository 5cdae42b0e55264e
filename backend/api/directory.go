package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"cutover/backend/auth"
	"cutover/backend/directory"
	"cutover/backend/fault"
	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/sheets"
	"cutover/backend/store"
)

// Detection of the people at the source (issue 18): a directory API is read and what it
// finds goes through the very checks of a sheet import (sheets.Parse on a table made
// from the records), so that the preview, the counts (added / updated / unchanged) and
// the idempotence are the same whatever the people came from.

// DirectorySettingInput says where a project's people are detected. Graph and Google use
// the source side's sign-in (Settings → Sign-in: Microsoft app-only access, or a Google
// service account); cPanel and doveadm an API token of their own, sealed.
type DirectorySettingInput struct {
	// Side is "source" (where people are detected; the default) or "dest" (where they
	// are created: graph only).
	Side   string `json:"side,omitempty"`
	Source string `json:"source"` // graph, google, cpanel, plesk or doveadm
	// URL is the API's address: cPanel https://host:2083, doveadm http://host:port; for
	// Graph and Google empty (the services' own) or a test's fake.
	URL     string `json:"url,omitempty"`
	Account string `json:"account,omitempty"` // cPanel: the hosting account's user name
	Admin   string `json:"admin,omitempty"`   // Google: an administrator the service account acts for
	// Token is the cPanel API token, the Plesk secret key or the doveadm API key:
	// write-only, empty keeps it.
	Token string `json:"token,omitempty"`
}

// DirectorySettingView is a source's setting as the UI shows it (never the token).
type DirectorySettingView struct {
	store.DirectorySetting
	Name     string `json:"name"`
	HasToken bool   `json:"hasToken"`
}

func directoryRef(projectID int64, source string) string {
	return fmt.Sprintf("directory/%d/%s/token", projectID, source)
}

func checkDirectorySource(source string) error {
	for _, s := range directory.Sources {
		if s == source {
			return nil
		}
	}
	return &fault.FieldError{Field: "from", Value: source, Expected: strings.Join(directory.Sources, ", ")}
}

// DirectorySet stores where a project's people are detected, sealing the token.
func (a *API) DirectorySet(projectName string, in DirectorySettingInput) (DirectorySettingView, error) {
	p, err := a.project(projectName)
	if err != nil {
		return DirectorySettingView{}, err
	}
	in.Source = strings.ToLower(strings.TrimSpace(in.Source))
	if err := checkDirectorySource(in.Source); err != nil {
		return DirectorySettingView{}, err
	}
	if in.Side == "" {
		in.Side = "source"
	}
	if err := checkSide(in.Side); err != nil {
		return DirectorySettingView{}, err
	}
	if in.Side == "dest" && in.Source != "graph" && in.Source != "google" {
		return DirectorySettingView{}, &fault.FieldError{Field: "to", Value: in.Source, Expected: "graph or google: people are created through Microsoft Graph or Google's Directory API"}
	}
	v := store.DirectorySetting{Side: in.Side, Source: in.Source, URL: strings.TrimSpace(in.URL), Account: strings.TrimSpace(in.Account),
		Admin: strings.TrimSpace(in.Admin), Updated: a.now()}
	var errs fault.FieldErrors
	if v.URL != "" {
		if err := checkSecureURL("url", v.URL, "the API's address, such as https://host.example:2083"); err != nil {
			errs = append(errs, err)
		}
	}
	if (in.Source == "cpanel" || in.Source == "plesk" || in.Source == "doveadm") && v.URL == "" {
		errs = append(errs, &fault.FieldError{Field: "url", Expected: "the API's address (cPanel: https://host:2083; Plesk: https://host:8443; doveadm: http://host:port of its http listener)"})
	}
	if in.Source == "cpanel" && v.Account == "" {
		errs = append(errs, &fault.FieldError{Field: "account", Expected: "the cPanel account's user name"})
	}
	if in.Source == "google" && !people.ValidAddress(v.Admin) {
		errs = append(errs, &fault.FieldError{Field: "admin", Value: v.Admin, Expected: "the address of a Google Workspace administrator the service account may act for"})
	}
	if in.Source == "graph" || in.Source == "google" {
		if in.Token != "" {
			errs = append(errs, &fault.FieldError{Field: "token", Expected: "no token: " + directory.SourceName(in.Source) + " uses the source side's sign-in (Settings → Sign-in)"})
		}
	}
	if len(errs) > 0 {
		return DirectorySettingView{}, errs
	}
	if err := a.store.PutDirectorySetting(a.ctx, p.ID, v); err != nil {
		return DirectorySettingView{}, err
	}
	if in.Token != "" {
		if err := a.vault.Put(a.ctx, directoryRef(p.ID, in.Source), p.ID, secrets.New(in.Token)); err != nil {
			return DirectorySettingView{}, fmt.Errorf("seal the %s token: %w", in.Source, err)
		}
	}
	a.log.Info("directory setting stored", "project", p.Name, "source", in.Source)
	return a.directoryView(p, v)
}

func (a *API) directoryView(p project.Project, v store.DirectorySetting) (DirectorySettingView, error) {
	view := DirectorySettingView{DirectorySetting: v, Name: directory.SourceName(v.Source)}
	_, err := a.vault.Get(a.ctx, directoryRef(p.ID, v.Source))
	switch {
	case err == nil:
		view.HasToken = true
	case !errors.Is(err, secrets.ErrNoSecret):
		return view, err
	}
	return view, nil
}

// DirectorySettings lists the project's directory sources and what is set for each.
func (a *API) DirectorySettings(projectName string) ([]DirectorySettingView, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	var out []DirectorySettingView
	for _, s := range directory.Sources {
		v, _, err := a.store.DirectorySetting(a.ctx, p.ID, "source", s)
		if err != nil {
			return nil, err
		}
		view, err := a.directoryView(p, v)
		if err != nil {
			return nil, err
		}
		out = append(out, view)
	}
	for _, d := range []struct{ source, name string }{{"graph", "Microsoft 365 destination (Graph)"}, {"google", "Google Workspace destination"}} {
		v, _, err := a.store.DirectorySetting(a.ctx, p.ID, "dest", d.source)
		if err != nil {
			return nil, err
		}
		out = append(out, DirectorySettingView{DirectorySetting: v, Name: d.name})
	}
	return out, nil
}

// ctxTokens adapts auth's token source (which takes a context) to oauth2's.
type ctxTokens struct {
	ctx context.Context
	src auth.TokenSource
}

func (c ctxTokens) Token() (*oauth2.Token, error) { return c.src.Token(c.ctx) }

// directoryHTTP is the client directory APIs are reached with (tests: one that trusts
// their fakes' certificates).
func (a *API) directoryHTTP() *http.Client {
	if c := a.ext.directoryHTTP; c != nil {
		return c
	}
	return http.DefaultClient
}

// bearerClient is an HTTP client that carries ts's tokens to the services at bases (their
// scheme and host) and to nothing else: a request elsewhere — a next-page link or a
// redirect pointing at another host — is refused before a token is attached.
func (a *API) bearerClient(ts auth.TokenSource, bases ...string) *http.Client {
	base := a.directoryHTTP().Transport
	if base == nil {
		base = http.DefaultTransport
	}
	fence := &tokenFence{allowed: map[string]bool{}, next: &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, ctxTokens{a.ctx, ts}), Base: base}}
	for _, b := range bases {
		if u, err := url.Parse(b); err == nil && u.Host != "" {
			fence.allowed[strings.ToLower(u.Scheme+"://"+u.Host)] = true
		}
	}
	return &http.Client{Transport: fence}
}

// tokenFence lets through only requests to the hosts a token is for.
type tokenFence struct {
	allowed map[string]bool // "https://graph.microsoft.com"
	next    http.RoundTripper
}

func (f *tokenFence) RoundTrip(r *http.Request) (*http.Response, error) {
	at := strings.ToLower(r.URL.Scheme + "://" + r.URL.Host)
	if !f.allowed[at] {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("refused to send a sign-in token to %s: it goes only to %s", at, strings.Join(slices.Sorted(maps.Keys(f.allowed)), ", "))
	}
	return f.next.RoundTrip(r)
}

// directorySource builds the source from the project's settings and sealed secrets.
func (a *API) directorySource(p project.Project, source string) (directory.Source, error) {
	if err := checkDirectorySource(source); err != nil {
		return nil, err
	}
	v, _, err := a.store.DirectorySetting(a.ctx, p.ID, "source", source)
	if err != nil {
		return nil, err
	}
	switch source {
	case "graph", "google":
		return a.cloudSource(p, v)
	}
	tok, err := a.vault.Get(a.ctx, directoryRef(p.ID, source))
	if errors.Is(err, secrets.ErrNoSecret) {
		return nil, &fault.FieldError{Field: "token", Expected: fmt.Sprintf("the %s API token: set it first (cutover people directory set --project %s --from %s)", directory.SourceName(source), p.Name, source)}
	}
	if err != nil {
		return nil, err
	}
	switch source {
	case "cpanel":
		return &directory.CPanel{URL: v.URL, User: v.Account, Token: tok, HTTP: a.directoryHTTP()}, nil
	case "plesk":
		return &directory.Plesk{URL: v.URL, Key: tok, HTTP: a.directoryHTTP()}, nil
	}
	domain := ""
	if len(p.Domains) > 0 {
		domain = p.Domains[0]
	}
	return &directory.Doveadm{URL: v.URL, Key: tok, Domain: domain, HTTP: a.directoryHTTP()}, nil
}

// cloudSource is Graph with the source side's app-only access, or Google's Directory
// API with its service account acting for the administrator named.
func (a *API) cloudSource(p project.Project, v store.DirectorySetting) (directory.Source, error) {
	if v.Source == "graph" {
		hc, err := a.graphClient(p, "source", "User.Read.All, GroupMember.Read.All and OrgContact.Read.All", v.URL)
		if err != nil {
			return nil, err
		}
		return &directory.Graph{URL: v.URL, HTTP: hc}, nil
	}
	hc, err := a.googleClient(p, "source", v.Admin, directory.GoogleScopes, v.URL)
	if err != nil {
		return nil, err
	}
	return &directory.Google{URL: v.URL, HTTP: hc}, nil
}

// googleClient is an HTTP client carrying tokens of the side's service account
// delegated by admin, for scopes.
func (a *API) googleClient(p project.Project, side, admin string, scopes []string, base string) (*http.Client, error) {
	si, err := a.store.SignInSetting(a.ctx, p.ID, side)
	if err != nil {
		return nil, err
	}
	field := map[string]string{"source": "from", "dest": "to"}[side]
	if si.Method != SignInGoogleServiceAccount {
		return nil, &fault.FieldError{Field: field, Value: "google",
			Expected: "the " + sideWord(side) + " side signing in with a Google service account (Settings → Sign-in: " + SignInGoogleServiceAccount + "), its domain-wide delegation listing " + strings.Join(scopes, ", ")}
	}
	if admin == "" {
		return nil, &fault.FieldError{Field: "admin", Expected: fmt.Sprintf("the administrator the service account acts for (cutover people directory set --project %s --side %s --from google --admin ADDRESS)", p.Name, side)}
	}
	key, err := a.vault.Get(a.ctx, signInRef(p.ID, side, "service-account"))
	if err != nil {
		return nil, fmt.Errorf("%s service account key: %w", side, err)
	}
	prov := providerOf(si)
	prov.AppScopes = scopes
	sa, err := auth.NewServiceAccount(key, prov, a.authOptions())
	if err != nil {
		return nil, err
	}
	return a.bearerClient(sa.For(admin), cmp.Or(base, directory.GoogleURL)), nil
}

// graphClient is an HTTP client carrying app-only Graph tokens of the side's app
// registration (its Microsoft app-only sign-in); permissions names what the app needs.
func (a *API) graphClient(p project.Project, side, permissions, base string) (*http.Client, error) {
	si, err := a.store.SignInSetting(a.ctx, p.ID, side)
	if err != nil {
		return nil, err
	}
	if si.Method != SignInMicrosoftApp {
		field := map[string]string{"source": "from", "dest": "to"}[side]
		return nil, &fault.FieldError{Field: field, Value: "graph",
			Expected: "the " + sideWord(side) + " side signing in with Microsoft app-only access (Settings → Sign-in: " + SignInMicrosoftApp + "), its app granted " + permissions}
	}
	app, err := a.appOf(a.ctx, p.ID, si)
	if err != nil {
		return nil, err
	}
	prov := providerOf(si)
	prov.AppScopes = directory.GraphScopes
	return a.bearerClient(auth.NewAppSource(prov, app, a.authOptions()).For("the directory"), cmp.Or(base, directory.GraphURL)), nil
}

// DetectReport is what a detection found, as the preview of three imports (users,
// groups, contacts) checked like sheets, with the notes on what was left out.
type DetectReport struct {
	Source   string       `json:"source"`
	Name     string       `json:"name"`
	Users    ImportReport `json:"users"`
	Groups   ImportReport `json:"groups"`
	Contacts ImportReport `json:"contacts"`
	Notes    []string     `json:"notes"`
	Imported bool         `json:"imported"`
	DryRun   bool         `json:"dryRun"`
	Blocked  bool         `json:"blocked"`
}

// PeopleDetect reads the people of the source named (graph, google, cpanel, doveadm)
// and returns what an import would do with each, storing nothing.
func (a *API) PeopleDetect(projectName, source string) (DetectReport, error) {
	_, rep, err := a.detectIn(projectName, source)
	if err != nil {
		return rep, err
	}
	rep.DryRun = true
	for _, r := range []*ImportReport{&rep.Users, &rep.Groups, &rep.Contacts} {
		r.DryRun = true
		if len(r.Rows) > previewRows {
			r.Rows = r.Rows[:previewRows]
		}
	}
	return rep, nil
}

// PeopleDetectImport detects the people of the source and stores them: users (filling
// the migration batch), contacts, then groups. With any error nothing is stored unless
// SkipInvalid; a second detection of an unchanged source reports everything unchanged.
func (a *API) PeopleDetectImport(projectName, source string, opts ImportOptions) (DetectReport, error) {
	p, rep, err := a.detectIn(projectName, source)
	if err != nil {
		return rep, err
	}
	rep.DryRun = opts.DryRun
	var errs sheets.Problems
	for _, r := range []*ImportReport{&rep.Users, &rep.Contacts, &rep.Groups} {
		r.Rows, r.DryRun = nil, opts.DryRun
		errs = append(errs, r.ErrorList()...)
	}
	if len(errs) > 0 && !opts.SkipInvalid {
		rep.Blocked = true
		for _, r := range []*ImportReport{&rep.Users, &rep.Contacts, &rep.Groups} {
			r.Blocked = true
		}
		return rep, errs
	}
	if opts.DryRun {
		return rep, nil
	}
	for _, r := range []*ImportReport{&rep.Users, &rep.Contacts, &rep.Groups} {
		if err := a.storePeople(p, r.Result); err != nil {
			return rep, fmt.Errorf("store the %s found: %w", r.Kind, err)
		}
		r.Imported = true
	}
	rep.Imported = true
	msg := fmt.Sprintf("people detected from %s: users %d added, %d updated, %d unchanged; groups %d added, %d updated; contacts %d added, %d updated",
		rep.Name, rep.Users.Added, rep.Users.Updated, rep.Users.Unchanged, rep.Groups.Added, rep.Groups.Updated, rep.Contacts.Added, rep.Contacts.Updated)
	a.log.Info("people detected", "project", p.Name, "source", source, "users", rep.Users.Added+rep.Users.Updated)
	_ = a.store.LogEvent(a.ctx, p.ID, "people", msg)
	for _, r := range []ImportReport{rep.Users, rep.Groups, rep.Contacts} {
		a.bus.Publish("people:changed", p.Name, map[string]any{"kind": r.Kind, "added": r.Added, "updated": r.Updated, "unchanged": r.Unchanged})
	}
	a.bus.Publish("batch:changed", p.Name, nil)
	return rep, nil
}

// detectIn is detect in the project named.
func (a *API) detectIn(projectName, source string) (project.Project, DetectReport, error) {
	p, err := a.project(projectName)
	if err != nil {
		return p, DetectReport{}, err
	}
	rep, err := a.detect(p, source)
	return p, rep, err
}

// detect reads the source and checks what it found against the project, users first:
// contacts are checked against the users found too, and groups against both, as if
// stored (an import stores them in that order).
func (a *API) detect(p project.Project, source string) (DetectReport, error) {
	source = strings.ToLower(strings.TrimSpace(source))
	rep := DetectReport{Source: source, Name: directory.SourceName(source)}
	src, err := a.directorySource(p, source)
	if err != nil {
		return rep, err
	}
	found, err := src.Detect(a.ctx)
	if err != nil {
		return rep, fmt.Errorf("detect the people of %s: %w", rep.Name, err)
	}
	rep.Notes = found.Notes
	if rep.Notes == nil {
		rep.Notes = []string{}
	}
	known, err := a.known(p)
	if err != nil {
		return rep, err
	}
	fields := detectFields[source]
	foreign := foreignAliases(found.Users, known.Domains)
	if rep.Users, err = a.parseFound(rep.Name, sheets.Users, userTable(found.Users, fields), known); err != nil {
		return rep, err
	}
	markUsers(&rep.Users, found.Users, foreign)
	for _, u := range rep.Users.Result.Users {
		if u.Action != sheets.Skip {
			known.Users[strings.ToLower(u.User.Address)] = u.User
		}
	}
	if rep.Contacts, err = a.parseFound(rep.Name, sheets.Contacts, contactTable(found.Contacts), known); err != nil {
		return rep, err
	}
	for _, c := range rep.Contacts.Result.Contacts {
		if c.Action != sheets.Skip {
			known.Contacts[strings.ToLower(c.Contact.Address)] = c.Contact
		}
	}
	if rep.Groups, err = a.parseFound(rep.Name, sheets.Groups, groupTable(found.Groups), known); err != nil {
		return rep, err
	}
	return rep, nil
}

// detectFields are the user fields each source knows: a field it does not know keeps
// the value stored (a display name typed in a sheet survives a cPanel detection).
// Only Graph knows whether a mailbox is shared; doveadm knows no aliases.
var detectFields = map[string][]string{
	"graph":   {sheets.FAddress, sheets.FFirstName, sheets.FLastName, sheets.FDisplayName, sheets.FSourceLogin, sheets.FJobTitle, sheets.FDepartment, sheets.FOfficePhone, sheets.FMobilePhone, sheets.FAliases, sheets.FShared},
	"google":  {sheets.FAddress, sheets.FFirstName, sheets.FLastName, sheets.FDisplayName, sheets.FSourceLogin, sheets.FJobTitle, sheets.FDepartment, sheets.FOfficePhone, sheets.FMobilePhone, sheets.FOrgUnit, sheets.FAliases},
	"cpanel":  {sheets.FAddress, sheets.FSourceLogin, sheets.FAliases},
	"plesk":   {sheets.FAddress, sheets.FSourceLogin, sheets.FAliases},
	"doveadm": {sheets.FAddress, sheets.FSourceLogin},
}

func (a *API) parseFound(name string, k people.Kind, t sheets.Table, known sheets.Known) (ImportReport, error) {
	t.File, t.Format = name, "directory"
	res, err := sheets.Parse(k, t, known)
	if err != nil {
		return ImportReport{}, err
	}
	res.Layout, res.LayoutName = "directory", name
	// A record has no column: the problems are located by row (the record's place in
	// what was found) and field.
	for i := range res.Problems {
		res.Problems[i].Column = ""
	}
	for i := range res.Rows {
		for j := range res.Rows[i].Problems {
			res.Rows[i].Problems[j].Column = ""
		}
	}
	return ImportReport{Result: res, RowsTotal: len(res.Rows)}, nil
}

// table builds a sheet from records: a header of our template's headers (row 0, so that
// the records are rows 1, 2, …) and one row per record.
func table(l sheets.Layout, fields []string, rows [][]string) sheets.Table {
	header := make([]string, len(fields))
	for i, f := range fields {
		for _, c := range l.Columns {
			if c.Field == f {
				header[i] = c.Header
			}
		}
	}
	t := sheets.Table{Rows: []sheets.Row{{Num: 0, Cells: header}}}
	for i, r := range rows {
		t.Rows = append(t.Rows, sheets.Row{Num: i + 1, Cells: r})
	}
	return t
}

func userTable(us []directory.User, fields []string) sheets.Table {
	var rows [][]string
	for _, u := range us {
		v := map[string]string{sheets.FAddress: u.Address, sheets.FFirstName: u.FirstName, sheets.FLastName: u.LastName,
			sheets.FDisplayName: u.DisplayName, sheets.FSourceLogin: u.SourceLogin, sheets.FJobTitle: u.JobTitle,
			sheets.FDepartment: u.Department, sheets.FOfficePhone: u.OfficePhone, sheets.FMobilePhone: u.MobilePhone, sheets.FOrgUnit: u.OrgUnit,
			sheets.FAliases: strings.Join(u.Aliases, "; "), sheets.FShared: yesNo(u.Shared)}
		row := make([]string, len(fields))
		for i, f := range fields {
			row[i] = strings.TrimSpace(v[f])
		}
		rows = append(rows, row)
	}
	return table(sheets.UserTemplate, fields, rows)
}

func contactTable(cs []people.Contact) sheets.Table {
	fields := []string{sheets.FDisplayName, sheets.FAddress, sheets.FFirstName, sheets.FLastName, sheets.FCompany, sheets.FPhone}
	var rows [][]string
	for _, c := range cs {
		rows = append(rows, []string{c.DisplayName, c.Address, c.FirstName, c.LastName, c.Company, c.Phone})
	}
	return table(sheets.ContactTemplate, fields, rows)
}

func groupTable(gs []people.Group) sheets.Table {
	fields := []string{sheets.FName, sheets.FAddress, sheets.FMembers, sheets.FDescription}
	var rows [][]string
	for _, g := range gs {
		name := g.Name
		if name == "" {
			name = people.LocalPart(g.Address)
		}
		rows = append(rows, []string{name, g.Address, strings.Join(g.Members, "; "), g.Description})
	}
	return table(sheets.GroupTemplate, fields, rows)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// foreignAliases takes out of each user the aliases outside the project's domains (an
// old domain the destination will not have), which would otherwise make the row an
// error: they are left behind with a warning (markUsers). Keyed by the user's index.
func foreignAliases(us []directory.User, domains []string) map[int][]string {
	if len(domains) == 0 {
		return nil
	}
	ours := map[string]bool{}
	for _, d := range domains {
		ours[strings.ToLower(d)] = true
	}
	out := map[int][]string{}
	for i := range us {
		var keep []string
		for _, a := range us[i].Aliases {
			if ours[strings.ToLower(people.Domain(a))] {
				keep = append(keep, a)
			} else {
				out[i] = append(out[i], a)
			}
		}
		us[i].Aliases = keep
	}
	return out
}

// markUsers adds what a sheet has no column for to the preview: a blocked account and
// the aliases left behind, as warnings on the user's row.
func markUsers(rep *ImportReport, us []directory.User, foreign map[int][]string) {
	for i := range rep.Rows {
		if i >= len(us) {
			break
		}
		u, row := us[i], &rep.Rows[i]
		warn := func(value, msg, expected string) {
			p := sheets.Problem{Severity: sheets.SevWarning, File: rep.File, Row: row.Row, Field: sheets.FAddress, Value: value, Message: msg, Expected: expected}
			row.Problems = append(row.Problems, p)
			rep.Problems = append(rep.Problems, p)
			rep.Warnings++
		}
		if u.Disabled {
			warn(u.Address, "sign-in blocked at the source", "a decision: migrate this mailbox or leave it out (set Migrate to no)")
		}
		if as := foreign[i]; len(as) > 0 {
			warn(strings.Join(as, ", "), "aliases outside the project's domains, left behind", "aliases in the project's domains (add the domain to the project to keep them)")
		}
	}
}
