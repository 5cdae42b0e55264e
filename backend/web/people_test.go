package web

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// A sheet travels as base64 in the call's arguments; bad rows are HTTP 400 naming the cell.
func TestPeopleImportOverHTTP(t *testing.T) {
	srv, token := newServer(t)
	auth := map[string]string{"Authorization": "Bearer " + token}
	in := `[{"name":"acme","domains":["acme.example"],"provider":"m365","source":"imaps://mail.old.example","dest":"imaps://outlook.office365.com","cutover":"2099-05-14 18:00","tz":"UTC"}]`
	if res, body := post(t, srv, "CreateProject", in, auth); res.StatusCode != 200 {
		t.Fatalf("create: %d %v", res.StatusCode, body)
	}
	sheet := func(csv string) string { return base64.StdEncoding.EncodeToString([]byte(csv)) }
	bad := fmt.Sprintf(`["acme","users","u.csv","%s",{}]`, sheet("Email address\nalice@acme.example\nbob@\n"))
	res, body := post(t, srv, "PeopleImport", bad, auth)
	if res.StatusCode != 400 || body["kind"] != "input" || !strings.Contains(body["error"].(string), `u.csv, row 3, column A (Email address): invalid address: "bob@"`) {
		t.Fatalf("bad sheet: %d %v", res.StatusCode, body)
	}
	good := fmt.Sprintf(`["acme","users","u.csv","%s",{}]`, sheet("Email address\nalice@acme.example\n"))
	res, body = post(t, srv, "PeopleImport", good, auth)
	result, _ := body["result"].(map[string]any)
	if res.StatusCode != 200 || result["added"] != float64(1) || result["layout"] != "cutover" {
		t.Fatalf("good sheet: %d %v", res.StatusCode, body)
	}
}
