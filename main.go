// Command cutover runs a small business's email migration: the desktop window (no
// arguments), the local web app (`cutover serve`), a self-contained demo
// (`cutover demo`) and every operation as a command line.
package main

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"cutover/backend/cli"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		panic(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	args := os.Args[1:]
	if len(args) == 0 {
		args = []string{"window"}
	}
	code := cli.Run(ctx, args, cli.Options{Desktop: desktop, Assets: dist, Version: version})
	stop()
	os.Exit(code)
}
