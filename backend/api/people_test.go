package api

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"cutover/backend/project"
	"cutover/backend/sheets"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func newPeopleAPI(t testing.TB) (*API, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "c.db")
	a, err := Open(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(a) })
	str := func(s string) *string { return &s }
	domains := []string{"acme.example"}
	if _, err := a.CreateProject(project.Input{Name: str("acme"), Domains: &domains, Provider: str("m365"),
		Source: str("imaps://mail.old.example"), Dest: str("imaps://outlook.office365.com"), Cutover: str("2099-05-14 18:00"), Zone: str("UTC")}); err != nil {
		t.Fatal(err)
	}
	return a, db
}

// xlsxOf builds a one-sheet workbook from rows of text.
func xlsxOf(t testing.TB, sheet string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustImport(t *testing.T, a *API, kind, name string, data []byte, opts ImportOptions) ImportReport {
	t.Helper()
	rep, err := a.PeopleImport("acme", kind, name, data, opts)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

func TestImportUsersFillsBatchAndSealsPasswords(t *testing.T) {
	a, db := newPeopleAPI(t)
	rows := [][]string{
		{"Email address *", "First name", "Last name", "Source login", "Source password", "New password", "Office phone", "Migrate mailbox"},
		{"alice@acme.example", "Alice", "Martin", "alice", "Old-Secret-1", "New-Secret-1", "0612345678", "yes"},
		{"bob@acme.example", "Bob", "Stone", "", "Old-Secret-2", "", "", "no"},
		{"carol@acme.example", "Carol", "", "carol.old", "", "", "", ""},
	}
	data := xlsxOf(t, "Users", rows)
	rep := mustImport(t, a, "users", "staff.xlsx", data, ImportOptions{})
	if !rep.Imported || rep.Added != 3 || rep.Updated != 0 || rep.Unchanged != 0 || rep.Layout != sheets.LayoutCutover || rep.Sheet != "Users" {
		t.Fatalf("report: %+v", rep.Result)
	}
	users, _ := a.Users("acme")
	if len(users) != 3 || users[0].OfficePhone != "0612345678" || !users[0].HasSourcePassword || !users[0].HasPassword || users[1].Migrate || users[1].HasPassword {
		t.Fatalf("users: %+v", users)
	}
	entries, _ := a.Batch("acme")
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%s>%s:%v:%v/%v", e.SourceLogin, e.DestLogin, e.Enabled, e.HasSourcePassword, e.HasDestPassword))
	}
	if strings.Join(got, " ") != "alice>alice@acme.example:true:true/true bob@acme.example>bob@acme.example:false:true/false carol.old>carol@acme.example:true:false/false" {
		t.Fatalf("batch: %v", got)
	}
	src, dst, err := a.batchPasswords(entries[0])
	if err != nil || src.Reveal() != "Old-Secret-1" || dst.Reveal() != "New-Secret-1" {
		t.Fatalf("sealed passwords: %v", err)
	}
	for _, f := range []string{db, db + "-wal"} {
		raw, _ := os.ReadFile(f)
		if bytes.Contains(raw, []byte("Old-Secret")) || bytes.Contains(raw, []byte("New-Secret")) {
			t.Fatalf("a password is in %s in plain text", f)
		}
	}

	// The same file again changes nothing, and says so.
	rep = mustImport(t, a, "users", "staff.xlsx", data, ImportOptions{})
	if rep.Added != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
		t.Fatalf("re-import: %d added %d updated %d unchanged", rep.Added, rep.Updated, rep.Unchanged)
	}
	// A new password and a new source login are updates; the batch entry moves with the login.
	rows[1][4] = "Old-Secret-1b"
	rows[3][3] = "carol"
	rep = mustImport(t, a, "users", "staff.xlsx", xlsxOf(t, "Users", rows), ImportOptions{})
	if rep.Added != 0 || rep.Updated != 2 || rep.Unchanged != 1 {
		t.Fatalf("second import: %d added %d updated %d unchanged", rep.Added, rep.Updated, rep.Unchanged)
	}
	entries, _ = a.Batch("acme")
	if len(entries) != 3 || entries[2].SourceLogin != "carol" {
		t.Fatalf("batch after the login change: %+v", entries)
	}
	if src, _, _ := a.batchPasswords(entries[0]); src.Reveal() != "Old-Secret-1b" {
		t.Fatal("the new source password was not sealed")
	}
}

