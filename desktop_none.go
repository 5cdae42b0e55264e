//go:build !desktop

package main

import "cutover/backend/cli"

// desktop is absent from builds without the desktop tag (tests, `go run`): the
// command line and `cutover serve` work; the window says how to get it.
var desktop cli.Desktop = nil
