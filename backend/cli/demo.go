package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/demo"
)

func demoCommand(env *Env) *cobra.Command {
	var web, open bool
	var addr string
	c := &cobra.Command{
		Use:   "demo [--web] [--open]",
		Short: "Start a self-contained demo: a sample customer project, no real server needed",
		Long: "Start a self-contained demo in a fresh temporary database (unless --db is given): a sample\n" +
			"customer project with its cutover a few days ahead. Opens the desktop window when the\n" +
			"build has one and a display is available; otherwise (or with --web) serves it to a browser.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Root().PersistentFlags().Changed("db") { // never seed the user's own database
				dir, err := os.MkdirTemp("", "cutover-demo-")
				if err != nil {
					return fmt.Errorf("demo directory: %w", err)
				}
				env.DBPath = filepath.Join(dir, "demo.db")
			}
			a, err := env.API()
			if err != nil {
				return err
			}
			if err := seedDemo(env, a); err != nil {
				return err
			}
			if !web && env.Opts.Desktop != nil && hasDisplay() {
				return openDesktop(env, a)
			}
			return serve(env, a, addr, open)
		},
	}
	c.Flags().BoolVar(&web, "web", false, "serve to a browser even when a desktop window is possible")
	c.Flags().BoolVar(&open, "open", false, "open the URL in the default browser")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "loopback address to listen on with --web")
	return c
}

func seedDemo(env *Env, a *api.API) error {
	if p, err := a.Projects(); err == nil && len(p) > 0 {
		for _, x := range p {
			if x.Name == demo.ProjectName {
				return nil // a kept demo database: seed once
			}
		}
	}
	name, err := demo.Seed(a, demo.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Opts.Stderr, "Demo project %q ready in %s\n", name, env.dbPath())
	return nil
}

func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || isWindowsOrMac()
}
