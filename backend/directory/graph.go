package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"cutover/backend/people"
)

// GraphURL is Microsoft Graph's global endpoint.
const GraphURL = "https://graph.microsoft.com"

// GraphScopes are what an app-only token for Graph asks for: the app registration needs
// the application permissions User.Read.All, GroupMember.Read.All and OrgContact.Read.All
// (or Directory.Read.All), with admin consent.
var GraphScopes = []string{"https://graph.microsoft.com/.default"}

// Graph reads a Microsoft 365 tenant's directory through Microsoft Graph v1.0.
//
// Graph has no "shared mailbox" property: a shared mailbox is a user object whose sign-in
// is blocked (accountEnabled false) and which has a mailbox (mail set) and no licence.
// That is how Exchange Online creates them, and it is the rule here; a blocked user with
// a licence is a person whose sign-in was blocked (a leaver), kept as a user and marked
// Disabled.
type Graph struct {
	// URL is Graph's base (GraphURL; a test's fake).
	URL string
	// HTTP carries the token (an oauth2 client).
	HTTP *http.Client
	// PageSize is $top (default 999, Graph's maximum for users).
	PageSize int
}

func (g *Graph) ID() string { return "graph" }

// graphUserFields are the user properties read ($select).
var graphUserFields = "id,displayName,givenName,surname,userPrincipalName,mail,proxyAddresses,accountEnabled,assignedLicenses,userType,jobTitle,department,businessPhones,mobilePhone"

type graphUser struct {
	ID                string   `json:"id"`
	DisplayName       string   `json:"displayName"`
	GivenName         string   `json:"givenName"`
	Surname           string   `json:"surname"`
	UserPrincipalName string   `json:"userPrincipalName"`
	Mail              string   `json:"mail"`
	ProxyAddresses    []string `json:"proxyAddresses"`
	AccountEnabled    *bool    `json:"accountEnabled"`
	AssignedLicenses  []struct {
		SkuID string `json:"skuId"`
	} `json:"assignedLicenses"`
	UserType       string   `json:"userType"`
	JobTitle       string   `json:"jobTitle"`
	Department     string   `json:"department"`
	BusinessPhones []string `json:"businessPhones"`
	MobilePhone    string   `json:"mobilePhone"`
}

type graphGroup struct {
	ID              string   `json:"id"`
	DisplayName     string   `json:"displayName"`
	Description     string   `json:"description"`
	Mail            string   `json:"mail"`
	MailEnabled     bool     `json:"mailEnabled"`
	SecurityEnabled bool     `json:"securityEnabled"`
	GroupTypes      []string `json:"groupTypes"`
}

type graphMember struct {
	Type              string `json:"@odata.type"`
	Mail              string `json:"mail"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName"`
}

type graphContact struct {
	DisplayName string `json:"displayName"`
	GivenName   string `json:"givenName"`
	Surname     string `json:"surname"`
	Mail        string `json:"mail"`
	CompanyName string `json:"companyName"`
	Phones      []struct {
		Type   string `json:"type"`
		Number string `json:"number"`
	} `json:"phones"`
}

func (g *Graph) client() (*client, error) {
	base := g.URL
	if base == "" {
		base = GraphURL
	}
	c, err := newClient("Microsoft Graph", base, g.HTTP)
	if err != nil {
		return nil, err
	}
	c.message = graphMessage
	c.hint = func(status int) string {
		switch status {
		case http.StatusUnauthorized:
			return "the app's token was refused: check the sign-in settings of the source (tenant, client ID, secret)"
		case http.StatusForbidden:
			return "grant the app registration the application permissions User.Read.All, GroupMember.Read.All and OrgContact.Read.All with admin consent"
		case http.StatusTooManyRequests:
			return "Graph is throttling: try again in a minute"
		}
		return ""
	}
	return c, nil
}

// graphMessage reads Graph's {"error":{"code","message"}}.
func graphMessage(b []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
		return ""
	}
	return e.Error.Code + ": " + e.Error.Message
}

