package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"cutover/backend/api"
)

func newServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close(a) })
	assets := fstest.MapFS{"index.html": {Data: []byte("<html>cutover</html>")}}
	token := NewToken()
	srv := httptest.NewServer(New(a, assets, token, nil).Handler())
	t.Cleanup(srv.Close)
	return srv, token
}

func post(t *testing.T, srv *httptest.Server, method, body string, headers map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/call/"+method, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res, out
}

func TestAPIWithoutTokenIs401(t *testing.T) {
	srv, _ := newServer(t)
	res, body := post(t, srv, "Projects", "[]", nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", res.StatusCode)
	}
	if !strings.Contains(body["error"].(string), "unauthorized") {
		t.Fatalf("error %q", body["error"])
	}
	res, _ = post(t, srv, "Projects", "[]", map[string]string{"Authorization": "Bearer wrong"})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: status %d, want 401", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/events", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("events without token: %d, want 401", r.StatusCode)
	}
}

func TestForeignHostIsRefused(t *testing.T) {
	srv, token := newServer(t)
	for _, path := range []string{"/", "/api/call/Projects"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader("[]"))
		req.Host = "evil.example:80" // a DNS-rebinding page: its name now points at 127.0.0.1
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMisdirectedRequest {
			t.Fatalf("%s with Host evil.example: status %d, want 421", path, res.StatusCode)
		}
	}
}

func TestTokenURLSetsCookieThatOpensTheAPI(t *testing.T) {
	srv, token := newServer(t)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Get(srv.URL + "/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("status %d location %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == cookieName {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v: want HttpOnly SameSite=Strict", cookie)
	}
	origin := srv.URL
	// With the cookie and our own Origin, a call works.
	res2, body := post(t, srv, "Projects", "[]", map[string]string{"Cookie": cookieName + "=" + cookie.Value, "Origin": origin})
	if res2.StatusCode != http.StatusOK {
		t.Fatalf("status %d body %v", res2.StatusCode, body)
	}
	// The same cookie from another origin (cross-site request) is refused.
	res3, _ := post(t, srv, "Projects", "[]", map[string]string{"Cookie": cookieName + "=" + cookie.Value, "Origin": "http://evil.example"})
	if res3.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: status %d, want 403", res3.StatusCode)
	}
	// A token from another launch is refused.
	res4, err := client.Get(srv.URL + "/?token=" + NewToken())
	if err != nil {
		t.Fatal(err)
	}
	res4.Body.Close()
	if res4.StatusCode != http.StatusUnauthorized {
		t.Fatalf("stale token link: status %d, want 401", res4.StatusCode)
	}
}

func TestCallCreatesProjectAndReportsBadFields(t *testing.T) {
	srv, token := newServer(t)
	auth := map[string]string{"Authorization": "Bearer " + token}
	in := `[{"name":"acme","domains":["acme.example"],"provider":"m365","cutover":"2099-05-14 18:00","tz":"America/Toronto"}]`
	res, body := post(t, srv, "CreateProject", in, auth)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d %v", res.StatusCode, body)
	}
	if got := body["result"].(map[string]any)["name"]; got != "acme" {
		t.Fatalf("created %v", got)
	}
	res, body = post(t, srv, "CreateProject", in, auth)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body["error"].(string), `project "acme": already exists`) {
		t.Fatalf("duplicate: %d %v", res.StatusCode, body)
	}
	bad := `[{"name":"x y","domains":["acme.example"],"provider":"m365","cutover":"14/05/2099","tz":"Mars/Base"}]`
	res, body = post(t, srv, "CreateProject", bad, auth)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad input: status %d", res.StatusCode)
	}
	fields := map[string]bool{}
	for _, f := range body["fields"].([]any) {
		fields[f.(map[string]any)["field"].(string)] = true
	}
	for _, want := range []string{"name", "cutover", "tz"} {
		if !fields[want] {
			t.Errorf("no error for field %s in %v", want, body["fields"])
		}
	}
	res, _ = post(t, srv, "Timeline", `["nope"]`, auth)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown project: %d, want 404", res.StatusCode)
	}
	res, _ = post(t, srv, "NoSuchMethod", `[]`, auth)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown method: %d, want 404", res.StatusCode)
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:8080", ":8080"} {
		if ln, err := Listen(addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) accepted a non-loopback address", addr)
		}
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}

func TestEventsReachTheBrowserAsServerSentEvents(t *testing.T) {
	srv, token := newServer(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	buf := make([]byte, 64)
	if _, err := res.Body.Read(buf); err != nil { // ": connected": the subscription is in place
		t.Fatal(err)
	}
	in := `[{"name":"acme","domains":["acme.example"],"provider":"imap","cutover":"2099-05-14 18:00","tz":"Europe/Paris"}]`
	if r, body := post(t, srv, "CreateProject", in, map[string]string{"Authorization": "Bearer " + token}); r.StatusCode != 200 {
		t.Fatalf("create: %v", body)
	}
	var got strings.Builder
	for !strings.Contains(got.String(), "\n\n") {
		n, err := res.Body.Read(buf)
		if err != nil {
			t.Fatalf("read events: %v (so far %q)", err, got.String())
		}
		got.Write(buf[:n])
	}
	line := strings.TrimSpace(got.String())
	if !strings.HasPrefix(line, "data: ") {
		t.Fatalf("event %q", line)
	}
	var ev struct {
		Name    string `json:"name"`
		Project string `json:"project"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Name != "project:changed" || ev.Project != "acme" {
		t.Fatalf("event %+v", ev)
	}
}
