// Package directorytest has fakes of the directory APIs for tests: Microsoft Graph v1.0,
// the Google Admin SDK Directory API and cPanel's UAPI, each an httptest server that
// checks every request against the documented shape (method, path, query, headers, JSON
// body), reports a request that breaks it as a test error, and answers with payloads
// shaped like the real services' (paging included: @odata.nextLink, nextPageToken).
package directorytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// T is the part of *testing.T the fakes use: the package does not import testing, so a
// command (cmd/fakegraph, for browser tests) can start a fake too.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// recorder keeps the requests a fake saw, as "METHOD /path".
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) record(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, req.Method+" "+req.URL.Path)
}

// Requests returns "METHOD /path" of each request so far.
func (r *recorder) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// Count is how many requests had method and path.
func (r *recorder) Count(method, path string) int {
	n := 0
	for _, s := range r.Requests() {
		if s == method+" "+path {
			n++
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// allowedQuery reports (as a test error) any query parameter not in allowed.
func allowedQuery(t T, r *http.Request, allowed ...string) bool {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	for k := range r.URL.Query() {
		if !ok[k] {
			t.Errorf("%s %s: query parameter %q is not one the API documents here (%s)", r.Method, r.URL.Path, k, strings.Join(allowed, ", "))
			return false
		}
	}
	return true
}

// intParam reads an integer parameter in [1, max], or def when absent.
func intParam(r *http.Request, name string, def, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("invalid value %q for %s: expected 1 to %d", s, name, max)
	}
	return n, nil
}

// page cuts items at offset by size, saying where the next page starts (-1: none).
func page[T any](items []T, offset, size int) ([]T, int) {
	if offset > len(items) {
		offset = len(items)
	}
	end := offset + size
	if end >= len(items) {
		return items[offset:], -1
	}
	return items[offset:end], end
}

// bearerOK checks "Authorization: Bearer <token>" against token or authorize.
func bearerOK(r *http.Request, token string, authorize func(string) bool) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || got == "" {
		return false
	}
	if authorize != nil {
		return authorize(got)
	}
	return got == token
}
