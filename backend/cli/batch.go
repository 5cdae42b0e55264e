package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/batch"
)

// batchCommands: cutover batch list|set|remove — the migration batch, by hand.
func batchCommands(env *Env) []*cobra.Command {
	var projectName string
	root := &cobra.Command{Use: "batch", Short: "The migration batch: which source mailbox goes to which destination mailbox"}
	root.PersistentFlags().StringVar(&projectName, "project", "", "project name")

	list := &cobra.Command{
		Use:   "list --project P",
		Short: "List the batch",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			entries, err := a.Batch(projectName)
			if err != nil {
				return err
			}
			return env.Print(entries, func(w io.Writer) { printBatch(w, entries) })
		},
	}

	var in api.BatchInput
	var disabled, enable, ask bool
	set := &cobra.Command{
		Use:   "set --project P --source LOGIN --dest LOGIN [--name NAME] [--disabled|--enable] [--ask-passwords]",
		Short: "Add a mailbox to the batch, or change it (keyed by the source login)",
		Long: "Add a mailbox to the batch, or change it (keyed by the source login).\n" +
			"Passwords are read from CUTOVER_SOURCE_PASSWORD and CUTOVER_DEST_PASSWORD, or asked for with\n" +
			"--ask-passwords; they are sealed in the database, never printed. Leave both out to keep the\n" +
			"stored ones (or to use the project's admin access).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			src, err := password(env, "CUTOVER_SOURCE_PASSWORD", "source password of "+in.SourceLogin, ask)
			if err != nil {
				return err
			}
			dst, err := password(env, "CUTOVER_DEST_PASSWORD", "destination password of "+in.DestLogin, ask)
			if err != nil {
				return err
			}
			in.SourcePassword, in.DestPassword = src.Reveal(), dst.Reveal()
			if disabled || enable {
				in.Enabled = &enable
			}
			// Changing one thing of an entry keeps the rest: the name and whether it is
			// copied stay as stored unless their flags are given.
			if err := keepStored(a, projectName, &in, c.Flags().Changed("name")); err != nil {
				return err
			}
			e, err := a.BatchSet(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(e, func(w io.Writer) { printBatch(w, []batch.Entry{e}) })
		},
	}
	set.Flags().StringVar(&in.SourceLogin, "source", "", "login of the mailbox on the source server")
	set.Flags().StringVar(&in.DestLogin, "dest", "", "login of the mailbox on the destination server")
	set.Flags().StringVar(&in.Name, "name", "", "the person's name, for display")
	set.Flags().BoolVar(&disabled, "disabled", false, "keep the entry but leave it out of copy passes")
	set.Flags().BoolVar(&enable, "enable", false, "copy a disabled entry again")
	set.MarkFlagsMutuallyExclusive("disabled", "enable")
	set.Flags().BoolVar(&ask, "ask-passwords", false, "ask for the passwords not given in the environment")

	remove := &cobra.Command{
		Use:   "remove --project P SOURCE_LOGIN",
		Short: "Take a mailbox out of the batch (its copy history is kept)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			if err := a.BatchRemove(projectName, args[0]); err != nil {
				return err
			}
			return env.Print(map[string]string{"removed": args[0]}, func(w io.Writer) { fmt.Fprintf(w, "removed %s from the batch\n", args[0]) })
		},
	}
	root.AddCommand(list, set, remove)
	return []*cobra.Command{root}
}

// projectAPI checks the --project flag and opens the API.
func projectAPI(env *Env, projectName string) (*api.API, error) {
	if err := requireProject(projectName); err != nil {
		return nil, err
	}
	return env.API()
}

func printBatch(w io.Writer, entries []batch.Entry) {
	if len(entries) == 0 {
		fmt.Fprintln(w, "the batch is empty: add mailboxes with `cutover batch set` or import a users sheet")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tDESTINATION\tNAME\tPASSWORDS\tENABLED")
	for _, e := range entries {
		pw := fmt.Sprintf("%s/%s", yesNo(e.HasSourcePassword), yesNo(e.HasDestPassword))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.SourceLogin, e.DestLogin, e.Name, pw, yesNo(e.Enabled))
	}
	tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// keepStored fills in, from the stored entry with in's source login if there is one, its
// name (unless nameGiven) and its enabled state (unless in sets it): `batch set` changes
// only what its flags name.
func keepStored(a *api.API, projectName string, in *api.BatchInput, nameGiven bool) error {
	entries, err := a.Batch(projectName)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !strings.EqualFold(e.SourceLogin, strings.TrimSpace(in.SourceLogin)) {
			continue
		}
		if !nameGiven {
			in.Name = e.Name
		}
		if in.Enabled == nil {
			enabled := e.Enabled
			in.Enabled = &enabled
		}
	}
	return nil
}
