package directory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

// What creating a record at the destination does, decided before anything is written
// (the dry run) and again when it is done.
const (
	WillCreate = "create"   // not there: created
	Exists     = "exists"   // there already (same address): matched, left alone
	Conflict   = "conflict" // the address belongs to another object: nothing done
	ByScript   = "script"   // the API cannot create it: the Exchange PowerShell script does
	Created    = "created"  // done
	Failed     = "failed"   // tried, refused (Reason says why)
)

// GroupsAs is what a project's groups become in Microsoft 365.
const (
	GroupsDistribution = "distribution" // distribution lists, by the Exchange script (the default: what a mail host's lists are)
	GroupsM365         = "m365"         // Microsoft 365 groups, through Graph
	GroupsSecurity     = "security"     // mail-enabled security groups cannot be made by Graph: by the script too
)

// Want is what the project holds, to be created at the destination.
type Want struct {
	Users    []WantUser
	Groups   []people.Group
	Contacts []people.Contact
	// UsageLocation is the two-letter country code Microsoft 365 needs before a licence
	// can be assigned (ISO 3166-1 alpha-2, e.g. FR).
	UsageLocation string
	// SKU is the licence to assign: a skuId or its skuPartNumber (e.g.
	// O365_BUSINESS_PREMIUM), one of the tenant's subscribed SKUs; empty: none.
	SKU      string
	GroupsAs string
}

// WantUser is a user with its initial password (from the vault).
type WantUser struct {
	people.User
	Password secrets.Secret
}

// Item is one record of a plan or of its outcome.
type Item struct {
	Kind    people.Kind `json:"kind"`
	Address string      `json:"address"`
	Name    string      `json:"name"`
	Action  string      `json:"action"`
	Reason  string      `json:"reason,omitempty"`
	// Members: for a group, the members to add (created or not, they are checked).
	Members []string `json:"members,omitempty"`
	// Aliases: for a user, the aliases it lacks at the destination, to add (by the API,
	// or by the Exchange script when Graph cannot); Shared: a shared mailbox.
	Aliases []string `json:"aliases,omitempty"`
	Shared  bool     `json:"shared,omitempty"`
	id      string   // the destination object's id, when it exists
}

// SKU is a licence the tenant subscribes to.
type SKU struct {
	ID        string `json:"skuId"`
	Part      string `json:"skuPartNumber"`
	Enabled   int    `json:"enabled"`   // prepaid units
	Consumed  int    `json:"consumed"`  // assigned
	Available int    `json:"available"` // enabled - consumed
}

// Plan is what creating would do: per record, and the tenant's licences.
type Plan struct {
	Items []Item `json:"items"`
	SKUs  []SKU  `json:"skus"`
}

// Count is how many items have the action.
func (p Plan) Count(action string) int {
	n := 0
	for _, it := range p.Items {
		if it.Action == action {
			n++
		}
	}
	return n
}

// GraphCreator creates users (with their licence) and Microsoft 365 groups in a tenant
// through Microsoft Graph v1.0; what Graph cannot create (distribution lists, mail
// contacts) is left to ExchangeScript. A record whose address is already there is
// matched and never changed; a record whose address belongs to something else is a
// conflict; every failure is the record's own, with Graph's reason.
//
// The app needs User.ReadWrite.All, Group.ReadWrite.All and Organization.Read.All
// (subscribedSkus), or Directory.ReadWrite.All, with admin consent.
type GraphCreator struct {
	URL  string
	HTTP *http.Client
}

// graphIndex is what the tenant holds, by lower-case address.
type graphIndex struct {
	users    map[string]graphUser  // UPN, mail and proxy addresses
	groups   map[string]graphGroup // mail and proxy addresses
	contacts map[string]bool
	owner    map[string]string // address → what holds it ("user bob@…", "group …")
	skus     []SKU
}

