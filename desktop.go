//go:build desktop

package main

import (
	_ "embed"
	"fmt"
	"io/fs"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"cutover/backend/api"
)

//go:embed build/appicon.png
var icon []byte

// desktop opens the Wails window over a, showing the same frontend as the browser.
func desktop(a *api.API, dist fs.FS) error {
	app := NewApp(a)
	if path := os.Getenv("CUTOVER_WINDOW_CHECK"); path != "" {
		// scripts/desktop-check.sh drives the real window with this script.
		js, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("CUTOVER_WINDOW_CHECK: %w", err)
		}
		app.check = string(js)
	}
	return wails.Run(&options.App{
		Title:            "Cutover",
		Width:            1280,
		Height:           860,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: dist},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 251, A: 1},
		OnStartup:        app.startup,
		OnDomReady:       app.domReady,
		OnShutdown:       app.shutdown,
		Bind:             []interface{}{app},
		ErrorFormatter:   errorEnvelope,
		Linux:            &linux.Options{Icon: icon, ProgramName: "cutover"},
	})
}
