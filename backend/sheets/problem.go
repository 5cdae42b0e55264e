package sheets

import (
	"fmt"
	"strings"
)

// Severity of a problem: an error keeps the row out; a warning is worth a look.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
)

// Problem is one thing wrong with a cell, a row or a column, located precisely.
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

// InputError marks a problem as the user's bad input.
func (p Problem) InputError() bool { return true }

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

// InputError marks the problems as the user's bad input.
func (ps Problems) InputError() bool { return true }
