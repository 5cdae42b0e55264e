package sheets

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

func parseCSV(t *testing.T, k Kind, name, text string, known Known) *Result {
	t.Helper()
	tab, err := Read(name, []byte(text), "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(k, tab, known)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func problems(res *Result) string {
	var b strings.Builder
	for _, p := range res.Problems {
		b.WriteString(p.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

func acme() Known {
	return Known{Domains: []string{"acme.example", "acme-group.example"}, SourceHost: "mail.old.example", DestHost: "outlook.office365.com"}
}

func TestLayoutsRecognised(t *testing.T) {
	for _, tc := range []struct {
		name, text, layout string
		want               UserRecord
	}{
		{"template.csv", "Email address *,First name,Last name,Source login,Source password,Migrate mailbox\nalice@acme.example,Alice,Martin,alice.m,pw1,no\n",
			LayoutCutover, UserRecord{User: people.User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice Martin", SourceLogin: "alice.m"}, SourcePassword: secrets.New("pw1")}},
		{"m365.csv", "User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,Mobile Phone,Fax,Alternate email address,Address,City,State or Province,ZIP or Postal Code,Country or Region\n" +
			"alice@acme.example,Alice,Martin,Alice M.,CFO,Finance,12,0123,0678,,,1 Main St,Lyon,,69001,France\n",
			LayoutM365BulkAdd, UserRecord{User: people.User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice M.", SourceLogin: "alice@acme.example", JobTitle: "CFO", Department: "Finance", OfficePhone: "0123", MobilePhone: "0678", Migrate: true}}},
		{"export.csv", "Block credential,City,Country/Region,Department,DirSyncEnabled,Display name,Fax,First name,Last dirsync time,Last name,Last password change time stamp,License assignment detail,Licenses,Mobile Phone,Oath token metadata,Object Id,Office,Password never expires,Phone number,Postal code,Preferred data location,Preferred language,Proxy addresses,Release track,Soft deletion time stamp,State,Street address,Strong password required,Title,Usage location,User principal name,When created\n" +
			"False,Lyon,France,Finance,,Alice Martin,,Alice,,Martin,1/2/2026,,contoso:O365_BUSINESS_PREMIUM,0678,,1b2c,,False,0123,,,,SMTP:alice@acme.example+smtp:a.martin@acme.example+smtp:first+tag@acme.example+X500:/o=ExchangeLabs/cn=alice,,,,,True,CFO,FR,alice@acme.example,1/1/2025\n",
			LayoutM365ActiveUsers, UserRecord{User: people.User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice Martin", SourceLogin: "alice@acme.example", JobTitle: "CFO", Department: "Finance", OfficePhone: "0123", MobilePhone: "0678", Migrate: true,
				Aliases: []string{"a.martin@acme.example", "first+tag@acme.example"}}}},
		{"google.csv", "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Password Hash Function [UPLOAD ONLY],Org Unit Path [Required],Work Phone\n" +
			"Alice,Martin,alice@acme.example,Welcome-2027,,/Finance,0123\n",
			LayoutGoogle, UserRecord{User: people.User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice Martin", SourceLogin: "alice@acme.example", OrgUnit: "/Finance", OfficePhone: "0123", Migrate: true}, Password: secrets.New("Welcome-2027")}},
		{"google-short.csv", "Email Address [Required],First Name [Required],Last Name [Required],Password [Required]\nalice@acme.example,Alice,Martin,Welcome-2027\n",
			LayoutGoogle, UserRecord{User: people.User{Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice Martin", SourceLogin: "alice@acme.example", Migrate: true}, Password: secrets.New("Welcome-2027")}},
		{"batch.csv", "EmailAddress,UserName,Password\nalice@acme.example,alice@old.example,oldpw\n",
			LayoutExchangeBatch, UserRecord{User: people.User{Address: "alice@acme.example", DisplayName: "alice", SourceLogin: "alice@old.example", Migrate: true}, SourcePassword: secrets.New("oldpw")}},
		{"imapsync.txt", "mail.old.example;alice;oldpw;outlook.office365.com;alice@acme.example;newpw;\n",
			LayoutImapsync, UserRecord{User: people.User{Address: "alice@acme.example", DisplayName: "alice", SourceLogin: "alice", Migrate: true}, SourcePassword: secrets.New("oldpw"), Password: secrets.New("newpw")}},
		{"imapsync-header.csv", "host1;user1;password1;host2;user2;password2\nmail.old.example;alice;oldpw;outlook.office365.com;alice@acme.example;newpw\n",
			LayoutImapsync, UserRecord{User: people.User{Address: "alice@acme.example", DisplayName: "alice", SourceLogin: "alice", Migrate: true}, SourcePassword: secrets.New("oldpw"), Password: secrets.New("newpw")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := parseCSV(t, Users, tc.name, tc.text, acme())
			if res.Layout != tc.layout || len(res.Users) != 1 || res.Errors != 0 || res.Warnings != 0 {
				t.Fatalf("layout %q, %d users, problems:\n%s", res.Layout, len(res.Users), problems(res))
			}
			got := res.Users[0]
			want := tc.want
			if tc.layout == LayoutCutover {
				want.User.Migrate = false
			}
			if !reflect.DeepEqual(got.User, want.User) || got.SourcePassword.Reveal() != want.SourcePassword.Reveal() || got.Password.Reveal() != want.Password.Reveal() {
				t.Fatalf("user %+v (pw %q/%q)\nwant %+v", got.User, got.SourcePassword.Reveal(), got.Password.Reveal(), want.User)
			}
			if got.Action != Add || res.Added != 1 {
				t.Fatalf("action %s added %d", got.Action, res.Added)
			}
			// Passwords never show in what a preview returns.
			for _, r := range res.Rows {
				for f, v := range r.Values {
					if IsSecret(f) && v != "" && v != "••••••" {
						t.Fatalf("password shown in %s: %q", f, v)
					}
				}
			}
		})
	}
}

func TestUnrecognisedHeaderNamesTheLayouts(t *testing.T) {
	tab, _ := Read("people.csv", []byte("Who,Where\nalice,Lyon\n"), "", DefaultLimits)
	_, err := Parse(Users, tab, acme())
	want := `people.csv: no header row of users found in the first 30 rows; expected a header row of one of: Cutover users template ("Email address"); ` +
		`Microsoft 365 admin center bulk-add CSV ("User Name", "Display Name"); Microsoft 365 active users export ("User principal name"); ` +
		`Exchange Online IMAP migration batch CSV ("EmailAddress", "UserName", "Password"); Google Workspace bulk-upload CSV ("Email Address [Required]", "Org Unit Path [Required]"); ` +
		`imapsync batch file ("host1", "user1", "password1", "host2", "user2", "password2")`
	var fe *FileError
	if !errors.As(err, &fe) || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestUserRowProblemsAreExact(t *testing.T) {
	known := acme()
	known.Groups = map[string]people.Group{"sales@acme.example": {Address: "sales@acme.example"}}
	known.Contacts = map[string]people.Contact{"jane@partner.example": {Address: "jane@partner.example"}}
	known.BatchBySource = map[string]BatchLink{"frank": {Source: "frank", Dest: "frank@acme.example", Enabled: true}}
	text := "Staff list\n" +
		"E-Mail Address,FIRST NAME,source_login,Migrate Mailbox,Shoe size\n" +
		"alice@acme.example,Alice,alice,yes,38\n" +
		",Nobody,,,\n" +
		"bob@@acme.example,Bob,,,\n" +
		"carol@elsewhere.example,Carol,,,\n" +
		"ALICE@acme.example,Alice again,alice2,,\n" +
		"dave@acme.example,Dave,alice,maybe,\n" +
		"sales@acme.example,Sales,,,\n" +
		"jane@partner.example,Jane,,,\n" +
		"erin@acme.example,Erin,frank,,\n" +
		"gus@acme.example,Gus,gus smith,no,\n"
	res := parseCSV(t, Users, "staff.csv", text, known)
	want := `staff.csv, row 2, column E (Shoe size): warning: unknown column, ignored: "Shoe size"; expected a column of the Cutover users template
staff.csv, row 4, column A (E-Mail Address): missing required value; expected an email address such as alice@example.com
staff.csv, row 5, column A (E-Mail Address): invalid address: "bob@@acme.example"; expected an email address such as alice@example.com
staff.csv, row 6, column A (E-Mail Address): warning: address outside the project's domains: "carol@elsewhere.example"; expected an address in acme.example, acme-group.example
staff.csv, row 7, column A (E-Mail Address): duplicate address, already on row 3: "ALICE@acme.example"; expected each address once in the file
staff.csv, row 8, column C (source_login): duplicate source login, already on row 3: "alice"; expected each source mailbox once in the file
staff.csv, row 8, column D (Migrate Mailbox): not yes or no: "maybe"; expected yes or no
staff.csv, row 9, column A (E-Mail Address): address already belongs to a group of the project: "sales@acme.example"; expected an address not used by a group or contact
staff.csv, row 10, column A (E-Mail Address): warning: address outside the project's domains: "jane@partner.example"; expected an address in acme.example, acme-group.example
staff.csv, row 10, column A (E-Mail Address): address already belongs to a contact of the project: "jane@partner.example"; expected an address not used by a group or contact
staff.csv, row 11, column C (source_login): source login already in the migration batch for frank@acme.example: "frank"; expected a source login no other mailbox uses (change that batch entry first)
staff.csv, row 12, column C (source_login): login contains a space (U+0020) at character 4: "gus smith"; expected a login without spaces, control or invisible characters, such as alice@old.example or alice
`
	if got := problems(res); got != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
	if res.HeaderRow != 2 || res.Errors != 9 || res.Warnings != 3 || res.Added != 2 || res.Skipped != 8 || len(res.Rows) != 10 {
		t.Fatalf("header %d errors %d warnings %d added %d skipped %d rows %d", res.HeaderRow, res.Errors, res.Warnings, res.Added, res.Skipped, len(res.Rows))
	}
	if errs := res.ErrorList(); len(errs) != 9 || !strings.HasPrefix(errs.Error(), "9 errors, nothing imported; first: staff.csv, row 4, column A") {
		t.Fatalf("error list: %v", errs)
	}
}

func TestReimportActions(t *testing.T) {
	known := acme()
	known.Users = map[string]people.User{
		"alice@acme.example": {Address: "alice@acme.example", FirstName: "Alice", DisplayName: "Alice", SourceLogin: "alice", Migrate: true},
		"bob@acme.example":   {Address: "bob@acme.example", FirstName: "Bob", DisplayName: "Bob", SourceLogin: "bob", Migrate: true},
		"carol@acme.example": {Address: "carol@acme.example", FirstName: "Carol", DisplayName: "Carol", SourceLogin: "carol", Migrate: true},
	}
	known.BatchByDest = map[string]BatchLink{
		"alice@acme.example": {Source: "alice", Dest: "alice@acme.example", Enabled: true},
		"bob@acme.example":   {Source: "bob", Dest: "bob@acme.example", Enabled: true},
		"carol@acme.example": {Source: "carol", Dest: "carol@acme.example", Enabled: true},
	}
	known.SamePassword = func(address, field string, s secrets.Secret) bool {
		return address == "carol@acme.example" && field == FSourcePassword && s.Reveal() == "same"
	}
	text := "Email address,First name,Source login,Source password\n" +
		"alice@acme.example,Alice,alice,\n" + // unchanged
		"bob@acme.example,Robert,bob,\n" + // name changed
		"carol@acme.example,Carol,carol,same\n" + // same password
		"dave@acme.example,Dave,dave,\n" // new
	res := parseCSV(t, Users, "u.csv", text, known)
	var actions []string
	for _, u := range res.Users {
		actions = append(actions, string(u.Action))
	}
	if strings.Join(actions, ",") != "unchanged,update,unchanged,add" || res.Added != 1 || res.Updated != 1 || res.Unchanged != 2 {
		t.Fatalf("actions %v, counts %d/%d/%d", actions, res.Added, res.Updated, res.Unchanged)
	}
	res = parseCSV(t, Users, "u.csv", strings.Replace(text, "same", "changed", 1), known)
	if res.Users[2].Action != Update {
		t.Fatalf("a new password is an update, got %s", res.Users[2].Action)
	}
}

func TestGroupsMembersAndProblems(t *testing.T) {
	known := acme()
	known.Users = map[string]people.User{"alice@acme.example": {}, "bob@acme.example": {}}
	known.Contacts = map[string]people.Contact{"jane@partner.example": {}}
	known.Groups = map[string]people.Group{"all@acme.example": {Address: "all@acme.example", Name: "All", Members: []string{"alice@acme.example"}}}
	text := "Group name,Group address,Members,Description\n" +
		"Sales,sales@acme.example,alice@acme.example; bob@acme.example,Sales team\n" +
		"Sales,sales@acme.example,jane@partner.example,\n" + // one more member on its own row
		"Sales,sales@acme.example,leads@acme.example,\n" + // a group defined further down
		"Leads,leads@acme.example,\"alice@acme.example,ghost@acme.example\",\n" +
		"Loop,loop@acme.example,loop@acme.example,\n" +
		"All,all@acme.example,alice@acme.example,\n" + // unchanged
		"Bad,alice@acme.example,bob@acme.example,\n" +
		"Support team,sales@acme.example,alice@acme.example,\n" +
		",x@other.example,not-an-address,\n"
	res := parseCSV(t, Groups, "groups.csv", text, known)
	want := `groups.csv, row 5, column C (Members): member is neither a user, a group nor a contact of the project: "ghost@acme.example"; expected the address of a user, group or contact (import users and contacts first)
groups.csv, row 6, column C (Members): a group cannot be a member of itself: "loop@acme.example"; expected the address of a user, another group or a contact
groups.csv, row 8, column B (Group address): address already belongs to a user of the project: "alice@acme.example"; expected an address not used by a user or contact
groups.csv, row 9, column A (Group name): the group sales@acme.example is named "Sales" on row 2: "Support team"; expected the same name on every row of a group
groups.csv, row 9, column C (Members): warning: member listed twice in the group: "alice@acme.example"; expected each member once
groups.csv, row 10, column A (Group name): missing required value; expected a value: this column is required
groups.csv, row 10, column B (Group address): warning: address outside the project's domains: "x@other.example"; expected an address in acme.example, acme-group.example
groups.csv, row 10, column C (Members): invalid member address: "not-an-address"; expected an email address such as alice@example.com
`
	// The member check runs after every row is read; its problem is still listed in row order.
	if got := problems(res); got != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
	byAddr := map[string]GroupRecord{}
	for _, g := range res.Groups {
		byAddr[g.Group.Address] = g
	}
	sales := byAddr["sales@acme.example"]
	if strings.Join(sales.Group.Members, ",") != "alice@acme.example,bob@acme.example,jane@partner.example,leads@acme.example" || sales.Action != Skip || len(sales.Rows) != 4 {
		t.Fatalf("sales: %+v", sales)
	}
	if byAddr["all@acme.example"].Action != Unchanged || byAddr["leads@acme.example"].Action != Skip || byAddr["loop@acme.example"].Action != Skip {
		t.Fatalf("actions: %+v", res.Groups)
	}
	if res.Added != 0 || res.Unchanged != 1 || res.Skipped != 5 || res.Errors != 6 || res.Warnings != 2 {
		t.Fatalf("counts added %d unchanged %d skipped %d errors %d warnings %d", res.Added, res.Unchanged, res.Skipped, res.Errors, res.Warnings)
	}
}

func TestContactsProblems(t *testing.T) {
	known := acme()
	known.Users = map[string]people.User{"alice@acme.example": {}}
	known.Contacts = map[string]people.Contact{"old@partner.example": {Address: "old@partner.example", DisplayName: "Old", Company: "P"}}
	text := "Display name,External address,Company,Phone\n" +
		"Jane,jane@partner.example,Partner,020 7946 0000\n" +
		"Jane twice,JANE@partner.example,,\n" +
		"Alice,alice@acme.example,,\n" +
		"Old,old@partner.example,P,\n" +
		",nobody@partner.example,,\n"
	res := parseCSV(t, Contacts, "contacts.csv", text, known)
	want := `contacts.csv, row 3, column B (External address): duplicate address, already on row 2: "JANE@partner.example"; expected each address once in the file
contacts.csv, row 4, column B (External address): warning: a contact in the project's own domain: "alice@acme.example"; expected an external address (people of the organisation are users)
contacts.csv, row 4, column B (External address): address already belongs to a user of the project: "alice@acme.example"; expected an address not used by a user or group
contacts.csv, row 6, column A (Display name): missing required value; expected a value: this column is required
`
	if got := problems(res); got != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
	if res.Added != 1 || res.Unchanged != 1 || res.Skipped != 3 || res.Contacts[0].Contact.Phone != "020 7946 0000" {
		t.Fatalf("added %d unchanged %d skipped %d %+v", res.Added, res.Unchanged, res.Skipped, res.Contacts[0])
	}
}

func TestImapsyncHostsDifferingFromTheProjectWarn(t *testing.T) {
	res := parseCSV(t, Users, "sync.txt", "imap.other.example;alice;pw;outlook.office365.com;alice@acme.example;pw2\n", acme())
	want := `sync.txt, row 1, column A (host1): warning: host differs from the project's source server: "imap.other.example"; expected mail.old.example (the project's source server is used)` + "\n"
	if got := problems(res); got != want {
		t.Fatalf("got %s", got)
	}
}

func TestColumnsAbsentFromALayoutKeepStoredValues(t *testing.T) {
	known := acme()
	known.Users = map[string]people.User{"alice@acme.example": {Address: "alice@acme.example", FirstName: "Alice", LastName: "Martin", DisplayName: "Alice Martin",
		SourceLogin: "alice.old", OrgUnit: "/Finance", Migrate: false}}
	known.BatchByDest = map[string]BatchLink{"alice@acme.example": {Source: "alice.old", Dest: "alice@acme.example", Enabled: false}}
	// An M365 bulk-add file has no source login, org unit or migrate column.
	res := parseCSV(t, Users, "m365.csv", "User Name,First Name,Last Name,Display Name,Job Title\nalice@acme.example,Alice,Martin,Alice Martin,CFO\n", known)
	u := res.Users[0]
	if u.Action != Update || u.User.SourceLogin != "alice.old" || u.User.OrgUnit != "/Finance" || u.User.Migrate || u.User.JobTitle != "CFO" {
		t.Fatalf("%s %+v", u.Action, u.User)
	}
}

func TestHomeMadeHeadersAreReadThroughAliases(t *testing.T) {
	res := parseCSV(t, Users, "u.csv", "Name;E-Mail;Old login;Mobile\nAlice Martin;alice@acme.example;amartin;0611\n", acme())
	if res.Layout != LayoutCutover || res.Errors != 0 || res.Warnings != 0 || res.Users[0].User.SourceLogin != "amartin" || res.Users[0].User.DisplayName != "Alice Martin" || res.Users[0].User.MobilePhone != "0611" {
		t.Fatalf("users: %+v %s", res.Users, problems(res))
	}
	res = parseCSV(t, Groups, "g.csv", "Display Name,Email,Member\nSales,sales@acme.example,\n", acme())
	if res.Layout != LayoutCutover || res.Errors != 0 || res.Groups[0].Group.Name != "Sales" {
		t.Fatalf("groups: %+v %s", res.Groups, problems(res))
	}
	res = parseCSV(t, Contacts, "c.csv", "Name,ExternalEmailAddress,Organization\nJane,jane@partner.example,Partner\n", acme())
	if res.Layout != LayoutCutover || res.Errors != 0 || res.Contacts[0].Contact.Company != "Partner" {
		t.Fatalf("contacts: %+v %s", res.Contacts, problems(res))
	}
}

func TestAliasesAndSharedMailboxColumns(t *testing.T) {
	known := acme()
	known.Users = map[string]people.User{
		"bob@acme.example":  {Address: "bob@acme.example", DisplayName: "bob", SourceLogin: "bob@acme.example", Migrate: true, Aliases: []string{"robert@acme.example", "b@acme.example"}},
		"info@acme.example": {Address: "info@acme.example", DisplayName: "info", SourceLogin: "info@acme.example", Migrate: true, Shared: true},
		"carl@acme.example": {Address: "carl@acme.example", Aliases: []string{"carlos@acme.example"}},
	}
	known.BatchByDest = map[string]BatchLink{
		"bob@acme.example":  {Source: "bob@acme.example", Dest: "bob@acme.example", Enabled: true},
		"info@acme.example": {Source: "info@acme.example", Dest: "info@acme.example", Enabled: true},
	}
	known.Groups = map[string]people.Group{"sales@acme.example": {Address: "sales@acme.example"}}
	text := "Email address,Aliases,Shared mailbox\n" +
		"alice@acme.example,a.martin@acme.example; contact@acme-group.example,no\n" +
		"bob@acme.example,\"B@acme.example, ROBERT@acme.example\",\n" + // the same set: unchanged
		"info@acme.example,,yes\n" + // unchanged
		"carol@acme.example,c@elsewhere.example;c@@acme.example,maybe\n" +
		"dave@acme.example,a.martin@acme.example;sales@acme.example;dave@acme.example\n" +
		"frank@acme.example,carlos@acme.example;gina@acme.example,\n" + // carl's alias; a user further down
		"gina@acme.example,,\n"
	res := parseCSV(t, Users, "u.csv", text, known)
	want := `u.csv, row 5, column B (Aliases): alias outside the project's domains: "c@elsewhere.example"; expected an address in acme.example, acme-group.example
u.csv, row 5, column B (Aliases): invalid alias address: "c@@acme.example"; expected an email address such as alice@example.com
u.csv, row 5, column C (Shared mailbox): not yes or no: "maybe"; expected yes or no
u.csv, row 6, column B (Aliases): alias already on row 2: "a.martin@acme.example"; expected an address used once in the file
u.csv, row 6, column B (Aliases): alias is the address of a group of the project: "sales@acme.example"; expected an address not used by a group or contact
u.csv, row 6, column B (Aliases): warning: the user's own address listed as an alias: "dave@acme.example"; expected other addresses of this mailbox only
u.csv, row 7, column B (Aliases): alias already belongs to carl@acme.example: "carlos@acme.example"; expected an address no other mailbox uses (change that user's aliases first)
u.csv, row 7, column B (Aliases): alias is the address of the user on row 8: "gina@acme.example"; expected an address no other mailbox uses
`
	if got := problems(res); got != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
	var actions []string
	for _, u := range res.Users {
		actions = append(actions, string(u.Action))
	}
	if strings.Join(actions, ",") != "add,unchanged,unchanged,skip,skip,skip,add" {
		t.Fatalf("actions %v", actions)
	}
	if a := res.Users[0].User; !reflect.DeepEqual(a.Aliases, []string{"a.martin@acme.example", "contact@acme-group.example"}) || a.Shared {
		t.Fatalf("alice %+v", a)
	}
	// A sheet without the columns keeps what is stored; changing them is an update.
	res = parseCSV(t, Users, "u.csv", "Email address\nbob@acme.example\ninfo@acme.example\n", known)
	if res.Unchanged != 2 || !res.Users[1].User.Shared || len(res.Users[0].User.Aliases) != 2 {
		t.Fatalf("absent columns: %+v", res.Users)
	}
	res = parseCSV(t, Users, "u.csv", "Email address,Aliases,Shared mailbox\nbob@acme.example,robert@acme.example,no\ninfo@acme.example,,no\n", known)
	if res.Updated != 2 {
		t.Fatalf("one alias fewer and no longer shared are updates: %s", problems(res))
	}
}

func TestProxyAddressesKeepTheSecondarySMTPAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"SMTP:alice@acme.example+smtp:a.martin@acme.example":                            "a.martin@acme.example",
		"smtp:first+tag@acme.example+SIP:alice@acme.example+smtp:x@acme.example":        "first+tag@acme.example x@acme.example",
		"SMTP:alice@acme.example; smtp:al@acme.example, X500:/o=Exchange/cn=Recipients": "al@acme.example",
		"": "",
	} {
		if got := strings.Join(ProxyAliases(in), " "); got != want {
			t.Errorf("ProxyAliases(%q) = %q, want %q", in, got, want)
		}
	}
}