func TestImportWithAnErrorStoresNothingUnlessSkipInvalid(t *testing.T) {
	a, _ := newPeopleAPI(t)
	csv := []byte("Email address,First name\nalice@acme.example,Alice\nbob(at)acme.example,Bob\ncarol@acme.example,Carol\n")
	rep, err := a.PeopleImport("acme", "users", "people.csv", csv, ImportOptions{})
	var ps sheets.Problems
	if !errors.As(err, &ps) || !IsInputError(err) || len(ps) != 1 || rep.Imported {
		t.Fatalf("err %v (%T), imported %v", err, err, rep.Imported)
	}
	if ps[0].Error() != `people.csv, row 3, column A (Email address): invalid address: "bob(at)acme.example"; expected an email address such as alice@example.com` {
		t.Fatalf("problem: %s", ps[0].Error())
	}
	if users, _ := a.Users("acme"); len(users) != 0 {
		t.Fatalf("stored %d users despite the error", len(users))
	}
	if b, _ := a.Batch("acme"); len(b) != 0 {
		t.Fatalf("batch filled despite the error: %+v", b)
	}
	rep = mustImport(t, a, "users", "people.csv", csv, ImportOptions{DryRun: true, SkipInvalid: true})
	if rep.Imported || rep.Added != 2 || rep.Skipped != 1 {
		t.Fatalf("dry run: %+v", rep.Result)
	}
	if users, _ := a.Users("acme"); len(users) != 0 {
		t.Fatal("a dry run stored users")
	}
	rep = mustImport(t, a, "users", "people.csv", csv, ImportOptions{SkipInvalid: true})
	if !rep.Imported || rep.Added != 2 || rep.Skipped != 1 {
		t.Fatalf("skip invalid: %+v", rep.Result)
	}
	if users, _ := a.Users("acme"); len(users) != 2 {
		t.Fatalf("%d users", len(users))
	}
}

func TestMigrationBatchFilesFillTheBatch(t *testing.T) {
	a, _ := newPeopleAPI(t)
	exch := []byte("EmailAddress,UserName,Password\r\nalice@acme.example,alice@old.example,pw-a\r\nbob@acme.example,bob@old.example,pw-b\r\n")
	rep := mustImport(t, a, "users", "batch.csv", exch, ImportOptions{})
	if rep.Layout != sheets.LayoutExchangeBatch || rep.Added != 2 {
		t.Fatalf("exchange: %+v", rep.Result)
	}
	sync := []byte("mail.old.example;bob@old.example;pw-b2;outlook.office365.com;bob@acme.example;new-b\nmail.old.example;dan;pw-d;outlook.office365.com;dan@acme.example;\n")
	rep = mustImport(t, a, "users", "imapsync.txt", sync, ImportOptions{})
	if rep.Layout != sheets.LayoutImapsync || rep.Added != 1 || rep.Updated != 1 || rep.Warnings != 0 {
		t.Fatalf("imapsync: %+v %v", rep.Result, rep.Problems)
	}
	entries, _ := a.Batch("acme")
	if len(entries) != 3 {
		t.Fatalf("batch: %+v", entries)
	}
	src, dst, _ := a.batchPasswords(entries[1])
	if entries[1].SourceLogin != "bob@old.example" || src.Reveal() != "pw-b2" || dst.Reveal() != "new-b" {
		t.Fatalf("bob: %+v", entries[1])
	}
	// The batch export in Exchange's layout gives the file back (passwords only when asked).
	f, err := a.PeopleExport("acme", "provisioning", "exchange-batch", false)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Data) != "EmailAddress,UserName,Password\r\nalice@acme.example,alice@old.example,\r\nbob@acme.example,bob@old.example,\r\ndan@acme.example,dan,\r\n" {
		t.Fatalf("exchange export:\n%q", f.Data)
	}
	f, _ = a.PeopleExport("acme", "provisioning", "exchange-batch", true)
	if !strings.Contains(string(f.Data), "alice@acme.example,alice@old.example,pw-a\r\n") {
		t.Fatalf("exchange export with passwords:\n%s", f.Data)
	}
}

