package directory

import (
	"fmt"
	"strings"

	"cutover/backend/people"
)

// settle makes the groups' members name what was found: an alias becomes its mailbox's
// address, and a member found nowhere else (an outside address a list forwards to)
// becomes a contact, so that the group can keep it; the notes say which.
func (f *Found) settle() {
	primary := map[string]string{}
	for _, u := range f.Users {
		primary[strings.ToLower(u.Address)] = u.Address
		for _, a := range u.Aliases {
			primary[strings.ToLower(a)] = u.Address
		}
	}
	for _, g := range f.Groups {
		primary[strings.ToLower(g.Address)] = g.Address
	}
	for _, c := range f.Contacts {
		primary[strings.ToLower(c.Address)] = c.Address
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		seen := lowerSet{}
		members := g.Members[:0]
		for _, m := range g.Members {
			p, ok := primary[strings.ToLower(m)]
			if !ok && people.ValidAddress(m) {
				f.Contacts = append(f.Contacts, people.Contact{Address: m, DisplayName: m})
				f.Notes = append(f.Notes, fmt.Sprintf("group %s: member %s is not a mailbox here, added as a contact", g.Address, m))
				primary[strings.ToLower(m)] = m
				p = m
			} else if !ok {
				p = m // invalid: the preview says so on the group's row
			}
			if seen.add(p) {
				members = append(members, p)
			}
		}
		g.Members = members
	}
}
