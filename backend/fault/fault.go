// Package fault gives every error one shape for the faces: an Envelope with a kind
// (bad input, not found, partly done, failed), the message and, for bad input, the
// fields at fault with what was given and what was expected (and, for a spreadsheet,
// the file, sheet, row and column). Classify is the one function that turns any error
// into its Envelope; the web face answers with it over HTTP, the desktop window
// receives it through the Wails binding (Wire), and the command line picks its exit
// code from its kind, so a field hint shown in one face is shown in all three.
//
// Errors classify themselves, so Classify keeps no list of types: bad input
// implements Input (or the older marker interface{ InputError() bool }, which gives an
// input error without fields), and an error of another kind implements Kinded.
// The package imports only the standard library, so every package may use it.
package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kind is what sort of failure an error is: it picks the HTTP status and the exit code.
type Kind string

const (
	// KindInput is the user's bad input: HTTP 400, exit code 2.
	KindInput Kind = "input"
	// KindNotFound is a named thing that does not exist: HTTP 404, exit code 2.
	KindNotFound Kind = "notfound"
	// KindPartial is work that finished with some items failed: exit code 3.
	KindPartial Kind = "partial"
	// KindFailed is everything else (a server down, a disk full): HTTP 500, exit code 1.
	KindFailed Kind = "failed"
)

// Field is one place where input is wrong: the field (or column) and the value given,
// what was expected there and, when the input is a file, where in it. A face shows
// Message in a list of problems and Value/Expected as a hint beside the field.
type Field struct {
	Field    string `json:"field"`
	Value    string `json:"value"`
	Expected string `json:"expected"`
	Problem  string `json:"problem,omitempty"` // what is wrong, when more than "not as expected"
	Message  string `json:"message"`           // all of the above as one sentence, as the error words it
	File     string `json:"file,omitempty"`
	Sheet    string `json:"sheet,omitempty"`
	Row      int    `json:"row,omitempty"`    // 1-based
	Column   string `json:"column,omitempty"` // spreadsheet column letter (A, B, ... AA)
}

// Envelope is an error as every face shows it. On the wire its message is named
// "error", the name the HTTP API has always used for it.
type Envelope struct {
	Kind    Kind    `json:"kind"`
	Message string  `json:"error"`
	Fields  []Field `json:"fields,omitempty"`
}

// Input is implemented by errors that are the user's bad input: they say which
// fields are wrong (none when the whole input is, such as an empty file).
type Input interface {
	error
	InputFields() []Field
}

// Kinded is implemented by errors that are of a kind other than failed, and by
// input errors that carry no fields.
type Kinded interface {
	error
	FaultKind() Kind
}

// legacyInput is the marker interface input errors implemented before this package.
type legacyInput interface{ InputError() bool }

// Classify returns err's Envelope. The outermost error in err's tree (wrapped or
// joined, depth first) that knows its kind decides it; when that kind is input, every
// Input error in the tree adds its fields. An error that knows nothing is KindFailed.
// A nil err has no envelope.
func Classify(err error) *Envelope {
	if err == nil {
		return nil
	}
	env := &Envelope{Kind: KindFailed, Message: err.Error()}
	decided := false
	walk(err, func(e error) bool {
		if in, ok := e.(Input); ok {
			if !decided {
				env.Kind, decided = KindInput, true
			}
			if env.Kind == KindInput {
				env.Fields = append(env.Fields, in.InputFields()...)
			}
			return false // its fields stand for what it wraps
		}
		if decided {
			return true
		}
		switch x := e.(type) {
		case Kinded:
			env.Kind, decided = x.FaultKind(), true
		case legacyInput:
			if x.InputError() {
				env.Kind, decided = KindInput, true
			}
		}
		return true
	})
	return env
}

// walk calls visit on err and then, depth first, on what it wraps, except below an
// error for which visit returns false.
func walk(err error, visit func(error) bool) {
	if err == nil || !visit(err) {
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, visit)
		}
	}
}

// Is reports whether err classifies as kind k.
func Is(err error, k Kind) bool {
	env := Classify(err)
	return env != nil && env.Kind == k
}

// Wire is err's Envelope as JSON: what the desktop window's binding rejects a call
// with (Wails passes a bound method's error to JavaScript as a string), which the
// frontend parses back into the same error object the HTTP answer gives.
func Wire(err error) string {
	b, jerr := json.Marshal(Classify(err))
	if jerr != nil { // an Envelope is strings and ints: this does not happen
		return fmt.Sprintf(`{"kind":%q,"error":%q}`, KindFailed, err.Error())
	}
	return string(b)
}

// Parse is the inverse of Wire: the Envelope in s, or false when s is not one.
func Parse(s string) (*Envelope, bool) {
	var env Envelope
	if !strings.HasPrefix(s, "{") || json.Unmarshal([]byte(s), &env) != nil || env.Kind == "" {
		return nil, false
	}
	return &env, true
}

// Mark returns err classified as kind k (its message unchanged; errors.Is and
// errors.As still see err).
func Mark(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &marked{kind: k, err: err}
}

type marked struct {
	kind Kind
	err  error
}

func (m *marked) Error() string   { return m.err.Error() }
func (m *marked) Unwrap() error   { return m.err }
func (m *marked) FaultKind() Kind { return m.kind }

// New returns a sentinel error of kind k, for errors.Is comparisons (store.ErrNotFound).
func New(k Kind, msg string) error { return &marked{kind: k, err: errors.New(msg)} }
