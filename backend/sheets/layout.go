package sheets

import (
	"fmt"
	"strings"
)

// Layout is a header layout a sheet may come in.
type Layout struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Columns in the order the layout's own file has them.
	Columns []Column `json:"-"`
	// Signature: normalised headers that must all be there for the layout to be recognised.
	Signature []string `json:"-"`
	// SignatureField, when set, replaces the signature: any header read into that field
	// (the column's own or one of its aliases) is enough. Our templates use it, so that a
	// home-made sheet with "E-mail" or "Mail" is read too.
	SignatureField string `json:"-"`
	// Ignored: headers the layout has that Cutover does not use (no warning for them).
	Ignored []string `json:"-"`
	// Headerless: rows may come without a header row, fields in Columns' order.
	Headerless bool `json:"-"`
	// Marker: text that some header holds in this layout (case-insensitive); with it, the
	// first signature header is enough to recognise the layout.
	Marker string `json:"-"`
}

// Column is one column of a layout.
type Column struct {
	Header   string   // as written in the layout's files
	Field    string   // record field it fills
	Required bool     // a row without it is an error
	Note     string   // what goes there (our template's header comments)
	Aliases  []string // other headers read into the same field (normalised)
	List     []string // allowed values (template drop-down)
}

// Layout identifiers.
const (
	LayoutCutover         = "cutover"
	LayoutM365BulkAdd     = "m365-bulk-add"
	LayoutM365ActiveUsers = "m365-active-users"
	LayoutGoogle          = "google-bulk-upload"
	LayoutExchangeBatch   = "exchange-batch"
	LayoutImapsync        = "imapsync"
)

