package directorytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The write side of the Google fake: users.insert, groups.insert and members.insert,
// with the Directory API's refusals (entity exists, domain not found, missing fields).

func (g *Google) body(r *http.Request, required []string, allowed ...string) (map[string]any, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		g.t.Errorf("Google fake: %s %s with Content-Type %q", r.Method, r.URL.Path, ct)
		return nil, false
	}
	var b map[string]any
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		g.t.Errorf("Google fake: %s %s: not a JSON object: %v", r.Method, r.URL.Path, err)
		return nil, false
	}
	ok := set(append(allowed, required...)...)
	for k := range b {
		if !ok[k] {
			g.t.Errorf("Google fake: %s %s: field %q is not one the API documents here", r.Method, r.URL.Path, k)
			return nil, false
		}
	}
	for _, k := range required {
		if v, has := b[k]; !has || v == "" {
			g.t.Errorf("Google fake: %s %s: required field %q missing", r.Method, r.URL.Path, k)
			return nil, false
		}
	}
	return b, true
}

func (g *Google) exists(addr string) bool {
	for _, list := range [][]map[string]any{g.Users, g.Groups} {
		for _, o := range list {
			for _, k := range []string{"primaryEmail", "email"} {
				if s, _ := o[k].(string); strings.EqualFold(s, addr) {
					return true
				}
			}
			if as, ok := o["aliases"].([]any); ok {
				for _, a := range as {
					if s, _ := a.(string); strings.EqualFold(s, addr) {
						return true
					}
				}
			}
		}
	}
	return false
}

func (g *Google) serveWrite(w http.ResponseWriter, r *http.Request, path string) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch {
	case path == "users":
		b, ok := g.body(r, []string{"primaryEmail", "name", "password"}, "changePasswordAtNextLogin", "orgUnitPath")
		if !ok {
			googleError(w, http.StatusBadRequest, "invalid", "Invalid Input")
			return true
		}
		name, _ := b["name"].(map[string]any)
		if name["givenName"] == nil || name["givenName"] == "" || name["familyName"] == nil || name["familyName"] == "" {
			googleError(w, http.StatusBadRequest, "required", "Invalid Input: name")
			return true
		}
		email, _ := b["primaryEmail"].(string)
		g.mu.Lock()
		defer g.mu.Unlock()
		if !strings.HasSuffix(strings.ToLower(email), "@"+g.Domain) {
			googleError(w, http.StatusBadRequest, "invalid", "Domain not found.")
			return true
		}
		if g.exists(email) {
			googleError(w, http.StatusConflict, "duplicate", "Entity already exists.")
			return true
		}
		u := map[string]any{"kind": "admin#directory#user", "id": fmt.Sprintf("100000000000000000%03d", len(g.Users)+1), "primaryEmail": email,
			"name": name, "orgUnitPath": "/", "suspended": false}
		if ou, ok := b["orgUnitPath"]; ok {
			u["orgUnitPath"] = ou
		}
		g.Users = append(g.Users, u)
		g.Passwords[strings.ToLower(email)] = b["password"].(string)
		writeJSON(w, http.StatusOK, u)
	case path == "groups":
		b, ok := g.body(r, []string{"email"}, "name", "description")
		if !ok {
			googleError(w, http.StatusBadRequest, "invalid", "Invalid Input")
			return true
		}
		email, _ := b["email"].(string)
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.exists(email) {
			googleError(w, http.StatusConflict, "duplicate", "Entity already exists.")
			return true
		}
		gr := map[string]any{"kind": "admin#directory#group", "id": "03x8tuzt9z" + email, "email": email, "name": b["name"], "adminCreated": true}
		g.Groups = append(g.Groups, gr)
		g.Members[strings.ToLower(email)] = []map[string]any{}
		writeJSON(w, http.StatusOK, gr)
	case strings.HasPrefix(path, "users/") && strings.HasSuffix(path, "/aliases"):
		g.addAlias(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "users/"), "/aliases"))
	case strings.HasPrefix(path, "groups/") && strings.HasSuffix(path, "/members"):
		key := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(path, "groups/"), "/members"))
		b, ok := g.body(r, []string{"email"}, "role", "type", "delivery_settings")
		if !ok {
			googleError(w, http.StatusBadRequest, "invalid", "Invalid Input")
			return true
		}
		email, _ := b["email"].(string)
		g.mu.Lock()
		defer g.mu.Unlock()
		ms, found := g.Members[key]
		if !found {
			googleError(w, http.StatusNotFound, "notFound", "Resource Not Found: groupKey")
			return true
		}
		for _, m := range ms {
			if strings.EqualFold(m["email"].(string), email) {
				googleError(w, http.StatusConflict, "duplicate", "Member already exists.")
				return true
			}
		}
		m := map[string]any{"kind": "admin#directory#member", "email": email, "role": b["role"], "type": "USER", "status": "ACTIVE"}
		g.Members[key] = append(ms, m)
		writeJSON(w, http.StatusOK, m)
	default:
		return false
	}
	return true
}

// MemberEmails lists a group's members' addresses.
func (g *Google) MemberEmails(group string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, m := range g.Members[strings.ToLower(group)] {
		if s, _ := m["email"].(string); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// addAlias is users.aliases.insert: {"alias": address} on a user found by its primary
// address or id; the alias must be in the account's domain and held by nobody.
func (g *Google) addAlias(w http.ResponseWriter, r *http.Request, userKey string) {
	b, ok := g.body(r, []string{"alias"})
	if !ok {
		googleError(w, http.StatusBadRequest, "invalid", "Invalid Input")
		return
	}
	alias, _ := b["alias"].(string)
	g.mu.Lock()
	defer g.mu.Unlock()
	var user map[string]any
	for _, u := range g.Users {
		if s, _ := u["primaryEmail"].(string); strings.EqualFold(s, userKey) || u["id"] == userKey {
			user = u
		}
	}
	switch {
	case user == nil:
		googleError(w, http.StatusNotFound, "notFound", "Resource Not Found: userKey")
	case !strings.HasSuffix(strings.ToLower(alias), "@"+g.Domain):
		googleError(w, http.StatusBadRequest, "invalid", "Invalid Input: alias email")
	case g.exists(alias):
		googleError(w, http.StatusConflict, "duplicate", "Entity already exists.")
	default:
		as, _ := user["aliases"].([]any)
		user["aliases"] = append(as, alias)
		writeJSON(w, http.StatusOK, map[string]any{"kind": "admin#directory#alias", "id": user["id"], "primaryEmail": user["primaryEmail"], "alias": alias})
	}
}

// AliasesOf lists a user's aliases.
func (g *Google) AliasesOf(primary string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, u := range g.Users {
		if s, _ := u["primaryEmail"].(string); strings.EqualFold(s, primary) {
			as, _ := u["aliases"].([]any)
			for _, a := range as {
				out = append(out, a.(string))
			}
		}
	}
	return out
}
