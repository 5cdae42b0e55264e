//go:build desktop

package main

import (
	_ "embed"
	"io/fs"

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
	return wails.Run(&options.App{
		Title:            "Cutover",
		Width:            1280,
		Height:           860,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: dist},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 251, A: 1},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             []interface{}{app},
		ErrorFormatter:   errorEnvelope,
		Linux:            &linux.Options{Icon: icon, ProgramName: "cutover"},
	})
}
