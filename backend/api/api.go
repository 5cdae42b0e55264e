// Package api is the set of operations the user interface offers. The desktop window
// binds *API directly (Wails), the local web app calls the very same methods by name
// over HTTP (package web), and the command line calls them too, so a rule lives in
// one place whatever the face. Methods take and return plain JSON-friendly values;
// the context of every long operation is the API's own, cancelled when the face stops.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cutover/backend/events"
	"cutover/backend/fault"
	"cutover/backend/project"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// API is the application's operations over one database.
type API struct {
	ctx   context.Context
	store *store.Store
	vault *secrets.Vault
	bus   *events.Bus
	now   func() time.Time
	log   *slog.Logger
	ext   extensions
	owner string // this instance as the owner of mailbox leases (lease.go)
}

// Options are what an API is built from.
type Options struct {
	Store *store.Store
	Vault *secrets.Vault
	Bus   *events.Bus
	Now   func() time.Time // nil: time.Now
	Log   *slog.Logger     // nil: slog.Default()
}

// New returns the API. ctx bounds every long operation it starts.
func New(ctx context.Context, o Options) *API {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Bus == nil {
		o.Bus = events.NewBus()
	}
	if o.Store != nil {
		o.Store.SetClock(o.Now) // one clock: what the store stamps is the API's "now"
	}
	return &API{ctx: ctx, store: o.Store, vault: o.Vault, bus: o.Bus, now: o.Now, log: o.Log, owner: leaseOwner()}
}

// Open opens the database at dbPath (with its key file beside it) and returns an API over it.
func Open(ctx context.Context, dbPath string, bus *events.Bus, log *slog.Logger) (*API, error) {
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	key, err := secrets.LoadOrCreateKey(secrets.KeyPath(dbPath))
	if err != nil {
		st.Close()
		return nil, err
	}
	vault, err := secrets.NewVault(key, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return New(ctx, Options{Store: st, Vault: vault, Bus: bus, Log: log}), nil
}

// The faces' wiring is done with package functions rather than methods, so that the
// window's bindings and the web face expose only the operations meant for the UI.

// Events is the event stream of a, which the faces subscribe to.
func Events(a *API) *events.Bus { return a.bus }

// Close stops what a runs and closes its database.
func Close(a *API) error {
	a.ext.close()
	return a.store.Close()
}

// IsInputError reports whether err is the user's bad input (exit code 2, HTTP 400):
// fault.Classify decides, for every face.
func IsInputError(err error) bool { return fault.Is(err, fault.KindInput) }

// IsNotFound reports whether err means a named thing does not exist.
func IsNotFound(err error) bool { return fault.Is(err, fault.KindNotFound) }

func (a *API) project(name string) (project.Project, error) {
	if name == "" {
		return project.Project{}, &project.FieldError{Field: "project", Expected: "a project name (--project)"}
	}
	p, err := a.store.ProjectByName(a.ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return p, err // `project "name": not found`
	case err != nil:
		return p, fmt.Errorf("project %q: %w", name, err) // the database failed: not the user's typo
	}
	return p, nil
}
