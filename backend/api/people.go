package api

import (
	"fmt"
	"strings"

	"cutover/backend/batch"
	"cutover/backend/people"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/sheets"
	"cutover/backend/store"
)

// ImportOptions tune an import.
type ImportOptions struct {
	Sheet       string `json:"sheet,omitempty"`       // xlsx worksheet by name; empty: the first non-empty one
	DryRun      bool   `json:"dryRun,omitempty"`      // check and count, store nothing
	SkipInvalid bool   `json:"skipInvalid,omitempty"` // import the good rows, leave the bad ones out
}

// ImportReport is what an import (or its preview) found and did.
type ImportReport struct {
	*sheets.Result
	Imported  bool `json:"imported"`
	DryRun    bool `json:"dryRun"`
	Blocked   bool `json:"blocked"` // errors kept everything out (no SkipInvalid)
	RowsTotal int  `json:"rowsTotal"`
}

// previewRows bounds the rows a preview returns (every row with a problem is kept).
const previewRows = 5000

// PeoplePreview reads an uploaded sheet (its bytes and file name) of kind users, groups
// or contacts and returns every row with its problems and the action an import would
// take, storing nothing.
func (a *API) PeoplePreview(projectName, kind, fileName string, data []byte, sheet string) (ImportReport, error) {
	rep, err := a.readPeople(projectName, kind, fileName, data, ImportOptions{Sheet: sheet, DryRun: true})
	if err != nil {
		return rep, err
	}
	rep.DryRun = true
	if len(rep.Rows) > previewRows {
		kept := rep.Rows[:0:0]
		for i, r := range rep.Rows {
			if i < previewRows || len(r.Problems) > 0 {
				kept = append(kept, r)
			}
		}
		rep.Rows = kept
	}
	return rep, nil
}

// PeopleImport reads an uploaded sheet and stores its users, groups or contacts. With any
// error nothing is stored (the report and the errors come back) unless SkipInvalid; a
// re-import of the same file changes nothing and says so (added / updated / unchanged).
// Importing users fills the migration batch and seals the passwords found.
func (a *API) PeopleImport(projectName, kind, fileName string, data []byte, opts ImportOptions) (ImportReport, error) {
	rep, err := a.readPeople(projectName, kind, fileName, data, opts)
	if err != nil {
		return rep, err
	}
	rep.Rows = nil
	rep.DryRun = opts.DryRun
	if errs := rep.ErrorList(); len(errs) > 0 && !opts.SkipInvalid {
		rep.Blocked = true
		return rep, errs
	}
	if opts.DryRun {
		return rep, nil
	}
	p, err := a.project(projectName)
	if err != nil {
		return rep, err
	}
	if err := a.storePeople(p, rep.Result); err != nil {
		return rep, err
	}
	rep.Imported = true
	msg := fmt.Sprintf("%s imported from %s (%s): %d added, %d updated, %d unchanged, %d skipped",
		rep.Kind, rep.File, rep.LayoutName, rep.Added, rep.Updated, rep.Unchanged, rep.Skipped)
	a.log.Info("people imported", "project", p.Name, "kind", rep.Kind, "file", rep.File, "added", rep.Added, "updated", rep.Updated)
	_ = a.store.LogEvent(a.ctx, p.ID, "people", msg)
	a.bus.Publish("people:changed", p.Name, map[string]any{"kind": rep.Kind, "added": rep.Added, "updated": rep.Updated, "unchanged": rep.Unchanged})
	if rep.Kind == sheets.Users {
		a.bus.Publish("batch:changed", p.Name, nil)
	}
	return rep, nil
}

func (a *API) readPeople(projectName, kind, fileName string, data []byte, opts ImportOptions) (ImportReport, error) {
	p, err := a.project(projectName)
	if err != nil {
		return ImportReport{}, err
	}
	k, err := sheets.ParseKind(kind)
	if err != nil {
		return ImportReport{}, err
	}
	t, err := sheets.Read(fileName, data, opts.Sheet, sheets.DefaultLimits)
	if err != nil {
		return ImportReport{}, err
	}
	known, err := a.known(p)
	if err != nil {
		return ImportReport{}, err
	}
	res, err := sheets.Parse(k, t, known)
	if err != nil {
		return ImportReport{}, err
	}
	return ImportReport{Result: res, RowsTotal: len(res.Rows)}, nil
}

