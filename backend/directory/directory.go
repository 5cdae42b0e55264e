// Package directory finds the people of a migration at the source, through the
// provider's own API, so that they need not be typed into the spreadsheets: Microsoft
// Graph v1.0 (users, groups with their members, organisational contacts), the Google
// Workspace Admin SDK Directory API (users, groups, members), cPanel's UAPI (Email
// accounts, forwarders, mailing lists), Plesk's XML API (mail names with their mailboxes,
// aliases and forwarding) and Dovecot's doveadm HTTP API (`doveadm user '*'`).
// Each is a Source; what it finds is the records of package people plus what the
// spreadsheets do not carry (aliases, whether a mailbox is shared) and notes on what was
// left out and why.
//
// Every request goes through the caller's *http.Client (for Graph and Google an OAuth
// 2.0 client from package auth; for cPanel and doveadm a plain one, the API token in a
// header) with the caller's context. A paging link pointing at another host than the
// API's is refused, so that a token is never sent elsewhere. The package holds no
// storage and no UI: api turns what is found into the same preview as a sheet import.
package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"cutover/backend/people"
)

// User is a person found at the source.
type User struct {
	// The person, with its aliases (Graph's secondary smtp: proxy addresses, Google's
	// aliases, cPanel forwarders to this one mailbox) and whether the mailbox is shared
	// (Microsoft 365: nobody signs in to it).
	people.User
	// Disabled: the account cannot sign in at the source (suspended, blocked).
	Disabled bool `json:"disabled,omitempty"`
}

// Found is everything a Source found.
type Found struct {
	Source   string           `json:"source"` // a Source's ID
	Users    []User           `json:"users"`
	Groups   []people.Group   `json:"groups"`
	Contacts []people.Contact `json:"contacts"`
	// Notes say what was left out and why (a guest account, a user without a mailbox,
	// a list whose members the API does not give).
	Notes []string `json:"notes,omitempty"`
}

// Source is a directory Cutover can read people from.
type Source interface {
	// ID is "graph", "google", "cpanel", "plesk" or "doveadm".
	ID() string
	// Detect lists the people of the source.
	Detect(ctx context.Context) (Found, error)
}

// Sources lists the IDs of the sources, as the CLI and the UI offer them.
var Sources = []string{"graph", "google", "cpanel", "plesk", "doveadm"}

// SourceName is how a source is named to the user.
func SourceName(id string) string {
	switch id {
	case "graph":
		return "Microsoft 365 directory (Graph)"
	case "google":
		return "Google Workspace directory"
	case "cpanel":
		return "cPanel email accounts"
	case "plesk":
		return "Plesk mail accounts"
	case "doveadm":
		return "Dovecot users (doveadm)"
	}
	return id
}

// APIError is a refusal of a directory API, with the service's own words and what to
// do about it.
type APIError struct {
	Service string // "Microsoft Graph", ...
	Method  string
	Path    string // without the query
	Status  int
	Message string // the service's message, when it gave one
	Hint    string // what to do
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: %s %s: HTTP %d", e.Service, e.Method, e.Path, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// client is what every source shares: a base URL, an HTTP client, headers.
type client struct {
	service string
	base    *url.URL
	http    *http.Client
	header  http.Header
	// message reads the service's error message from an error body.
	message func([]byte) string
	// hint says what to do about a status.
	hint func(status int) string
}

func newClient(service, base string, hc *http.Client) (*client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%s: API address %q: expected an http(s) URL such as https://host:2083", service, base)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &client{service: service, base: u, http: hc, header: http.Header{}}, nil
}

// url is the base URL with path and query.
func (c *client) url(path string, q url.Values) string {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	return u.String()
}

// sameOrigin refuses a link (a next page) that leaves the API's host.
func (c *client) sameOrigin(link string) error {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return fmt.Errorf("%s: next page at %q is not on %s: refused, so that the token is not sent elsewhere", c.service, link, c.base.Host)
	}
	return nil
}

// do sends a request and decodes a JSON answer into out.
func (c *client) do(ctx context.Context, method, link string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(b))
	}
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	b, status, err := c.send(ctx, method, link, contentType, "application/json", rd)
	if err != nil || out == nil || status == http.StatusNoContent {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: %s %s: the answer is not the JSON expected: %w", c.service, method, pathOf(link), err)
	}
	return nil
}

// send sends a request and returns the answer's body; a status other than 2xx is an
// APIError with the service's message and the hint.
func (c *client) send(ctx context.Context, method, link, contentType, accept string, body io.Reader) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, link, body)
	if err != nil {
		return nil, 0, err
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", accept)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	path := req.URL.Path
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %s %s: %w", c.service, method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, res.StatusCode, fmt.Errorf("%s: %s %s: read the answer: %w", c.service, method, path, err)
	}
	if res.StatusCode/100 != 2 {
		e := &APIError{Service: c.service, Method: method, Path: path, Status: res.StatusCode}
		if c.message != nil {
			e.Message = c.message(b)
		}
		if c.hint != nil {
			e.Hint = c.hint(res.StatusCode)
		}
		return b, res.StatusCode, e
	}
	return b, res.StatusCode, nil
}

func pathOf(link string) string {
	if u, err := url.Parse(link); err == nil {
		return u.Path
	}
	return link
}

// ErrNoCredentials is returned when a source is asked for without what it needs.
var ErrNoCredentials = errors.New("no credentials")

// lowerSet is a set of addresses without regard to case.
type lowerSet map[string]bool

func (s lowerSet) add(a string) bool {
	k := strings.ToLower(a)
	if s[k] {
		return false
	}
	s[k] = true
	return true
}
