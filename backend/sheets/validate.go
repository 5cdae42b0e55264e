package sheets

import (
	"fmt"
	"sort"
	"strings"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

// Known is what the project already holds, against which a sheet is checked.
type Known struct {
	Domains  []string
	Users    map[string]people.User    // by lower-case address
	Groups   map[string]people.Group   // by lower-case address
	Contacts map[string]people.Contact // by lower-case address
	// The stored migration batch, by lower-case source login and by lower-case destination.
	BatchBySource map[string]BatchLink
	BatchByDest   map[string]BatchLink
	// Hosts of the project's servers, to check an imapsync file's host1 and host2.
	SourceHost, DestHost string
	// SamePassword reports whether the stored password field (FSourcePassword or
	// FPassword) of the user at address is s; nil means never.
	SamePassword func(address, field string, s secrets.Secret) bool
}

// BatchLink is a stored batch entry as validation needs it.
type BatchLink struct {
	Source  string
	Dest    string
	Enabled bool
}

// Action is what an import does with a record.
type Action string

const (
	Add       Action = "add"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Skip      Action = "skip" // has errors: left out (--skip-invalid) or blocks the import
)

// RowResult is one row of the file as the preview shows it.
type RowResult struct {
	Row      int               `json:"row"`
	Key      string            `json:"key"`
	Values   map[string]string `json:"values"` // passwords masked
	Action   Action            `json:"action"`
	Problems []Problem         `json:"problems,omitempty"`
}

// ColumnInfo is one column of the file and what it was read as.
type ColumnInfo struct {
	Column string `json:"column"`
	Header string `json:"header"`
	Field  string `json:"field,omitempty"` // empty: not used
}

// UserRecord is a user read from a sheet, with its passwords (never printed).
type UserRecord struct {
	Row            int
	User           people.User
	SourcePassword secrets.Secret
	Password       secrets.Secret
	Action         Action
}

// GroupRecord is a group read from one or more rows.
type GroupRecord struct {
	Rows   []int
	Group  people.Group
	Action Action
}

// ContactRecord is a contact read from a sheet.
type ContactRecord struct {
	Row     int
	Contact people.Contact
	Action  Action
}

// Result is a sheet read and checked: what it holds, every problem, and what importing
// it would do.
type Result struct {
	Kind       Kind         `json:"kind"`
	File       string       `json:"file"`
	Sheet      string       `json:"sheet,omitempty"`
	Format     string       `json:"format"`
	Encoding   string       `json:"encoding,omitempty"`
	Delimiter  string       `json:"delimiter,omitempty"`
	Layout     string       `json:"layout"`
	LayoutName string       `json:"layoutName"`
	HeaderRow  int          `json:"headerRow"`
	Columns    []ColumnInfo `json:"columns"`
	Rows       []RowResult  `json:"rows,omitempty"`
	Problems   []Problem    `json:"problems"`
	Errors     int          `json:"errors"`
	Warnings   int          `json:"warnings"`
	Added      int          `json:"added"`
	Updated    int          `json:"updated"`
	Unchanged  int          `json:"unchanged"`
	Skipped    int          `json:"skipped"`

	Users    []UserRecord    `json:"-"`
	Groups   []GroupRecord   `json:"-"`
	Contacts []ContactRecord `json:"-"`
}

// ErrorList is the result's errors (warnings left out).
func (r *Result) ErrorList() Problems {
	var out Problems
	for _, p := range r.Problems {
		if p.Severity == SevError {
			out = append(out, p)
		}
	}
	return out
}

// Expected values, as messages say them.
const (
	expAddress  = people.ExpectedAddress
	expYesNo    = "yes or no"
	expRequired = "a value: this column is required"
)

type checker struct {
	res    *Result
	known  Known
	m      Mapping
	col    map[string]int // field → column index
	header map[string]string
	domain map[string]bool
	// The users sheet's addresses by lower case (→ first row) and the stored users'
	// aliases (→ their user's address), which an alias may not be.
	addrRows    map[string]int
	storedAlias map[string]string
	row         *RowResult
}

// Parse reads table t as kind k against what the project holds: the layout, every row's
// values and problems, and the action an import would take for each record.
func Parse(k Kind, t Table, known Known) (*Result, error) {
	m, err := Detect(k, t)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: k, File: t.File, Sheet: t.Sheet, Format: t.Format, Encoding: t.Encoding, Delimiter: t.Delimiter,
		Layout: m.Layout.ID, LayoutName: m.Layout.Name, HeaderRow: m.HeaderRow, Problems: []Problem{}}
	c := &checker{res: res, known: known, m: m, col: map[string]int{}, header: map[string]string{}, domain: map[string]bool{}}
	for _, d := range known.Domains {
		c.domain[strings.ToLower(d)] = true
	}
	for i, f := range m.Fields {
		h := ""
		if i < len(m.Headers) {
			h = m.Headers[i]
		}
		if m.HeaderRow > 0 || f != "" {
			res.Columns = append(res.Columns, ColumnInfo{Column: ColumnLetter(i), Header: h, Field: f})
		}
		if f != "" {
			c.col[f] = i
			c.header[f] = h
		}
	}
	for _, i := range m.Unknown {
		c.add(nil, Problem{Severity: SevWarning, Row: m.HeaderRow, Column: ColumnLetter(i), Header: m.Headers[i], Value: m.Headers[i],
			Message: "unknown column, ignored", Expected: "a column of the " + m.Layout.Name})
	}
	var rows []Row
	for _, r := range t.Rows {
		if r.Num > m.HeaderRow {
			rows = append(rows, r)
		}
	}
	res.Rows = make([]RowResult, 0, len(rows))
	switch k {
	case Users:
		c.users(rows)
	case Groups:
		c.groups(rows)
	case Contacts:
		c.contacts(rows)
	}
	// Some checks run once every row is read (group members): list problems in file order.
	sort.SliceStable(res.Problems, func(i, j int) bool { return res.Problems[i].Row < res.Problems[j].Row })
	return res, nil
}

