package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/directory"
	"cutover/backend/sheets"
)

// detectCommand: cutover people detect --project P --from SOURCE [--import].
func detectCommand(env *Env) *cobra.Command {
	var projectName, from string
	var doImport bool
	var opts api.ImportOptions
	c := &cobra.Command{
		Use:   "detect --project P --from graph|google|cpanel|doveadm [--import [--skip-invalid]]",
		Short: "Find the users, groups and contacts at the source through its API, and preview or import them",
		Long: "Read the source's directory — Microsoft 365 (Graph, with the source side's app-only sign-in),\n" +
			"Google Workspace (Directory API, with the source side's service account acting for an admin),\n" +
			"cPanel (UAPI, with an API token), Plesk (XML API, with a secret key) or Dovecot (doveadm HTTP\n" +
			"API, with its API key) — and check\n" +
			"what was found exactly as a spreadsheet import would: every problem by row, and what an import\n" +
			"would add, update or leave unchanged. Nothing is stored without --import; with any error nothing\n" +
			"is imported (exit 2) unless --skip-invalid (exit 3 when records were skipped). Running it again\n" +
			"changes nothing. Set the source up first with `cutover people directory set`.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if from == "" {
				return Usage(fmt.Errorf("--from: required; expected %s", strings.Join(directory.Sources, ", ")))
			}
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			var rep api.DetectReport
			if doImport {
				rep, err = a.PeopleDetectImport(projectName, from, opts)
			} else {
				rep, err = a.PeopleDetect(projectName, from)
			}
			if rep.Users.Result == nil {
				return err
			}
			if perr := env.Print(rep, func(w io.Writer) { printDetect(w, rep) }); perr != nil {
				return perr
			}
			if err != nil {
				var ps sheets.Problems
				if errors.As(err, &ps) {
					return Usage(fmt.Errorf("%s in what %s holds: nothing imported (fix them at the source, or import the valid records with --skip-invalid)",
						plural(len(ps), "error"), rep.Name))
				}
				return err
			}
			if skipped := rep.Users.Skipped + rep.Groups.Skipped + rep.Contacts.Skipped; doImport && skipped > 0 {
				return Partial(fmt.Errorf("%s with errors skipped", plural(skipped, "record")))
			}
			return nil
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.Flags().StringVar(&from, "from", "", "where to detect: "+strings.Join(directory.Sources, ", "))
	c.Flags().BoolVar(&doImport, "import", false, "store what was found (users fill the migration batch)")
	c.Flags().BoolVar(&opts.SkipInvalid, "skip-invalid", false, "with --import: store the valid records and leave out those with errors")
	return c
}

func printDetect(w io.Writer, rep api.DetectReport) {
	fmt.Fprintf(w, "%s:\n", rep.Name)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, r := range []api.ImportReport{rep.Users, rep.Groups, rep.Contacts} {
		fmt.Fprintf(w, "%s: %d found, %s, %s\n", r.Kind, r.RowsTotal, plural(r.Errors, "error"), plural(r.Warnings, "warning"))
		for i, p := range r.Problems {
			if i == maxPrintedProblems {
				fmt.Fprintf(w, "  … and %d more (use --json to see them all)\n", len(r.Problems)-i)
				break
			}
			fmt.Fprintf(w, "  %s\n", strings.TrimPrefix(p.Error(), r.File+", "))
		}
		switch {
		case r.Blocked:
			fmt.Fprintln(w, "  nothing imported")
		case r.Imported:
			fmt.Fprintf(w, "  imported: %d added, %d updated, %d unchanged, %d skipped\n", r.Added, r.Updated, r.Unchanged, r.Skipped)
		default:
			fmt.Fprintf(w, "  preview, nothing stored: would add %d, update %d, leave %d unchanged, skip %d\n", r.Added, r.Updated, r.Unchanged, r.Skipped)
		}
	}
}

// directoryCommand: cutover people directory set|show.
func directoryCommand(env *Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "directory set|show --project P",
		Short: "Say where `people detect` reads the source's directory (API address, account, token)",
	}
	c.AddCommand(directorySetCommand(env), directoryShowCommand(env))
	return c
}

