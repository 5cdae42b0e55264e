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
	"runtime/pprof"
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
	stopProfile := profile(os.Getenv("CUTOVER_CPUPROFILE"))
	code := cli.Run(ctx, args, cli.Options{Desktop: desktop, Assets: dist, Version: version})
	stopProfile()
	stop()
	os.Exit(code)
}

// profile writes a CPU profile of the whole run to path when it is set (CUTOVER_CPUPROFILE:
// for `go tool pprof` when a benchmark misses its target); it returns the function that stops it.
func profile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		os.Stderr.WriteString("CUTOVER_CPUPROFILE: " + err.Error() + "\n")
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
