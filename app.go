package main

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"cutover/backend/api"
)

// App is the desktop window's lifecycle: it forwards the API's events to the window.
// The operations themselves are bound directly from *api.API, so the window and the
// browser call exactly the same methods.
type App struct {
	api    *api.API
	ctx    context.Context
	cancel func()
}

// NewApp returns the window's App over a.
func NewApp(a *api.API) *App { return &App{api: a} }

func (b *App) startup(ctx context.Context) {
	b.ctx = ctx
	ch, cancel := api.Events(b.api).Subscribe()
	b.cancel = cancel
	go func() {
		for ev := range ch {
			runtime.EventsEmit(ctx, ev.Name, ev)
		}
	}()
}

func (b *App) shutdown(context.Context) {
	if b.cancel != nil {
		b.cancel()
	}
}
