package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cutover/backend/api"
)

// dayCommand: cutover day --project P — the cutover day at a glance.
func dayCommand(env *Env) *cobra.Command {
	var projectName string
	c := &cobra.Command{
		Use:   "day --project P",
		Short: "The cutover day at a glance: the switch window, DNS after the switch, the final pass, sweeps, messages, what is left",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			day, err := a.CutoverDay(projectName)
			if err != nil {
				return err
			}
			p, err := a.Project(projectName)
			if err != nil {
				return err
			}
			return env.Print(day, func(w io.Writer) { printDay(w, day, p.Location()) })
		},
	}
	c.Flags().StringVar(&projectName, "project", "", "project name")
	return c
}

func printDay(w io.Writer, day api.CutoverDay, loc *time.Location) {
	at := func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 15:04") }
	fmt.Fprintf(w, "switch window  %s – %s\n", at(day.WindowStart), day.WindowEnd.In(loc).Format("15:04"))
	if day.DNS == nil {
		fmt.Fprintln(w, "DNS            no check after the switch yet (cutover dns check --phase after)")
	} else {
		fmt.Fprintf(w, "DNS            checked %s\n", at(day.DNS.At))
		for _, r := range day.DNS.Records {
			line := fmt.Sprintf("  %s %s: %d/%d resolvers", r.Type, r.Name, r.Seen, r.Asked)
			if len(r.Lingering) > 0 {
				line += "; old: " + strings.Join(r.Lingering, "; ")
			}
			fmt.Fprintln(w, line)
		}
	}
	finals := 0
	for _, m := range day.Mailboxes {
		if m.Pass != nil && m.Pass.Kind == "final" {
			if finals == 0 {
				fmt.Fprintf(w, "final pass     %d/%d messages\n", day.Totals.MessagesDone, day.Totals.MessagesTotal)
			}
			finals++
			fmt.Fprintf(w, "  %s: %s, %d/%d", m.Entry.SourceLogin, m.Pass.State, m.Pass.MessagesDone, m.Pass.MessagesTotal)
			if m.Pass.Failed > 0 {
				fmt.Fprintf(w, ", %d refused", m.Pass.Failed)
			}
			fmt.Fprintln(w)
		}
	}
	if finals == 0 {
		fmt.Fprintln(w, "final pass     not started")
	}
	fmt.Fprintf(w, "sweeps         %s\n", day.Sweeps.Text)
	fmt.Fprintf(w, "messages       %d on the cutover or after it\n", len(day.Messages))
	for _, m := range day.Messages {
		fmt.Fprintf(w, "  %s %s: %s\n", at(m.At), m.Channel, m.Summary)
	}
	if len(day.Left) == 0 {
		fmt.Fprintln(w, "left           nothing")
		return
	}
	fmt.Fprintln(w, "left")
	for _, s := range day.Left {
		state := string(s.Status)
		if s.Overdue {
			state = "OVERDUE"
		}
		fmt.Fprintf(w, "  %s (%s), due %s: %s\n", s.Title, s.Owner, at(s.Due), state)
	}
}