// add records a problem, on the current row when there is one.
func (c *checker) add(row *RowResult, p Problem) {
	p.File, p.Sheet = c.res.File, c.res.Sheet
	if p.Header == "" && p.Field != "" {
		p.Header = c.header[p.Field]
		if i, ok := c.col[p.Field]; ok && p.Column == "" {
			p.Column = ColumnLetter(i)
		}
	}
	if row != nil {
		p.Row = row.Row
		row.Problems = append(row.Problems, p)
	}
	if p.Severity == SevError {
		c.res.Errors++
	} else {
		c.res.Warnings++
	}
	c.res.Problems = append(c.res.Problems, p)
}

func (c *checker) cellErr(row *RowResult, field, value, msg, expected string) {
	c.add(row, Problem{Severity: SevError, Field: field, Value: value, Message: msg, Expected: expected})
}

func (c *checker) cellWarn(row *RowResult, field, value, msg, expected string) {
	c.add(row, Problem{Severity: SevWarning, Field: field, Value: value, Message: msg, Expected: expected})
}

// newRow makes the row's result with its values (passwords masked).
func (c *checker) newRow(r Row) (RowResult, map[string]string) {
	vals := make(map[string]string, len(c.col))
	shown := make(map[string]string, len(c.col))
	for f, i := range c.col {
		v := ""
		if i < len(r.Cells) {
			v = r.Cells[i]
		}
		vals[f] = v
		if IsSecret(f) && v != "" {
			shown[f] = "••••••"
		} else {
			shown[f] = v
		}
	}
	return RowResult{Row: r.Num, Values: shown}, vals
}

func (c *checker) required(row *RowResult, vals map[string]string) {
	for _, col := range c.m.Layout.Columns {
		if col.Required && col.Field != "" && vals[col.Field] == "" {
			exp := expRequired
			if col.Field == FAddress {
				exp = expAddress
			}
			if _, ok := c.col[col.Field]; !ok {
				c.add(row, Problem{Severity: SevError, Field: col.Field, Header: col.Header, Message: "missing required column " + col.Header, Expected: exp})
				continue
			}
			c.cellErr(row, col.Field, "", "missing required value", exp)
		}
	}
}

// address checks an address cell; it reports whether the address is usable.
func (c *checker) address(row *RowResult, field, v string, inDomains bool) bool {
	if v == "" {
		return false
	}
	if !people.ValidAddress(v) {
		c.cellErr(row, field, v, "invalid address", expAddress)
		return false
	}
	if inDomains && len(c.domain) > 0 && !c.domain[strings.ToLower(people.Domain(v))] {
		c.cellWarn(row, field, v, "address outside the project's domains", "an address in "+strings.Join(c.known.Domains, ", "))
	}
	return true
}