// known is what the project holds, for checking a sheet against it.
func (a *API) known(p project.Project) (sheets.Known, error) {
	k := sheets.Known{Domains: p.Domains, SourceHost: p.Source.Host, DestHost: p.Dest.Host,
		Users: map[string]people.User{}, Groups: map[string]people.Group{}, Contacts: map[string]people.Contact{},
		BatchBySource: map[string]sheets.BatchLink{}, BatchByDest: map[string]sheets.BatchLink{}}
	users, err := a.store.Users(a.ctx, p.ID)
	if err != nil {
		return k, err
	}
	entries, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return k, err
	}
	for _, u := range users {
		k.Users[strings.ToLower(u.Address)] = u
	}
	groups, err := a.store.Groups(a.ctx, p.ID)
	if err != nil {
		return k, err
	}
	for _, g := range groups {
		k.Groups[strings.ToLower(g.Address)] = g
	}
	contacts, err := a.store.Contacts(a.ctx, p.ID)
	if err != nil {
		return k, err
	}
	for _, c := range contacts {
		k.Contacts[strings.ToLower(c.Address)] = c
	}
	idByDest := map[string]int64{}
	for _, e := range entries {
		l := sheets.BatchLink{Source: e.SourceLogin, Dest: e.DestLogin, Enabled: e.Enabled}
		k.BatchBySource[strings.ToLower(e.SourceLogin)] = l
		k.BatchByDest[strings.ToLower(e.DestLogin)] = l
		idByDest[strings.ToLower(e.DestLogin)] = e.ID
	}
	var sealed map[string][]byte
	k.SamePassword = func(address, field string, s secrets.Secret) bool {
		if sealed == nil {
			if sealed, err = a.store.BatchSecrets(a.ctx, p.ID); err != nil {
				return false
			}
		}
		id, ok := idByDest[strings.ToLower(address)]
		if !ok {
			return false
		}
		side := "dest"
		if field == sheets.FSourcePassword {
			side = "source"
		}
		ref := batch.SecretRef(id, side)
		b, ok := sealed[ref]
		if !ok {
			return false
		}
		old, err := a.vault.Unseal(ref, b)
		return err == nil && old.Reveal() == s.Reveal()
	}
	return k, nil
}

func (a *API) storePeople(p project.Project, res *sheets.Result) error {
	switch res.Kind {
	case sheets.Users:
		var ws []store.UserWrite
		for _, u := range res.Users {
			if u.Action == sheets.Add || u.Action == sheets.Update {
				ws = append(ws, store.UserWrite{User: u.User, SourcePassword: u.SourcePassword, Password: u.Password})
			}
		}
		return a.store.SaveUsers(a.ctx, p.ID, ws, a.vault.Seal)
	case sheets.Groups:
		var gs []people.Group
		for _, g := range res.Groups {
			if g.Action == sheets.Add || g.Action == sheets.Update {
				gs = append(gs, g.Group)
			}
		}
		return a.store.SaveGroups(a.ctx, p.ID, gs)
	case sheets.Contacts:
		var cs []people.Contact
		for _, c := range res.Contacts {
			if c.Action == sheets.Add || c.Action == sheets.Update {
				cs = append(cs, c.Contact)
			}
		}
		return a.store.SaveContacts(a.ctx, p.ID, cs)
	}
	return nil
}

// Users lists the project's users (passwords only as whether one is stored), with the
// source login and migration state of their batch entries: the batch may have been edited
// since the import (a source login changed, a mailbox disabled or taken out), and the
// users list, its exports and the checks of a re-import say what it holds, so that an
// exported sheet imports back unchanged.
func (a *API) Users(projectName string) ([]people.User, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	return a.store.Users(a.ctx, p.ID)
}

// Groups lists the project's groups with their members.
func (a *API) Groups(projectName string) ([]people.Group, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	return a.store.Groups(a.ctx, p.ID)
}

// Contacts lists the project's external contacts.
func (a *API) Contacts(projectName string) ([]people.Contact, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	return a.store.Contacts(a.ctx, p.ID)
}

// RemovePerson deletes a user, group or contact by address (a user's batch entry stays).
func (a *API) RemovePerson(projectName, kind, address string) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	k, err := sheets.ParseKind(kind)
	if err != nil {
		return err
	}
	if err := a.store.RemovePerson(a.ctx, p.ID, k, address); err != nil {
		return err
	}
	a.bus.Publish("people:changed", p.Name, map[string]any{"kind": k, "removed": address})
	return nil
}

// PeopleTemplate is our template of kind users, groups or contacts as xlsx or csv, with
// the project's domains (projectName may be empty for a template without them).
func (a *API) PeopleTemplate(projectName, kind, format string) (File, error) {
	k, err := sheets.ParseKind(kind)
	if err != nil {
		return File{}, err
	}
	var domains []string
	prefix := "cutover"
	if projectName != "" {
		p, err := a.project(projectName)
		if err != nil {
			return File{}, err
		}
		domains, prefix = p.Domains, p.Name
	}
	name := fmt.Sprintf("%s-%s-template", prefix, k)
	switch strings.ToLower(format) {
	case "xlsx", "":
		b, err := sheets.TemplateXLSX(k, domains)
		if err != nil {
			return File{}, fmt.Errorf("write the %s template: %w", k, err)
		}
		return File{Name: name + ".xlsx", MIME: mimeXLSX, Data: b}, nil
	case "csv":
		return File{Name: name + ".csv", MIME: mimeCSV, Data: sheets.TemplateCSV(k, domains)}, nil
	}
	return File{}, &sheets.ArgError{Field: "format", Value: format, Expected: "xlsx or csv"}
}

