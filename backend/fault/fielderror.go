package fault

import (
	"fmt"
	"strings"
)

// FieldError is bad input in one named field — of a form, a flag or an argument —
// with the value given and what was expected. It is the one type for that across the
// backend (project.FieldError and sheets.ArgError are this type under older names).
type FieldError struct {
	Field    string `json:"field"`
	Value    string `json:"value"`
	Expected string `json:"expected"`
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Expected)
	}
	return fmt.Sprintf("%s: %q: expected %s", e.Field, e.Value, e.Expected)
}

// InputFields makes a FieldError an Input error.
func (e *FieldError) InputFields() []Field {
	return []Field{{Field: e.Field, Value: e.Value, Expected: e.Expected, Message: e.Error()}}
}

// FieldErrors is every problem found in one input, so a form can show them all at once.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "invalid input:\n  " + strings.Join(parts, "\n  ")
}

// InputFields makes FieldErrors an Input error: one field for each.
func (es FieldErrors) InputFields() []Field {
	out := make([]Field, 0, len(es))
	for _, e := range es {
		out = append(out, e.InputFields()...)
	}
	return out
}
