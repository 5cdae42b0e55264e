package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/project"
)

// projectFlags binds the flags of create and edit to an Input, setting only what was given.
type projectFlags struct {
	name, customer, provider, source, dest, cutover, tz, status string
	sourceCA, destCA                                            string
	domains, holidays                                           []string
	allowPlainSource, allowPlainDest                            bool
	skipVerifySource, skipVerifyDest                            bool
}

func (f *projectFlags) bind(c *cobra.Command, withName bool) {
	fl := c.Flags()
	if withName {
		fl.StringVar(&f.name, "name", "", "project name (letters, digits, . _ -)")
	} else {
		fl.StringVar(&f.name, "rename", "", "new project name")
	}
	fl.StringVar(&f.customer, "customer", "", "customer's name")
	fl.StringSliceVar(&f.domains, "domain", nil, "mail domain (repeat or comma-separate)")
	fl.StringVar(&f.provider, "provider", "", "destination provider: m365, google or imap")
	fl.StringVar(&f.source, "source", "", "source IMAP server: imaps://host:993, imap://host:143 (STARTTLS) or imap+plain://127.0.0.1:143")
	fl.StringVar(&f.dest, "dest", "", "destination IMAP server, same forms as --source")
	fl.StringVar(&f.cutover, "cutover", "", `cutover date and time in --tz, e.g. "2027-05-14 18:00"`)
	fl.StringVar(&f.tz, "tz", "", "IANA time zone of the customer, e.g. America/Toronto")
	fl.StringSliceVar(&f.holidays, "holiday", nil, "customer holiday 2006-01-02 (repeat or comma-separate)")
	fl.BoolVar(&f.allowPlainSource, "allow-plain-source", false, "allow a plain-text (no TLS) connection to a source host that is not loopback")
	fl.BoolVar(&f.allowPlainDest, "allow-plain-dest", false, "allow a plain-text (no TLS) connection to a destination host that is not loopback")
	fl.StringVar(&f.sourceCA, "source-ca", "", "PEM file of extra CA roots for the source")
	fl.StringVar(&f.destCA, "dest-ca", "", "PEM file of extra CA roots for the destination")
	fl.BoolVar(&f.skipVerifySource, "insecure-skip-verify-source", false, "do not verify the source's TLS certificate (not recommended)")
	fl.BoolVar(&f.skipVerifyDest, "insecure-skip-verify-dest", false, "do not verify the destination's TLS certificate (not recommended)")
	if !withName {
		fl.StringVar(&f.status, "status", "", "active, on_hold or closed")
	}
}

func (f *projectFlags) input(c *cobra.Command) project.Input {
	var in project.Input
	changed := c.Flags().Changed
	str := func(flag string, v *string) *string {
		if changed(flag) {
			return v
		}
		return nil
	}
	boolp := func(flag string, v *bool) *bool {
		if changed(flag) {
			return v
		}
		return nil
	}
	in.Name = str("name", &f.name)
	if changed("rename") {
		in.Name = &f.name
	}
	in.Customer = str("customer", &f.customer)
	in.Provider = str("provider", &f.provider)
	in.Source = str("source", &f.source)
	in.Dest = str("dest", &f.dest)
	in.Cutover = str("cutover", &f.cutover)
	in.Zone = str("tz", &f.tz)
	in.Status = str("status", &f.status)
	in.SourceCAFile = str("source-ca", &f.sourceCA)
	in.DestCAFile = str("dest-ca", &f.destCA)
	in.AllowPlainSource = boolp("allow-plain-source", &f.allowPlainSource)
	in.AllowPlainDest = boolp("allow-plain-dest", &f.allowPlainDest)
	in.SourceSkipVerify = boolp("insecure-skip-verify-source", &f.skipVerifySource)
	in.DestSkipVerify = boolp("insecure-skip-verify-dest", &f.skipVerifyDest)
	if changed("domain") {
		in.Domains = &f.domains
	}
	if changed("holiday") {
		in.Holidays = &f.holidays
	}
	return in
}

