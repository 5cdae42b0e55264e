package directory

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"cutover/backend/people"
)

// Manual is a record the API cannot create and the admin adds by hand (Google
// Workspace's external contacts).
const Manual = "manual"

// Creator creates a project's people at a destination: Plan says what would happen,
// Apply does it; both read the destination first.
type Creator interface {
	Plan(ctx context.Context, w Want) (Plan, error)
	Apply(ctx context.Context, w Want) (Plan, error)
}

var (
	_ Creator = (*GraphCreator)(nil)
	_ Creator = (*GoogleCreator)(nil)
)

// GoogleWriteScopes are what a delegated token for creating users and groups asks for.
var GoogleWriteScopes = []string{
	"https://www.googleapis.com/auth/admin.directory.user",
	"https://www.googleapis.com/auth/admin.directory.group",
}

// GoogleCreator creates users and groups with their members in a Google Workspace
// account through the Directory API (users.insert, groups.insert, members.insert), the
// token delegated by an administrator. What exists (a primary address) is matched and
// left alone; an address that is another user's or group's alias is a conflict. External
// contacts are not a Directory API object: they are left to the contacts file.
type GoogleCreator struct {
	URL  string
	HTTP *http.Client
}

type googleIndex struct {
	users, groups map[string]bool
	owner         map[string]string
	aliasOf       map[string]string // lower-case alias → lower-case primary address of its user
}

// noSharedMailbox is the row of a shared mailbox in Google Workspace.
const noSharedMailbox = "Google Workspace has no shared mailbox: create a Google Group or a delegated user"

func (g *GoogleCreator) read(ctx context.Context, w Want) (*client, Plan, error) {
	c, err := (&Google{URL: g.URL, HTTP: g.HTTP}).client()
	if err != nil {
		return nil, Plan{}, err
	}
	ix := googleIndex{users: map[string]bool{}, groups: map[string]bool{}, owner: map[string]string{}, aliasOf: map[string]string{}}
	users, err := googleList[googleUser](ctx, c, "/admin/directory/v1/users", url.Values{"customer": {"my_customer"}, "maxResults": {"500"}}, "users")
	if err != nil {
		return nil, Plan{}, err
	}
	for _, u := range users {
		ix.users[strings.ToLower(u.PrimaryEmail)] = true
		for _, a := range append([]string{u.PrimaryEmail}, u.Aliases...) {
			ix.owner[strings.ToLower(a)] = "the user " + u.PrimaryEmail
			ix.aliasOf[strings.ToLower(a)] = strings.ToLower(u.PrimaryEmail)
		}
	}
	groups, err := googleList[struct {
		Email   string   `json:"email"`
		Aliases []string `json:"aliases"`
	}](ctx, c, "/admin/directory/v1/groups", url.Values{"customer": {"my_customer"}, "maxResults": {"200"}}, "groups")
	if err != nil {
		return nil, Plan{}, err
	}
	for _, gr := range groups {
		ix.groups[strings.ToLower(gr.Email)] = true
		for _, a := range append([]string{gr.Email}, gr.Aliases...) {
			ix.owner[strings.ToLower(a)] = "the group " + gr.Email
		}
	}
	p := Plan{Items: []Item{}}
	decide := func(kind people.Kind, addr, name string, have map[string]bool) Item {
		it := Item{Kind: kind, Address: addr, Name: name}
		key := strings.ToLower(addr)
		switch {
		case have[key]:
			it.Action = Exists
		case ix.owner[key] != "":
			it.Action, it.Reason = Conflict, "address taken by "+ix.owner[key]
		default:
			it.Action = WillCreate
		}
		return it
	}
	for _, u := range w.Users {
		it := decide(people.Users, u.Address, u.DisplayName, ix.users)
		it.Shared = u.Shared
		switch {
		case it.Action == WillCreate && u.Shared:
			it.Action, it.Reason = Manual, noSharedMailbox
		case it.Action == WillCreate && u.Password.IsZero():
			it.Action, it.Reason = Failed, noPassword
		}
		if it.Action == WillCreate || it.Action == Exists {
			var taken []string
			it.Aliases, taken = missingAliases(u.Aliases, func(a string) (bool, string) {
				if ix.aliasOf[a] == strings.ToLower(u.Address) {
					return true, ""
				}
				return false, ix.owner[a]
			})
			it.Reason = joinReasons(it.Reason, taken)
		}
		p.Items = append(p.Items, it)
	}
	for _, gr := range w.Groups {
		it := decide(people.Groups, gr.Address, gr.Name, ix.groups)
		it.Members = gr.Members
		p.Items = append(p.Items, it)
	}
	for _, ct := range w.Contacts {
		p.Items = append(p.Items, Item{Kind: people.Contacts, Address: ct.Address, Name: ct.DisplayName, Action: Manual,
			Reason: "Google Workspace has no directory contacts in this API: import the contacts file (Google Contacts CSV)"})
	}
	return c, p, nil
}

