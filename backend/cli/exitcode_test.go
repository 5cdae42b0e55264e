package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"cutover/backend/fault"
	"cutover/backend/sheets"
	"cutover/backend/store"
)

// The exit code comes from the error's kind, the classification the web face takes its
// HTTP status from: 2 for bad input or an unknown name, 3 for a run with some items
// failed, 1 for anything else.
func TestExitCodeFollowsTheErrorsKind(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"done", nil, ExitOK},
		{"a bad field", fmt.Errorf("create: %w", &fault.FieldError{Field: "tz", Value: "Mars/Olympus", Expected: "an IANA time zone"}), ExitUsage},
		{"a bad spreadsheet", sheets.Problems{{File: "u.csv", Row: 2, Message: "invalid address"}}, ExitUsage},
		{"an unknown project", fmt.Errorf("project %q: %w", "nope", store.ErrNotFound), ExitUsage},
		{"a flag cobra refused", flagError{errors.New("unknown flag: --nope")}, ExitUsage},
		{"marked as usage", Usage(errors.New("--project: a project name is required")), ExitUsage},
		{"some items failed", Partial(errors.New("2 messages refused")), ExitPartial},
		{"some items failed, for bad input", Partial(sheets.Problems{{File: "u.csv", Row: 2}}), ExitPartial},
		{"a server down", errors.New("dial tcp 127.0.0.1:1: connection refused"), ExitFailed},
		{"interrupted", fmt.Errorf("copy: %w", context.Canceled), ExitFailed},
	} {
		if got := exitCode(tc.err, io.Discard); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}
