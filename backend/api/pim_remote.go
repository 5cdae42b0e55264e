package api

import (
	"net/http"
	"strings"

	"cutover/backend/auth"
	"cutover/backend/batch"
	"cutover/backend/fault"
	"cutover/backend/pim"
	"cutover/backend/project"
	"cutover/backend/store"
)

// Where a side's contacts, calendars and tasks are reached.
const (
	PIMDAV    = "dav"    // CalDAV/CardDAV with the mailbox's own password
	PIMGraph  = "graph"  // Microsoft Graph with the side's Microsoft sign-in
	PIMGoogle = "google" // Google Calendar, Tasks and People (contacts) with the side's Google sign-in
)

// The real services' bases; PIMSettingInput's URL replaces them (a fake's in tests).
const (
	graphBase          = "https://graph.microsoft.com/v1.0"
	googleCalendarBase = "https://www.googleapis.com/calendar/v3"
	googleTasksBase    = "https://tasks.googleapis.com/tasks/v1"
	googlePeopleBase   = "https://people.googleapis.com/v1"
)

// The scopes of contacts, calendars and tasks. App-only Microsoft access asks for
// Graph's .default: the app registration must hold the Contacts.ReadWrite,
// Calendars.ReadWrite and Tasks.ReadWrite.All application permissions (Contacts.Read,
// Calendars.Read and Tasks.Read.All at a source); without the To Do one, Graph answers
// 403 on the lists and each mailbox's report says what to grant. A Google service
// account's domain-wide delegation must list the three Google scopes.
var (
	graphAppScopes  = []string{"https://graph.microsoft.com/.default"}
	googlePIMScopes = []string{"https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/contacts",
		"https://www.googleapis.com/auth/tasks"}
	// A Google source is only read.
	googlePIMReadScopes = []string{"https://www.googleapis.com/auth/calendar.readonly", "https://www.googleapis.com/auth/contacts.readonly",
		"https://www.googleapis.com/auth/tasks.readonly"}
)

func checkPIMKind(field, v string) *fault.FieldError {
	switch v {
	case "", PIMDAV, PIMGraph, PIMGoogle:
		return nil
	}
	return &fault.FieldError{Field: field, Value: v, Expected: "dav, graph or google (empty: the project's provider's)"}
}

// pimKind is how a side's contacts and calendars are reached: the kind set, else DAV
// when a DAV URL is set, else the project's provider's (Microsoft 365: Graph; Google:
// its APIs; other hosts: DAV).
func pimKind(p project.Project, kind, u string) string {
	switch {
	case kind != "":
		return kind
	case u != "":
		return PIMDAV
	case p.Provider == project.ProviderM365:
		return PIMGraph
	case p.Provider == project.ProviderGoogle:
		return PIMGoogle
	}
	return PIMDAV
}

// pimScopes are what a per-user Google sign-in of side asks for besides mail when the
// project copies contacts and calendars through Google's APIs on that side: one token
// then serves both. (A Microsoft token is for one resource, IMAP's; Graph is reached
// with app-only access.)
func (a *API) pimScopes(p project.Project, side, method string) []string {
	if method != SignInGoogleUser {
		return nil
	}
	set, err := a.store.PIMSetting(a.ctx, p.ID)
	if err != nil || !hasPIMSource(set) {
		return nil // the project copies no contacts or calendars
	}
	if side == "source" && set.SourceKind == PIMGoogle {
		return googlePIMReadScopes
	}
	if side == "dest" && pimKind(p, set.DestKind, set.DestURL) == PIMGoogle {
		return googlePIMScopes
	}
	return nil
}

