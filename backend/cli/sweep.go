package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"cutover/backend/api"
)

// sweepCommand: cutover sweep start|stop|status|run — the delta passes after the switch.
func sweepCommand(env *Env) *cobra.Command {
	var projectName, until string
	cmd := &cobra.Command{
		Use:   "sweep start|stop|status|run --project P",
		Short: "Sweep for mail still landing at the old host after the switch (the final pass again, on a schedule)",
		Long: "After the final pass and the MX switch, sweeps run the final pass again for every mailbox: every 30 minutes\n" +
			"for 12 hours after the switch, then every 4 hours, until 72 hours after it and at least the old MX TTL\n" +
			"after a resolver last answered the old value. They run while the window or `cutover serve` is open;\n" +
			"`cutover sweep run` runs them in the foreground on a machine without a desktop (Ctrl-C to leave).",
	}
	cmd.PersistentFlags().StringVar(&projectName, "project", "", "project name")
	status := func(c *cobra.Command, st api.SweepStatus) error {
		return env.Print(st, func(w io.Writer) { printSweep(w, st) })
	}
	start := &cobra.Command{
		Use: "start --project P [--until \"2027-05-17 18:00\"]", Short: "Start the sweeps", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			st, err := a.SweepStart(projectName, api.SweepInput{Until: until})
			if err != nil {
				return err
			}
			return status(c, st)
		},
	}
	start.Flags().StringVar(&until, "until", "", "end the sweeps then, in the project's time zone (default: 72 hours after the switch, or later while resolvers still answer the old MX)")
	stop := &cobra.Command{
		Use: "stop --project P", Short: "Stop the sweeps", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			st, err := a.SweepStop(projectName)
			if err != nil {
				return err
			}
			return status(c, st)
		},
	}
	show := &cobra.Command{
		Use: "status --project P", Short: "Show the sweeps: until when, the next one, what each found", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			st, err := a.SweepStatus(projectName)
			if err != nil {
				return err
			}
			return status(c, st)
		},
	}
	run := &cobra.Command{
		Use: "run --project P", Short: "Run the sweeps in the foreground until they end (Ctrl-C to leave; they go on at the next start)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			ticks := api.SweepTicks(env.ctx)
			for {
				r, err := a.SweepRunDue(projectName)
				if err != nil {
					fmt.Fprintf(env.Opts.Stderr, "sweep: %v\n", err)
				}
				st, serr := a.SweepStatus(projectName)
				if serr != nil {
					return serr
				}
				if r != nil && !env.JSON {
					fmt.Fprintf(env.Opts.Stdout, "%s\n", st.Text)
				}
				if !st.Active {
					return status(c, st)
				}
				select {
				case <-env.ctx.Done():
					return nil
				case <-ticks:
				}
			}
		},
	}
	cmd.AddCommand(start, stop, show, run)
	return cmd
}

func printSweep(w io.Writer, st api.SweepStatus) {
	fmt.Fprintln(w, st.Text)
	if !st.Started {
		return
	}
	fmt.Fprintf(w, "switch %s; until %s (%s)\n", st.SwitchAt.Format(time.RFC3339), st.Until.Format(time.RFC3339), st.UntilWhy)
	if st.Active {
		fmt.Fprintf(w, "next sweep %s\n", st.Next.Format(time.RFC3339))
	}
	for _, r := range st.Runs {
		state := fmt.Sprintf("%d new, %d refused", r.Copied, r.Failed)
		if r.Error != "" {
			state += ": " + r.Error
		}
		fmt.Fprintf(w, "  %s  %s\n", r.StartedAt.Format(time.RFC3339), state)
	}
}
