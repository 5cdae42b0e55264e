package main

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"cutover/backend/api"
	"cutover/backend/dispatch"
	"cutover/backend/fault"
	"cutover/backend/notices"
)

// App is the desktop window's binding: it forwards the API's events to the window and
// runs the window's calls through the same dispatcher as the web face's
// POST /api/call/<Method>, so the window and the browser call exactly the same
// methods, with the same arguments and the same errors.
type App struct {
	api    *api.API
	calls  *dispatch.Dispatcher
	ctx    context.Context
	cancel func()
	// check is a script the window runs once its page has loaded: the window check of
	// scripts/desktop-check.sh (CUTOVER_WINDOW_CHECK), empty otherwise.
	check string
}

// NewApp returns the window's App over a.
func NewApp(a *api.API) *App { return &App{api: a, calls: dispatch.New(a)} }

// Call runs the operation named method with args (the JSON of each argument). The
// window's frontend calls it for every operation (frontend/src/api/client.ts); an
// error reaches it as the JSON of its envelope (errorEnvelope).
func (b *App) Call(method string, args []json.RawMessage) (any, error) {
	return b.calls.Call(method, args)
}

// errorEnvelope is the window's Wails ErrorFormatter: a bound method's error reaches
// JavaScript as the message of a rejected promise, so it is sent as the JSON of its
// fault envelope, which client.ts parses back into the browser's ApiError.
func errorEnvelope(err error) any { return fault.Wire(err) }

func (b *App) startup(ctx context.Context) {
	b.ctx, b.cancel = context.WithCancel(ctx)
	go b.forward(b.ctx)
	go api.RunSweeps(b.ctx, b.api, api.SweepTicks(b.ctx)) // sweeps run while the window is open
	// The desktop's notifications: a pass ended, a sweep found mail, a DNS change was made.
	ch, unsubscribe := api.Events(b.api).Subscribe()
	go func() {
		defer unsubscribe()
		notices.Forward(b.ctx, ch, notices.System(), slog.Default())
	}()
}

// forward sends the API's events to the window. The bus ends a stream that falls too far
// behind; the window then subscribes again and tells the page, whose stores reload.
func (b *App) forward(ctx context.Context) {
	for ctx.Err() == nil {
		ch, cancel := api.Events(b.api).Subscribe()
		for ev := range ch {
			runtime.EventsEmit(ctx, ev.Name, ev)
		}
		cancel()
		if ctx.Err() == nil {
			runtime.EventsEmit(ctx, "events:reconnected", nil)
		}
	}
}

// domReady runs the window check's script, if any, in the loaded page.
func (b *App) domReady(ctx context.Context) {
	if b.check != "" {
		runtime.WindowExecJS(ctx, b.check)
	}
}

func (b *App) shutdown(context.Context) {
	if b.cancel != nil {
		b.cancel()
	}
}
