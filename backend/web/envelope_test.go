package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"cutover/backend/api"
	"cutover/backend/dispatch"
	"cutover/backend/fault"
)

// An error answers with fault's envelope and the status of its kind, and the envelope
// is the very one the desktop window's binding receives for the same call (the JSON
// of fault.Wire, which client.ts parses in the window).
func TestErrorsAnswerWithTheEnvelopeTheWindowGets(t *testing.T) {
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close(a) })
	token := NewToken()
	srv := httptest.NewServer(New(a, fstest.MapFS{"index.html": {Data: []byte("x")}}, token, nil).Handler())
	t.Cleanup(srv.Close)
	window := dispatch.New(a)

	acme := `{"name":"acme","domains":["acme.example"],"provider":"m365","cutover":"2099-05-14 18:00","tz":"America/Toronto"}`
	if _, err := window.Call("CreateProject", args(t, "["+acme+"]")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, args string
		status             int
		kind               fault.Kind
		field              fault.Field // a field the envelope must hold (Field, Value, File: when set)
	}{
		{"a bad time zone on the project form", "CreateProject",
			`[{"name":"beta","domains":["beta.example"],"provider":"m365","cutover":"2099-05-14 18:00","tz":"Mars/Olympus"}]`,
			400, fault.KindInput, fault.Field{Field: "tz", Value: "Mars/Olympus"}},
		{"a bad resolver on the DNS page", "DnsSetSettings", `["acme", {"resolvers":["dns.google"]}]`,
			400, fault.KindInput, fault.Field{Field: "resolver", Value: "dns.google"}},
		{"a bad side for the administrator", "MailAdminSet", `["acme", {"side":"middle","login":"admin"}]`,
			400, fault.KindInput, fault.Field{Field: "side", Value: "middle"}},
		{"an empty spreadsheet", "PeopleImport", `["acme", "users", "empty.csv", "", {}]`,
			400, fault.KindInput, fault.Field{File: "empty.csv"}},
		{"an argument of the wrong type", "Timeline", `[42]`, 400, fault.KindInput, fault.Field{}},
		{"an unknown project", "Timeline", `["nope"]`, 404, fault.KindNotFound, fault.Field{}},
		{"an unknown operation", "NoSuchMethod", `[]`, 404, fault.KindNotFound, fault.Field{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/call/"+tc.method, strings.NewReader(tc.args))
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got fault.Envelope
			dec := json.NewDecoder(res.Body)
			dec.DisallowUnknownFields() // the answer is the envelope, nothing else
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status || got.Kind != tc.kind || got.Message == "" {
				t.Fatalf("status %d envelope %+v, want %d and kind %q", res.StatusCode, got, tc.status, tc.kind)
			}
			if tc.field != (fault.Field{}) && !hasField(got.Fields, tc.field) {
				t.Fatalf("fields %+v, want one like %+v", got.Fields, tc.field)
			}
			_, callErr := window.Call(tc.method, args(t, tc.args))
			inWindow, ok := fault.Parse(fault.Wire(callErr))
			if !ok || !reflect.DeepEqual(*inWindow, got) {
				t.Fatalf("the window gets %+v, the browser %+v", inWindow, got)
			}
		})
	}
}

func hasField(fs []fault.Field, want fault.Field) bool {
	for _, f := range fs {
		if (want.Field == "" || f.Field == want.Field) && (want.Value == "" || f.Value == want.Value) && (want.File == "" || f.File == want.File) && f.Message != "" {
			return true
		}
	}
	return false
}

func args(t *testing.T, s string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
