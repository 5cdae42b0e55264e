package directorytest

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// CPanel is a fake cPanel UAPI (/execute/<Module>/<function>) of one hosting account.
type CPanel struct {
	*httptest.Server
	recorder
	User, Token string

	Pops       []map[string]any
	Forwarders []map[string]any
	Lists      []map[string]any
	t          T
}

// NewCPanel starts a fake account "acme" of example.test: its default mailbox, two
// mailboxes (one suspended), an alias forwarder, a forwarder to two mailboxes and one
// outside, and a Mailman list. It is served over TLS, as cPanel is on port 2083.
func NewCPanel(t T) *CPanel {
	c := &CPanel{User: "acme", Token: "9ZK1YQ2T3X4W5V6U7S8R9Q0P1O2N3M4L", t: t}
	c.Pops = []map[string]any{
		{"email": "acme", "login": "acme", "suspended_incoming": 0, "suspended_login": 0},
		{"email": "alice@example.test", "login": "alice@example.test", "suspended_incoming": 0, "suspended_login": 0},
		{"email": "bob@example.test", "login": "bob@example.test", "suspended_incoming": 0, "suspended_login": 1},
	}
	fw := func(dest, to string) map[string]any {
		return map[string]any{"dest": dest, "forward": to, "html_dest": dest, "html_forward": to,
			"uri_dest": strings.ReplaceAll(dest, "@", "%40"), "uri_forward": strings.ReplaceAll(to, "@", "%40")}
	}
	c.Forwarders = []map[string]any{
		fw("contact@example.test", "alice@example.test"),
		fw("sales@example.test", "alice@example.test"),
		fw("sales@example.test", "bob@example.test"),
		fw("sales@example.test", "jane@partner.example"),
	}
	c.Lists = []map[string]any{
		{"list": "news_example.test", "listid": "news_example.test", "desthost": "example.test", "accesstype": "public", "advertised": 1,
			"archive_private": 0, "diskused": "12288", "humandiskused": "12 KB", "subscribe_policy": 3},
	}
	c.Server = httptest.NewTLSServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Server.Close)
	return c
}

func uapiResult(module, fn string, data any, errs []string) map[string]any {
	status := 1
	if errs != nil {
		status, data = 0, nil
	}
	return map[string]any{"apiversion": 3, "func": fn, "module": module,
		"result": map[string]any{"data": data, "errors": errs, "messages": nil, "metadata": map[string]any{}, "status": status, "warnings": nil}}
}

func (c *CPanel) serve(w http.ResponseWriter, r *http.Request) {
	c.record(r)
	if r.Header.Get("Authorization") != "cpanel "+c.User+":"+c.Token {
		// cPanel answers a bad token with 401 and a plain page.
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("The API token is not valid for this account."))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		c.t.Errorf("cPanel fake: method %s", r.Method)
	}
	var data any
	fn := strings.TrimPrefix(r.URL.Path, "/execute/Email/")
	switch fn {
	case "list_pops":
		allowedQuery(c.t, r, "regex", "no_validate", "skip_main")
		data = c.Pops
	case "list_forwarders":
		allowedQuery(c.t, r, "domain", "regex")
		data = c.Forwarders
	case "list_lists":
		allowedQuery(c.t, r, "domain", "regex")
		data = c.Lists
	default:
		c.t.Errorf("cPanel fake: %s %s is not a request Cutover should make", r.Method, r.URL.Path)
		writeJSON(w, http.StatusOK, uapiResult("Email", fn, nil, []string{"Failed to load module “Email”: function not found"}))
		return
	}
	writeJSON(w, http.StatusOK, uapiResult("Email", fn, data, nil))
}