func (c *checker) finishRow(row *RowResult, key string, action Action) {
	row.Key = key
	row.Action = action
	c.res.Rows = append(c.res.Rows, *row)
}

func hasError(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SevError {
			return true
		}
	}
	return false
}

func (c *checker) count(a Action) {
	switch a {
	case Add:
		c.res.Added++
	case Update:
		c.res.Updated++
	case Unchanged:
		c.res.Unchanged++
	case Skip:
		c.res.Skipped++
	}
}

func (c *checker) users(rows []Row) {
	c.res.Users = make([]UserRecord, 0, len(rows))
	seenAddr := make(map[string]int, len(rows))
	seenLogin := make(map[string]int, len(rows))
	seenAlias := map[string]int{}
	c.addrRows, c.storedAlias = map[string]int{}, map[string]string{}
	if i, ok := c.col[FAddress]; ok {
		for _, r := range rows {
			if i < len(r.Cells) && r.Cells[i] != "" {
				k := strings.ToLower(strings.TrimSpace(r.Cells[i]))
				if _, dup := c.addrRows[k]; !dup {
					c.addrRows[k] = r.Num
				}
			}
		}
	}
	for _, u := range c.known.Users {
		for _, a := range u.Aliases {
			c.storedAlias[strings.ToLower(a)] = u.Address
		}
	}
	for _, r := range rows {
		row, v := c.newRow(r)
		c.required(&row, v)
		u := people.User{Address: v[FAddress], FirstName: v[FFirstName], LastName: v[FLastName], DisplayName: v[FDisplayName],
			SourceLogin: v[FSourceLogin], JobTitle: v[FJobTitle], Department: v[FDepartment], OfficePhone: v[FOfficePhone],
			MobilePhone: v[FMobilePhone], OrgUnit: v[FOrgUnit], Migrate: true}
		key := strings.ToLower(u.Address)
		if old, ok := c.known.Users[key]; ok {
			c.keepAbsent(&u, old)
		}
		addrDup := false
		if c.address(&row, FAddress, u.Address, true) {
			if prev, dup := seenAddr[key]; dup {
				addrDup = true
				c.cellErr(&row, FAddress, u.Address, fmt.Sprintf("duplicate address, already on row %d", prev), "each address once in the file")
			} else {
				seenAddr[key] = r.Num
			}
			if _, ok := c.known.Groups[key]; ok {
				c.cellErr(&row, FAddress, u.Address, "address already belongs to a group of the project", "an address not used by a group or contact")
			} else if _, ok := c.known.Contacts[key]; ok {
				c.cellErr(&row, FAddress, u.Address, "address already belongs to a contact of the project", "an address not used by a group or contact")
			}
		}
		if u.SourceLogin != "" {
			if why := people.LoginFault(u.SourceLogin); why != "" {
				c.cellErr(&row, FSourceLogin, u.SourceLogin, "login "+why, people.ExpectedLogin)
			}
		}
		u.Complete() // an empty source login is the address; a display name is made from the names
		if u.SourceLogin != "" {
			lk := strings.ToLower(u.SourceLogin)
			// A defaulted login repeats a duplicate address: that is reported once, above.
			if prev, dup := seenLogin[lk]; dup && !(v[FSourceLogin] == "" && addrDup) {
				c.cellErr(&row, FSourceLogin, u.SourceLogin, fmt.Sprintf("duplicate source login, already on row %d", prev), "each source mailbox once in the file")
			} else if !dup {
				seenLogin[lk] = r.Num
			}
			if b, ok := c.known.BatchBySource[lk]; ok && u.Address != "" && !strings.EqualFold(b.Dest, u.Address) {
				c.cellErr(&row, FSourceLogin, u.SourceLogin, "source login already in the migration batch for "+b.Dest,
					"a source login no other mailbox uses (change that batch entry first)")
			}
		}
		c.yesNo(&row, FMigrate, v[FMigrate], &u.Migrate)
		c.aliases(&row, &u, v, seenAlias)
		c.yesNo(&row, FShared, v[FShared], &u.Shared)
		c.hosts(&row, v)
		rec := UserRecord{Row: r.Num, User: u, SourcePassword: secrets.New(v[FSourcePassword]), Password: secrets.New(v[FPassword])}
		rec.Action = c.userAction(rec, row.Problems)
		c.count(rec.Action)
		c.res.Users = append(c.res.Users, rec)
		c.finishRow(&row, u.Address, rec.Action)
	}
}

