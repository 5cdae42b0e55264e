package pim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// containerIDs caches the IDs of an API's contact folders, calendars and lists by name.
type containerIDs struct {
	finding sync.Mutex // one lookup or creation at a time: two writers must not both create one
	mu      sync.Mutex
	ids     map[string]string
}

// find returns the ID of the container named name (field holds the name in the API's
// JSON) among those list gives, creating it with post ({field: name}) when it is missing
// and create is set; "" when missing.
func (c *containerIDs) find(key, field, name string, create bool, list func(each func(map[string]any)) error, post func(body map[string]string, out any) error) (string, error) {
	cached := func() (string, bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		id, ok := c.ids[key]
		return id, ok
	}
	if id, ok := cached(); ok {
		return id, nil
	}
	c.finding.Lock()
	defer c.finding.Unlock()
	if id, ok := cached(); ok {
		return id, nil
	}
	id := ""
	err := list(func(v map[string]any) {
		if n, _ := v[field].(string); n == name && id == "" {
			id, _ = v["id"].(string)
		}
	})
	if err != nil {
		return "", err
	}
	if id == "" && create {
		var made struct {
			ID string `json:"id"`
		}
		if err := post(map[string]string{field: name}, &made); err != nil {
			return "", err
		}
		id = made.ID
	}
	if id != "" {
		c.mu.Lock()
		if c.ids == nil {
			c.ids = map[string]string{}
		}
		c.ids[key] = id
		c.mu.Unlock()
	}
	return id, nil
}

// errForbidden marks a 403 that stops the pass (a token without the scope).
var errForbidden = errors.New("forbidden")

// forbidden reports whether err is a REST API's 403: the token may not do this (an app
// registration without the permission, a token without the scope).
func forbidden(err error) bool {
	var r *RefusedError
	return errors.Is(err, errForbidden) || errors.As(err, &r) && r.Status == http.StatusForbidden
}

// namedTarget is the destination collection of an API that names its containers like
// the source collection (Graph, Google).
func namedTarget(src Collection) Collection {
	name := src.Name
	if name == "" {
		name = src.Href
	}
	return Collection{Href: name, Name: name, Type: src.Type, Components: src.Components}
}

// callJSON sends a request with a JSON body to a REST API (Graph, Google) and decodes the
// JSON answer into out. A 412 is ErrChanged; throttling, server errors and a refused
// token or one without the scope (RFC 6750 3.1 insufficient_scope) stop the pass
// (errors); any other 4xx is the item refused, with the answer.
func callJSON(ctx context.Context, hc *http.Client, method, u string, in, out any, header map[string]string) error {
	resp, err := sendJSON(ctx, hc, method, u, in, header)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return readJSON(method, u, resp, out)
}

// sendJSON sends the request; the caller reads and closes the answer.
func sendJSON(ctx context.Context, hc *http.Client, method, u string, in any, header map[string]string) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	return resp, nil
}

// readJSON turns an answer into callJSON's result.
func readJSON(method, u string, resp *http.Response, out any) error {
	switch {
	case resp.StatusCode == http.StatusPreconditionFailed:
		return ErrChanged
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%s %s: %s", method, u, serverReason(resp))
	case resp.StatusCode == http.StatusForbidden && strings.Contains(resp.Header.Get("WWW-Authenticate"), "insufficient_scope"):
		// A token without the scope (a sign-in made before the project copied contacts
		// and calendars): every item would be refused alike, so the pass stops here.
		return fmt.Errorf("%s %s: %s: the token lacks the contacts, calendars and tasks scopes: sign in again (or add them to the delegation or app permissions): %w", method, u, serverReason(resp), errForbidden)
	case resp.StatusCode >= 400:
		return &RefusedError{Reason: serverReason(resp), Status: resp.StatusCode}
	}
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
