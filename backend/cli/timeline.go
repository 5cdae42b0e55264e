package cli

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/api"
)

func timelineCommands(env *Env) []*cobra.Command {
	var projectName, out string
	tl := &cobra.Command{
		Use:   "timeline --project P",
		Short: "Show the migration timeline: four phases of dated steps with owner and status",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			t, err := a.Timeline(projectName)
			if err != nil {
				return err
			}
			return env.Print(t, func(w io.Writer) { fmt.Fprint(w, t.String()) })
		},
	}
	tl.PersistentFlags().StringVar(&projectName, "project", "", "project name")
	ics := &cobra.Command{
		Use:   "ics --project P --out FILE.ics",
		Short: "Export the timeline as an iCalendar file",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			f, err := a.TimelineICS(projectName)
			if err != nil {
				return err
			}
			return writeFile(env, out, f)
		},
	}
	ics.Flags().StringVar(&out, "out", "", "file to write (- for standard output)")
	tl.AddCommand(ics)

	step := &cobra.Command{Use: "step", Short: "Change a timeline step's status"}
	var stepProject, note string
	step.PersistentFlags().StringVar(&stepProject, "project", "", "project name")
	step.PersistentFlags().StringVar(&note, "note", "", "note kept with the step")
	for _, v := range []struct{ use, status, short string }{
		{"done", "done", "Mark a step done (its due date is kept when the cutover moves)"},
		{"skip", "skipped", "Skip a step"},
		{"reopen", "todo", "Reopen a step (it follows the cutover date again)"},
		{"start", "in_progress", "Mark a step in progress"},
		{"block", "blocked", "Mark a step blocked"},
	} {
		v := v
		step.AddCommand(&cobra.Command{
			Use:   v.use + " STEP",
			Short: v.short,
			Args:  cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				a, err := env.projectAPI(stepProject)
				if err != nil {
					return err
				}
				s, err := a.SetStep(stepProject, args[0], v.status, note)
				if err != nil {
					return err
				}
				return env.Print(s, func(w io.Writer) {
					fmt.Fprintf(w, "%s: %s (due %s)\n", s.Title, s.Status, s.Due.Format("Mon 2006-01-02 15:04 MST"))
				})
			},
		})
	}

	contact := &cobra.Command{Use: "contact", Short: "The log of contacts with the customer"}
	var ci api.ContactInput
	var contactProject string
	contact.PersistentFlags().StringVar(&contactProject, "project", "", "project name")
	add := &cobra.Command{
		Use:   "add --project P --channel phone|email --summary TEXT",
		Short: "Record a contact with the customer",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(contactProject)
			if err != nil {
				return err
			}
			e, err := a.AddContact(contactProject, ci)
			if err != nil {
				return err
			}
			return env.Print(e, func(w io.Writer) {
				fmt.Fprintf(w, "Recorded %s contact at %s.\n", e.Channel, e.At.Format("2006-01-02 15:04"))
			})
		},
	}
	add.Flags().StringVar(&ci.Channel, "channel", "", "phone, email, meeting or other")
	add.Flags().StringVar(&ci.Summary, "summary", "", "what was said")
	add.Flags().StringVar(&ci.Step, "step", "", "contact step it belongs to: pre_contact, confirm_contact or followup_contact")
	add.Flags().StringVar(&ci.At, "at", "", `when, "2006-01-02 15:04" in the project's zone (default now)`)
	list := &cobra.Command{
		Use:   "list --project P",
		Short: "List contacts with the customer",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(contactProject)
			if err != nil {
				return err
			}
			log, err := a.ContactLog(contactProject)
			if err != nil {
				return err
			}
			return env.Print(log, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "WHEN\tCHANNEL\tSTEP\tSUMMARY")
				for _, e := range log {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04"), e.Channel, e.StepKey, e.Summary)
				}
				tw.Flush()
			})
		},
	}
	contact.AddCommand(add, list)
	return []*cobra.Command{tl, step, contact}
}

// writeFile writes a download to path (or standard output for "-").
func writeFile(env *Env, path string, f api.File) error {
	if path == "" {
		return Usage(fmt.Errorf("--out: a file to write is required (- for standard output)"))
	}
	if path == "-" {
		_, err := env.Opts.Stdout.Write(f.Data)
		return err
	}
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return env.Print(map[string]any{"written": path, "bytes": len(f.Data)}, func(w io.Writer) {
		fmt.Fprintf(w, "Wrote %s (%d bytes).\n", path, len(f.Data))
	})
}
