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
// The package maps rows and columns to the records of package people and back; the rules
// a record must follow (what an address or a login is, a default display name) are
// people's, and a broken rule is reported here with its row and column. It holds no SQL
// and no UI: it turns bytes into typed records and records into bytes; the api package
// stores them.
package sheets

import (
	"strings"

	"cutover/backend/fault"
	"cutover/backend/people"
)

// Kind is what a sheet lists: users, groups or contacts.
type Kind = people.Kind

const (
	Users    = people.Users
	Groups   = people.Groups
	Contacts = people.Contacts
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
	FAliases        = "aliases"
	FShared         = "shared"
	// FProxyAddresses is Microsoft 365's "Proxy addresses" (SMTP:primary+smtp:alias+…):
	// read into the aliases.
	FProxyAddresses = "proxyAddresses"
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