func (g *GraphCreator) client() (*client, error) {
	c, err := (&Graph{URL: g.URL, HTTP: g.HTTP}).client()
	if err != nil {
		return nil, err
	}
	c.hint = func(status int) string {
		switch status {
		case http.StatusUnauthorized:
			return "the app's token was refused: check the destination's sign-in settings"
		case http.StatusForbidden:
			return "grant the app registration User.ReadWrite.All, Group.ReadWrite.All and Organization.Read.All with admin consent"
		}
		return ""
	}
	return c, nil
}

func (g *GraphCreator) index(ctx context.Context, c *client) (*graphIndex, error) {
	ix := &graphIndex{users: map[string]graphUser{}, groups: map[string]graphGroup{}, contacts: map[string]bool{}, owner: map[string]string{}}
	users, err := graphList[graphUser](ctx, c, c.url("/v1.0/users", url.Values{"$select": {"id,displayName,userPrincipalName,mail,proxyAddresses"}, "$top": {"999"}}))
	if err != nil {
		return nil, fmt.Errorf("list the destination's users: %w", err)
	}
	for _, u := range users {
		for _, a := range append([]string{u.UserPrincipalName, u.Mail}, smtpAddresses(u.ProxyAddresses)...) {
			if a != "" {
				ix.users[strings.ToLower(a)] = u
				ix.owner[strings.ToLower(a)] = "the user " + u.UserPrincipalName
			}
		}
	}
	groups, err := graphList[graphGroupAddresses](ctx, c, c.url("/v1.0/groups", url.Values{"$select": {"id,displayName,mail,mailEnabled,securityEnabled,groupTypes,proxyAddresses"}, "$top": {"999"}}))
	if err != nil {
		return nil, fmt.Errorf("list the destination's groups: %w", err)
	}
	for _, gr := range groups {
		for _, a := range append([]string{gr.Mail}, smtpAddresses(gr.ProxyAddresses)...) {
			if a != "" {
				ix.groups[strings.ToLower(a)] = gr.graphGroup
				ix.owner[strings.ToLower(a)] = "the group " + gr.DisplayName
			}
		}
	}
	contacts, err := graphList[graphContact](ctx, c, c.url("/v1.0/contacts", url.Values{"$select": {"displayName,mail"}, "$top": {"999"}}))
	if err != nil {
		return nil, fmt.Errorf("list the destination's contacts: %w", err)
	}
	for _, ct := range contacts {
		if ct.Mail != "" {
			ix.contacts[strings.ToLower(ct.Mail)] = true
			ix.owner[strings.ToLower(ct.Mail)] = "the contact " + ct.DisplayName
		}
	}
	skus, err := graphList[graphSKU](ctx, c, c.url("/v1.0/subscribedSkus", nil))
	if err != nil {
		return nil, fmt.Errorf("list the tenant's licences: %w", err)
	}
	for _, s := range skus {
		if s.Capability != "Enabled" {
			continue
		}
		ix.skus = append(ix.skus, SKU{ID: s.SkuID, Part: s.SkuPartNumber, Enabled: s.PrepaidUnits.Enabled, Consumed: s.ConsumedUnits,
			Available: s.PrepaidUnits.Enabled - s.ConsumedUnits})
	}
	return ix, nil
}

type graphGroupAddresses struct {
	graphGroup
	ProxyAddresses []string `json:"proxyAddresses"`
}

// graphSKU is a subscribedSku as Graph lists it.
type graphSKU struct {
	SkuID         string `json:"skuId"`
	SkuPartNumber string `json:"skuPartNumber"`
	Capability    string `json:"capabilityStatus"`
	ConsumedUnits int    `json:"consumedUnits"`
	PrepaidUnits  struct {
		Enabled int `json:"enabled"`
	} `json:"prepaidUnits"`
}

func smtpAddresses(proxies []string) []string {
	var out []string
	for _, p := range proxies {
		if len(p) > 5 && strings.EqualFold(p[:5], "smtp:") {
			out = append(out, p[5:])
		}
	}
	return out
}

