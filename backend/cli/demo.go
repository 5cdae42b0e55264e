package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/auth/authtest"
	"cutover/backend/demo"
)

func demoCommand(env *Env) *cobra.Command {
	var web, open, signin bool
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
			// Two built-in IMAP servers on loopback, the old one filled with sample mail, so
			// a whole migration can be run with no real server.
			mail, err := demo.StartMail(env.Context(), time.Now())
			if err != nil {
				return err
			}
			defer mail.Close()
			dns, err := demo.StartDNS()
			if err != nil {
				return err
			}
			defer dns.Close()
			if err := seedDemo(env, a, mail, dns); err != nil {
				return err
			}
			if signin {
				// A fake Microsoft 365 sign-in on loopback: the destination takes its tokens.
				idp := authtest.Start(authtest.Options{Interval: time.Second})
				defer idp.Close()
				idp.AddClient(demo.DemoClientID, "")
				mail.Dest.AcceptTokens(idp.IntrospectionURL())
				if err := demo.SeedSignIn(a, idp.URL); err != nil {
					return err
				}
				fmt.Fprintf(env.Opts.Stderr, "Destination signs in at a fake identity provider: approve codes at %s/device with the mailbox's address\n", idp.URL)
			}
			if !web && env.Opts.Desktop != nil && hasDisplay() {
				return openDesktop(env, a)
			}
			return serve(env, a, addr, open)
		},
	}
	c.Flags().BoolVar(&signin, "signin", false, "the destination signs in like Microsoft 365 (device code), at a fake identity provider on loopback")
	c.Flags().BoolVar(&web, "web", false, "serve to a browser even when a desktop window is possible")
	c.Flags().BoolVar(&open, "open", false, "open the URL in the default browser")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "loopback address to listen on with --web")
	return c
}

func seedDemo(env *Env, a *api.API, mail *demo.MailServers, dns *demo.DNSServers) error {
	if p, err := a.Projects(); err == nil && len(p) > 0 {
		for _, x := range p {
			if x.Name == demo.ProjectName {
				// A kept demo database: seeded once; the servers are new at every start.
				if err := demo.PointAt(a, mail); err != nil {
					return err
				}
				return demo.SeedDNS(a, dns, false)
			}
		}
	}
	name, err := demo.Seed(a, demo.Options{Source: mail.Source.URL(), Dest: mail.Dest.URL()})
	if err != nil {
		return err
	}
	if err := demo.SeedMail(a, mail); err != nil {
		return err
	}
	if err := demo.SeedDNS(a, dns, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Opts.Stderr, "Demo project %q ready in %s\n", name, env.dbPath())
	return nil
}

func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || isWindowsOrMac()
}
