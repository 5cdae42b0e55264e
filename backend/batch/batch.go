// Package batch is the migration batch: the list that links each source mailbox (its
// login on the old IMAP server) to its destination mailbox (its login on the new one),
// as a migration tool's batch file does (Exchange Online migration batch CSV, imapsync
// batch files). The copy engine works through it mailbox by mailbox. A user's entry is
// the one place that holds the user's source login and whether the mailbox is copied;
// logins follow the rules of package people.
package batch

import (
	"fmt"
	"strings"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

// Entry is one mailbox to migrate.
type Entry struct {
	ID          int64  `json:"id"`
	SourceLogin string `json:"sourceLogin"`
	DestLogin   string `json:"destLogin"`
	Name        string `json:"name,omitempty"`
	Enabled     bool   `json:"enabled"`
	// Whether a password is stored for each side (the passwords themselves never leave the vault).
	HasSourcePassword bool `json:"hasSourcePassword"`
	HasDestPassword   bool `json:"hasDestPassword"`
}

// Input is what a user sets for one entry. Empty passwords leave stored ones unchanged.
type Input struct {
	SourceLogin    string         `json:"sourceLogin"`
	DestLogin      string         `json:"destLogin"`
	Name           string         `json:"name"`
	Enabled        *bool          `json:"enabled,omitempty"` // nil: enabled
	SourcePassword secrets.Secret `json:"-"`
	DestPassword   secrets.Secret `json:"-"`
}

// SecretRef is the vault reference of an entry's password on side "source" or "dest".
func SecretRef(entryID int64, side string) string { return fmt.Sprintf("batch/%d/%s", entryID, side) }

// InputError is a bad value in an entry, naming the field.
type InputError struct {
	Field    string
	Value    string
	Reason   string // what is wrong with Value, in the words of package people; "": not valid
	Expected string
}

func (e *InputError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: missing; expected %s", e.Field, e.Expected)
	}
	reason := e.Reason
	if reason == "" {
		reason = "is not valid"
	}
	return fmt.Sprintf("%s: %q %s; expected %s", e.Field, e.Value, reason, e.Expected)
}

// InputError marks this as the user's bad input.
func (e *InputError) InputError() bool { return true }

// Normalize trims the input and checks it.
func Normalize(in Input) (Input, error) {
	in.SourceLogin = strings.TrimSpace(in.SourceLogin)
	in.DestLogin = strings.TrimSpace(in.DestLogin)
	in.Name = strings.TrimSpace(in.Name)
	if err := checkLogin("source login", in.SourceLogin); err != nil {
		return in, err
	}
	if err := checkLogin("destination login", in.DestLogin); err != nil {
		return in, err
	}
	return in, nil
}

func checkLogin(field, v string) error {
	if v == "" {
		return &InputError{Field: field, Expected: people.ExpectedLogin}
	}
	if why := people.LoginFault(v); why != "" {
		return &InputError{Field: field, Value: v, Reason: why, Expected: people.ExpectedLogin}
	}
	return nil
}
