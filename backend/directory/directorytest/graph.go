package directorytest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Graph is a fake Microsoft Graph v1.0 tenant (read side: users, groups, members,
// organisational contacts). Objects are kept as Graph's JSON.
type Graph struct {
	*httptest.Server
	recorder
	// Token is the bearer token the fake accepts.
	Token string
	// PageSize caps every page (Graph pages by $top and its own limits), so that tests
	// see @odata.nextLink.
	PageSize int

	// Authorize, when set, decides which bearer tokens are good instead of Token (a test
	// with a fake identity provider checks the token and its scope there).
	Authorize func(token string) bool

	mu       sync.Mutex
	Users    []map[string]any
	Groups   []map[string]any
	Members  map[string][]map[string]any // by group id
	Contacts []map[string]any
	// The write side (graphwrite.go): the tenant's verified domains, its licences, the
	// initial passwords users were created with.
	Domains   []string
	SKUs      []GraphSKU
	Passwords map[string]string
	seq       int
	t         T
}

// Properties of the types that $select may name (a subset of Graph's).
var graphProps = map[string]map[string]bool{
	"user": set("id", "displayName", "givenName", "surname", "userPrincipalName", "mail", "proxyAddresses", "accountEnabled",
		"assignedLicenses", "userType", "jobTitle", "department", "businessPhones", "mobilePhone", "usageLocation", "mailNickname"),
	"group":      set("id", "displayName", "description", "mail", "mailEnabled", "securityEnabled", "groupTypes", "mailNickname", "proxyAddresses"),
	"member":     set("id", "mail", "userPrincipalName", "displayName"),
	"orgContact": set("id", "displayName", "givenName", "surname", "mail", "companyName", "phones", "proxyAddresses"),
}

func set(s ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

// NewGraph starts a fake tenant for example.test with users (two people, a shared
// mailbox, a leaver, a guest, an account without mailbox), a Microsoft 365 group, a
// mail-enabled security group, a security group without mail, and an organisational
// contact. Pages hold two objects.
func NewGraph(t T) *Graph {
	g := &Graph{Token: "graph-token", PageSize: 2, t: t, Members: map[string][]map[string]any{}, Passwords: map[string]string{},
		Domains: []string{"example.test", "example.onmicrosoft.com"},
		SKUs: []GraphSKU{{ID: "f245ecc8-75af-4f8e-b61f-27d8114de5f3", Part: "O365_BUSINESS_PREMIUM", Enabled: 5, Consumed: 3},
			{ID: "4b9405b0-7788-4568-add1-99614e613b69", Part: "EXCHANGESTANDARD", Enabled: 1, Consumed: 1}}}
	f, tr := false, true
	lic := []any{map[string]any{"skuId": "f245ecc8-75af-4f8e-b61f-27d8114de5f3", "disabledPlans": []any{}}}
	g.Users = []map[string]any{
		{"id": "1d3c2e1b-0001-4c1a-9d3e-000000000001", "displayName": "Alice Martin", "givenName": "Alice", "surname": "Martin",
			"userPrincipalName": "alice@example.test", "mail": "alice@example.test", "accountEnabled": tr, "userType": "Member",
			"proxyAddresses":   []any{"SMTP:alice@example.test", "smtp:a.martin@example.test", "X500:/o=ExchangeLabs/ou=x/cn=alice"},
			"assignedLicenses": lic, "jobTitle": "Director", "department": "Management", "businessPhones": []any{"+33 1 23 45 67 89"}, "mobilePhone": nil},
		{"id": "1d3c2e1b-0002-4c1a-9d3e-000000000002", "displayName": "Bob Durand", "givenName": "Bob", "surname": "Durand",
			"userPrincipalName": "bob@example.test", "mail": "bob@example.test", "accountEnabled": tr, "userType": "Member",
			"proxyAddresses": []any{"SMTP:bob@example.test"}, "assignedLicenses": lic, "jobTitle": nil, "department": nil,
			"businessPhones": []any{}, "mobilePhone": "+33 6 12 34 56 78"},
		{"id": "1d3c2e1b-0003-4c1a-9d3e-000000000003", "displayName": "Info", "givenName": nil, "surname": nil,
			"userPrincipalName": "info@example.test", "mail": "info@example.test", "accountEnabled": f, "userType": "Member",
			"proxyAddresses": []any{"SMTP:info@example.test", "smtp:contact@example.test"}, "assignedLicenses": []any{}, "businessPhones": []any{}},
		{"id": "1d3c2e1b-0004-4c1a-9d3e-000000000004", "displayName": "Carol Leaver", "givenName": "Carol", "surname": "Leaver",
			"userPrincipalName": "carol@example.test", "mail": "carol@example.test", "accountEnabled": f, "userType": "Member",
			"proxyAddresses": []any{"SMTP:carol@example.test"}, "assignedLicenses": lic, "businessPhones": []any{}},
		{"id": "1d3c2e1b-0005-4c1a-9d3e-000000000005", "displayName": "Guest Partner", "userPrincipalName": "partner_other.example#EXT#@example.onmicrosoft.com",
			"mail": "partner@other.example", "accountEnabled": tr, "userType": "Guest", "proxyAddresses": []any{}, "assignedLicenses": []any{}, "businessPhones": []any{}},
		{"id": "1d3c2e1b-0006-4c1a-9d3e-000000000006", "displayName": "Scanner", "userPrincipalName": "scanner@example.onmicrosoft.com",
			"mail": nil, "accountEnabled": tr, "userType": "Member", "proxyAddresses": []any{}, "assignedLicenses": []any{}, "businessPhones": []any{}},
	}
	g.Groups = []map[string]any{
		{"id": "7a1f0000-0000-4000-8000-00000000000a", "displayName": "Sales", "description": "Sales team", "mail": "sales@example.test",
			"mailEnabled": tr, "securityEnabled": f, "groupTypes": []any{"Unified"}},
		{"id": "7a1f0000-0000-4000-8000-00000000000b", "displayName": "All staff", "description": nil, "mail": "staff@example.test",
			"mailEnabled": tr, "securityEnabled": tr, "groupTypes": []any{}},
		{"id": "7a1f0000-0000-4000-8000-00000000000c", "displayName": "File share readers", "description": nil, "mail": nil,
			"mailEnabled": f, "securityEnabled": tr, "groupTypes": []any{}},
	}
	g.Members["7a1f0000-0000-4000-8000-00000000000a"] = []map[string]any{
		{"@odata.type": "#microsoft.graph.user", "id": "1d3c2e1b-0001-4c1a-9d3e-000000000001", "mail": "alice@example.test", "userPrincipalName": "alice@example.test", "displayName": "Alice Martin"},
		{"@odata.type": "#microsoft.graph.user", "id": "1d3c2e1b-0002-4c1a-9d3e-000000000002", "mail": "bob@example.test", "userPrincipalName": "bob@example.test", "displayName": "Bob Durand"},
		{"@odata.type": "#microsoft.graph.orgContact", "id": "c0000000-0000-4000-8000-000000000001", "mail": "jane@partner.example", "displayName": "Jane Partner"},
	}
	g.Members["7a1f0000-0000-4000-8000-00000000000b"] = []map[string]any{
		{"@odata.type": "#microsoft.graph.user", "id": "1d3c2e1b-0001-4c1a-9d3e-000000000001", "mail": "alice@example.test", "userPrincipalName": "alice@example.test", "displayName": "Alice Martin"},
		{"@odata.type": "#microsoft.graph.user", "id": "1d3c2e1b-0002-4c1a-9d3e-000000000002", "mail": "bob@example.test", "userPrincipalName": "bob@example.test", "displayName": "Bob Durand"},
		{"@odata.type": "#microsoft.graph.group", "id": "7a1f0000-0000-4000-8000-00000000000a", "mail": "sales@example.test", "displayName": "Sales"},
		{"@odata.type": "#microsoft.graph.user", "id": "1d3c2e1b-0006-4c1a-9d3e-000000000006", "mail": nil, "userPrincipalName": "scanner@example.onmicrosoft.com", "displayName": "Scanner"},
	}
	g.Contacts = []map[string]any{
		{"id": "c0000000-0000-4000-8000-000000000001", "displayName": "Jane Partner", "givenName": "Jane", "surname": "Partner",
			"mail": "jane@partner.example", "companyName": "Partner Ltd", "phones": []any{
				map[string]any{"type": "mobile", "number": "+44 7700 900123"}, map[string]any{"type": "business", "number": "+44 20 7946 0000"}}},
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Server.Close)
	return g
}

func graphError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg,
		"innerError": map[string]any{"date": "2026-12-01T10:00:00", "request-id": "b7e9a1d4-0000-4000-8000-000000000000"}}})
}

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	g.record(r)
	if !bearerOK(r, g.Token, g.Authorize) {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
		return
	}
	if g.serveWrite(w, r) {
		return
	}
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/v1.0/users":
		g.list(w, r, "user", g.Users, "users")
	case r.Method == http.MethodGet && path == "/v1.0/groups":
		g.list(w, r, "group", g.Groups, "groups")
	case r.Method == http.MethodGet && path == "/v1.0/contacts":
		g.list(w, r, "orgContact", g.Contacts, "contacts")
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1.0/groups/") && strings.HasSuffix(path, "/members"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1.0/groups/"), "/members")
		g.mu.Lock()
		ms, ok := g.Members[id]
		if !ok {
			ok = g.groupExists(id)
		}
		g.mu.Unlock()
		if !ok {
			graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
			return
		}
		g.list(w, r, "member", ms, "directoryObjects")
	default:
		g.t.Errorf("Graph fake: %s %s is not a request Cutover should make", r.Method, path)
		graphError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment.")
	}
}