// yesNo reads a yes/no cell into dst; an empty cell leaves dst as it is.
func (c *checker) yesNo(row *RowResult, field, v string, dst *bool) {
	switch strings.ToLower(v) {
	case "":
	case "yes", "y", "true", "1", "x", "oui", "ja", "sí", "si":
		*dst = true
	case "no", "n", "false", "0", "non", "nein":
		*dst = false
	default:
		c.cellErr(row, field, v, "not yes or no", expYesNo)
	}
}

// keepAbsent keeps the stored values of the fields the sheet has no column for: an M365
// export, say, carries no source login and must not reset the one stored.
func (c *checker) keepAbsent(u *people.User, old people.User) {
	for _, f := range []struct {
		field string
		dst   *string
		src   string
	}{{FFirstName, &u.FirstName, old.FirstName}, {FLastName, &u.LastName, old.LastName}, {FDisplayName, &u.DisplayName, old.DisplayName},
		{FSourceLogin, &u.SourceLogin, old.SourceLogin}, {FJobTitle, &u.JobTitle, old.JobTitle}, {FDepartment, &u.Department, old.Department},
		{FOfficePhone, &u.OfficePhone, old.OfficePhone}, {FMobilePhone, &u.MobilePhone, old.MobilePhone}, {FOrgUnit, &u.OrgUnit, old.OrgUnit}} {
		if _, ok := c.col[f.field]; !ok {
			*f.dst = f.src
		}
	}
	if _, ok := c.col[FMigrate]; !ok {
		u.Migrate = old.Migrate
	}
	_, aliases := c.col[FAliases]
	_, proxies := c.col[FProxyAddresses]
	if !aliases && !proxies {
		u.Aliases = old.Aliases
	}
	if _, ok := c.col[FShared]; !ok {
		u.Shared = old.Shared
	}
}

// aliases reads a row's aliases (our "Aliases" column, or Microsoft 365's "Proxy
// addresses") into u: each a valid address in one of the project's domains, not the
// user's own address, and no other user's, group's or contact's address or alias.
func (c *checker) aliases(row *RowResult, u *people.User, v map[string]string, seen map[string]int) {
	field, list := FAliases, SplitMembers(v[FAliases])
	if _, ok := c.col[FAliases]; !ok {
		if _, ok := c.col[FProxyAddresses]; !ok {
			return
		}
		field, list = FProxyAddresses, ProxyAliases(v[FProxyAddresses])
	}
	if v[field] == "" {
		u.Aliases = nil
		return
	}
	var out []string
	mine := map[string]bool{}
	for _, a := range list {
		k := strings.ToLower(a)
		switch {
		case !people.ValidAddress(a):
			c.cellErr(row, field, a, "invalid alias address", expAddress)
			continue
		case len(c.domain) > 0 && !c.domain[strings.ToLower(people.Domain(a))]:
			c.cellErr(row, field, a, "alias outside the project's domains", "an address in "+strings.Join(c.known.Domains, ", "))
			continue
		case people.SameAddress(a, u.Address):
			c.cellWarn(row, field, a, "the user's own address listed as an alias", "other addresses of this mailbox only")
			continue
		case mine[k]:
			c.cellWarn(row, field, a, "alias listed twice", "each alias once")
			continue
		}
		if prev, dup := seen[k]; dup {
			c.cellErr(row, field, a, fmt.Sprintf("alias already on row %d", prev), "an address used once in the file")
			continue
		}
		if n, ok := c.addrRows[k]; ok {
			c.cellErr(row, field, a, fmt.Sprintf("alias is the address of the user on row %d", n), "an address no other mailbox uses")
			continue
		}
		if owner, ok := c.storedAlias[k]; ok && !people.SameAddress(owner, u.Address) && c.addrRows[strings.ToLower(owner)] == 0 {
			c.cellErr(row, field, a, "alias already belongs to "+owner, "an address no other mailbox uses (change that user's aliases first)")
			continue
		}
		if other, ok := c.known.Users[k]; ok && !people.SameAddress(other.Address, u.Address) {
			c.cellErr(row, field, a, "alias is the address of another user of the project", "an address no other mailbox uses")
			continue
		}
		if _, ok := c.known.Groups[k]; ok {
			c.cellErr(row, field, a, "alias is the address of a group of the project", "an address not used by a group or contact")
			continue
		}
		if _, ok := c.known.Contacts[k]; ok {
			c.cellErr(row, field, a, "alias is the address of a contact of the project", "an address not used by a group or contact")
			continue
		}
		mine[k] = true
		seen[k] = row.Row
		out = append(out, a)
	}
	u.Aliases = out
}