// sku finds the wanted licence among the tenant's.
func (ix *graphIndex) sku(want string) (*SKU, error) {
	if want == "" {
		return nil, nil
	}
	var names []string
	for i := range ix.skus {
		s := &ix.skus[i]
		if strings.EqualFold(s.ID, want) || strings.EqualFold(s.Part, want) {
			return s, nil
		}
		names = append(names, s.Part)
	}
	return nil, &InputError{Field: "sku", Value: want, Expected: "one of the tenant's licences: " + strings.Join(names, ", ")}
}

// InputError is a choice that does not fit the destination (a licence it lacks).
type InputError struct{ Field, Value, Expected string }

func (e *InputError) Error() string {
	return fmt.Sprintf("%s %q: expected %s", e.Field, e.Value, e.Expected)
}

// InputError makes it bad input for every face (fault.Classify).
func (e *InputError) InputError() bool { return true }

// Plan says, without writing anything, what Apply would do with each record.
func (g *GraphCreator) Plan(ctx context.Context, w Want) (Plan, error) {
	_, _, p, err := g.read(ctx, w)
	return p, err
}

// read reads the tenant and plans w against it.
func (g *GraphCreator) read(ctx context.Context, w Want) (*client, *graphIndex, Plan, error) {
	c, err := g.client()
	if err != nil {
		return nil, nil, Plan{}, err
	}
	ix, err := g.index(ctx, c)
	if err != nil {
		return nil, nil, Plan{}, err
	}
	p, err := g.plan(ix, w)
	return c, ix, p, err
}

func (g *GraphCreator) plan(ix *graphIndex, w Want) (Plan, error) {
	p := Plan{SKUs: ix.skus, Items: []Item{}}
	sku, err := ix.sku(w.SKU)
	if err != nil {
		return p, err
	}
	left := 0
	if sku != nil {
		left = sku.Available
	}
	for _, u := range w.Users {
		it := Item{Kind: people.Users, Address: u.Address, Name: u.DisplayName, Shared: u.Shared}
		key := strings.ToLower(u.Address)
		switch ex, ok := ix.users[key]; {
		case ok && (strings.EqualFold(ex.UserPrincipalName, u.Address) || strings.EqualFold(ex.Mail, u.Address)):
			it.Action, it.id = Exists, ex.ID
		case ix.owner[key] != "":
			it.Action, it.Reason = Conflict, "address taken by "+ix.owner[key]
		case u.Shared:
			// A shared mailbox has no licence and nobody signs in: Exchange makes it.
			it.Action, it.Reason = ByScript, "Graph cannot create shared mailboxes: run the Exchange script (New-Mailbox -Shared, no licence)"
		case u.Password.IsZero():
			it.Action, it.Reason = Failed, noPassword
		case w.UsageLocation == "" && sku != nil:
			it.Action, it.Reason = Failed, "no usage location: a licence needs one (the country, e.g. FR)"
		case sku != nil && left <= 0:
			it.Action, it.Reason = Failed, fmt.Sprintf("licence exhausted: no %s left (%d of %d assigned)", sku.Part, sku.Consumed, sku.Enabled)
		default:
			it.Action = WillCreate
			if sku != nil {
				left--
			}
		}
		if it.Action != Conflict {
			var taken []string
			it.Aliases, taken = missingAliases(u.Aliases, func(a string) (bool, string) {
				if ex, ok := ix.users[a]; ok && it.id != "" && ex.ID == it.id {
					return true, ""
				}
				return false, ix.owner[a]
			})
			it.Reason = joinReasons(it.Reason, taken)
			if len(it.Aliases) > 0 && it.Action != ByScript {
				it.Reason = joinReasons(it.Reason, []string{"Graph cannot add aliases: the Exchange script adds " + strings.Join(it.Aliases, ", ")})
			}
		}
		p.Items = append(p.Items, it)
	}
	for _, gr := range w.Groups {
		it := Item{Kind: people.Groups, Address: gr.Address, Name: gr.Name, Members: gr.Members}
		key := strings.ToLower(gr.Address)
		switch ex, ok := ix.groups[key]; {
		case ok:
			it.Action, it.id = Exists, ex.ID
		case ix.owner[key] != "":
			it.Action, it.Reason = Conflict, "address taken by "+ix.owner[key]
		case w.GroupsAs == GroupsM365:
			it.Action = WillCreate
		default:
			it.Action, it.Reason = ByScript, "Graph cannot create distribution lists or mail-enabled security groups: run the Exchange script"
		}
		p.Items = append(p.Items, it)
	}
	for _, ct := range w.Contacts {
		it := Item{Kind: people.Contacts, Address: ct.Address, Name: ct.DisplayName}
		key := strings.ToLower(ct.Address)
		switch {
		case ix.contacts[key]:
			it.Action = Exists
		case ix.owner[key] != "":
			it.Action, it.Reason = Conflict, "address taken by "+ix.owner[key]
		default:
			it.Action, it.Reason = ByScript, "Graph cannot create mail contacts: run the Exchange script"
		}
		p.Items = append(p.Items, it)
	}
	return p, nil
}

