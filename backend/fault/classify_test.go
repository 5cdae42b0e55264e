package fault_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"cutover/backend/batch"
	"cutover/backend/fault"
	"cutover/backend/mailbox"
	"cutover/backend/project"
	"cutover/backend/sheets"
	"cutover/backend/store"
)

// Each kind of bad input the backend produces reaches the faces as KindInput with the
// field it names, the value given and what was expected — whatever wraps it.
func TestEveryInputErrorKeepsItsField(t *testing.T) {
	_, projectErr := project.Apply(project.Project{}, project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"},
		Zone: ptr("Mars/Olympus"), Cutover: ptr("2099-05-14 18:00")}, true, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, kindErr := sheets.ParseKind("printers")
	_, fileErr := sheets.Read("people.csv", nil, "", sheets.DefaultLimits)
	ruleErr := mailbox.ValidateRule(mailbox.Rule{Pattern: "Old*", Action: "burn"})
	_, batchErr := batch.Normalize(batch.Input{})
	problems := sheets.Problems{{Severity: sheets.SevError, File: "users.csv", Row: 3, Column: "A", Header: "Email address",
		Field: "address", Value: "bob(at)acme.example", Message: "invalid address", Expected: "an email address"}}

	for _, tc := range []struct {
		name string
		err  error
		want fault.Field // the fields compared: Field, Value, Expected, File, Row, Column (when set here)
	}{
		{"project.FieldError from the project form", projectErr, fault.Field{Field: "tz", Value: "Mars/Olympus"}},
		{"sheets.ArgError (a fault.FieldError)", kindErr, fault.Field{Field: "kind", Value: "printers", Expected: "users, groups or contacts"}},
		{"sheets.FileError", fileErr, fault.Field{File: "people.csv", Problem: "the file is empty"}},
		{"mailbox.InputError", ruleErr, fault.Field{Field: "action", Value: "burn", Expected: `"exclude" or "rename"`}},
		{"batch.InputError", batchErr, fault.Field{Field: "source login"}},
		{"sheets.Problems", problems, fault.Field{Field: "address", Value: "bob(at)acme.example", Expected: "an email address", File: "users.csv", Row: 3, Column: "A"}},
		{"wrapped", fmt.Errorf("import users: %w", problems), fault.Field{Field: "address", File: "users.csv", Row: 3}},
		{"joined", errors.Join(errors.New("context"), kindErr), fault.Field{Field: "kind", Value: "printers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error produced")
			}
			env := fault.Classify(tc.err)
			if env.Kind != fault.KindInput || env.Message != tc.err.Error() {
				t.Fatalf("kind %q message %q, want input and %q", env.Kind, env.Message, tc.err.Error())
			}
			for _, f := range env.Fields {
				if matches(f, tc.want) {
					if f.Message == "" {
						t.Errorf("field %+v has no message", f)
					}
					return
				}
			}
			t.Fatalf("fields %+v, want one like %+v", env.Fields, tc.want)
		})
	}
}

// matches reports whether got has every non-empty part of want.
func matches(got, want fault.Field) bool {
	eq := func(g, w string) bool { return w == "" || g == w }
	return eq(got.Field, want.Field) && eq(got.Value, want.Value) && eq(got.Expected, want.Expected) &&
		eq(got.File, want.File) && eq(got.Column, want.Column) && (want.Row == 0 || got.Row == want.Row) &&
		(want.Problem == "" || len(got.Problem) >= len(want.Problem) && got.Problem[:len(want.Problem)] == want.Problem)
}

func TestKindsOtherThanInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want fault.Kind
	}{
		{"a missing row", fmt.Errorf("project %q: %w", "acme", store.ErrNotFound), fault.KindNotFound},
		{"a taken name is the user's input", fmt.Errorf("project %q: %w", "acme", store.ErrDuplicate), fault.KindInput},
		{"some items failed", fault.Mark(fault.KindPartial, errors.New("2 of 5 mailboxes failed")), fault.KindPartial},
		// The outermost kind decides: a partial run whose failures were bad input is partial.
		{"partial over input", fault.Mark(fault.KindPartial, &fault.FieldError{Field: "x", Expected: "y"}), fault.KindPartial},
		{"an older input marker", legacy{}, fault.KindInput},
		{"a server that is down", fmt.Errorf("dial: %w", context.DeadlineExceeded), fault.KindFailed},
	} {
		if got := fault.Classify(tc.err); got.Kind != tc.want || got.Message != tc.err.Error() {
			t.Errorf("%s: kind %q message %q, want %q", tc.name, got.Kind, got.Message, tc.want)
		}
	}
	if fault.Classify(nil) != nil {
		t.Error("a nil error has an envelope")
	}
}

type legacy struct{}

func (legacy) Error() string    { return "bad" }
func (legacy) InputError() bool { return true }
func ptr[T any](v T) *T         { return &v }

// The window receives the envelope as a string (Wails passes errors as text): it must
// come back whole, fields included.
func TestWireRoundTrip(t *testing.T) {
	err := fmt.Errorf("create project: %w", project.InputErrors{
		{Field: "tz", Value: "Mars/Olympus", Expected: "an IANA time zone"},
		{Field: "name", Expected: "a project name is required"},
	})
	wire := fault.Wire(err)
	env, ok := fault.Parse(wire)
	if !ok {
		t.Fatalf("Wire gave %q, which does not parse", wire)
	}
	want := fault.Classify(err)
	if a, b := mustJSON(t, env), mustJSON(t, want); a != b {
		t.Fatalf("round trip:\n got %s\nwant %s", a, b)
	}
	if env.Kind != fault.KindInput || len(env.Fields) != 2 || env.Fields[0].Field != "tz" || env.Fields[0].Value != "Mars/Olympus" {
		t.Fatalf("envelope %+v", env)
	}
	if _, ok := fault.Parse("method 'Call' not registered"); ok {
		t.Error("a plain Wails error parsed as an envelope")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
