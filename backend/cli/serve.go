package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/pkg/browser"
	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/web"
)

func serveCommand(env *Env) *cobra.Command {
	var addr string
	var open bool
	c := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:PORT] [--open]",
		Short: "Serve the app to a browser on this computer (loopback only) and print its URL",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			return serve(env, a, addr, open)
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free one)")
	c.Flags().BoolVar(&open, "open", false, "open the URL in the default browser")
	return c
}

// serve runs the local web app until the command's context is cancelled (Ctrl-C).
func serve(env *Env, a *api.API, addr string, open bool) error {
	ln, err := web.Listen(addr)
	if err != nil {
		return Usage(err)
	}
	if env.Opts.Assets == nil {
		ln.Close()
		return errors.New("this build has no frontend assets")
	}
	token := web.NewToken()
	srv := &http.Server{Handler: web.New(a, env.Opts.Assets, token, env.log).Handler(), ReadHeaderTimeout: 10 * time.Second}
	url := web.URL(ln, token)
	if env.JSON {
		_ = env.Print(map[string]string{"url": url}, nil)
	} else {
		fmt.Fprintf(env.Opts.Stdout, "Cutover is running at %s\n(database %s; press Ctrl-C to stop)\n", url, env.dbPath())
	}
	if open {
		browser.Stdout, browser.Stderr = os.Stderr, os.Stderr
		if err := browser.OpenURL(url); err != nil {
			fmt.Fprintf(env.Opts.Stderr, "could not open a browser (%v): open the URL above yourself\n", err)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go api.RunSweeps(env.ctx, a, api.SweepTicks(env.ctx)) // sweeps run while the app is served
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-env.ctx.Done():
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		return nil
	}
}

func (e *Env) dbPath() string {
	if e.DBPath != "" {
		return e.DBPath
	}
	p, _ := DefaultDBPath()
	return p
}

func desktopCommand(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "window",
		Short: "Open the desktop window (what running cutover without a command does)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			return openDesktop(env, a)
		},
	}
}

// ErrNoDesktop is returned by builds without the desktop window.
var ErrNoDesktop = errors.New("this build has no desktop window (build with -tags desktop,production,webkit2_41); use `cutover serve` for the browser")

func openDesktop(env *Env, a *api.API) error {
	if env.Opts.Desktop == nil {
		return ErrNoDesktop
	}
	return env.Opts.Desktop(a, env.Opts.Assets)
}
