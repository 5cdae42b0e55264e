package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/sheets"
)

// peopleCommands: cutover template, import and export — the people spreadsheets.
func peopleCommands(env *Env) []*cobra.Command {
	return []*cobra.Command{templateCommand(env), importCommand(env), exportCommand(env), peopleListCommand(env)}
}

func templateCommand(env *Env) *cobra.Command {
	var out, projectName string
	c := &cobra.Command{
		Use:   "template users|groups|contacts --out FILE.xlsx|FILE.csv [--project P]",
		Short: "Write a blank users, groups or contacts sheet to fill in (with the project's domains when given)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return Usage(errors.New("--out: a file name ending in .xlsx or .csv is required"))
			}
			format := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			if format != "xlsx" && format != "csv" {
				return Usage(fmt.Errorf("--out %q: expected a file name ending in .xlsx or .csv", out))
			}
			a, err := env.API()
			if err != nil {
				return err
			}
			f, err := a.PeopleTemplate(projectName, args[0], format)
			if err != nil {
				return err
			}
			if err := writeOut(env, out, f.Data, 0o644); err != nil {
				return err
			}
			return env.Print(map[string]any{"file": out, "bytes": len(f.Data)}, func(w io.Writer) {
				fmt.Fprintf(w, "wrote the %s template to %s\n", args[0], out)
			})
		},
	}
	c.Flags().StringVar(&out, "out", "", "file to write (.xlsx or .csv)")
	c.Flags().StringVar(&projectName, "project", "", "project whose domains the template lists (optional)")
	return c
}