func TestGroupMembersMustBeKnown(t *testing.T) {
	a, _ := newPeopleAPI(t)
	mustImport(t, a, "users", "u.csv", []byte("Email address\nalice@acme.example\nbob@acme.example\n"), ImportOptions{})
	mustImport(t, a, "contacts", "c.csv", []byte("Display name,External address\nJane,jane@partner.example\n"), ImportOptions{})
	groups := []byte("Group name,Group address,Members\nSales,sales@acme.example,alice@acme.example;jane@partner.example\nAll,all@acme.example,\"sales@acme.example, bob@acme.example\"\n")
	rep := mustImport(t, a, "groups", "g.csv", groups, ImportOptions{})
	if rep.Added != 2 {
		t.Fatalf("groups: %+v", rep.Result)
	}
	gs, _ := a.Groups("acme")
	if len(gs) != 2 || strings.Join(gs[1].Members, ",") != "sales@acme.example,bob@acme.example" {
		t.Fatalf("groups: %+v", gs)
	}
	_, err := a.PeopleImport("acme", "groups", "g2.csv", []byte("Group name,Group address,Members\nX,x@acme.example,zed@acme.example\n"), ImportOptions{})
	if err == nil || err.Error() != `g2.csv, row 2, column C (Members): member is neither a user, a group nor a contact of the project: "zed@acme.example"; expected the address of a user, group or contact (import users and contacts first)` {
		t.Fatalf("unknown member: %v", err)
	}
	// A contact may not take an address a user has.
	_, err = a.PeopleImport("acme", "contacts", "c2.csv", []byte("Display name,External address\nAlice,alice@acme.example\n"), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "address already belongs to a user of the project") {
		t.Fatalf("contact over a user: %v", err)
	}
}