// Apply creates what the plan says to create, now: the tenant is read again first, so
// that a record created meanwhile (by another run) is matched, not created twice. Each
// record ends created, exists, conflict, script or failed with its reason.
func (g *GraphCreator) Apply(ctx context.Context, w Want) (Plan, error) {
	c, ix, p, err := g.read(ctx, w)
	if err != nil {
		return p, err
	}
	sku, _ := ix.sku(w.SKU)
	byAddr := map[string]string{} // lower-case address → object id, for members
	for a, u := range ix.users {
		byAddr[a] = u.ID
	}
	for a, gr := range ix.groups {
		byAddr[a] = gr.ID
	}
	users := map[string]WantUser{}
	for _, u := range w.Users {
		users[strings.ToLower(u.Address)] = u
	}
	for i := range p.Items {
		it := &p.Items[i]
		if it.Kind != people.Users || it.Action != WillCreate {
			continue
		}
		id, err := g.createUser(ctx, c, users[strings.ToLower(it.Address)], w.UsageLocation)
		if err != nil {
			it.Action, it.Reason = Failed, reason(err)
			continue
		}
		it.id, it.Action = id, Created
		byAddr[strings.ToLower(it.Address)] = id
		if sku != nil {
			if err := c.do(ctx, http.MethodPost, c.url("/v1.0/users/"+url.PathEscape(id)+"/assignLicense", nil),
				map[string]any{"addLicenses": []any{map[string]any{"skuId": sku.ID, "disabledPlans": []string{}}}, "removeLicenses": []string{}}, nil); err != nil {
				it.Reason = "created, but the licence was not assigned: " + reason(err)
			}
		}
	}
	for i := range p.Items {
		it := &p.Items[i]
		if it.Kind != people.Groups {
			continue
		}
		if it.Action == WillCreate {
			id, err := g.createGroup(ctx, c, it)
			if err != nil {
				it.Action, it.Reason = Failed, reason(err)
				continue
			}
			it.id, it.Action = id, Created
			byAddr[strings.ToLower(it.Address)] = id
		}
		if it.id != "" && (it.Action == Created || it.Action == Exists) {
			if msg := g.addMembers(ctx, c, it, byAddr); msg != "" {
				it.Reason = msg
			}
		}
	}
	return p, nil
}