// ProxyAliases reads Microsoft 365's proxy addresses ("SMTP:alice@acme.example+smtp:
// a.martin@acme.example", also separated by ; or ,): the secondary smtp: addresses; the
// primary (SMTP: in capitals) and other types (X500:, SIP:, SPO:) are left out.
func ProxyAliases(s string) []string {
	// '+' separates entries only before a type ("smtp:", "X500:"): it may be in a local part.
	var entries []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' }) {
		for i, p := range strings.Split(f, "+") {
			if i > 0 && !hasProxyType(p) && len(entries) > 0 {
				entries[len(entries)-1] += "+" + p
				continue
			}
			entries = append(entries, p)
		}
	}
	var out []string
	for _, p := range entries {
		if p = strings.TrimSpace(p); strings.HasPrefix(p, "smtp:") {
			out = append(out, p[5:])
		}
	}
	return out
}

func hasProxyType(p string) bool {
	i := strings.IndexByte(p, ':')
	if i <= 0 || strings.ContainsAny(p[:i], "@. ") {
		return false
	}
	return true
}

func (c *checker) hosts(row *RowResult, v map[string]string) {
	for _, h := range []struct{ field, want, what string }{{FSourceHost, c.known.SourceHost, "source"}, {FDestHost, c.known.DestHost, "destination"}} {
		got := v[h.field]
		if got != "" && h.want != "" && !strings.EqualFold(got, h.want) {
			c.cellWarn(row, h.field, got, "host differs from the project's "+h.what+" server", h.want+" (the project's "+h.what+" server is used)")
		}
	}
}

func (c *checker) userAction(rec UserRecord, ps []Problem) Action {
	if hasError(ps) {
		return Skip
	}
	key := strings.ToLower(rec.User.Address)
	old, ok := c.known.Users[key]
	if !ok {
		return Add
	}
	if !rec.User.SameAs(old) {
		return Update
	}
	// A mailbox not migrated needs no batch entry: a stored user without one is as the sheet says.
	b, ok := c.known.BatchByDest[key]
	if !ok && rec.User.Migrate || ok && (!strings.EqualFold(b.Source, rec.User.SourceLogin) || b.Enabled != rec.User.Migrate) {
		return Update
	}
	same := c.known.SamePassword
	for _, p := range []struct {
		field string
		s     secrets.Secret
	}{{FSourcePassword, rec.SourcePassword}, {FPassword, rec.Password}} {
		if !p.s.IsZero() && (same == nil || !same(rec.User.Address, p.field, p.s)) {
			return Update
		}
	}
	return Unchanged
}

func (c *checker) contacts(rows []Row) {
	c.res.Contacts = make([]ContactRecord, 0, len(rows))
	seen := make(map[string]int, len(rows))
	for _, r := range rows {
		row, v := c.newRow(r)
		c.required(&row, v)
		ct := people.Contact{Address: v[FAddress], DisplayName: v[FDisplayName], FirstName: v[FFirstName], LastName: v[FLastName], Company: v[FCompany], Phone: v[FPhone]}
		key := strings.ToLower(ct.Address)
		if c.address(&row, FAddress, ct.Address, false) {
			if len(c.domain) > 0 && c.domain[strings.ToLower(people.Domain(ct.Address))] {
				c.cellWarn(&row, FAddress, ct.Address, "a contact in the project's own domain", "an external address (people of the organisation are users)")
			}
			if prev, dup := seen[key]; dup {
				c.cellErr(&row, FAddress, ct.Address, fmt.Sprintf("duplicate address, already on row %d", prev), "each address once in the file")
			} else {
				seen[key] = r.Num
			}
			if _, ok := c.known.Users[key]; ok {
				c.cellErr(&row, FAddress, ct.Address, "address already belongs to a user of the project", "an address not used by a user or group")
			} else if _, ok := c.known.Groups[key]; ok {
				c.cellErr(&row, FAddress, ct.Address, "address already belongs to a group of the project", "an address not used by a user or group")
			}
		}
		action := Skip
		if !hasError(row.Problems) {
			old, ok := c.known.Contacts[key]
			switch {
			case !ok:
				action = Add
			case old != ct:
				action = Update
			default:
				action = Unchanged
			}
		}
		c.count(action)
		c.res.Contacts = append(c.res.Contacts, ContactRecord{Row: r.Num, Contact: ct, Action: action})
		c.finishRow(&row, ct.Address, action)
	}
}