func TestPreviewShowsEveryRowAndStoresNothing(t *testing.T) {
	a, _ := newPeopleAPI(t)
	data := []byte("Email address,Source password,Color\nalice@acme.example,hunter2,red\nbad,,\n")
	rep, err := a.PeoplePreview("acme", "users", "p.csv", data, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 || rep.Rows[0].Action != sheets.Add || rep.Rows[1].Action != sheets.Skip || len(rep.Rows[1].Problems) != 1 || rep.Warnings != 1 {
		t.Fatalf("preview: %+v", rep.Result)
	}
	if rep.Rows[0].Values[sheets.FSourcePassword] != "••••••" {
		t.Fatalf("password shown: %q", rep.Rows[0].Values[sheets.FSourcePassword])
	}
	if users, _ := a.Users("acme"); len(users) != 0 {
		t.Fatal("a preview stored users")
	}
}

func TestTemplateXLSXHasNotesListsFrozenHeaderAndImportsBack(t *testing.T) {
	a, _ := newPeopleAPI(t)
	for _, kind := range []string{"users", "groups", "contacts"} {
		f, err := a.PeopleTemplate("acme", kind, "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatal(err)
		}
		sheet := x.GetSheetList()[0]
		panes, _ := x.GetPanes(sheet)
		comments, _ := x.GetComments(sheet)
		dvs, _ := x.GetDataValidations(sheet)
		cols := len(sheets.Template(sheets.Kind(kind)).Columns)
		if !panes.Freeze || panes.YSplit != 1 || len(comments) != cols {
			t.Fatalf("%s: panes %+v, %d comments for %d columns", kind, panes, len(comments), cols)
		}
		a1, _ := x.GetCellValue(sheet, "A1")
		if !strings.HasSuffix(a1, " *") {
			t.Fatalf("%s: required column not marked: %q", kind, a1)
		}
		var lists []string
		for _, dv := range dvs {
			lists = append(lists, dv.Type+":"+dv.Formula1)
		}
		switch kind {
		case "users":
			if len(dvs) != 3 || strings.Count(strings.Join(lists, " "), `list:"yes,no"`) != 2 || !strings.Contains(strings.Join(lists, " "), "@acme.example") {
				t.Fatalf("users validations: %v", lists)
			}
		case "groups":
			if len(dvs) != 1 {
				t.Fatalf("groups validations: %v", lists)
			}
		}
		x.Close()
	}
	// Our template as downloaded, example row and all, imports without a problem.
	f, _ := a.PeopleTemplate("acme", "users", "xlsx")
	rep := mustImport(t, a, "users", f.Name, f.Data, ImportOptions{DryRun: true})
	if rep.Errors != 0 || rep.Warnings != 0 || rep.Added != 1 || rep.Layout != sheets.LayoutCutover {
		t.Fatalf("template import: %+v %v", rep.Result, rep.Problems)
	}
	f, _ = a.PeopleTemplate("acme", "contacts", "csv")
	rep = mustImport(t, a, "contacts", f.Name, f.Data, ImportOptions{DryRun: true})
	if rep.Errors != 0 || rep.Warnings != 0 || rep.Added != 1 {
		t.Fatalf("contacts template: %+v %v", rep.Result, rep.Problems)
	}
}

// seedForExport stores people whose values test the exports: accents, formula-like cells,
// a phone with a leading zero, passwords.
func seedForExport(t *testing.T, a *API) {
	users := "Email address,First name,Last name,Display name,Source login,Source password,New password,Job title,Department,Office phone,Mobile phone,Org unit,Migrate mailbox,Aliases,Shared mailbox\n" +
		"alice@acme.example,Alice,Martin,Alice Martin,alice,src-Alice,Dest-Alice-1,Accountant,Finance,0612345678,+33 6 11 22 33 44,/Finance,yes,a.martin@acme.example;contact@acme.example,no\n" +
		"zoe@acme.example,Zoë,Müller,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",zoe,,,@SUM(1+1),-1+2,,,,yes,,\n" +
		"bob@acme.example,Bob,Stone,Bob Stone,bob.old,src-Bob,,,,,,,no,,yes\n"
	mustImport(t, a, "users", "u.csv", []byte(users), ImportOptions{})
	mustImport(t, a, "contacts", "c.csv", []byte("Display name,External address,Company,Phone\nJane Doe,jane@partner.example,=cmd|' /C calc'!A0,020 7946 0000\n"), ImportOptions{})
	mustImport(t, a, "groups", "g.csv", []byte("Group name,Group address,Members,Description\nFinance,finance@acme.example,alice@acme.example;jane@partner.example,+ all of finance\n"), ImportOptions{})
}

func TestExportsMatchGoldenFiles(t *testing.T) {
	a, _ := newPeopleAPI(t)
	seedForExport(t, a)
	for _, tc := range []struct {
		what, format string
		passwords    bool
		golden       string
	}{
		{"users", "csv", false, "users.csv"},
		{"users", "csv", true, "users-passwords.csv"},
		{"users", "xlsx", false, "users.xlsx"},
		{"groups", "csv", false, "groups.csv"},
		{"groups", "xlsx", false, "groups.xlsx"},
		{"contacts", "csv", false, "contacts.csv"},
		{"contacts", "xlsx", false, "contacts.xlsx"},
		{"batch", "csv", false, "batch.csv"},
		{"batch", "xlsx", true, "batch-passwords.xlsx"},
		{"provisioning", "m365", false, "m365.csv"},
		{"provisioning", "google", false, "google.csv"},
		{"provisioning", "google", true, "google-passwords.csv"},
		{"provisioning", "exchange-batch", true, "exchange-batch-passwords.csv"},
		{"provisioning", "imapsync", false, "imapsync.txt"},
		{"provisioning", "imapsync", true, "imapsync-passwords.txt"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			f, err := a.PeopleExport("acme", tc.what, tc.format, tc.passwords)
			if err != nil {
				t.Fatal(err)
			}
			got := f.Data
			if tc.format == "xlsx" {
				got = xlsxText(t, f.Data)
			}
			if !tc.passwords && (bytes.Contains(f.Data, []byte("src-")) || bytes.Contains(f.Data, []byte("Dest-Alice"))) {
				t.Fatal("a password is in an export made without --include-passwords")
			}
			path := filepath.Join("testdata", tc.golden+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from %s:\n%s", f.Name, path, got)
			}
		})
	}
}

