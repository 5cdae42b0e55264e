package api

import (
	"errors"
	"strings"
	"testing"

	"cutover/backend/sheets"
)

// A source login holds a no-break space (U+00A0, what a spreadsheet or a web page pastes
// for a space): the sheet import and the batch form refuse it alike, with the same words
// saying which character at which position, and store nothing.
func TestLoginWithANoBreakSpaceIsRefusedAlikeByImportAndBatch(t *testing.T) {
	a, _ := newPeopleAPI(t)
	const login = "jean\u00a0dupont"
	const reason = "contains a no-break space (U+00A0) at character 5"
	const expected = "a login without spaces, control or invisible characters, such as alice@old.example or alice"

	csv := []byte("Email address,Source login\njean@acme.example," + login + "\n")
	rep, err := a.PeoplePreview("acme", "users", "staff.csv", csv, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 1 || len(rep.Problems) != 1 {
		t.Fatalf("preview: %d errors, problems %v", rep.Errors, rep.Problems)
	}
	p := rep.Problems[0]
	if p.Field != sheets.FSourceLogin || p.Row != 2 || p.Column != "B" || !strings.Contains(p.Message, reason) || p.Expected != expected {
		t.Fatalf("sheet problem: %+v", p)
	}
	_, err = a.PeopleImport("acme", "users", "staff.csv", csv, ImportOptions{})
	var ps sheets.Problems
	if !errors.As(err, &ps) || !IsInputError(err) || !strings.Contains(err.Error(), reason) {
		t.Fatalf("import: %v", err)
	}

	_, err = a.BatchSet("acme", BatchInput{SourceLogin: login, DestLogin: "jean@acme.example"})
	if !IsInputError(err) || !strings.Contains(err.Error(), reason) || !strings.Contains(err.Error(), "expected "+expected) {
		t.Fatalf("batch set: %v", err)
	}
	if users, _ := a.Users("acme"); len(users) != 0 {
		t.Fatalf("stored users: %+v", users)
	}
	if entries, _ := a.Batch("acme"); len(entries) != 0 {
		t.Fatalf("stored entries: %+v", entries)
	}
}