// normHeader makes headers comparable: lower case, no spaces, underscores, hyphens,
// dots, asterisks (our required marks), and no bracketed notes such as Google's
// "[Required]".
func normHeader(h string) string {
	h = strings.ToLower(h)
	var b strings.Builder
	depth := 0
	for _, r := range h {
		switch {
		case r == '[' || r == '(':
			depth++
		case r == ']' || r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == ' ' || r == '_' || r == '-' || r == '.' || r == '*' || r == '\u00a0' || r == '\t' || r == '\ufeff' || r == ':':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var yesNo = []string{"yes", "no"}

// UserTemplate is our users sheet.
var UserTemplate = Layout{ID: LayoutCutover, Name: "Cutover users template", Kind: Users, Signature: []string{"emailaddress"}, SignatureField: FAddress, Columns: []Column{
	{Header: "Email address", Field: FAddress, Required: true, Note: "Required. The person's mailbox at the destination, which is also their new login, e.g. alice@acme.example. Should be in one of the project's domains.",
		Aliases: []string{"email", "mail", "address", "emailaddress", "primarysmtpaddress", "destinationaddress", "destaddress", "newaddress", "destinationlogin", "destlogin"}},
	{Header: "First name", Field: FFirstName, Note: "Given name.", Aliases: []string{"firstname", "givenname", "forename"}},
	{Header: "Last name", Field: FLastName, Note: "Family name.", Aliases: []string{"lastname", "surname", "familyname"}},
	{Header: "Display name", Field: FDisplayName, Note: "Name shown in the address book; empty: first and last name.", Aliases: []string{"displayname", "fullname", "name"}},
	{Header: "Source login", Field: FSourceLogin, Note: "Login on the old mail server, for the mailbox copy; empty: the same as the email address.",
		Aliases: []string{"sourcelogin", "sourceuser", "sourceusername", "oldlogin", "olduser", "oldaddress", "sourceaddress", "login"}},
	{Header: "Source password", Field: FSourcePassword, Note: "Password on the old server, for the mailbox copy. Sealed in Cutover's encrypted store and never shown again; leave empty to keep the stored one or use admin access.",
		Aliases: []string{"sourcepassword", "oldpassword"}},
	{Header: "New password", Field: FPassword, Note: "Initial password at the destination, used by the provisioning exports. Sealed in the encrypted store.",
		Aliases: []string{"newpassword", "password", "initialpassword", "destinationpassword", "destpassword"}},
	{Header: "Job title", Field: FJobTitle, Note: "Optional.", Aliases: []string{"jobtitle", "title"}},
	{Header: "Department", Field: FDepartment, Note: "Optional.", Aliases: []string{"department"}},
	{Header: "Office phone", Field: FOfficePhone, Note: "Optional. Kept as text: leading zeros and + stay.", Aliases: []string{"officephone", "phone", "workphone", "businessphone", "phonenumber"}},
	{Header: "Mobile phone", Field: FMobilePhone, Note: "Optional. Kept as text.", Aliases: []string{"mobilephone", "mobile", "cellphone"}},
	{Header: "Org unit", Field: FOrgUnit, Note: "Google Workspace organisational unit path, e.g. /Sales; empty: /.", Aliases: []string{"orgunit", "orgunitpath", "ou"}},
	{Header: "Migrate mailbox", Field: FMigrate, Note: "yes: copy this person's mailbox (the default); no: create the account only.", Aliases: []string{"migrate", "migratemailbox", "copymailbox"}, List: yesNo},
	{Header: "Aliases", Field: FAliases, Note: "Optional. The mailbox's other addresses, separated by ; or , — each in one of the project's domains, e.g. a.martin@acme.example; contact@acme.example.",
		Aliases: []string{"aliases", "alias", "otheraddresses", "emailaliases", "secondaryaddresses"}},
	{Header: "Shared mailbox", Field: FShared, Note: "yes: a shared mailbox (nobody signs in to it, no licence; Microsoft 365 only); no: a person's mailbox (the default).",
		Aliases: []string{"sharedmailbox", "shared"}, List: yesNo},
}}

// GroupTemplate is our groups sheet: one row per group with its members in one cell,
// or one row per member with the group repeated.
var GroupTemplate = Layout{ID: LayoutCutover, Name: "Cutover groups template", Kind: Groups, Signature: []string{"groupaddress"}, SignatureField: FAddress, Columns: []Column{
	{Header: "Group name", Field: FName, Required: true, Note: "Required. The group's display name, e.g. Sales team.", Aliases: []string{"groupname", "name", "displayname", "group"}},
	{Header: "Group address", Field: FAddress, Required: true, Note: "Required. The group's address, e.g. sales@acme.example. Should be in one of the project's domains.",
		Aliases: []string{"groupaddress", "groupemail", "email", "emailaddress", "address", "mail"}},
	{Header: "Members", Field: FMembers, Note: "Member addresses separated by ; or , — or one member per row with the group repeated. Each must be a user, a group or a contact of the project.",
		Aliases: []string{"members", "member", "memberaddress", "memberemail", "memberaddresses"}},
	{Header: "Description", Field: FDescription, Note: "Optional.", Aliases: []string{"description", "notes"}},
}}

// ContactTemplate is our contacts sheet: external addresses for the directory.
var ContactTemplate = Layout{ID: LayoutCutover, Name: "Cutover contacts template", Kind: Contacts, Signature: []string{"externaladdress"}, SignatureField: FAddress, Columns: []Column{
	{Header: "Display name", Field: FDisplayName, Required: true, Note: "Required. Name shown in the address book.", Aliases: []string{"displayname", "name", "fullname"}},
	{Header: "External address", Field: FAddress, Required: true, Note: "Required. The contact's address outside the organisation, e.g. jane@partner.example.",
		Aliases: []string{"externaladdress", "externalemailaddress", "email", "emailaddress", "address", "mail"}},
	{Header: "First name", Field: FFirstName, Note: "Optional.", Aliases: []string{"firstname", "givenname"}},
	{Header: "Last name", Field: FLastName, Note: "Optional.", Aliases: []string{"lastname", "surname"}},
	{Header: "Company", Field: FCompany, Note: "Optional.", Aliases: []string{"company", "organization", "organisation"}},
	{Header: "Phone", Field: FPhone, Note: "Optional. Kept as text: leading zeros and + stay.", Aliases: []string{"phone", "businessphone", "officephone", "phonenumber", "mobilephone", "mobile"}},
}}

// M365BulkAdd is the Microsoft 365 admin center's "Add multiple users" CSV.
var M365BulkAdd = Layout{ID: LayoutM365BulkAdd, Name: "Microsoft 365 admin center bulk-add CSV", Kind: Users, Signature: []string{"username", "displayname"}, Columns: []Column{
	{Header: "User Name", Field: FAddress, Required: true},
	{Header: "First Name", Field: FFirstName},
	{Header: "Last Name", Field: FLastName},
	{Header: "Display Name", Field: FDisplayName, Required: true},
	{Header: "Job Title", Field: FJobTitle},
	{Header: "Department", Field: FDepartment},
	{Header: "Office Number"},
	{Header: "Office Phone", Field: FOfficePhone},
	{Header: "Mobile Phone", Field: FMobilePhone},
	{Header: "Fax"},
	{Header: "Alternate email address"},
	{Header: "Address"},
	{Header: "City"},
	{Header: "State or Province"},
	{Header: "ZIP or Postal Code"},
	{Header: "Country or Region"},
}}

// M365ActiveUsers is the admin center's Users > Active users > Export users CSV.
var M365ActiveUsers = Layout{ID: LayoutM365ActiveUsers, Name: "Microsoft 365 active users export", Kind: Users, Signature: []string{"userprincipalname"}, Columns: []Column{
	{Header: "Block credential"}, {Header: "City"}, {Header: "Country/Region"},
	{Header: "Department", Field: FDepartment},
	{Header: "DirSyncEnabled"},
	{Header: "Display name", Field: FDisplayName},
	{Header: "Fax"},
	{Header: "First name", Field: FFirstName},
	{Header: "Last dirsync time"},
	{Header: "Last name", Field: FLastName},
	{Header: "Last password change time stamp"}, {Header: "License assignment detail"}, {Header: "Licenses"},
	{Header: "Mobile Phone", Field: FMobilePhone},
	{Header: "Oath token metadata"}, {Header: "Object Id"}, {Header: "Office"}, {Header: "Password never expires"},
	{Header: "Phone number", Field: FOfficePhone},
	{Header: "Postal code"}, {Header: "Preferred data location"}, {Header: "Preferred language"}, {Header: "Proxy addresses", Field: FProxyAddresses},
	{Header: "Release track"}, {Header: "Soft deletion time stamp"}, {Header: "State"}, {Header: "Street address"},
	{Header: "Strong password required"},
	{Header: "Title", Field: FJobTitle},
	{Header: "Usage location"},
	{Header: "User principal name", Field: FAddress, Required: true},
	{Header: "When created"},
}}

// Google is the Google Workspace admin console's bulk-upload users CSV.
var Google = Layout{ID: LayoutGoogle, Name: "Google Workspace bulk-upload CSV", Kind: Users, Signature: []string{"emailaddress", "orgunitpath"}, Marker: "[required]", Columns: []Column{
	{Header: "First Name [Required]", Field: FFirstName, Required: true},
	{Header: "Last Name [Required]", Field: FLastName, Required: true},
	{Header: "Email Address [Required]", Field: FAddress, Required: true},
	{Header: "Password [Required]", Field: FPassword},
	{Header: "Password Hash Function [UPLOAD ONLY]"},
	{Header: "Org Unit Path [Required]", Field: FOrgUnit},
	{Header: "New Primary Email [UPLOAD ONLY]"},
	{Header: "Recovery Email"}, {Header: "Home Secondary Email"}, {Header: "Work Secondary Email"},
	{Header: "Recovery Phone [MUST BE IN THE E.164 FORMAT]"},
	{Header: "Work Phone", Field: FOfficePhone},
	{Header: "Home Phone"},
	{Header: "Mobile Phone", Field: FMobilePhone},
	{Header: "Work Address"}, {Header: "Home Address"}, {Header: "Employee ID"}, {Header: "Employee Type"},
	{Header: "Employee Title", Field: FJobTitle},
	{Header: "Manager Email"},
	{Header: "Department", Field: FDepartment},
	{Header: "Cost Center"}, {Header: "Building ID"}, {Header: "Floor Name"}, {Header: "Floor Section"},
	{Header: "Change Password at Next Sign-In"}, {Header: "New Status [UPLOAD ONLY]"},
	{Header: "Advanced Protection Program enrollment"},
}}

// ExchangeBatch is the CSV of an Exchange Online IMAP migration batch.
var ExchangeBatch = Layout{ID: LayoutExchangeBatch, Name: "Exchange Online IMAP migration batch CSV", Kind: Users, Signature: []string{"emailaddress", "username", "password"}, Columns: []Column{
	{Header: "EmailAddress", Field: FAddress, Required: true},
	{Header: "UserName", Field: FSourceLogin, Required: true},
	{Header: "Password", Field: FSourcePassword},
	{Header: "UserRoot"},
}}

// Imapsync is an imapsync batch file: host1;user1;password1;host2;user2;password2.
var Imapsync = Layout{ID: LayoutImapsync, Name: "imapsync batch file", Kind: Users, Headerless: true,
	Signature: []string{"host1", "user1", "password1", "host2", "user2", "password2"}, Columns: []Column{
		{Header: "host1", Field: FSourceHost},
		{Header: "user1", Field: FSourceLogin, Required: true},
		{Header: "password1", Field: FSourcePassword},
		{Header: "host2", Field: FDestHost},
		{Header: "user2", Field: FAddress, Required: true},
		{Header: "password2", Field: FPassword},
	}}

// Layouts lists the layouts recognised for a kind, most specific first.
func Layouts(k Kind) []*Layout {
	switch k {
	case Users:
		return []*Layout{&Imapsync, &Google, &ExchangeBatch, &M365ActiveUsers, &M365BulkAdd, &UserTemplate}
	case Groups:
		return []*Layout{&GroupTemplate}
	case Contacts:
		return []*Layout{&ContactTemplate}
	}
	return nil
}

// Template is our own layout of a kind.
func Template(k Kind) *Layout {
	ls := Layouts(k)
	return ls[len(ls)-1]
}

// Mapping is how a table's columns read into fields.
type Mapping struct {
	Layout    *Layout
	HeaderRow int      // row number of the header; 0 when the file has none
	Headers   []string // per column, as written (layout's header for headerless files)
	Fields    []string // per column: the field it fills, "" for none
	Unknown   []int    // columns no layout knows
}

// headerSearchRows is how far below the top a header row is looked for (title rows,
// instructions, a logo's empty rows).
const headerSearchRows = 30

// fieldsFor maps one row's headers for layout l; ok when the signature is there.
func fieldsFor(l *Layout, raw, norm []string) (fields []string, unknown []int, ok bool) {
	byHeader := map[string]string{}
	ignored := map[string]bool{}
	for _, c := range l.Columns {
		n := normHeader(c.Header)
		if c.Field == "" {
			ignored[n] = true
			continue
		}
		byHeader[n] = c.Field
		for _, a := range c.Aliases {
			if _, taken := byHeader[a]; !taken {
				byHeader[a] = c.Field
			}
		}
	}
	for _, h := range l.Ignored {
		ignored[h] = true
	}
	have := map[string]bool{}
	for _, h := range norm {
		have[h] = true
		if l.SignatureField != "" && h != "" && byHeader[h] == l.SignatureField {
			ok = true
		}
	}
	if l.SignatureField == "" {
		sig := l.Signature
		if l.Marker != "" {
			for _, h := range raw {
				if strings.Contains(strings.ToLower(h), l.Marker) {
					sig = sig[:1]
					break
				}
			}
		}
		ok = true
		for _, s := range sig {
			ok = ok && have[s]
		}
	}
	if !ok {
		return nil, nil, false
	}
	fields = make([]string, len(norm))
	used := map[string]bool{}
	for i, h := range norm {
		f, known := byHeader[h]
		switch {
		case h == "":
		case known && !used[f]:
			fields[i], used[f] = f, true
		case known || ignored[h]:
			// A second column for the same field, or one the layout has and we do not use.
		default:
			unknown = append(unknown, i)
		}
	}
	return fields, unknown, true
}

// Detect finds the header row and the layout of a table of kind k.
func Detect(k Kind, t Table) (Mapping, error) {
	layouts := Layouts(k)
	for i, row := range t.Rows {
		if i >= headerSearchRows {
			break
		}
		norm := make([]string, len(row.Cells))
		for j, c := range row.Cells {
			norm[j] = normHeader(c)
		}
		for _, l := range layouts {
			if fields, unknown, ok := fieldsFor(l, row.Cells, norm); ok {
				m := Mapping{Layout: l, HeaderRow: row.Num, Headers: row.Cells, Fields: fields, Unknown: unknown}
				return m, nil
			}
		}
	}
	if k == Users && len(t.Rows) > 0 && looksImapsync(t) {
		m := Mapping{Layout: &Imapsync}
		for _, c := range Imapsync.Columns {
			m.Headers = append(m.Headers, c.Header)
			m.Fields = append(m.Fields, c.Field)
		}
		return m, nil
	}
	var expected []string
	for i := len(layouts) - 1; i >= 0; i-- {
		l := layouts[i]
		var hs []string
		for _, s := range l.Signature {
			for _, c := range l.Columns {
				if normHeader(c.Header) == s {
					hs = append(hs, fmt.Sprintf("%q", c.Header))
				}
			}
		}
		expected = append(expected, fmt.Sprintf("%s (%s)", l.Name, strings.Join(hs, ", ")))
	}
	return Mapping{}, &FileError{File: t.File, Sheet: t.Sheet, Problem: fmt.Sprintf("no header row of %s found in the first %d rows", k, headerSearchRows),
		Expected: "a header row of one of: " + strings.Join(expected, "; ")}
}

// looksImapsync: ';'-separated rows of six fields (the imapsync examples end lines with
// ';', an empty seventh), logins in the second and fifth.
func looksImapsync(t Table) bool {
	if t.Format != "csv" || t.Delimiter != ";" {
		return false
	}
	for i, r := range t.Rows {
		if i >= 5 {
			break
		}
		// Trailing empty cells are trimmed: a missing password2 leaves five.
		if n := len(r.Cells); n < 5 || n > 6 || r.Cells[1] == "" || r.Cells[4] == "" {
			return false
		}
	}
	return true
}
