// Package demo seeds a self-contained sample migration so a newcomer can click through
// Cutover with no real server: a customer project with its cutover eight days ahead,
// the preparation steps done, the historical copy started, a first contact logged and
// the customer pack ready to write (the customer's contact, a sample specialist).
package demo

import (
	"fmt"
	"time"

	"cutover/backend/api"
	"cutover/backend/docs"
	"cutover/backend/project"
	"cutover/backend/store"
)

// ProjectName is the demo project's name.
const ProjectName = "acme-demo"

// Options say where the demo's servers are (empty: placeholders).
type Options struct {
	Source string // e.g. imap+plain://127.0.0.1:PORT
	Dest   string
	Now    time.Time
}

// Seed creates the demo project in a (an empty database) and returns its name.
func Seed(a *api.API, o Options) (string, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Source == "" {
		o.Source = "imaps://mail.acme.example:993"
	}
	if o.Dest == "" {
		o.Dest = "imaps://outlook.office365.com:993"
	}
	const tz = "America/Toronto"
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return "", fmt.Errorf("demo time zone: %w", err)
	}
	day := o.Now.In(loc).AddDate(0, 0, 8)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	cutover := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, loc).Format("2006-01-02 15:04")
	str := func(s string) *string { return &s }
	domains := []string{"acme.example"}
	holidays := []string{}
	if _, err := a.CreateProject(project.Input{
		Name: str(ProjectName), Customer: str("Acme Plumbing Ltd."), Domains: &domains,
		Provider: str("m365"), Source: str(o.Source), Dest: str(o.Dest),
		Cutover: str(cutover), Zone: str(tz), Holidays: &holidays,
	}); err != nil {
		return "", fmt.Errorf("create demo project: %w", err)
	}
	for _, key := range []string{"access_accounts", "verify_domain", "create_batch", "environment", "scheduling", "historical_copy"} {
		if _, err := a.SetStep(ProjectName, key, "done", ""); err != nil {
			return "", err
		}
	}
	if _, err := a.SetStep(ProjectName, "pre_migration", "in_progress", "mail older than 30 days"); err != nil {
		return "", err
	}
	if _, err := a.AddContact(ProjectName, api.ContactInput{Channel: "phone", Summary: "Kick-off call with Dana (office manager): users list promised by Friday."}); err != nil {
		return "", err
	}
	if err := seedPeople(a); err != nil {
		return "", err
	}
	if err := seedPack(a); err != nil {
		return "", err
	}
	return ProjectName, nil
}

// seedPack fills the customer pack's settings: Dana is the contact, and a sample
// specialist signs the messages unless the database already has a real one.
func seedPack(a *api.API) error {
	str := func(s string) *string { return &s }
	if _, err := a.SetCustomerSettings(ProjectName, api.CustomerSettingsInput{ContactName: str("Dana Whitfield"), ContactEmail: str("dana@acme.example")}); err != nil {
		return err
	}
	sp, err := a.Specialist()
	if err != nil || sp.Name != "" || sp.Email != "" {
		return err
	}
	_, err = a.SetSpecialist(api.SpecialistInput{SpecialistProfile: store.SpecialistProfile{
		Specialist: docs.Specialist{Name: "Alex Martin", Company: "Northwind Migrations", Email: "alex@northwind.example", Phone: "+1 514 555 0142"}}})
	return err
}

// The customer's sheets as they came back filled in (our template's layout): the users
// with their old logins (they fill the batch), two groups, and partners kept as
// server-side contacts. The passwords are set with the demo's mail servers (SeedMail).
const (
	demoUsersSheet = `Email address *,First name,Last name,Display name,Source login,Job title,Department,Mobile phone,Migrate mailbox
dana@acme.example,Dana,Whitfield,Dana Whitfield,dana,Office manager,Office,0611223344,yes
lee@acme.example,Lee,Okafor,Lee Okafor,lee,Plumber,Field,0622334455,yes
sam@acme.example,Sam,Tremblay,Sam Tremblay,sam,Plumber,Field,0633445566,yes
`
	demoGroupsSheet = `Group name *,Group address *,Members,Description
Field team,field@acme.example,lee@acme.example; sam@acme.example,Everyone on site
Office,office@acme.example,dana@acme.example; field@acme.example,Dana and the field team
`
	demoContactsSheet = `Display name *,External address *,First name,Last name,Company,Phone
Pipe Supplies (orders),orders@pipesupplies.example,,,Pipe Supplies Inc.,0800 555 0100
Jordan Blake (accountant),jordan@blake-cpa.example,Jordan,Blake,Blake CPA,
`
)

func seedPeople(a *api.API) error {
	for _, f := range []struct{ kind, file, body string }{
		{"users", "acme-users.csv", demoUsersSheet},
		{"groups", "acme-groups.csv", demoGroupsSheet},
		{"contacts", "acme-contacts.csv", demoContactsSheet},
	} {
		if _, err := a.PeopleImport(ProjectName, f.kind, f.file, []byte(f.body), api.ImportOptions{}); err != nil {
			return fmt.Errorf("demo %s sheet: %w", f.kind, err)
		}
	}
	return nil
}