func importCommand(env *Env) *cobra.Command {
	var projectName string
	var opts api.ImportOptions
	c := &cobra.Command{
		Use:   "import users|groups|contacts FILE --project P [--sheet NAME] [--dry-run] [--skip-invalid]",
		Short: "Import a users, groups or contacts sheet (xlsx or csv); users fill the migration batch",
		Long: "Import a users, groups or contacts sheet (xlsx or csv). The layout is recognised from the header:\n" +
			"Cutover's template, the Microsoft 365 bulk-add CSV or active users export, the Google Workspace\n" +
			"bulk-upload CSV, an Exchange Online migration batch CSV or an imapsync batch file.\n" +
			"Every problem is listed with its row and column. With any error nothing is imported (exit 2)\n" +
			"unless --skip-invalid (exit 3 when rows were skipped). Re-importing is safe: records are keyed by\n" +
			"address and reported as added, updated or unchanged. Passwords in the sheet are sealed, never printed.",
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			data, err := readInput(env, args[1])
			if err != nil {
				return err
			}
			rep, err := a.PeopleImport(projectName, args[0], args[1], data, opts)
			if rep.Result == nil {
				return err
			}
			if perr := env.Print(rep, func(w io.Writer) { printImport(w, rep) }); perr != nil {
				return perr
			}
			if err != nil {
				var ps sheets.Problems
				if errors.As(err, &ps) {
					return Usage(fmt.Errorf("%s in %s: nothing imported (fix them, or import the valid rows with --skip-invalid)", plural(len(ps), "error"), rep.File))
				}
				return err
			}
			if rep.Skipped > 0 {
				return Partial(fmt.Errorf("%s with errors skipped", plural(rep.Skipped, "record")))
			}
			return nil
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.Flags().StringVar(&opts.Sheet, "sheet", "", "xlsx worksheet to read (default: the first non-empty one)")
	c.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check the file and say what would change, store nothing")
	c.Flags().BoolVar(&opts.SkipInvalid, "skip-invalid", false, "import the valid rows and leave out those with errors")
	return c
}

// readInput reads a file the user named, or standard input for "-".
func readInput(env *Env, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(io.LimitReader(env.Opts.Stdin, sheets.DefaultLimits.MaxBytes+1))
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, Usage(fmt.Errorf("read %s: %w", path, err))
	}
	if st.IsDir() {
		return nil, Usage(fmt.Errorf("%s is a directory; expected a spreadsheet file", path))
	}
	if st.Size() > sheets.DefaultLimits.MaxBytes {
		return nil, Usage(fmt.Errorf("%s: %d bytes, over the %d-byte limit; expected a smaller file (split it)", path, st.Size(), sheets.DefaultLimits.MaxBytes))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

const maxPrintedProblems = 50

// plural is "1 error", "2 errors".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func printImport(w io.Writer, rep api.ImportReport) {
	where := rep.File
	if rep.Sheet != "" {
		where += fmt.Sprintf(", sheet %q", rep.Sheet)
	}
	header := "no header row"
	if rep.HeaderRow > 0 {
		header = fmt.Sprintf("header on row %d", rep.HeaderRow)
	}
	if rep.Encoding != "" {
		// What was detected, so that a wrong guess (accents garbled, one column) is plain.
		where += fmt.Sprintf(" (%s, separated by %s)", rep.Encoding, rep.Delimiter)
	}
	fmt.Fprintf(w, "%s: %s, %s (%s)\n", where, rep.LayoutName, rep.Kind, header)
	for i, p := range rep.Problems {
		if i == maxPrintedProblems {
			fmt.Fprintf(w, "  … and %d more (use --json to see them all)\n", len(rep.Problems)-i)
			break
		}
		fmt.Fprintf(w, "  %s\n", strings.TrimPrefix(p.Error(), rep.File+", "))
	}
	fmt.Fprintf(w, "%s, %s\n", plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
	switch {
	case rep.Blocked:
		fmt.Fprintln(w, "nothing imported")
	case rep.Imported:
		fmt.Fprintf(w, "imported: %d added, %d updated, %d unchanged, %d skipped\n", rep.Added, rep.Updated, rep.Unchanged, rep.Skipped)
	case rep.DryRun:
		fmt.Fprintf(w, "dry run, nothing stored: would add %d, update %d, leave %d unchanged, skip %d\n", rep.Added, rep.Updated, rep.Unchanged, rep.Skipped)
	default:
		fmt.Fprintln(w, "nothing imported")
	}
}

func exportCommand(env *Env) *cobra.Command {
	var projectName, format, out string
	var withPasswords bool
	c := &cobra.Command{
		Use:   "export users|groups|contacts|batch|provisioning --project P --format FORMAT --out FILE",
		Short: "Export people or the batch (xlsx, csv), or a provisioning file (m365, google, exchange-batch, imapsync)",
		Long: "Export users, groups, contacts or the batch as --format xlsx or csv (Cutover's layout, re-importable),\n" +
			"or `export provisioning` as --format m365 (admin center bulk-add CSV), google (Workspace bulk-upload CSV),\n" +
			"exchange-batch (Exchange Online IMAP migration batch CSV) or imapsync (host1;user1;password1;host2;user2;password2).\n" +
			"Passwords are left out unless --include-passwords (the file is then written readable by you only).\n" +
			"Cells that a spreadsheet would run as formulas (starting with = + - @) are neutralised.",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return Usage(errors.New("--out: a file to write is required (- for standard output)"))
			}
			if format == "" {
				return Usage(fmt.Errorf("--format: required; expected %s", strings.Join(api.ExportFormats[strings.ToLower(args[0])], ", ")))
			}
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			f, err := a.PeopleExport(projectName, args[0], format, withPasswords)
			if err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if withPasswords {
				mode = 0o600
			}
			if err := writeOut(env, out, f.Data, mode); err != nil {
				return err
			}
			if out == "-" {
				return nil
			}
			return env.Print(map[string]any{"file": out, "bytes": len(f.Data), "passwords": withPasswords}, func(w io.Writer) {
				fmt.Fprintf(w, "wrote %s (%d bytes)\n", out, len(f.Data))
			})
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.Flags().StringVar(&format, "format", "", "xlsx or csv; for provisioning: m365, google, exchange-batch or imapsync")
	c.Flags().StringVar(&out, "out", "", "file to write (- for standard output)")
	c.Flags().BoolVar(&withPasswords, "include-passwords", false, "put the stored passwords in the file")
	return c
}

func writeOut(env *Env, path string, data []byte, mode os.FileMode) error {
	if path == "-" {
		_, err := env.Out().Write(data)
		return err
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Chmod(path, mode)
}

// peopleListCommand: cutover people users|groups|contacts --project P.
func peopleListCommand(env *Env) *cobra.Command {
	var projectName string
	c := &cobra.Command{
		Use:   "people users|groups|contacts|detect|directory|create --project P",
		Short: "List the project's users, groups or contacts",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			k, err := sheets.ParseKind(args[0])
			if err != nil {
				return Usage(err)
			}
			tw := func(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }
			switch k {
			case sheets.Users:
				us, err := a.Users(projectName)
				if err != nil {
					return err
				}
				return env.Print(us, func(w io.Writer) {
					t := tw(w)
					fmt.Fprintln(t, "ADDRESS\tNAME\tSOURCE LOGIN\tPASSWORDS\tMIGRATE\tSHARED\tALIASES")
					for _, u := range us {
						fmt.Fprintf(t, "%s\t%s\t%s\t%s/%s\t%s\t%s\t%s\n", u.Address, u.DisplayName, u.SourceLogin, yesNo(u.HasSourcePassword), yesNo(u.HasPassword), yesNo(u.Migrate),
							yesNo(u.Shared), strings.Join(u.Aliases, "; "))
					}
					t.Flush()
				})
			case sheets.Groups:
				gs, err := a.Groups(projectName)
				if err != nil {
					return err
				}
				return env.Print(gs, func(w io.Writer) {
					t := tw(w)
					fmt.Fprintln(t, "ADDRESS\tNAME\tMEMBERS")
					for _, g := range gs {
						fmt.Fprintf(t, "%s\t%s\t%s\n", g.Address, g.Name, strings.Join(g.Members, "; "))
					}
					t.Flush()
				})
			default:
				cs, err := a.Contacts(projectName)
				if err != nil {
					return err
				}
				return env.Print(cs, func(w io.Writer) {
					t := tw(w)
					fmt.Fprintln(t, "ADDRESS\tNAME\tCOMPANY\tPHONE")
					for _, ct := range cs {
						fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", ct.Address, ct.DisplayName, ct.Company, ct.Phone)
					}
					t.Flush()
				})
			}
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	c.AddCommand(detectCommand(env), directoryCommand(env), createCommand(env))
	return c
}
