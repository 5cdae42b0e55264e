package sheets

import (
	"fmt"
	"strings"

	"cutover/backend/fault"
)

// Severity of a problem: an error keeps the row out; a warning is worth a look.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
)

// Problem is one thing wrong with a cell, a row or a column, located precisely.
//
// It is a row of an import's result (ImportReport lists them, warnings included, so
// the preview can show every one beside its row) more than an error; Problems, the
// errors of an import that imported nothing, is the error, and both are fault.Input so
// that every face shows their file, row and column.
type Problem struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Sheet    string   `json:"sheet,omitempty"`
	Row      int      `json:"row"`              // 1-based row number in the file
	Column   string   `json:"column,omitempty"` // column letter (A, B, ... AA)
	Header   string   `json:"header,omitempty"` // the column's header as written
	Field    string   `json:"field,omitempty"`
	Value    string   `json:"value"`
	Message  string   `json:"message"`
	Expected string   `json:"expected"`
}

// Location is "file, sheet "S", row N, column C (Header)".
func (p Problem) Location() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Sheet != "" {
		fmt.Fprintf(&b, ", sheet %q", p.Sheet)
	}
	if p.Row > 0 {
		fmt.Fprintf(&b, ", row %d", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, ", column %s", p.Column)
		if p.Header != "" {
			fmt.Fprintf(&b, " (%s)", p.Header)
		}
	}
	return b.String()
}

func (p Problem) Error() string {
	s := p.Location() + ": "
	if p.Severity == SevWarning {
		s += "warning: "
	}
	s += p.Message
	if p.Value != "" {
		s += fmt.Sprintf(": %q", p.Value)
	}
	if p.Expected != "" {
		s += "; expected " + p.Expected
	}
	return s
}

// InputFields makes a problem an Input error, located in its file.
func (p Problem) InputFields() []fault.Field {
	return []fault.Field{{Field: p.Field, Value: p.Value, Expected: p.Expected, Problem: p.Message, Message: p.Error(),
		File: p.File, Sheet: p.Sheet, Row: p.Row, Column: p.Column}}
}

// Problems is the errors of an import, as one error.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 1 {
		return ps[0].Error()
	}
	more := ""
	if len(ps) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(ps)-1)
	}
	return fmt.Sprintf("%d errors, nothing imported; first: %s%s", len(ps), ps[0].Error(), more)
}

// InputFields makes Problems an Input error: one field for each problem.
func (ps Problems) InputFields() []fault.Field {
	out := make([]fault.Field, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.InputFields()...)
	}
	return out
}
