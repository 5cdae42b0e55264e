package sheets

import (
	"bytes"
	"fmt"
	"strings"

	"cutover/backend/batch"
	"cutover/backend/people"
	"cutover/backend/secrets"
)

// Passwords gives the stored passwords of a user (by address) or a batch entry; nil
// leaves every password cell empty.
type Passwords func(address string) (source, dest secrets.Secret)

func reveal(pw Passwords, address string) (string, string) {
	if pw == nil {
		return "", ""
	}
	s, d := pw(address)
	return s.Reveal(), d.Reveal()
}

func yn(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func headers(l *Layout) []string {
	out := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		out[i] = c.Header
		if c.Required && l.ID == LayoutCutover {
			out[i] += " *"
		}
	}
	return out
}

// UsersSheet is the users in our template's layout (re-importable as is).
func UsersSheet(us []people.User, pw Passwords) Sheet {
	s := Sheet{Name: "Users", Header: headers(&UserTemplate)}
	for _, u := range us {
		src, dst := reveal(pw, u.Address)
		s.Rows = append(s.Rows, []string{u.Address, u.FirstName, u.LastName, u.DisplayName, u.SourceLogin, src, dst,
			u.JobTitle, u.Department, u.OfficePhone, u.MobilePhone, u.OrgUnit, yn(u.Migrate), strings.Join(u.Aliases, "; "), yn(u.Shared)})
	}
	return s
}

// GroupsSheet is the groups in our template's layout, members in one cell.
func GroupsSheet(gs []people.Group) Sheet {
	s := Sheet{Name: "Groups", Header: headers(&GroupTemplate)}
	for _, g := range gs {
		s.Rows = append(s.Rows, []string{g.Name, g.Address, strings.Join(g.Members, "; "), g.Description})
	}
	return s
}

// ContactsSheet is the contacts in our template's layout.
func ContactsSheet(cs []people.Contact) Sheet {
	s := Sheet{Name: "Contacts", Header: headers(&ContactTemplate)}
	for _, c := range cs {
		s.Rows = append(s.Rows, []string{c.DisplayName, c.Address, c.FirstName, c.LastName, c.Company, c.Phone})
	}
	return s
}

// BatchSheet is the migration batch: source login → destination login.
func BatchSheet(es []batch.Entry, pw Passwords) Sheet {
	s := Sheet{Name: "Batch", Header: []string{"Source login", "Destination login", "Name", "Enabled", "Source password", "Destination password"}}
	for _, e := range es {
		src, dst := reveal(pw, e.SourceLogin)
		s.Rows = append(s.Rows, []string{e.SourceLogin, e.DestLogin, e.Name, yn(e.Enabled), src, dst})
	}
	return s
}

// M365Sheet is the Microsoft 365 admin center's "Add multiple users" CSV: its sixteen
// columns in its order (it sets passwords itself, so there is none).
func M365Sheet(us []people.User) Sheet {
	s := Sheet{Name: "Users", Header: headers(&M365BulkAdd)}
	for _, u := range us {
		s.Rows = append(s.Rows, []string{u.Address, u.FirstName, u.LastName, u.DisplayName, u.JobTitle, u.Department, "",
			u.OfficePhone, u.MobilePhone, "", "", "", "", "", "", ""})
	}
	return s
}

// GoogleSheet is the Google Workspace admin console's bulk-upload CSV with every column
// of its template; passwords only when pw is given.
func GoogleSheet(us []people.User, pw Passwords) Sheet {
	s := Sheet{Name: "Users", Header: headers(&Google)}
	idx := map[string]int{}
	for i, c := range Google.Columns {
		if c.Field != "" {
			idx[c.Field] = i
		}
	}
	for _, u := range us {
		r := make([]string, len(Google.Columns))
		_, dst := reveal(pw, u.Address)
		ou := u.OrgUnit
		if ou == "" {
			ou = "/"
		}
		for f, v := range map[string]string{FFirstName: u.FirstName, FLastName: u.LastName, FAddress: u.Address, FPassword: dst,
			FOrgUnit: ou, FOfficePhone: u.OfficePhone, FMobilePhone: u.MobilePhone, FJobTitle: u.JobTitle, FDepartment: u.Department} {
			r[idx[f]] = v
		}
		s.Rows = append(s.Rows, r)
	}
	s.Exact = []int{idx[FPassword]}
	return s
}

// ExchangeBatchSheet is an Exchange Online IMAP migration batch CSV (EmailAddress,
// UserName, Password) of the enabled batch entries.
func ExchangeBatchSheet(es []batch.Entry, pw Passwords) Sheet {
	s := Sheet{Name: "Batch", Header: []string{"EmailAddress", "UserName", "Password"}, Exact: []int{2}}
	for _, e := range es {
		if !e.Enabled {
			continue
		}
		src, _ := reveal(pw, e.SourceLogin)
		s.Rows = append(s.Rows, []string{e.DestLogin, e.SourceLogin, src})
	}
	return s
}

// ImapsyncFile is an imapsync batch file of the enabled entries, one line each:
// host1;user1;password1;host2;user2;password2 — read by imapsync's loop scripts with
// IFS=';', so no quoting: a value holding ';' or a line break is an error.
func ImapsyncFile(es []batch.Entry, sourceHost, destHost string, pw Passwords) ([]byte, error) {
	var b bytes.Buffer
	for _, e := range es {
		if !e.Enabled {
			continue
		}
		src, dst := reveal(pw, e.SourceLogin)
		vals := []string{sourceHost, e.SourceLogin, src, destHost, e.DestLogin, dst}
		for i, v := range vals {
			if strings.ContainsAny(v, ";\r\n") {
				what := Imapsync.Columns[i].Header
				shown := v
				if i == 2 || i == 5 {
					shown = "" // never print a password
				}
				return nil, &ArgError{Field: fmt.Sprintf("batch entry %s, %s", e.SourceLogin, what), Value: shown,
					Expected: "no ';' or line break (imapsync batch files cannot quote them)"}
			}
		}
		b.WriteString(strings.Join(vals, ";"))
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// GoogleContactsSheet is the contacts as a "Google CSV" file, the layout Google Contacts
// imports (contacts.google.com → Import) and exports: Google Workspace's admin console
// has no import of external contacts, so the admin imports this file into the account
// (or a shared label) that should hold them.
func GoogleContactsSheet(cs []people.Contact) Sheet {
	s := Sheet{Name: "Contacts", Header: []string{"Name", "Given Name", "Family Name", "E-mail 1 - Type", "E-mail 1 - Value",
		"Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Type", "Organization 1 - Name", "Group Membership"}}
	for _, c := range cs {
		phoneType := ""
		if c.Phone != "" {
			phoneType = "Work"
		}
		orgType := ""
		if c.Company != "" {
			orgType = "Work"
		}
		s.Rows = append(s.Rows, []string{c.DisplayName, c.FirstName, c.LastName, "* Work", c.Address, phoneType, c.Phone, orgType, c.Company, "* myContacts"})
	}
	return s
}