func directorySetCommand(env *Env) *cobra.Command {
	var projectName string
	var in api.DirectorySettingInput
	var askToken bool
	c := &cobra.Command{
		Use:   "set --project P --from graph|google|cpanel|doveadm [--url URL] [--account USER] [--admin ADDRESS] [--token]",
		Short: "Set up a directory source; its API token or key comes from CUTOVER_DIRECTORY_TOKEN or a prompt",
		Long: "cpanel: --url https://host:2083 --account USER --token (an API token from cPanel → Security → Manage API Tokens).\n" +
			"plesk: --url https://host:8443 --token (a secret key: plesk bin secret_key -c -ip-address <this machine's>).\n" +
			"doveadm: --url http://host:PORT (the doveadm service's http listener) --token (doveadm_api_key).\n" +
			"graph: nothing needed (--url only for a national cloud); the source side must sign in with\n" +
			"  microsoft-app (`cutover signin set`), its app granted User.Read.All, GroupMember.Read.All, OrgContact.Read.All.\n" +
			"google: --admin ADDRESS, a Workspace administrator; the source side must sign in with\n" +
			"  google-service-account, its domain-wide delegation listing admin.directory.user.readonly and\n" +
			"  admin.directory.group.readonly. The token is sealed and never printed.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if in.Source == "" {
				return Usage(fmt.Errorf("--from: required; expected %s", strings.Join(directory.Sources, ", ")))
			}
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			if askToken {
				s, err := password(env, "CUTOVER_DIRECTORY_TOKEN", "API token", true)
				if err != nil {
					return err
				}
				in.Token = s.Reveal()
			}
			v, err := a.DirectorySet(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) {
				fmt.Fprintf(w, "%s set up for %s", v.Name, projectName)
				if v.HasToken {
					fmt.Fprint(w, " (token sealed)")
				}
				fmt.Fprintln(w)
			})
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.Flags().StringVar(&in.Source, "from", "", "the source: "+strings.Join(directory.Sources, ", "))
	c.Flags().StringVar(&in.Side, "side", "source", "source (where people are detected) or dest (where they are created: --from graph or google)")
	c.Flags().StringVar(&in.URL, "url", "", "the API's address")
	c.Flags().StringVar(&in.Account, "account", "", "cPanel: the hosting account's user name")
	c.Flags().StringVar(&in.Admin, "admin", "", "Google: an administrator's address")
	c.Flags().BoolVar(&askToken, "token", false, "store the API token (from CUTOVER_DIRECTORY_TOKEN or a prompt)")
	return c
}

