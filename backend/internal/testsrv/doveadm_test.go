package testsrv

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDoveadmHTTPAPIListsTheUsers(t *testing.T) {
	d := NewDovecot(t, DovecotOptions{DoveadmAPIKey: "k3y", Users: []User{{Name: "alice@example.test", Password: "a"}, {Name: "bob@example.test", Password: "b"}}})
	post := func(auth string) (int, string) {
		req, _ := http.NewRequest("POST", d.DoveadmURL()+"/doveadm/v1", strings.NewReader(`[["user",{"userMask":"*"},"c01"]]`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := post("X-Dovecot-API " + base64.StdEncoding.EncodeToString([]byte("k3y")))
	if code != 200 || !strings.Contains(body, "alice@example.test") || !strings.Contains(body, "bob@example.test") {
		t.Fatalf("good key: %d %s", code, body)
	}
	t.Logf("answer: %s", body)
	if code, _ := post("X-Dovecot-API " + base64.StdEncoding.EncodeToString([]byte("wrong"))); code != 401 {
		t.Fatalf("wrong key: %d, want 401", code)
	}
}