func (g *GraphCreator) createUser(ctx context.Context, c *client, u WantUser, usage string) (string, error) {
	if u.Password.IsZero() {
		return "", errors.New(noPassword)
	}
	body := map[string]any{"accountEnabled": true, "displayName": u.DisplayName, "mailNickname": mailNickname(u.Address),
		"userPrincipalName": u.Address, "passwordProfile": map[string]any{"forceChangePasswordNextSignIn": true, "password": u.Password.Reveal()}}
	for k, v := range map[string]string{"givenName": u.FirstName, "surname": u.LastName, "jobTitle": u.JobTitle, "department": u.Department,
		"mobilePhone": u.MobilePhone, "usageLocation": usage} {
		if v != "" {
			body[k] = v
		}
	}
	if u.OfficePhone != "" {
		body["businessPhones"] = []string{u.OfficePhone}
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, c.url("/v1.0/users", nil), body, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

func (g *GraphCreator) createGroup(ctx context.Context, c *client, it *Item) (string, error) {
	body := map[string]any{"displayName": it.Name, "mailNickname": mailNickname(it.Address), "mailEnabled": true,
		"securityEnabled": false, "groupTypes": []string{"Unified"}}
	if it.Name == "" {
		body["displayName"] = people.LocalPart(it.Address)
	}
	var out struct {
		ID   string `json:"id"`
		Mail string `json:"mail"`
	}
	if err := c.do(ctx, http.MethodPost, c.url("/v1.0/groups", nil), body, &out); err != nil {
		return "", err
	}
	if out.Mail != "" && !strings.EqualFold(out.Mail, it.Address) {
		it.Reason = fmt.Sprintf("created as %s: set its address with Set-UnifiedGroup -PrimarySmtpAddress", out.Mail)
	}
	return out.ID, nil
}

// addMembers adds the members the group lacks (GET members first: re-running adds none
// twice); a member that is not a user or group of the tenant is named in the message.
func (g *GraphCreator) addMembers(ctx context.Context, c *client, it *Item, byAddr map[string]string) string {
	have, err := graphList[struct {
		ID string `json:"id"`
	}](ctx, c, c.url("/v1.0/groups/"+url.PathEscape(it.id)+"/members", url.Values{"$select": {"id"}, "$top": {"999"}}))
	if err != nil {
		return "members not read: " + reason(err)
	}
	in := map[string]bool{}
	for _, m := range have {
		in[m.ID] = true
	}
	var problems []string
	for _, m := range it.Members {
		id, ok := byAddr[strings.ToLower(m)]
		if !ok {
			problems = append(problems, m+": not a user or group of the tenant (a contact cannot join a Microsoft 365 group)")
			continue
		}
		if in[id] {
			continue
		}
		ref := strings.TrimRight(c.base.String(), "/") + "/v1.0/directoryObjects/" + id
		if err := c.do(ctx, http.MethodPost, c.url("/v1.0/groups/"+url.PathEscape(it.id)+"/members/$ref", nil), map[string]string{"@odata.id": ref}, nil); err != nil {
			problems = append(problems, m+": "+reason(err))
			continue
		}
		in[id] = true
	}
	if it.Reason != "" && len(problems) > 0 {
		return it.Reason + "; " + strings.Join(problems, "; ")
	}
	if len(problems) > 0 {
		return strings.Join(problems, "; ")
	}
	return it.Reason
}

const noPassword = "no initial password: give the user a New password in the users sheet, or a migration batch entry (Cutover then generates one)"

// mailNickname is the local part with what Graph refuses in a mailNickname left out.
func mailNickname(addr string) string {
	var b strings.Builder
	for _, r := range people.LocalPart(addr) {
		if r < 0x80 && !strings.ContainsRune(`@()\[]";:<>, `, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// reason is an error as a row's reason: Graph's message when it gave one.
func reason(err error) string {
	var ae *APIError
	if errors.As(err, &ae) && ae.Message != "" {
		return ae.Message
	}
	return err.Error()
}

// missingAliases splits a user's aliases into those to add (held by nothing at the
// destination) and the reasons of those another object holds; holder says, by lower-case
// address, whether the user itself has it already or what else does ("": nothing).
func missingAliases(aliases []string, holder func(lower string) (self bool, other string)) (add, taken []string) {
	for _, a := range aliases {
		self, other := holder(strings.ToLower(a))
		switch {
		case self:
		case other != "":
			taken = append(taken, "alias "+a+" taken by "+other)
		default:
			add = append(add, a)
		}
	}
	return add, taken
}

func joinReasons(r string, more []string) string {
	for _, m := range more {
		if r != "" {
			r += "; "
		}
		r += m
	}
	return r
}