const (
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeCSV  = "text/csv; charset=utf-8"
)

// ExportFormats lists what PeopleExport writes: for users, groups, contacts and batch
// "xlsx" or "csv"; for provisioning "m365", "google", "exchange-batch", "imapsync" or
// "google-contacts" (the contacts as Google Contacts imports them).
var ExportFormats = map[string][]string{
	"users": {"xlsx", "csv"}, "groups": {"xlsx", "csv"}, "contacts": {"xlsx", "csv"}, "batch": {"xlsx", "csv"},
	"provisioning": {"m365", "google", "exchange-batch", "imapsync", "google-contacts"},
}

// PeopleExport writes users, groups, contacts or the batch (format xlsx or csv), or a
// provisioning file (what "provisioning", format m365, google, exchange-batch or
// imapsync) shaped as that console or tool imports it. Passwords are left out unless
// includePasswords.
func (a *API) PeopleExport(projectName, what, format string, includePasswords bool) (File, error) {
	p, err := a.project(projectName)
	if err != nil {
		return File{}, err
	}
	what, format = strings.ToLower(what), strings.ToLower(format)
	formats, ok := ExportFormats[what]
	if !ok {
		return File{}, &sheets.ArgError{Field: "export", Value: what, Expected: "users, groups, contacts, batch or provisioning"}
	}
	if !contains(formats, format) {
		return File{}, &sheets.ArgError{Field: "format", Value: format, Expected: strings.Join(formats, ", ")}
	}
	users, err := a.store.Users(a.ctx, p.ID)
	if err != nil {
		return File{}, err
	}
	entries, err := a.store.Batch(a.ctx, p.ID)
	if err != nil {
		return File{}, err
	}
	var bySource, byDest sheets.Passwords
	if includePasswords {
		bySource, byDest = a.passwordLookups(entries)
	}
	var sheet sheets.Sheet
	switch what {
	case "users", "provisioning":
		switch format {
		case "xlsx", "csv":
			sheet = sheets.UsersSheet(users, byDest)
		case "m365":
			return csvFile(p.Name+"-m365-users.csv", sheets.M365Sheet(users)), nil
		case "google":
			return csvFile(p.Name+"-google-users.csv", sheets.GoogleSheet(users, byDest)), nil
		case "exchange-batch":
			return csvFile(p.Name+"-exchange-batch.csv", sheets.ExchangeBatchSheet(entries, bySource)), nil
		case "google-contacts":
			cs, err := a.store.Contacts(a.ctx, p.ID)
			if err != nil {
				return File{}, err
			}
			return File{Name: p.Name + "-google-contacts.csv", MIME: mimeCSV, Data: sheets.GoogleContactsSheet(cs).CSV(sheets.CSVOptions{CRLF: true})}, nil
		case "imapsync":
			b, err := sheets.ImapsyncFile(entries, p.Source.Host, p.Dest.Host, bySource)
			if err != nil {
				return File{}, err
			}
			return File{Name: p.Name + "-imapsync.txt", MIME: "text/plain; charset=utf-8", Data: b}, nil
		}
	case "groups":
		gs, err := a.store.Groups(a.ctx, p.ID)
		if err != nil {
			return File{}, err
		}
		sheet = sheets.GroupsSheet(gs)
	case "contacts":
		cs, err := a.store.Contacts(a.ctx, p.ID)
		if err != nil {
			return File{}, err
		}
		sheet = sheets.ContactsSheet(cs)
	case "batch":
		sheet = sheets.BatchSheet(entries, bySource)
	}
	name := p.Name + "-" + what + "." + format
	if format == "csv" {
		return File{Name: name, MIME: mimeCSV, Data: sheet.CSV(sheets.CSVOptions{BOM: true, CRLF: true})}, nil
	}
	b, err := sheet.XLSX()
	if err != nil {
		return File{}, fmt.Errorf("write %s: %w", name, err)
	}
	return File{Name: name, MIME: mimeXLSX, Data: b}, nil
}

func csvFile(name string, s sheets.Sheet) File {
	return File{Name: name, MIME: mimeCSV, Data: s.CSV(sheets.CSVOptions{CRLF: true})}
}

// passwordLookups returns the batch passwords by source login and by destination.
func (a *API) passwordLookups(entries []batch.Entry) (bySource, byDest sheets.Passwords) {
	src := map[string]batch.Entry{}
	dst := map[string]batch.Entry{}
	for _, e := range entries {
		src[strings.ToLower(e.SourceLogin)] = e
		dst[strings.ToLower(e.DestLogin)] = e
	}
	get := func(m map[string]batch.Entry) sheets.Passwords {
		return func(key string) (secrets.Secret, secrets.Secret) {
			e, ok := m[strings.ToLower(key)]
			if !ok {
				return secrets.Secret{}, secrets.Secret{}
			}
			s, d, err := a.batchPasswords(e)
			if err != nil {
				a.log.Warn("export: password unreadable", "mailbox", key, "err", err)
			}
			return s, d
		}
	}
	return get(src), get(dst)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