// graphList follows @odata.nextLink from first, decoding each page's value into items.
func graphList[T any](ctx context.Context, c *client, first string) ([]T, error) {
	var all []T
	link := first
	for link != "" {
		var page struct {
			Value    []T    `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := c.do(ctx, http.MethodGet, link, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		if page.NextLink != "" {
			if err := c.sameOrigin(page.NextLink); err != nil {
				return nil, err
			}
		}
		link = page.NextLink
	}
	return all, nil
}

func (g *Graph) top(max int) string {
	n := g.PageSize
	if n <= 0 || n > max {
		n = max
	}
	return fmt.Sprint(n)
}

// Detect lists users (GET /v1.0/users), mail-enabled groups with their members
// (GET /v1.0/groups, /v1.0/groups/{id}/members) and organisational contacts
// (GET /v1.0/contacts).
func (g *Graph) Detect(ctx context.Context) (Found, error) {
	f := Found{Source: g.ID()}
	c, err := g.client()
	if err != nil {
		return f, err
	}
	users, err := graphList[graphUser](ctx, c, c.url("/v1.0/users", url.Values{"$select": {graphUserFields}, "$top": {g.top(999)}}))
	if err != nil {
		return f, fmt.Errorf("list the users: %w", err)
	}
	for _, u := range users {
		if u.UserType == "Guest" {
			f.Notes = append(f.Notes, fmt.Sprintf("%s: a guest account, left out", u.UserPrincipalName))
			continue
		}
		if u.Mail == "" {
			f.Notes = append(f.Notes, fmt.Sprintf("%s: no mailbox, left out", u.UserPrincipalName))
			continue
		}
		blocked := u.AccountEnabled != nil && !*u.AccountEnabled
		du := User{User: people.User{Address: u.Mail, FirstName: u.GivenName, LastName: u.Surname, DisplayName: u.DisplayName,
			SourceLogin: u.UserPrincipalName, JobTitle: u.JobTitle, Department: u.Department, MobilePhone: u.MobilePhone}}
		if len(u.BusinessPhones) > 0 {
			du.OfficePhone = u.BusinessPhones[0]
		}
		du.Shared = blocked && len(u.AssignedLicenses) == 0
		du.Disabled = blocked && !du.Shared
		for _, p := range u.ProxyAddresses {
			// "SMTP:" is the primary address, "smtp:" the others (x500:, sip: are not mail).
			if strings.HasPrefix(p, "smtp:") && !strings.EqualFold(p[5:], u.Mail) {
				du.Aliases = append(du.Aliases, p[5:])
			}
		}
		f.Users = append(f.Users, du)
	}
	groups, err := graphList[graphGroup](ctx, c, c.url("/v1.0/groups", url.Values{
		"$select": {"id,displayName,description,mail,mailEnabled,securityEnabled,groupTypes"}, "$top": {g.top(999)}}))
	if err != nil {
		return f, fmt.Errorf("list the groups: %w", err)
	}
	for _, gr := range groups {
		if !gr.MailEnabled || gr.Mail == "" {
			f.Notes = append(f.Notes, fmt.Sprintf("group %q: not mail-enabled, left out", gr.DisplayName))
			continue
		}
		members, err := graphList[graphMember](ctx, c, c.url("/v1.0/groups/"+url.PathEscape(gr.ID)+"/members",
			url.Values{"$select": {"mail,userPrincipalName,displayName"}, "$top": {g.top(999)}}))
		if err != nil {
			return f, fmt.Errorf("list the members of %s: %w", gr.Mail, err)
		}
		pg := people.Group{Address: gr.Mail, Name: gr.DisplayName, Description: gr.Description, Members: []string{}}
		seen := lowerSet{}
		for _, m := range members {
			if m.Mail == "" {
				f.Notes = append(f.Notes, fmt.Sprintf("group %s: member %q has no address, left out", gr.Mail, firstOf(m.DisplayName, m.UserPrincipalName)))
				continue
			}
			if seen.add(m.Mail) {
				pg.Members = append(pg.Members, m.Mail)
			}
		}
		f.Groups = append(f.Groups, pg)
	}
	contacts, err := graphList[graphContact](ctx, c, c.url("/v1.0/contacts", url.Values{
		"$select": {"displayName,givenName,surname,mail,companyName,phones"}, "$top": {g.top(999)}}))
	if err != nil {
		return f, fmt.Errorf("list the organisational contacts: %w", err)
	}
	for _, ct := range contacts {
		if ct.Mail == "" {
			f.Notes = append(f.Notes, fmt.Sprintf("contact %q: no address, left out", ct.DisplayName))
			continue
		}
		pc := people.Contact{Address: ct.Mail, DisplayName: ct.DisplayName, FirstName: ct.GivenName, LastName: ct.Surname, Company: ct.CompanyName}
		for _, p := range ct.Phones {
			if p.Number != "" && (pc.Phone == "" || p.Type == "business") {
				pc.Phone = p.Number
			}
		}
		f.Contacts = append(f.Contacts, pc)
	}
	f.settle()
	return f, nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
