// Package sheets reads and writes the people spreadsheets of a migration: users, groups
// and contacts. It reads xlsx (ECMA-376 / ISO/IEC 29500 SpreadsheetML, through excelize)
// and CSV (RFC 4180, with the delimiter, byte order mark and legacy encodings that
// spreadsheet programs actually produce), recognises the header layouts customers bring
// (our template, the Microsoft 365 admin center bulk-add CSV and active users export, the
// Google Workspace bulk-upload CSV, the Exchange Online IMAP migration batch CSV and
// imapsync batch files), validates every row (addresses per RFC 5322 addr-spec, with the
// domain as in RFC 5321) and reports each problem with its file, sheet, row, column, value
// and what was expected. It also writes templates and the files the destination consoles
// and migration tools import, with formula injection neutralised.
//
// The package holds no SQL and no UI: it turns bytes into typed records and records into
// bytes; the api package stores them.
package sheets

import (
	"strings"

	"cutover/backend/fault"
)

// Kind is what a sheet lists.
type Kind string

const (
	Users    Kind = "users"
	Groups   Kind = "groups"
	Contacts Kind = "contacts"
)

// ParseKind reads "users", "groups" or "contacts" (singular accepted).
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "users", "user":
		return Users, nil
	case "groups", "group":
		return Groups, nil
	case "contacts", "contact":
		return Contacts, nil
	}
	return "", &ArgError{Field: "kind", Value: s, Expected: "users, groups or contacts"}
}

// ArgError is a bad argument (not a cell): a kind, a format, a file name. It is
// fault.FieldError, the backend's one type for a bad field.
type ArgError = fault.FieldError

// Field names of the records, used as keys of a row's values.
const (
	FAddress        = "address"
	FFirstName      = "firstName"
	FLastName       = "lastName"
	FDisplayName    = "displayName"
	FSourceLogin    = "sourceLogin"
	FSourcePassword = "sourcePassword"
	FPassword       = "password"
	FJobTitle       = "jobTitle"
	FDepartment     = "department"
	FOfficePhone    = "officePhone"
	FMobilePhone    = "mobilePhone"
	FOrgUnit        = "orgUnit"
	FMigrate        = "migrate"
	FName           = "name"
	FMembers        = "members"
	FDescription    = "description"
	FCompany        = "company"
	FPhone          = "phone"
	FSourceHost     = "sourceHost"
	FDestHost       = "destHost"
	FDestLogin      = "destLogin"
)

// secretFields are never shown or printed.
var secretFields = map[string]bool{FSourcePassword: true, FPassword: true}

// IsSecret reports whether a field holds a password.
func IsSecret(field string) bool { return secretFields[field] }

// User is one person with a mailbox at the destination.
type User struct {
	Address     string `json:"address"` // destination mailbox, the key
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DisplayName string `json:"displayName"`
	SourceLogin string `json:"sourceLogin"` // login on the source server
	JobTitle    string `json:"jobTitle"`
	Department  string `json:"department"`
	OfficePhone string `json:"officePhone"`
	MobilePhone string `json:"mobilePhone"`
	OrgUnit     string `json:"orgUnit"`
	Migrate     bool   `json:"migrate"`
	// Whether passwords are stored (they live in the vault, under the batch entry).
	HasSourcePassword bool `json:"hasSourcePassword"`
	HasPassword       bool `json:"hasPassword"`
}

// SameAs reports whether u and v hold the same values (passwords aside).
func (u User) SameAs(v User) bool {
	u.HasPassword, u.HasSourcePassword, v.HasPassword, v.HasSourcePassword = false, false, false, false
	return u == v
}

// Group is a distribution list or shared group with its members' addresses.
type Group struct {
	Address     string   `json:"address"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Members     []string `json:"members"`
}

// SameAs reports whether g and h hold the same values and members (in order).
func (g Group) SameAs(h Group) bool {
	if g.Address != h.Address || g.Name != h.Name || g.Description != h.Description || len(g.Members) != len(h.Members) {
		return false
	}
	for i := range g.Members {
		if !strings.EqualFold(g.Members[i], h.Members[i]) {
			return false
		}
	}
	return true
}

// Contact is an external address shown in the destination's directory.
type Contact struct {
	Address     string `json:"address"`
	DisplayName string `json:"displayName"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Company     string `json:"company"`
	Phone       string `json:"phone"`
}
