// Package people is the home of the people of a migration — users (a person with a
// mailbox at the destination), groups (distribution lists with their members' addresses)
// and external contacts — and of every rule about them: what a valid email address is
// (an RFC 5322 §3.4.1 addr-spec in its dot-atom form, with a domain as RFC 5321 §4.1.2
// has it and letters beyond ASCII as RFC 6531 allows), what a mailbox login may hold, how
// a display name is made when none is given, and when two records say the same thing.
//
// A person's address or mailbox login enters Cutover through a sheet import or the
// migration batch (`cutover batch set`, the batch form of the UI); both check it here, so
// that a value refused by one is refused by the other, in the same words. The package imports nothing of Cutover: `sheets` maps rows
// and columns to these types, `store` keeps them, `batch` links a user's source mailbox
// to its destination, and `api` and `cli` show them.
package people

import (
	"reflect"
	"strings"
)

// Kind is one of the three lists of people.
type Kind string

const (
	Users    Kind = "users"
	Groups   Kind = "groups"
	Contacts Kind = "contacts"
)

// User is one person with a mailbox at the destination.
type User struct {
	Address     string `json:"address"` // destination mailbox, the key
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DisplayName string `json:"displayName"`
	// The login on the source server and whether the mailbox is copied: read from the
	// user's migration batch entry, which is where they are kept (a user without an
	// entry is not migrated).
	SourceLogin string `json:"sourceLogin"`
	JobTitle    string `json:"jobTitle"`
	Department  string `json:"department"`
	OfficePhone string `json:"officePhone"`
	MobilePhone string `json:"mobilePhone"`
	OrgUnit     string `json:"orgUnit"`
	Migrate     bool   `json:"migrate"`
	// Aliases are the mailbox's other addresses, each in one of the project's domains;
	// Shared: a shared mailbox (nobody signs in to it, no licence).
	Aliases []string `json:"aliases"`
	Shared  bool     `json:"shared"`
	// Whether passwords are stored (they live in the vault, under the batch entry).
	HasSourcePassword bool `json:"hasSourcePassword"`
	HasPassword       bool `json:"hasPassword"`
}

// SameAs reports whether u and v hold the same values (passwords aside).
func (u User) SameAs(v User) bool {
	if !SameAddresses(u.Aliases, v.Aliases) {
		return false
	}
	u.HasPassword, u.HasSourcePassword, v.HasPassword, v.HasSourcePassword = false, false, false, false
	u.Aliases, v.Aliases = nil, nil
	return reflect.DeepEqual(u, v)
}

// SameAddresses reports whether a and b hold the same addresses in any order (without
// regard to case): aliases are a set.
func SameAddresses(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[string]int, len(a))
	for _, x := range a {
		seen[strings.ToLower(x)]++
	}
	for _, y := range b {
		k := strings.ToLower(y)
		if seen[k] == 0 {
			return false
		}
		seen[k]--
	}
	return true
}

// Complete fills in what a user given without it has by rule: the source login is the
// address (the same mailbox name on both servers), and the display name is the first
// and last names, or else the address's local part.
func (u *User) Complete() {
	if u.SourceLogin == "" {
		u.SourceLogin = u.Address
	}
	if u.DisplayName == "" {
		u.DisplayName = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	if u.DisplayName == "" && u.Address != "" {
		u.DisplayName = LocalPart(u.Address)
	}
}

// Group is a distribution list or shared group with its members' addresses.
type Group struct {
	Address     string   `json:"address"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Members     []string `json:"members"`
}

// SameAs reports whether g and h hold the same values and members (in order; addresses
// compare without regard to case).
func (g Group) SameAs(h Group) bool {
	if g.Address != h.Address || g.Name != h.Name || g.Description != h.Description || len(g.Members) != len(h.Members) {
		return false
	}
	for i := range g.Members {
		if !SameAddress(g.Members[i], h.Members[i]) {
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
