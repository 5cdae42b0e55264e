package api

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cutover/backend/project"
)

// Only a project that is not there is "not found" (HTTP 404, exit 2); a database
// that cannot answer is a failure of its own (HTTP 500, exit 1), not the user's typo.
func TestProjectLookupTellsMissingFromBroken(t *testing.T) {
	a, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(a) })

	_, err = a.Project("nosuch")
	if !IsNotFound(err) || !strings.Contains(err.Error(), `project "nosuch": not found`) {
		t.Errorf("missing project: %v (not found: %v)", err, IsNotFound(err))
	}

	if err := a.store.Close(); err != nil { // the database goes away under the API
		t.Fatal(err)
	}
	_, err = a.Project("acme")
	if err == nil || IsNotFound(err) || IsInputError(err) {
		t.Fatalf("closed database: %v (not found: %v, input: %v); want a plain failure", err, IsNotFound(err), IsInputError(err))
	}
	if !strings.Contains(err.Error(), `project "acme"`) || !strings.Contains(err.Error(), "database is closed") {
		t.Errorf("closed database: %q; want what was looked up and why it failed", err)
	}
}

// The API's clock is the store's: a project created at a fixed "now" says so.
func TestStoredTimestampsFollowTheAPIClock(t *testing.T) {
	c := &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	p, err := a.Project("acme")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Created.Equal(c.t) || !p.Updated.Equal(c.t) {
		t.Errorf("created %v, updated %v; want the API's now, %v", p.Created, p.Updated, c.t)
	}
}
