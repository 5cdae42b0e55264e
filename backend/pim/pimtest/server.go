// Package pimtest is an in-memory CalDAV (RFC 4791) and CardDAV (RFC 6352) server for
// the demo and for fast tests: each user's principal at /<user>/ is also the home of
// their calendars and address books, like Radicale's layout. It answers what package
// pim's client asks (current-user-principal, home sets, collection listing, extended
// MKCOL, PUT with If-Match/If-None-Match, calendar-query/addressbook-query REPORT, GET)
// and keeps the objects as the client sent them. One UID per collection, as RFC 4791
// 5.3.2.1 requires: a second resource with a UID already there is refused with 409.
// Guarantees are tested against Radicale; this is not a full server.
package pimtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
)

type object struct {
	data []byte
	etag string
	uid  string
}

type collection struct {
	name       string
	calendar   bool
	components []string
	objects    map[string]*object // by resource name
}

// Server is a running in-memory DAV server.
type Server struct {
	URL string // http://127.0.0.1:PORT/

	mu    sync.Mutex
	users map[string]string                 // name → password
	colls map[string]map[string]*collection // user → collection segment → collection
	srv   *http.Server
	ln    net.Listener
}

// Start serves users (name → password) on a loopback port until Close.
func Start(users map[string]string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("dav server: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String() + "/", users: users, colls: map[string]map[string]*collection{}, ln: ln}
	for u := range users {
		s.colls[u] = map[string]*collection{}
	}
	s.srv = &http.Server{Handler: s}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Put stores an object directly (for seeding), creating its collection.
func (s *Server) Put(user, coll, name string, calendar bool, displayName string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[user][coll]
	if c == nil {
		c = &collection{name: displayName, calendar: calendar, objects: map[string]*object{}}
		s.colls[user][coll] = c
	}
	c.objects[name] = &object{data: data, etag: etagOf(data), uid: uidOf(data)}
}

// Count is how many objects a user's collections hold in all.
func (s *Server) Count(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.colls[user] {
		n += len(c.objects)
	}
	return n
}

func etagOf(data []byte) string {
	h := sha256.Sum256(data)
	return `"` + hex.EncodeToString(h[:8]) + `"`
}

func uidOf(data []byte) string {
	for _, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if strings.HasPrefix(strings.ToUpper(l), "UID:") {
			return strings.TrimSpace(l[4:])
		}
	}
	return ""
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/.well-known/") {
		http.Redirect(w, r, "/", http.StatusMovedPermanently)
		return
	}
	user, pw, ok := r.BasicAuth()
	s.mu.Lock()
	want, known := s.users[user]
	s.mu.Unlock()
	if !ok || !known || pw != want {
		w.Header().Set("WWW-Authenticate", `Basic realm="demo"`)
		http.Error(w, "wrong login or password", http.StatusUnauthorized)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.URL.Path != "/" && parts[0] != user {
		http.Error(w, "not yours", http.StatusForbidden)
		return
	}
	var coll, name string
	if len(parts) > 1 {
		coll = parts[1]
	}
	if len(parts) > 2 {
		name = parts[2]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == "PROPFIND" && coll == "":
		s.propfindHome(w, r, user)
	case r.Method == "PROPFIND":
		s.propfindCollection(w, user, coll)
	case r.Method == "MKCOL":
		s.mkcol(w, r, user, coll)
	case r.Method == "REPORT":
		s.report(w, user, coll)
	case r.Method == http.MethodPut && name != "":
		s.put(w, r, user, coll, name)
	case r.Method == http.MethodGet && name != "":
		c := s.colls[user][coll]
		if c == nil || c.objects[name] == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", c.objects[name].etag)
		w.Write(c.objects[name].data)
	default:
		http.Error(w, "not supported by the demo server", http.StatusMethodNotAllowed)
	}
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

const msHead = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav">`

func multistatus(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	io.WriteString(w, msHead+body+"</D:multistatus>")
}

func okProp(href, props string) string {
	return `<D:response><D:href>` + esc(href) + `</D:href><D:propstat><D:prop>` + props + `</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
}

// propfindHome answers on / and /<user>/: the principal and its home sets, and with
// Depth 1 the collections.
func (s *Server) propfindHome(w http.ResponseWriter, r *http.Request, user string) {
	home := "/" + user + "/"
	principal := `<D:current-user-principal><D:href>` + home + `</D:href></D:current-user-principal>` +
		`<C:calendar-home-set><D:href>` + home + `</D:href></C:calendar-home-set>` +
		`<CR:addressbook-home-set><D:href>` + home + `</D:href></CR:addressbook-home-set>` +
		`<D:resourcetype><D:collection/><D:principal/></D:resourcetype>`
	body := okProp(r.URL.Path, principal)
	if r.Header.Get("Depth") == "1" && r.URL.Path != "/" {
		names := make([]string, 0, len(s.colls[user]))
		for n := range s.colls[user] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			body += collProps(home+n+"/", s.colls[user][n])
		}
	}
	multistatus(w, body)
}

func collProps(href string, c *collection) string {
	props := `<D:displayname>` + esc(c.name) + `</D:displayname>`
	if c.calendar {
		props += `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><C:calendar-description></C:calendar-description>`
		props += `<C:supported-calendar-component-set>`
		for _, comp := range c.components {
			props += `<C:comp name="` + esc(comp) + `"/>`
		}
		props += `</C:supported-calendar-component-set>`
	} else {
		props += `<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><CR:addressbook-description></CR:addressbook-description>`
	}
	return okProp(href, props)
}

func (s *Server) propfindCollection(w http.ResponseWriter, user, coll string) {
	c := s.colls[user][coll]
	if c == nil {
		http.Error(w, "no such collection", http.StatusNotFound)
		return
	}
	multistatus(w, collProps("/"+user+"/"+coll+"/", c))
}

// mkcolRequest is the part of an extended MKCOL (RFC 5689) the server reads.
type mkcolRequest struct {
	Prop struct {
		ResourceType struct {
			Calendar    *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
			AddressBook *struct{} `xml:"urn:ietf:params:xml:ns:carddav addressbook"`
		} `xml:"resourcetype"`
		DisplayName string `xml:"displayname"`
		Comps       struct {
			Comp []struct {
				Name string `xml:"name,attr"`
			} `xml:"comp"`
		} `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
	} `xml:"set>prop"`
}

func (s *Server) mkcol(w http.ResponseWriter, r *http.Request, user, coll string) {
	if s.colls[user][coll] != nil {
		http.Error(w, "exists", http.StatusMethodNotAllowed)
		return
	}
	var req mkcolRequest
	if err := xml.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "extended MKCOL body expected: "+err.Error(), http.StatusBadRequest)
		return
	}
	c := &collection{name: req.Prop.DisplayName, calendar: req.Prop.ResourceType.Calendar != nil, objects: map[string]*object{}}
	for _, comp := range req.Prop.Comps.Comp {
		c.components = append(c.components, comp.Name)
	}
	s.colls[user][coll] = c
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) report(w http.ResponseWriter, user, coll string) {
	c := s.colls[user][coll]
	if c == nil {
		http.Error(w, "no such collection", http.StatusNotFound)
		return
	}
	names := make([]string, 0, len(c.objects))
	for n := range c.objects {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		o := c.objects[n]
		data := `<CR:address-data>` + esc(string(o.data)) + `</CR:address-data>`
		if c.calendar {
			data = `<C:calendar-data>` + esc(string(o.data)) + `</C:calendar-data>`
		}
		b.WriteString(okProp("/"+user+"/"+coll+"/"+n, `<D:getetag>`+esc(o.etag)+`</D:getetag>`+data))
	}
	multistatus(w, b.String())
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, user, coll, name string) {
	c := s.colls[user][coll]
	if c == nil {
		http.Error(w, "no such collection", http.StatusConflict)
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cur := c.objects[name]
	switch {
	case r.Header.Get("If-None-Match") == "*" && cur != nil,
		r.Header.Get("If-Match") != "" && (cur == nil || cur.etag != r.Header.Get("If-Match")):
		http.Error(w, "precondition failed", http.StatusPreconditionFailed)
		return
	}
	uid := uidOf(data)
	for n, o := range c.objects {
		if n != name && o.uid == uid {
			http.Error(w, fmt.Sprintf("UID %s is already in this collection as %s", uid, n), http.StatusConflict)
			return
		}
	}
	o := &object{data: data, etag: etagOf(data), uid: uid}
	c.objects[name] = o
	w.Header().Set("ETag", o.etag)
	if cur == nil {
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