func projectCommands(env *Env) []*cobra.Command {
	root := &cobra.Command{Use: "project", Short: "Create, list, show, edit and delete customer projects"}

	var cf projectFlags
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a project",
		Example: `  cutover project create --name acme --domain acme.example --provider m365 \
    --source imaps://mail.old.example:993 --dest imaps://outlook.office365.com:993 \
    --cutover "2027-05-14 18:00" --tz America/Toronto --holiday 2027-05-24`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			p, err := a.CreateProject(cf.input(c))
			if err != nil {
				return err
			}
			return env.Print(p, func(w io.Writer) { fmt.Fprintf(w, "Created project %s.\n", p.Name); writeProject(w, p) })
		},
	}
	cf.bind(create, true)

	list := &cobra.Command{
		Use:   "list",
		Short: "List projects with their phase and next step",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			ps, err := a.Projects()
			if err != nil {
				return err
			}
			return env.Print(ps, func(w io.Writer) {
				if len(ps) == 0 {
					fmt.Fprintln(w, "No projects yet: cutover project create --help")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tCUSTOMER\tPROVIDER\tCUTOVER\tPHASE\tNEXT STEP\tOVERDUE")
				for _, p := range ps {
					next := "-"
					if p.NextStep != nil {
						next = p.NextStep.Title + " (" + p.NextStep.Due.Format("Jan 2") + ")"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", p.Name, p.Customer, p.ProviderLabel,
						p.Cutover.Format("2006-01-02 15:04 MST"), p.Phase, next, p.Overdue)
				}
				tw.Flush()
			})
		},
	}

	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a project",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			p, err := a.Project(args[0])
			if err != nil {
				return err
			}
			return env.Print(p, func(w io.Writer) { writeProject(w, p.Project) })
		},
	}

	var ef projectFlags
	edit := &cobra.Command{
		Use:   "edit NAME",
		Short: "Change a project's fields (only the flags given); open timeline steps follow a new cutover",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			p, err := a.EditProject(args[0], ef.input(c))
			if err != nil {
				return err
			}
			return env.Print(p, func(w io.Writer) { fmt.Fprintf(w, "Updated project %s.\n", p.Name); writeProject(w, p) })
		},
	}
	ef.bind(edit, false)

	var yes bool
	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a project and everything stored for it (asks for confirmation)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			if _, err := a.Project(args[0]); err != nil {
				return err
			}
			if !yes {
				fmt.Fprintf(env.Opts.Stderr, "Delete project %s and all its data? Type the project name to confirm: ", args[0])
				line, _ := bufio.NewReader(env.Opts.Stdin).ReadString('\n')
				if !strings.EqualFold(strings.TrimSpace(line), args[0]) {
					return Usage(errors.New("not confirmed: nothing deleted (use --yes to skip the question)"))
				}
			}
			if err := a.DeleteProject(args[0]); err != nil {
				return err
			}
			return env.Print(map[string]string{"deleted": args[0]}, func(w io.Writer) { fmt.Fprintf(w, "Deleted project %s.\n", args[0]) })
		},
	}
	del.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")

	root.AddCommand(create, list, show, edit, del)
	return []*cobra.Command{root}
}

func writeProject(w io.Writer, p project.Project) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Name\t%s\n", p.Name)
	fmt.Fprintf(tw, "Customer\t%s\n", p.Customer)
	fmt.Fprintf(tw, "Domains\t%s\n", strings.Join(p.Domains, ", "))
	fmt.Fprintf(tw, "Provider\t%s\n", p.Provider.Label())
	fmt.Fprintf(tw, "Source\t%s\n", serverLine(p.Source))
	fmt.Fprintf(tw, "Destination\t%s\n", serverLine(p.Dest))
	fmt.Fprintf(tw, "Cutover\t%s (%s)\n", p.Cutover.Format("Mon 2006-01-02 15:04 MST"), p.Zone)
	if len(p.Holidays) > 0 {
		fmt.Fprintf(tw, "Holidays\t%s\n", strings.Join(p.Holidays, ", "))
	}
	fmt.Fprintf(tw, "Status\t%s\n", p.Status)
	tw.Flush()
}

func serverLine(s project.Server) string {
	if s.IsZero() {
		return "-"
	}
	out := s.URL()
	if s.SkipVerify {
		out += " (certificate NOT verified)"
	}
	if s.CAFile != "" {
		out += " (extra CA " + s.CAFile + ")"
	}
	return out
}
