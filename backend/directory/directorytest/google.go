package directorytest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// Google is a fake Admin SDK Directory API (admin/directory/v1) of one customer.
type Google struct {
	*httptest.Server
	recorder
	Token    string // the bearer token accepted
	PageSize int    // caps each page, so that tests see nextPageToken

	// Authorize, when set, decides which bearer tokens are good instead of Token.
	Authorize func(token string) bool

	mu      sync.Mutex
	Users   []map[string]any
	Groups  []map[string]any
	Members map[string][]map[string]any // by group email
	// Domain is the account's primary domain (users are created in it only); Passwords
	// the initial passwords users were created with, by lower-case address.
	Domain    string
	Passwords map[string]string
	t         T
}

// NewGoogle starts a fake customer for example.test: two users (one with an alias, one
// suspended), a group with a user, the other group and an outside member. Pages hold two.
func NewGoogle(t T) *Google {
	g := &Google{Token: "google-token", PageSize: 2, t: t, Members: map[string][]map[string]any{}, Domain: "example.test", Passwords: map[string]string{}}
	g.Users = []map[string]any{
		{"kind": "admin#directory#user", "id": "100000000000000000001", "primaryEmail": "alice@example.test",
			"name":    map[string]any{"givenName": "Alice", "familyName": "Martin", "fullName": "Alice Martin"},
			"isAdmin": true, "suspended": false, "archived": false, "orgUnitPath": "/Management", "aliases": []any{"a.martin@example.test"},
			"organizations": []any{map[string]any{"title": "Director", "department": "Management", "primary": true}},
			"phones":        []any{map[string]any{"value": "+33 1 23 45 67 89", "type": "work"}}},
		{"kind": "admin#directory#user", "id": "100000000000000000002", "primaryEmail": "bob@example.test",
			"name":    map[string]any{"givenName": "Bob", "familyName": "Durand", "fullName": "Bob Durand"},
			"isAdmin": false, "suspended": false, "orgUnitPath": "/", "phones": []any{map[string]any{"value": "+33 6 12 34 56 78", "type": "mobile"}}},
		{"kind": "admin#directory#user", "id": "100000000000000000003", "primaryEmail": "carol@example.test",
			"name":    map[string]any{"givenName": "Carol", "familyName": "Leaver", "fullName": "Carol Leaver"},
			"isAdmin": false, "suspended": true, "suspensionReason": "ADMIN", "orgUnitPath": "/"},
	}
	g.Groups = []map[string]any{
		{"kind": "admin#directory#group", "id": "03x8tuzt1a2b3c4", "email": "sales@example.test", "name": "Sales", "description": "Sales team", "directMembersCount": "3", "adminCreated": true},
		{"kind": "admin#directory#group", "id": "03x8tuzt1a2b3c5", "email": "staff@example.test", "name": "All staff", "description": "", "directMembersCount": "2", "adminCreated": true},
	}
	g.Members["sales@example.test"] = []map[string]any{
		{"kind": "admin#directory#member", "id": "100000000000000000001", "email": "alice@example.test", "role": "OWNER", "type": "USER", "status": "ACTIVE"},
		{"kind": "admin#directory#member", "id": "100000000000000000002", "email": "bob@example.test", "role": "MEMBER", "type": "USER", "status": "ACTIVE"},
		{"kind": "admin#directory#member", "id": "100000000000000000009", "email": "jane@partner.example", "role": "MEMBER", "type": "USER", "status": "ACTIVE"},
	}
	g.Members["staff@example.test"] = []map[string]any{
		{"kind": "admin#directory#member", "id": "03x8tuzt1a2b3c4", "email": "sales@example.test", "role": "MEMBER", "type": "GROUP", "status": "ACTIVE"},
		{"kind": "admin#directory#member", "id": "C01abcdef", "role": "MEMBER", "type": "CUSTOMER"},
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Server.Close)
	return g
}

func googleError(w http.ResponseWriter, status int, reason, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg,
		"errors": []any{map[string]any{"message": msg, "domain": "global", "reason": reason}}}})
}

const directoryPrefix = "/admin/directory/v1/"

func (g *Google) serve(w http.ResponseWriter, r *http.Request) {
	g.record(r)
	if !bearerOK(r, g.Token, g.Authorize) {
		googleError(w, http.StatusUnauthorized, "authError", "Login Required.")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, directoryPrefix)
	if g.serveWrite(w, r, path) {
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "users":
		if !g.customer(w, r) {
			return
		}
		g.list(w, r, g.Users, 500, "admin#directory#users", "users", "customer", "maxResults", "pageToken", "orderBy", "projection", "viewType")
	case r.Method == http.MethodGet && path == "groups":
		if !g.customer(w, r) {
			return
		}
		g.list(w, r, g.Groups, 200, "admin#directory#groups", "groups", "customer", "maxResults", "pageToken")
	case r.Method == http.MethodGet && strings.HasPrefix(path, "groups/") && strings.HasSuffix(path, "/members"):
		key := strings.TrimSuffix(strings.TrimPrefix(path, "groups/"), "/members")
		g.mu.Lock()
		ms, ok := g.Members[key]
		g.mu.Unlock()
		if !ok {
			googleError(w, http.StatusNotFound, "notFound", "Resource Not Found: groupKey")
			return
		}
		g.list(w, r, ms, 200, "admin#directory#members", "members", "maxResults", "pageToken", "roles", "includeDerivedMembership")
	default:
		g.t.Errorf("Google fake: %s %s is not a request Cutover should make", r.Method, r.URL.Path)
		googleError(w, http.StatusNotFound, "notFound", "Not Found")
	}
}

// customer checks customer=my_customer (or a customer ID), which users.list and
// groups.list need unless a domain is given.
func (g *Google) customer(w http.ResponseWriter, r *http.Request) bool {
	if c := r.URL.Query().Get("customer"); c != "my_customer" {
		g.t.Errorf("Google fake: %s without customer=my_customer (got %q)", r.URL.Path, c)
		googleError(w, http.StatusBadRequest, "badRequest", "Bad Request")
		return false
	}
	return true
}

func (g *Google) list(w http.ResponseWriter, r *http.Request, items []map[string]any, max int, kind, key string, allowed ...string) {
	if !allowedQuery(g.t, r, allowed...) {
		googleError(w, http.StatusBadRequest, "invalidParameter", "Invalid parameter")
		return
	}
	size, err := intParam(r, "maxResults", 100, max)
	if err != nil {
		g.t.Errorf("Google fake: %s: %v", r.URL.Path, err)
		googleError(w, http.StatusBadRequest, "invalid", "Invalid Input: maxResults")
		return
	}
	offset := 0
	if tok := r.URL.Query().Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "Q2hwd2FnZT"))
		if err != nil || !strings.HasPrefix(tok, "Q2hwd2FnZT") {
			g.t.Errorf("Google fake: pageToken %q was not issued by the fake", tok)
			googleError(w, http.StatusBadRequest, "invalid", "Invalid Input: pageToken")
			return
		}
		offset = n
	}
	if g.PageSize > 0 && g.PageSize < size {
		size = g.PageSize
	}
	g.mu.Lock()
	got, next := page(items, offset, size)
	g.mu.Unlock()
	body := map[string]any{"kind": kind, "etag": `"nMFvRnlGfOjsVy1SOnyJ8rV5QV9yVrBKsTUcvvY0U3c/x"`, key: got}
	if next >= 0 {
		body["nextPageToken"] = "Q2hwd2FnZT" + strconv.Itoa(next)
	}
	writeJSON(w, http.StatusOK, body)
}
