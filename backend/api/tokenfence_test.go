package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

type fixedToken string

func (f fixedToken) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(f), TokenType: "Bearer"}, nil
}

// A Graph or Google token goes to the service it is for and nowhere else: not to a host a
// next-page link names, not after a redirect to another host.
func TestASignInTokenGoesOnlyToTheServiceItIsFor(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer other.Close()
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-token" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
			return
		}
		w.Write([]byte(`{"value": [], "@odata.nextLink": "` + other.URL + `/page2"}`))
	}))
	defer service.Close()

	a := &API{ctx: t.Context()}
	hc := a.bearerClient(fixedToken("secret-token"), service.URL+"/v1.0")
	resp, err := hc.Get(service.URL + "/v1.0/users/alice/contacts")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the service itself: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, u := range []string{other.URL + "/page2", service.URL + "/moved", strings.Replace(service.URL, "http://", "https://", 1) + "/v1.0"} {
		if _, err := hc.Get(u); err == nil || !strings.Contains(err.Error(), "refused to send a sign-in token") {
			t.Errorf("%s: %v, want the token refused", u, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 0 {
		t.Errorf("the other host received %d requests (Authorization %q)", len(leaked), leaked)
	}
}