// Plan says what Apply would do.
func (g *GoogleCreator) Plan(ctx context.Context, w Want) (Plan, error) {
	_, p, err := g.read(ctx, w)
	return p, err
}

// Apply creates the users, then the groups, then adds the members each group lacks.
func (g *GoogleCreator) Apply(ctx context.Context, w Want) (Plan, error) {
	c, p, err := g.read(ctx, w)
	if err != nil {
		return p, err
	}
	users := map[string]WantUser{}
	for _, u := range w.Users {
		users[strings.ToLower(u.Address)] = u
	}
	for i := range p.Items {
		it := &p.Items[i]
		if it.Action != WillCreate {
			continue
		}
		var err error
		switch it.Kind {
		case people.Users:
			u := users[strings.ToLower(it.Address)]
			given, family := u.FirstName, u.LastName
			if given == "" {
				given = firstOf(u.DisplayName, people.LocalPart(u.Address))
			}
			if family == "" {
				family = "-" // Google requires both names
			}
			body := map[string]any{"primaryEmail": u.Address, "name": map[string]string{"givenName": given, "familyName": family},
				"password": u.Password.Reveal(), "changePasswordAtNextLogin": true}
			if u.OrgUnit != "" {
				body["orgUnitPath"] = u.OrgUnit
			}
			err = c.do(ctx, http.MethodPost, c.url("/admin/directory/v1/users", nil), body, nil)
		case people.Groups:
			err = c.do(ctx, http.MethodPost, c.url("/admin/directory/v1/groups", nil),
				map[string]string{"email": it.Address, "name": firstOf(it.Name, people.LocalPart(it.Address))}, nil)
		}
		if err != nil {
			it.Action, it.Reason = Failed, reason(err)
			continue
		}
		it.Action = Created
	}
	for i := range p.Items {
		it := &p.Items[i]
		if it.Kind == people.Users && (it.Action == Created || it.Action == Exists) && len(it.Aliases) > 0 {
			it.Reason = joinReasons(it.Reason, g.addAliases(ctx, c, it))
		}
	}
	for i := range p.Items {
		it := &p.Items[i]
		if it.Kind == people.Groups && (it.Action == Created || it.Action == Exists) && len(it.Members) > 0 {
			it.Reason = g.addMembers(ctx, c, it)
		}
	}
	return p, nil
}

func (g *GoogleCreator) addMembers(ctx context.Context, c *client, it *Item) string {
	path := "/admin/directory/v1/groups/" + url.PathEscape(it.Address) + "/members"
	have, err := googleList[googleMember](ctx, c, path, url.Values{"maxResults": {"200"}}, "members")
	if err != nil {
		return "members not read: " + reason(err)
	}
	in := lowerSet{}
	for _, m := range have {
		in.add(m.Email)
	}
	var problems []string
	for _, m := range it.Members {
		if !in.add(m) {
			continue
		}
		if err := c.do(ctx, http.MethodPost, c.url(path, nil), map[string]string{"email": m, "role": "MEMBER"}, nil); err != nil {
			problems = append(problems, m+": "+reason(err))
		}
	}
	return strings.Join(problems, "; ")
}

// addAliases adds the aliases the plan found missing (users.aliases.insert), each on its
// own: one refused is named with Google's reason, the others are still added.
func (g *GoogleCreator) addAliases(ctx context.Context, c *client, it *Item) []string {
	path := "/admin/directory/v1/users/" + url.PathEscape(it.Address) + "/aliases"
	var problems []string
	for _, a := range it.Aliases {
		if err := c.do(ctx, http.MethodPost, c.url(path, nil), map[string]string{"alias": a}, nil); err != nil {
			problems = append(problems, "alias "+a+" not added: "+reason(err))
		}
	}
	return problems
}
