package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"cutover/backend/people"
)

// GoogleURL is the Admin SDK's endpoint.
const GoogleURL = "https://admin.googleapis.com"

// GoogleScopes are what a delegated token for the Directory API asks for: the service
// account's domain-wide delegation must list them (Admin console → Security → API
// controls), and the token is asked for on behalf of an administrator (Google.Admin).
var GoogleScopes = []string{
	"https://www.googleapis.com/auth/admin.directory.user.readonly",
	"https://www.googleapis.com/auth/admin.directory.group.readonly",
}

// Google reads a Google Workspace directory through the Admin SDK Directory API
// (admin/directory/v1): users.list, groups.list and members.list of the customer's
// account (customer=my_customer). Google has no shared mailboxes and the Directory API
// no external contacts (domain shared contacts are another API): contacts come from the
// contacts sheet.
type Google struct {
	URL      string       // GoogleURL; a test's fake
	HTTP     *http.Client // carries a token delegated by an administrator
	PageSize int          // maxResults (default 500 for users, 200 for groups and members)
}

func (g *Google) ID() string { return "google" }

type googleUser struct {
	PrimaryEmail string `json:"primaryEmail"`
	Name         struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
		FullName   string `json:"fullName"`
	} `json:"name"`
	Suspended     bool     `json:"suspended"`
	Archived      bool     `json:"archived"`
	OrgUnitPath   string   `json:"orgUnitPath"`
	Aliases       []string `json:"aliases"`
	Organizations []struct {
		Title      string `json:"title"`
		Department string `json:"department"`
		Primary    bool   `json:"primary"`
	} `json:"organizations"`
	Phones []struct {
		Value string `json:"value"`
		Type  string `json:"type"`
	} `json:"phones"`
}

type googleGroup struct {
	Email       string `json:"email"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type googleMember struct {
	Email  string `json:"email"`
	Type   string `json:"type"` // USER, GROUP, CUSTOMER, EXTERNAL
	Status string `json:"status"`
}

func (g *Google) client() (*client, error) {
	base := g.URL
	if base == "" {
		base = GoogleURL
	}
	c, err := newClient("Google Directory API", base, g.HTTP)
	if err != nil {
		return nil, err
	}
	c.message = func(b []byte) string {
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
				Status  string `json:"status"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error.Message == "" {
			return ""
		}
		return e.Error.Message
	}
	c.hint = func(status int) string {
		switch status {
		case http.StatusUnauthorized:
			return "the delegated token was refused: check the service account key and the administrator's address"
		case http.StatusForbidden:
			return "the administrator named must be a Workspace admin, and the service account's domain-wide delegation must list the scopes admin.directory.user.readonly and admin.directory.group.readonly"
		}
		return ""
	}
	return c, nil
}

// googleList follows nextPageToken; key is the page's list field ("users", ...).
func googleList[T any](ctx context.Context, c *client, path string, q url.Values, key string) ([]T, error) {
	var all []T
	token := ""
	for {
		if token != "" {
			q.Set("pageToken", token)
		}
		var page map[string]json.RawMessage
		if err := c.do(ctx, http.MethodGet, c.url(path, q), nil, &page); err != nil {
			return nil, err
		}
		if raw, ok := page[key]; ok {
			var items []T
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", c.service, path, err)
			}
			all = append(all, items...)
		}
		token = ""
		if raw, ok := page["nextPageToken"]; ok {
			_ = json.Unmarshal(raw, &token)
		}
		if token == "" {
			return all, nil
		}
	}
}

func (g *Google) size(max int) string {
	n := g.PageSize
	if n <= 0 || n > max {
		n = max
	}
	return fmt.Sprint(n)
}

// Detect lists the users and the groups with their members.
func (g *Google) Detect(ctx context.Context) (Found, error) {
	f := Found{Source: g.ID()}
	c, err := g.client()
	if err != nil {
		return f, err
	}
	users, err := googleList[googleUser](ctx, c, "/admin/directory/v1/users",
		url.Values{"customer": {"my_customer"}, "maxResults": {g.size(500)}, "orderBy": {"email"}}, "users")
	if err != nil {
		return f, fmt.Errorf("list the users: %w", err)
	}
	for _, u := range users {
		du := User{User: people.User{Address: u.PrimaryEmail, FirstName: u.Name.GivenName, LastName: u.Name.FamilyName,
			DisplayName: u.Name.FullName, SourceLogin: u.PrimaryEmail, OrgUnit: u.OrgUnitPath, Aliases: u.Aliases},
			Disabled: u.Suspended || u.Archived}
		for _, o := range u.Organizations {
			if o.Primary || du.JobTitle == "" && du.Department == "" {
				du.JobTitle, du.Department = o.Title, o.Department
			}
		}
		for _, p := range u.Phones {
			switch p.Type {
			case "work":
				du.OfficePhone = p.Value
			case "mobile":
				du.MobilePhone = p.Value
			}
		}
		f.Users = append(f.Users, du)
	}
	groups, err := googleList[googleGroup](ctx, c, "/admin/directory/v1/groups",
		url.Values{"customer": {"my_customer"}, "maxResults": {g.size(200)}}, "groups")
	if err != nil {
		return f, fmt.Errorf("list the groups: %w", err)
	}
	for _, gr := range groups {
		members, err := googleList[googleMember](ctx, c, "/admin/directory/v1/groups/"+url.PathEscape(gr.Email)+"/members",
			url.Values{"maxResults": {g.size(200)}}, "members")
		if err != nil {
			return f, fmt.Errorf("list the members of %s: %w", gr.Email, err)
		}
		pg := people.Group{Address: gr.Email, Name: gr.Name, Description: gr.Description, Members: []string{}}
		seen := lowerSet{}
		for _, m := range members {
			if m.Type == "CUSTOMER" || m.Email == "" {
				f.Notes = append(f.Notes, fmt.Sprintf("group %s: a member that is the whole organisation, left out", gr.Email))
				continue
			}
			if seen.add(m.Email) {
				pg.Members = append(pg.Members, m.Email)
			}
		}
		f.Groups = append(f.Groups, pg)
	}
	f.settle()
	return f, nil
}