func (g *Graph) groupExists(id string) bool {
	for _, gr := range g.Groups {
		if gr["id"] == id {
			return true
		}
	}
	return false
}

// list answers a collection with $select and $top, paging with $skiptoken.
func (g *Graph) list(w http.ResponseWriter, r *http.Request, typ string, items []map[string]any, context string) {
	if !allowedQuery(g.t, r, "$select", "$top", "$skiptoken", "$filter") {
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid query parameter.")
		return
	}
	q := r.URL.Query()
	top, err := intParam(r, "$top", 100, 999)
	if err != nil {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return
	}
	sel := q.Get("$select")
	var fields []string
	if sel != "" {
		for _, f := range strings.Split(sel, ",") {
			if !graphProps[typ][f] {
				g.t.Errorf("Graph fake: %s: $select names %q, not a property of %s", r.URL.Path, f, typ)
				graphError(w, http.StatusBadRequest, "Request_BadRequest", "Could not find a property named '"+f+"' on type 'microsoft.graph."+typ+"'.")
				return
			}
			fields = append(fields, f)
		}
	}
	offset := 0
	if s := q.Get("$skiptoken"); s != "" {
		if offset, err = strconv.Atoi(strings.TrimPrefix(s, "RFNwdAIAAQAAAD")); err != nil {
			g.t.Errorf("Graph fake: $skiptoken %q was not issued by the fake", s)
			graphError(w, http.StatusBadRequest, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.")
			return
		}
	}
	size := top
	if g.PageSize > 0 && g.PageSize < size {
		size = g.PageSize
	}
	g.mu.Lock()
	got, next := page(items, offset, size)
	out := make([]map[string]any, 0, len(got))
	for _, it := range got {
		o := map[string]any{}
		for k, v := range it {
			if fields == nil || k == "@odata.type" || contains(fields, k) {
				o[k] = v
			}
		}
		out = append(out, o)
	}
	g.mu.Unlock()
	body := map[string]any{"@odata.context": g.URL + "/v1.0/$metadata#" + context, "value": out}
	if next >= 0 {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("$skiptoken", "RFNwdAIAAQAAAD"+strconv.Itoa(next))
		body["@odata.nextLink"] = g.URL + r.URL.Path + "?" + nq.Encode()
	}
	writeJSON(w, http.StatusOK, body)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
