package cli

import (
	"cmp"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/pim"
)

// pimCommand: contacts, calendars and tasks — where they live, imported files, counts.
func pimCommand(env *Env) *cobra.Command {
	root := &cobra.Command{Use: "pim", Short: "Contacts, calendars and tasks: CalDAV/CardDAV addresses, exported files, what was copied"}
	root.AddCommand(pimSetCommand(env), pimShowCommand(env), pimImportCommand(env), pimCopiedCommand(env))
	return root
}

func pimSetCommand(env *Env) *cobra.Command {
	var projectName string
	var in api.PIMSettingInput
	cmd := &cobra.Command{
		Use:   "set --project P [--source-kind dav|graph|google] [--source-url URL|DOMAIN] [--dest-kind dav|graph|google] [--dest-url URL|DOMAIN]",
		Short: "Set the CalDAV/CardDAV server of each side (a URL, or a domain found by DNS SRV and /.well-known)",
		Long: "Set where each side keeps contacts, calendars and tasks. Over DAV each mailbox signs in with its own\n" +
			"login and password (cutover batch set). cPanel: https://HOST:2080/ ; Radicale: http://HOST:5232/.\n" +
			"Without a destination URL, a Microsoft 365 project writes through Graph and a Google one through\n" +
			"Google's Calendar and Tasks APIs, with the destination's sign-in (cutover signin set).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			return a.PIMSettingSet(projectName, in)
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&in.SourceURL, "source-url", "", "source CalDAV/CardDAV URL or domain")
	cmd.Flags().StringVar(&in.DestURL, "dest-url", "", "destination CalDAV/CardDAV URL or domain (graph, google: the API's base, empty for the real one)")
	cmd.Flags().StringVar(&in.SourceKind, "source-kind", "", "dav, graph or google (read through the source's sign-in; default: dav)")
	cmd.Flags().StringVar(&in.DestKind, "dest-kind", "", "dav, graph or google (default: dav with --dest-url, else the project's provider's)")
	return cmd
}

func pimShowCommand(env *Env) *cobra.Command {
	var projectName string
	cmd := &cobra.Command{
		Use:   "show --project P",
		Short: "Show the CalDAV/CardDAV servers of the project",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			set, err := a.PIMSetting(projectName)
			if err != nil {
				return err
			}
			return env.Print(set, func(w io.Writer) {
				fmt.Fprintf(w, "source: %s %s\ndestination: %s %s\n", set.SourceKind, pimWhere(set.SourceKind, set.SourceURL), set.DestKind, pimWhere(set.DestKind, set.DestURL))
			})
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	return cmd
}

// pimWhere is a side's address: its URL, the real service's for an API without one.
func pimWhere(kind, u string) string {
	if u == "" && kind != "dav" {
		return "(the service's own address)"
	}
	return orNone(u)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func pimImportCommand(env *Env) *cobra.Command {
	var projectName string
	var in api.PIMImportInput
	cmd := &cobra.Command{
		Use:   "import --project P --mailbox LOGIN --file FILE.vcf|FILE.ics ...",
		Short: "Copy exported .vcf and .ics files into a mailbox's destination (for hosts without CalDAV/CardDAV)",
		Long: "Copy contacts (.vcf, vCard 3.0/4.0) and calendars or tasks (.ics) exported by the users into the\n" +
			"destination account of a mailbox of the batch: one address book or calendar per file, named after\n" +
			"it. Importing the same files again copies only what changed. Exit 3 when some items were refused.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			view := watchProgress(env) // the import's progress, as a pass's
			res, err := a.PIMImport(projectName, in)
			view.close()
			if err != nil {
				return err
			}
			if err := env.Print(res, func(w io.Writer) { printPIMResult(w, in.Mailbox, res) }); err != nil {
				return err
			}
			if res.Failed > 0 {
				return Partial(fmt.Errorf("%d items refused", res.Failed))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&in.Mailbox, "mailbox", "", "login of the mailbox the files belong to")
	cmd.Flags().StringSliceVar(&in.Files, "file", nil, "exported .vcf or .ics file (repeat)")
	return cmd
}

func pimCopiedCommand(env *Env) *cobra.Command {
	var projectName string
	cmd := &cobra.Command{
		Use:   "copied --project P",
		Short: "Contacts, events, tasks and journals copied so far, per mailbox",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			res, err := a.PIMCopied(projectName)
			if err != nil {
				return err
			}
			return env.Print(res, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "MAILBOX\tCONTACTS\tEVENTS\tTASKS\tJOURNALS")
				for _, m := range res {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", m.SourceLogin, m.Copied.Contacts, m.Copied.Events, m.Copied.Tasks, m.Copied.Journals)
				}
				tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	return cmd
}

func printPIMResult(w io.Writer, login string, r pim.Result) {
	fmt.Fprintf(w, "%s: contacts, calendars and tasks — %d copied, %d updated, %d already there, %d refused\n", login, r.Copied, r.Updated, r.Matched, r.Failed)
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  refused: %s %s %q (UID %s): %s\n", cmp.Or(f.Name, f.Collection), f.Kind, f.Summary, f.UID, f.Reason)
	}
}

func printPIMPass(w io.Writer, res api.PIMPassResult) {
	for _, m := range res.Mailboxes {
		printPIMResult(w, m.SourceLogin, m.Result)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
		}
	}
	fmt.Fprintf(w, "%s pass: %d contacts, events and tasks copied, %d updated, in %d mailboxes\n", res.Pass, res.Copied, res.Updated, len(res.Mailboxes))
}

func printPIMAnalysis(w io.Writer, res []api.PIMAnalysis) {
	for _, m := range res {
		fmt.Fprintf(w, "%s: contacts, calendars and tasks\n", m.SourceLogin)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  collection\ttype\tcontacts\tevents\ttasks\tjournals\tpre copies\tfinal copies\t")
		for _, c := range m.Collections {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Name, c.Type, c.Contacts, c.Events, c.Tasks, c.Journals, c.Pre, c.Todo)
		}
		tw.Flush()
	}
}

func printPIMVerify(w io.Writer, res []api.PIMCheck) {
	for _, m := range res {
		state := "complete"
		if !m.Complete {
			state = fmt.Sprintf("INCOMPLETE (%d missing)", m.Missing)
		}
		fmt.Fprintf(w, "%s: contacts, calendars and tasks %s\n", m.SourceLogin, state)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  source collection\titems\t→ destination\titems\tmissing\t")
		for _, c := range m.Collections {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%d\t%d\t\n", c.Name, c.SourceN.Total(), c.Dest, c.DestN.Total(), len(c.Missing))
		}
		tw.Flush()
		for _, c := range m.Collections {
			for _, x := range c.Missing {
				fmt.Fprintf(w, "  missing: %s %s %q (UID %s)\n", c.Name, x.Kind, x.Summary, x.UID)
			}
		}
	}
}