// pimAPIClient is an HTTP client carrying tokens for login's contacts and calendars at
// a side's provider API (Graph or Google), from the side's sign-in.
func (a *API) pimAPIClient(p project.Project, side, kind, login string, bases ...string) (*http.Client, error) {
	si, err := a.store.SignInSetting(a.ctx, p.ID, side)
	if err != nil {
		return nil, err
	}
	want := map[string]string{PIMGraph: "microsoft", PIMGoogle: "google"}[kind]
	if providerName(si.Method) != want {
		methods := map[string]string{PIMGraph: SignInMicrosoftApp + " or " + SignInMicrosoftUser, PIMGoogle: SignInGoogleServiceAccount + " or " + SignInGoogleUser}[kind]
		return nil, &fault.FieldError{Field: sideWord(side) + " sign-in", Value: si.Method,
			Expected: "a " + want + " sign-in (" + methods + ", Settings → Sign-in) to copy contacts and calendars through " + kind + ", or a " + sideWord(side) + " DAV URL"}
	}
	prov := providerOf(si)
	opts := a.authOptions()
	var ts auth.TokenSource
	switch si.Method {
	case SignInMicrosoftApp:
		app, err := a.appOf(a.ctx, p.ID, si)
		if err != nil {
			return nil, err
		}
		prov.AppScopes = graphAppScopes
		ts = auth.NewAppSource(prov, app, opts).For(login)
	case SignInGoogleServiceAccount:
		key, err := a.vault.Get(a.ctx, signInRef(p.ID, side, "service-account"))
		if err != nil {
			return nil, err
		}
		prov.AppScopes = googlePIMScopes
		if side == "source" {
			prov.AppScopes = googlePIMReadScopes
		}
		sa, err := auth.NewServiceAccount(key, prov, opts)
		if err != nil {
			return nil, err
		}
		ts = sa.For(login)
	case SignInGoogleUser:
		// The mailbox's own sign-in: Google's tokens carry several scopes, and the
		// sign-in asks for the calendar, contacts and tasks ones when the project copies
		// them through Google (pimScopes). A token made before is refused by the API,
		// and the refusal says to sign in again.
		c, _, err := a.credsWith(p.ID, si, login)
		if err != nil {
			return nil, err
		}
		ts = c.Tokens
	default:
		// A Microsoft token is for one resource: the mailbox's is for IMAP
		// (outlook.office.com) and cannot open Graph.
		return nil, &fault.FieldError{Field: sideWord(side) + " sign-in", Value: si.Method,
			Expected: SignInMicrosoftApp + " (app-only access with the application permissions Contacts.ReadWrite, Calendars.ReadWrite and Tasks.ReadWrite.All at the destination; Contacts.Read, Calendars.Read and Tasks.Read.All at the source) to copy contacts, calendars and tasks through Graph: a per-user Microsoft sign-in holds an IMAP token only; or a " + sideWord(side) + " DAV URL"}
	}
	return a.bearerClient(ts, bases...), nil
}

// apiBase is the real service's base, or the one set for the side followed by path (a
// fake serving several APIs under one address).
func apiBase(set, path, real string) string {
	if set = strings.TrimRight(set, "/"); set == "" {
		return real
	}
	return set + path
}

// pimAPIDest is the mailbox's Graph or Google account as the destination.
func (a *API) pimAPIDest(p project.Project, set store.PIMSetting, kind string, e batch.Entry) (pim.Dest, error) {
	if kind == PIMGraph {
		g := &pim.Graph{Base: apiBase(set.DestURL, "", graphBase), User: e.DestLogin}
		var err error
		g.HTTP, err = a.pimAPIClient(p, "dest", kind, e.DestLogin, g.Base)
		return g, err
	}
	g := &pim.Google{CalendarBase: apiBase(set.DestURL, "/calendar/v3", googleCalendarBase),
		TasksBase:  apiBase(set.DestURL, "/tasks/v1", googleTasksBase),
		PeopleBase: apiBase(set.DestURL, "/people/v1", googlePeopleBase)}
	var err error
	g.HTTP, err = a.pimAPIClient(p, "dest", kind, e.DestLogin, g.CalendarBase, g.TasksBase, g.PeopleBase)
	return g, err
}

// pimAPISource is the mailbox's Microsoft 365 or Google account as the source, only read.
func (a *API) pimAPISource(p project.Project, set store.PIMSetting, e batch.Entry) (pim.Source, error) {
	var err error
	if set.SourceKind == PIMGraph {
		g := &pim.GraphSource{Base: apiBase(set.SourceURL, "", graphBase), User: e.SourceLogin, Now: a.now}
		g.HTTP, err = a.pimAPIClient(p, "source", set.SourceKind, e.SourceLogin, g.Base)
		return g, err
	}
	g := &pim.GoogleSource{PeopleBase: apiBase(set.SourceURL, "/people/v1", googlePeopleBase),
		CalendarBase: apiBase(set.SourceURL, "/calendar/v3", googleCalendarBase),
		TasksBase:    apiBase(set.SourceURL, "/tasks/v1", googleTasksBase), User: e.SourceLogin}
	g.HTTP, err = a.pimAPIClient(p, "source", set.SourceKind, e.SourceLogin, g.PeopleBase, g.CalendarBase, g.TasksBase)
	return g, err
}
