package directorytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// The write side of the Graph fake: POST /v1.0/users, POST /v1.0/users/{id}/assignLicense,
// GET /v1.0/subscribedSkus, POST /v1.0/groups, POST /v1.0/groups/{id}/members/$ref, with
// Graph's refusals (address taken, domain not verified, no usage location, no licence
// left, member already there).

// GraphSKU is a licence of the fake tenant.
type GraphSKU struct {
	ID, Part          string
	Enabled, Consumed int
}

// decodeBody reads a JSON object and reports (as a test error) a key not in allowed or a
// missing required one.
func (g *Graph) decodeBody(r *http.Request, required []string, allowed ...string) (map[string]any, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		g.t.Errorf("Graph fake: %s %s with Content-Type %q, want application/json", r.Method, r.URL.Path, ct)
		return nil, false
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		g.t.Errorf("Graph fake: %s %s: body is not a JSON object: %v", r.Method, r.URL.Path, err)
		return nil, false
	}
	ok := set(append(allowed, required...)...)
	for k := range body {
		if !ok[k] {
			g.t.Errorf("Graph fake: %s %s: property %q is not one Graph documents here", r.Method, r.URL.Path, k)
			return nil, false
		}
	}
	for _, k := range required {
		if _, has := body[k]; !has {
			g.t.Errorf("Graph fake: %s %s: required property %q missing", r.Method, r.URL.Path, k)
			return nil, false
		}
	}
	return body, true
}

func (g *Graph) serveWrite(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/v1.0/subscribedSkus":
		allowedQuery(g.t, r, "$select")
		g.mu.Lock()
		var out []any
		for _, s := range g.SKUs {
			out = append(out, map[string]any{"capabilityStatus": "Enabled", "consumedUnits": s.Consumed, "id": "tenant_" + s.ID, "skuId": s.ID,
				"skuPartNumber": s.Part, "appliesTo": "User", "prepaidUnits": map[string]any{"enabled": s.Enabled, "suspended": 0, "warning": 0}, "servicePlans": []any{}})
		}
		g.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"@odata.context": g.URL + "/v1.0/$metadata#subscribedSkus", "value": out})
	case r.Method == http.MethodPost && path == "/v1.0/users":
		g.createUser(w, r)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v1.0/users/") && strings.HasSuffix(path, "/assignLicense"):
		g.assignLicense(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/v1.0/users/"), "/assignLicense"))
	case r.Method == http.MethodPost && path == "/v1.0/groups":
		g.createGroup(w, r)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v1.0/groups/") && strings.HasSuffix(path, "/members/$ref"):
		g.addMember(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/v1.0/groups/"), "/members/$ref"))
	default:
		return false
	}
	return true
}

// taken says which object holds address (UPN, mail or proxy address), "" for none.
func (g *Graph) taken(address string) string {
	a := strings.ToLower(address)
	for _, list := range [][]map[string]any{g.Users, g.Groups, g.Contacts} {
		for _, o := range list {
			for _, k := range []string{"userPrincipalName", "mail"} {
				if s, _ := o[k].(string); strings.ToLower(s) == a {
					return o["id"].(string)
				}
			}
			if ps, ok := o["proxyAddresses"].([]any); ok {
				for _, p := range ps {
					if s, _ := p.(string); strings.EqualFold(strings.TrimPrefix(strings.ToLower(s), "smtp:"), a) {
						return o["id"].(string)
					}
				}
			}
		}
	}
	return ""
}

func (g *Graph) newID() string {
	g.seq++
	return fmt.Sprintf("9e000000-0000-4000-8000-%012d", g.seq)
}

func (g *Graph) createUser(w http.ResponseWriter, r *http.Request) {
	body, ok := g.decodeBody(r, []string{"accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile"},
		"givenName", "surname", "jobTitle", "department", "mobilePhone", "businessPhones", "usageLocation")
	if !ok {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid request body.")
		return
	}
	upn, _ := body["userPrincipalName"].(string)
	pp, _ := body["passwordProfile"].(map[string]any)
	if pw, _ := pp["password"].(string); len(pw) < 8 {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "The specified password does not comply with password complexity requirements. Please provide a different password.")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	at := strings.LastIndexByte(upn, '@')
	if at < 0 || !contains(g.Domains, strings.ToLower(upn[at+1:])) {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.")
		return
	}
	if g.taken(upn) != "" {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists.")
		return
	}
	u := map[string]any{"id": g.newID(), "userPrincipalName": upn, "mail": upn, "userType": "Member",
		"proxyAddresses": []any{"SMTP:" + upn}, "assignedLicenses": []any{}, "businessPhones": []any{}}
	for k, v := range body {
		if k != "passwordProfile" {
			u[k] = v
		}
	}
	g.Users = append(g.Users, u)
	g.Passwords[upn] = pp["password"].(string)
	writeJSON(w, http.StatusCreated, u)
}