// SplitMembers splits a members cell on ';', ',' and line breaks.
func SplitMembers(s string) []string {
	var out []string
	for _, m := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' }) {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return out
}

func (c *checker) groups(rows []Row) {
	type pending struct {
		rec    GroupRecord
		rows   []int // indexes into c.res.Rows
		member map[string]bool
	}
	var order []*pending
	byAddr := map[string]*pending{}
	type memberRef struct {
		row    int // index into c.res.Rows
		member string
	}
	var refs []memberRef
	for _, r := range rows {
		row, v := c.newRow(r)
		c.required(&row, v)
		addr, name := v[FAddress], v[FName]
		key := strings.ToLower(addr)
		ok := c.address(&row, FAddress, addr, true)
		var g *pending
		if ok {
			if _, taken := c.known.Users[key]; taken {
				c.cellErr(&row, FAddress, addr, "address already belongs to a user of the project", "an address not used by a user or contact")
			} else if _, taken := c.known.Contacts[key]; taken {
				c.cellErr(&row, FAddress, addr, "address already belongs to a contact of the project", "an address not used by a user or contact")
			}
			g = byAddr[key]
			if g == nil {
				g = &pending{rec: GroupRecord{Group: people.Group{Address: addr, Name: name, Description: v[FDescription], Members: []string{}}}, member: map[string]bool{}}
				byAddr[key] = g
				order = append(order, g)
			} else {
				if name != "" && g.rec.Group.Name != "" && name != g.rec.Group.Name {
					c.cellErr(&row, FName, name, fmt.Sprintf("the group %s is named %q on row %d", addr, g.rec.Group.Name, g.rec.Rows[0]), "the same name on every row of a group")
				}
				if g.rec.Group.Description == "" {
					g.rec.Group.Description = v[FDescription]
				}
			}
			g.rec.Rows = append(g.rec.Rows, r.Num)
		}
		idx := len(c.res.Rows)
		for _, mbr := range SplitMembers(v[FMembers]) {
			if !people.ValidAddress(mbr) {
				c.cellErr(&row, FMembers, mbr, "invalid member address", expAddress)
				continue
			}
			if g == nil {
				continue
			}
			mk := strings.ToLower(mbr)
			if mk == key {
				c.cellErr(&row, FMembers, mbr, "a group cannot be a member of itself", "the address of a user, another group or a contact")
				continue
			}
			if g.member[mk] {
				c.cellWarn(&row, FMembers, mbr, "member listed twice in the group", "each member once")
				continue
			}
			g.member[mk] = true
			g.rec.Group.Members = append(g.rec.Group.Members, mbr)
			refs = append(refs, memberRef{row: idx, member: mbr})
		}
		if g != nil {
			g.rows = append(g.rows, idx)
		}
		c.finishRow(&row, addr, Skip)
	}
	// Members may name groups further down the file: check them once all are read.
	for _, ref := range refs {
		mk := strings.ToLower(ref.member)
		_, u := c.known.Users[mk]
		_, g := c.known.Groups[mk]
		_, ct := c.known.Contacts[mk]
		_, fg := byAddr[mk]
		if !u && !g && !ct && !fg {
			row := &c.res.Rows[ref.row]
			c.cellErr(row, FMembers, ref.member, "member is neither a user, a group nor a contact of the project", "the address of a user, group or contact (import users and contacts first)")
		}
	}
	for _, g := range order {
		bad := false
		for _, i := range g.rows {
			bad = bad || hasError(c.res.Rows[i].Problems)
		}
		g.rec.Action = Skip
		if !bad {
			old, ok := c.known.Groups[strings.ToLower(g.rec.Group.Address)]
			switch {
			case !ok:
				g.rec.Action = Add
			case !old.SameAs(g.rec.Group):
				g.rec.Action = Update
			default:
				g.rec.Action = Unchanged
			}
		}
		for _, i := range g.rows {
			c.res.Rows[i].Action = g.rec.Action
		}
		c.count(g.rec.Action)
		c.res.Groups = append(c.res.Groups, g.rec)
	}
	// Rows that belong to no group (no usable address) are skipped too.
	for _, r := range c.res.Rows {
		if _, ok := byAddr[strings.ToLower(r.Key)]; !ok {
			c.res.Skipped++
		}
	}
}