// xlsxText renders a workbook's cells as text, and fails on any formula cell: an export
// must never hold one.
func xlsxText(t *testing.T, data []byte) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var b bytes.Buffer
	for _, s := range x.GetSheetList() {
		fmt.Fprintf(&b, "# sheet %s\n", s)
		rows, _ := x.GetRows(s)
		for i, r := range rows {
			for j := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if f, _ := x.GetCellFormula(s, cell); f != "" {
					t.Fatalf("formula in %s: %s", cell, f)
				}
			}
			b.WriteString(strings.Join(r, " | "))
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func TestExportedUsersImportBackUnchanged(t *testing.T) {
	a, _ := newPeopleAPI(t)
	seedForExport(t, a)
	for _, format := range []string{"xlsx", "csv"} {
		f, err := a.PeopleExport("acme", "users", format, true)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := a.PeopleImport("acme", "users", f.Name, f.Data, ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		// The csv neutralised "=HYPERLINK(..." to "'=HYPERLINK(...": the import undoes it.
		if rep.Unchanged != 3 || rep.Errors != 0 {
			t.Fatalf("%s: %d unchanged, %d updated, problems %v", format, rep.Unchanged, rep.Updated, rep.Problems)
		}
	}
}

func TestBadExportAndTemplateArguments(t *testing.T) {
	a, _ := newPeopleAPI(t)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(a.PeopleExport("acme", "users", "pdf", false)), `format: "pdf": expected xlsx, csv`},
		{second(a.PeopleExport("acme", "provisioning", "csv", false)), `format: "csv": expected m365, google, exchange-batch, imapsync, google-contacts`},
		{second(a.PeopleExport("acme", "people", "csv", false)), `export: "people": expected users, groups, contacts, batch or provisioning`},
		{second(a.PeopleTemplate("acme", "printers", "xlsx")), `kind: "printers": expected users, groups or contacts`},
		{second(a.PeopleImport("acme", "users", "x.csv", nil, ImportOptions{})), `x.csv: the file is empty; expected a header row and at least one row`},
	} {
		if tc.err == nil || tc.err.Error() != tc.want || !IsInputError(tc.err) {
			t.Errorf("got %v, want %q", tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// BenchmarkImport50kUsers imports a 50,000-row users file (read, check, store with the
// batch) into an empty project: the figure the issue asks for. xlsx is a workbook as
// Excel saves it (shared strings); xlsx-inline is one with inline strings (what streaming
// writers produce, heavier to parse); csv is the same rows as UTF-8 CSV.
func BenchmarkImport50kUsers(b *testing.B) {
	rows := [][]string{{"Email address", "First name", "Last name", "Display name", "Source login", "Job title", "Department", "Office phone"}}
	for i := range 50000 {
		rows = append(rows, []string{fmt.Sprintf("user%05d@acme.example", i), "First", fmt.Sprintf("Last%d", i), fmt.Sprintf("First Last%d", i),
			fmt.Sprintf("u%05d", i), "Clerk", "Operations", fmt.Sprintf("06%08d", i)})
	}
	var csv bytes.Buffer
	for _, r := range rows {
		csv.WriteString(strings.Join(r, ",") + "\r\n")
	}
	for _, tc := range []struct {
		name string
		file string
		data func() []byte
	}{
		{"xlsx", "big.xlsx", func() []byte { return xlsxShared(b, "Users", rows) }},
		{"xlsx-inline", "big.xlsx", func() []byte { return xlsxOf(b, "Users", rows) }},
		{"csv", "big.csv", func() []byte { return csv.Bytes() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			data := tc.data()
			b.ReportMetric(float64(len(data))/1e6, "MB-file")
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				a, _ := newPeopleAPI(b)
				b.StartTimer()
				rep, err := a.PeopleImport("acme", "users", tc.file, data, ImportOptions{})
				if err != nil || rep.Added != 50000 {
					b.Fatalf("import: %v, %d added", err, rep.Added)
				}
			}
		})
	}
}

// xlsxShared builds a workbook through excelize's cell API, which stores text in the
// shared-strings table as Excel does.
func xlsxShared(t testing.TB, sheet string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheet)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRemovePerson(t *testing.T) {
	a, _ := newPeopleAPI(t)
	mustImport(t, a, "users", "u.csv", []byte("Email address\nalice@acme.example\nbob@acme.example\n"), ImportOptions{})
	if err := a.RemovePerson("acme", "users", "ALICE@acme.example"); err != nil {
		t.Fatal(err)
	}
	users, _ := a.Users("acme")
	if len(users) != 1 || users[0].Address != "bob@acme.example" {
		t.Fatalf("users: %+v", users)
	}
	if b, _ := a.Batch("acme"); len(b) != 2 {
		t.Fatalf("the batch entry went with the user: %+v", b)
	}
	err := a.RemovePerson("acme", "contacts", "nobody@partner.example")
	if !IsNotFound(err) || err.Error() != `contact "nobody@partner.example": not found` {
		t.Fatalf("missing contact: %v", err)
	}
}

func TestGroupsAndContactsReimportIsIdempotent(t *testing.T) {
	a, _ := newPeopleAPI(t)
	mustImport(t, a, "users", "u.csv", []byte("Email address\nalice@acme.example\nbob@acme.example\n"), ImportOptions{})
	contacts := []byte("Display name,External address,Company\nJane,jane@partner.example,Partner\nJoe,joe@partner.example,\n")
	groups := []byte("Group name,Group address,Members\nSales,sales@acme.example,alice@acme.example\nSales,sales@acme.example,jane@partner.example\nAll,all@acme.example,sales@acme.example;bob@acme.example\n")
	for i, want := range []struct{ added, unchanged int }{{2, 0}, {0, 2}} {
		rc := mustImport(t, a, "contacts", "c.csv", contacts, ImportOptions{})
		rg := mustImport(t, a, "groups", "g.csv", groups, ImportOptions{})
		if rc.Added != want.added || rc.Unchanged != want.unchanged || rg.Added != want.added || rg.Unchanged != want.unchanged {
			t.Fatalf("import %d: contacts %d/%d, groups %d/%d", i+1, rc.Added, rc.Unchanged, rg.Added, rg.Unchanged)
		}
	}
	// One member fewer and a company changed: updates, the rest unchanged.
	rg := mustImport(t, a, "groups", "g.csv", []byte("Group name,Group address,Members\nSales,sales@acme.example,alice@acme.example\nAll,all@acme.example,sales@acme.example;bob@acme.example\n"), ImportOptions{})
	rc := mustImport(t, a, "contacts", "c.csv", []byte("Display name,External address,Company\nJane,jane@partner.example,Partner Ltd\nJoe,joe@partner.example,\n"), ImportOptions{})
	if rg.Updated != 1 || rg.Unchanged != 1 || rc.Updated != 1 || rc.Unchanged != 1 {
		t.Fatalf("changes: groups %+v, contacts %+v", rg.Result, rc.Result)
	}
	gs, _ := a.Groups("acme")
	if strings.Join(gs[0].Members, ",") != "alice@acme.example" {
		t.Fatalf("sales members: %v", gs[0].Members)
	}
}

// The batch is edited after the import (a mailbox disabled, one taken out, a source login
// changed): the users list and its export say so, and importing that export back changes
// nothing — it must not undo the edits.
func TestUsersExportAfterBatchEditsImportsBackUnchanged(t *testing.T) {
	a, _ := newPeopleAPI(t)
	mustImport(t, a, "users", "u.csv", []byte("Email address,Source login\nalice@acme.example,alice\nbob@acme.example,bob\ncarol@acme.example,carol\n"), ImportOptions{})
	off := false
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "alice", DestLogin: "alice@acme.example", Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"bob", "carol"} {
		if err := a.BatchRemove("acme", s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.BatchSet("acme", BatchInput{SourceLogin: "carol.old", DestLogin: "carol@acme.example"}); err != nil {
		t.Fatal(err)
	}
	batchText := func() string {
		es, _ := a.Batch("acme")
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "%s>%s:%v ", e.SourceLogin, e.DestLogin, e.Enabled)
		}
		return b.String()
	}
	const want = "alice>alice@acme.example:false carol.old>carol@acme.example:true "
	if got := batchText(); got != want {
		t.Fatalf("batch before: %s", got)
	}
	users, _ := a.Users("acme")
	var listed []string
	for _, u := range users {
		listed = append(listed, fmt.Sprintf("%s/%s/%v", u.Address, u.SourceLogin, u.Migrate))
	}
	if got := strings.Join(listed, " "); got != "alice@acme.example/alice/false bob@acme.example/bob/false carol@acme.example/carol.old/true" {
		t.Fatalf("users: %s", got)
	}
	for _, format := range []string{"csv", "xlsx"} {
		f, err := a.PeopleExport("acme", "users", format, false)
		if err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, a, "users", f.Name, f.Data, ImportOptions{})
		if rep.Unchanged != 3 || rep.Added+rep.Updated != 0 {
			t.Fatalf("%s: %d added, %d updated, %d unchanged", format, rep.Added, rep.Updated, rep.Unchanged)
		}
		if got := batchText(); got != want {
			t.Fatalf("%s: batch after re-import: %s", format, got)
		}
	}
}