func directoryShowCommand(env *Env) *cobra.Command {
	var projectName string
	c := &cobra.Command{
		Use:   "show --project P",
		Short: "Show the directory sources set up (never the tokens)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			vs, err := a.DirectorySettings(projectName)
			if err != nil {
				return err
			}
			return env.Print(vs, func(w io.Writer) {
				t := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(t, "SOURCE\tURL\tACCOUNT\tADMIN\tTOKEN")
				for _, v := range vs {
					fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", v.Source, v.URL, v.Account, v.Admin, yesNo(v.HasToken))
				}
				t.Flush()
			})
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	return c
}

// createCommand: cutover people create --project P [--apply] | create script.
func createCommand(env *Env) *cobra.Command {
	var projectName string
	var opts api.CreateOptions
	c := &cobra.Command{
		Use:   "create --project P [--to graph|google] [--sku SKU --usage-location CC] [--groups-as distribution|m365] [--apply]",
		Short: "Create the project's users and groups at the destination (Microsoft 365 or Google Workspace); a dry run unless --apply",
		Long: "Without --apply, read the destination tenant and say per user, group and contact what would be\n" +
			"created, what exists already (matched, never changed), what conflicts (the address belongs to\n" +
			"something else) and what the Exchange script must create (distribution lists, mail contacts:\n" +
			"`cutover people create script`). With --apply, create through Graph with the destination's\n" +
			"app-only sign-in: initial passwords from the batch, or generated and sealed (never printed),\n" +
			"the licence --sku (a skuPartNumber such as O365_BUSINESS_PREMIUM) with --usage-location (FR).\n" +
			"--to google: users, groups and members through the Directory API, with the destination's service\n" +
			"account acting for the administrator set with `people directory set --side dest --from google --admin`;\n" +
			"contacts are left to import by hand.\n" +
			"Running it again creates nothing twice. Exit 3 when some records failed (each with its reason).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			rep, err := a.PeopleCreate(projectName, opts)
			if rep.Items == nil {
				return err
			}
			if perr := env.Print(rep, func(w io.Writer) { printCreate(w, rep) }); perr != nil {
				return perr
			}
			if err != nil {
				return err
			}
			if n := rep.Counts[directory.Failed]; n > 0 {
				return Partial(fmt.Errorf("%d of %d records failed (each with its reason above)", n, len(rep.Items)))
			}
			return nil
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.Flags().StringVar(&opts.To, "to", "graph", "the destination: graph (Microsoft 365) or google (Google Workspace)")
	c.Flags().StringVar(&opts.SKU, "sku", "", "licence to assign: a skuPartNumber or skuId of the tenant (the dry run lists them)")
	c.Flags().StringVar(&opts.UsageLocation, "usage-location", "", "two-letter country code, needed for a licence")
	c.Flags().StringVar(&opts.GroupsAs, "groups-as", "", "distribution (default: by the Exchange script) or m365 (Microsoft 365 groups through Graph)")
	c.Flags().BoolVar(&opts.Apply, "apply", false, "create, rather than say what would be created")
	c.AddCommand(createScriptCommand(env))
	return c
}

func printCreate(w io.Writer, rep api.CreateReport) {
	t := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(t, "KIND\tADDRESS\tNAME\tACTION\tALIASES TO ADD\tREASON")
	for _, it := range rep.Items {
		kind := string(it.Kind)
		if it.Shared {
			kind += " (shared)"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", kind, it.Address, it.Name, it.Action, strings.Join(it.Aliases, "; "), it.Reason)
	}
	t.Flush()
	if len(rep.SKUs) > 0 {
		fmt.Fprint(w, "licences:")
		for _, s := range rep.SKUs {
			fmt.Fprintf(w, " %s (%d of %d free)", s.Part, s.Available, s.Enabled)
		}
		fmt.Fprintln(w)
	}
	var parts []string
	for _, a := range []string{directory.WillCreate, directory.Created, directory.Exists, directory.Conflict, directory.ByScript, directory.Failed} {
		if n := rep.Counts[a]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, a))
		}
	}
	what := "dry run, nothing created"
	if rep.Applied {
		what = "applied"
	}
	fmt.Fprintf(w, "%s: %s", what, strings.Join(parts, ", "))
	if rep.Generated > 0 {
		fmt.Fprintf(w, "; %s generated and sealed", plural(rep.Generated, "initial password"))
	}
	fmt.Fprintln(w)
}

func createScriptCommand(env *Env) *cobra.Command {
	var projectName, out string
	c := &cobra.Command{
		Use:   "script --project P --out FILE.ps1",
		Short: "Write the Exchange Online PowerShell that creates the distribution lists and mail contacts",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return Usage(errors.New("--out: a file to write is required (- for standard output)"))
			}
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			f, err := a.PeopleCreateScript(projectName)
			if err != nil {
				return err
			}
			if err := writeOut(env, out, f.Data, 0o644); err != nil || out == "-" {
				return err
			}
			return env.Print(map[string]any{"file": out, "bytes": len(f.Data)}, func(w io.Writer) {
				fmt.Fprintf(w, "wrote %s: run it in Exchange Online PowerShell, then `cutover people create --project %s` says what exists\n", out, projectName)
			})
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.Flags().StringVar(&out, "out", "", "file to write (- for standard output)")
	return c
}