func (g *Graph) assignLicense(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := g.decodeBody(r, []string{"addLicenses", "removeLicenses"})
	if !ok {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid request body.")
		return
	}
	adds, _ := body["addLicenses"].([]any)
	g.mu.Lock()
	defer g.mu.Unlock()
	var user map[string]any
	for _, u := range g.Users {
		if u["id"] == id {
			user = u
		}
	}
	if user == nil {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	if loc, _ := user["usageLocation"].(string); loc == "" {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "License assignment cannot be done for user with invalid usage location.")
		return
	}
	for _, a := range adds {
		m, _ := a.(map[string]any)
		skuID, _ := m["skuId"].(string)
		if _, ok := m["disabledPlans"]; !ok {
			g.t.Errorf("Graph fake: assignLicense: addLicenses item without disabledPlans")
		}
		found := false
		for i := range g.SKUs {
			s := &g.SKUs[i]
			if s.ID != skuID {
				continue
			}
			found = true
			if s.Consumed >= s.Enabled {
				graphError(w, http.StatusBadRequest, "Request_BadRequest", "Subscription with SKU "+s.ID+" does not have any available licenses.")
				return
			}
			s.Consumed++
			user["assignedLicenses"] = append(user["assignedLicenses"].([]any), map[string]any{"skuId": s.ID, "disabledPlans": []any{}})
		}
		if !found {
			graphError(w, http.StatusBadRequest, "Request_BadRequest", "License "+skuID+" does not correspond to a valid company License.")
			return
		}
	}
	writeJSON(w, http.StatusOK, user)
}

func (g *Graph) createGroup(w http.ResponseWriter, r *http.Request) {
	body, ok := g.decodeBody(r, []string{"displayName", "mailNickname", "mailEnabled", "securityEnabled"}, "groupTypes", "description")
	if !ok {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid request body.")
		return
	}
	types, _ := body["groupTypes"].([]any)
	unified := len(types) == 1 && types[0] == "Unified"
	if body["mailEnabled"] == true && !unified {
		// Graph creates only Microsoft 365 groups and security groups.
		g.t.Errorf("Graph fake: POST /v1.0/groups: a mail-enabled group that is not Unified cannot be created through Graph")
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "A mail-enabled group must be a Unified group.")
		return
	}
	nick, _ := body["mailNickname"].(string)
	g.mu.Lock()
	defer g.mu.Unlock()
	mail := strings.ToLower(nick) + "@" + g.Domains[0]
	if g.taken(mail) != "" {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Another object with the same value for property mailNickname already exists.")
		return
	}
	gr := map[string]any{"id": g.newID(), "mail": mail, "proxyAddresses": []any{"SMTP:" + mail}}
	for k, v := range body {
		gr[k] = v
	}
	g.Groups = append(g.Groups, gr)
	g.Members[gr["id"].(string)] = []map[string]any{}
	writeJSON(w, http.StatusCreated, gr)
}

func (g *Graph) addMember(w http.ResponseWriter, r *http.Request, groupID string) {
	body, ok := g.decodeBody(r, []string{"@odata.id"})
	if !ok {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid request body.")
		return
	}
	ref, _ := body["@odata.id"].(string)
	const prefix = "/v1.0/directoryObjects/"
	i := strings.Index(ref, prefix)
	if !strings.HasPrefix(ref, "https://graph.microsoft.com"+prefix) && !strings.HasPrefix(ref, g.URL+prefix) || i < 0 {
		g.t.Errorf("Graph fake: members/$ref: @odata.id %q is not a directoryObjects URL", ref)
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid object identifier '"+ref+"'.")
		return
	}
	id := ref[i+len(prefix):]
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.groupExists(groupID) {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+groupID+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	for _, m := range g.Members[groupID] {
		if m["id"] == id {
			graphError(w, http.StatusBadRequest, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
			return
		}
	}
	var obj map[string]any
	for _, list := range [][]map[string]any{g.Users, g.Groups} {
		for _, o := range list {
			if o["id"] == id {
				obj = o
			}
		}
	}
	if obj == nil {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	g.Members[groupID] = append(g.Members[groupID], map[string]any{"@odata.type": "#microsoft.graph.user", "id": id, "mail": obj["mail"],
		"userPrincipalName": obj["userPrincipalName"], "displayName": obj["displayName"]})
	w.WriteHeader(http.StatusNoContent)
}

// UserAddresses lists the tenant's users' principal names, sorted.
func (g *Graph) UserAddresses() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, u := range g.Users {
		out = append(out, u["userPrincipalName"].(string))
	}
	sort.Strings(out)
	return out
}

// MembersOf lists the mail of a group's members (by the group's mail).
func (g *Graph) MembersOf(mail string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, gr := range g.Groups {
		if m, _ := gr["mail"].(string); strings.EqualFold(m, mail) {
			var out []string
			for _, mb := range g.Members[gr["id"].(string)] {
				if s, _ := mb["mail"].(string); s != "" {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// Licensed is how many of the SKU's licences are assigned.
func (g *Graph) Licensed(part string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.SKUs {
		if s.Part == part {
			return s.Consumed
		}
	}
	return -1
}
