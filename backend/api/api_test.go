package api

import (
	"strings"
	"testing"

	"cutover/backend/fault"
)

// A project that does not exist is "not found" (HTTP 404, exit 2); a database that
// cannot answer is a failure (HTTP 500, exit 1), not a missing project.
func TestProjectLookupTellsMissingFromFailing(t *testing.T) {
	a, _ := newPeopleAPI(t)
	if _, err := a.Timeline("nope"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("unknown project: %v (%s), want not found", err, fault.Classify(err).Kind)
	}
	a.store.Close() // the database stops answering
	_, err := a.Timeline("acme")
	if env := fault.Classify(err); env == nil || env.Kind != fault.KindFailed || strings.Contains(env.Message, "not found") {
		t.Fatalf("database closed: %+v, want a failure that does not say the project is missing", env)
	}
}
