// Package cli is the command-line face of Cutover: every action of the user interface
// as a command, with --json for scripts. Commands translate flags into calls of package
// api and print the results; they hold no business rules.
//
// Exit codes: 0 done, 1 failed, 2 bad usage or bad input, 3 finished with some items failed.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/events"
	"cutover/backend/fault"
	"cutover/backend/store"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitPartial = 3
)

// Usage wraps err as bad usage or bad input (exit 2).
func Usage(err error) error { return fault.Mark(fault.KindInput, err) }

// Partial reports a run that finished with some items failed (exit 3).
func Partial(err error) error { return fault.Mark(fault.KindPartial, err) }

// Desktop opens the desktop window over a; it is nil in builds without one.
type Desktop func(a *api.API, assets fs.FS) error

// Options are what the binary's main gives the command line.
type Options struct {
	Desktop Desktop
	Assets  fs.FS // the built frontend (frontend/dist)
	Version string
	Stdout  io.Writer
	Stderr  io.Writer
	Stdin   io.Reader
}

// Env is what every command gets: flags, output and a lazily opened API.
type Env struct {
	Opts   Options
	DBPath string
	JSON   bool
	ctx    context.Context
	api    *api.API
	bus    *events.Bus
	log    *slog.Logger
}

// Context is the command's context, cancelled by Ctrl-C.
func (e *Env) Context() context.Context { return e.ctx }

// API opens the database on first use.
func (e *Env) API() (*api.API, error) {
	if e.api != nil {
		return e.api, nil
	}
	path := e.DBPath
	if path == "" {
		var err error
		if path, err = DefaultDBPath(); err != nil {
			return nil, err
		}
	}
	a, err := api.Open(e.ctx, path, e.bus, e.log)
	if err != nil {
		return nil, err
	}
	e.api = a
	return a, nil
}

// Out is standard output.
func (e *Env) Out() io.Writer { return e.Opts.Stdout }

// Print writes v as indented JSON with --json, else calls human.
func (e *Env) Print(v any, human func(w io.Writer)) error {
	if e.JSON {
		enc := json.NewEncoder(e.Opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human(e.Opts.Stdout)
	return nil
}

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, o Options) int {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	env := &Env{Opts: o, ctx: ctx, bus: events.NewBus()}
	env.log = slog.New(slog.NewTextHandler(o.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	root := newRoot(env)
	root.SetArgs(args)
	root.SetOut(o.Stdout)
	root.SetErr(o.Stderr)
	root.SetIn(o.Stdin)
	err := root.ExecuteContext(ctx)
	if env.api != nil {
		api.Close(env.api)
	}
	return exitCode(err, o.Stderr)
}

// exitCode is the exit code of err, from its kind (fault.Classify), the same
// classification that gives the web face its HTTP status.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		// Ctrl-C or SIGTERM: a pass keeps what it copied and its next run goes on from there.
		fmt.Fprintln(stderr, "cutover: stopped by an interrupt; what was done is kept: run the same command again to go on")
		return ExitFailed
	}
	fmt.Fprintln(stderr, "cutover:", err)
	switch fault.Classify(err).Kind {
	case fault.KindInput, fault.KindNotFound:
		return ExitUsage
	case fault.KindPartial:
		return ExitPartial
	}
	return ExitFailed
}

// flagError is a flag cobra could not parse: bad usage.
type flagError struct{ error }

func (flagError) FaultKind() fault.Kind { return fault.KindInput }

func newRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "cutover",
		Short:         "Run a small business's email migration, from spreadsheets to the DNS switch",
		Long:          "Cutover runs a whole email migration: people spreadsheets, mailbox copy (IMAP to IMAP), DNS checks and the four-phase timeline.\nWithout a command it opens the desktop window.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       env.Opts.Version,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError{err} })
	root.PersistentFlags().StringVar(&env.DBPath, "db", os.Getenv("CUTOVER_DB"), "database file (default: cutover.db in the configuration directory; env CUTOVER_DB)")
	root.PersistentFlags().BoolVar(&env.JSON, "json", false, "machine-readable JSON on standard output")
	root.AddCommand(serveCommand(env), demoCommand(env), desktopCommand(env))
	root.AddCommand(projectCommands(env)...)
	root.AddCommand(timelineCommands(env)...)
	root.AddCommand(batchCommands(env)...)
	root.AddCommand(peopleCommands(env)...)
	root.AddCommand(mailCommands(env)...)
	root.AddCommand(pimCommand(env))
	root.AddCommand(dnsCommands(env)...)
	root.AddCommand(signinCommands(env)...)
	root.AddCommand(customerCommands(env)...)
	root.AddCommand(sweepCommand(env), dayCommand(env))
	return root
}

// requireProject returns the --project flag's value or a usage error.
// projectAPI opens the API for a command about the project called name, which must be given.
func (e *Env) projectAPI(name string) (*api.API, error) {
	if err := requireProject(name); err != nil {
		return nil, err
	}
	return e.API()
}

func requireProject(name string) error {
	if name == "" {
		return Usage(errors.New("--project: a project name is required"))
	}
	return nil
}

// DefaultDBPath is the database used without --db: CUTOVER_DB, else the configuration directory's.
func DefaultDBPath() (string, error) { return store.DefaultPath() }
