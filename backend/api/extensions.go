package api

import (
	"net/http"

	"cutover/backend/dnscheck"
)

// extensions holds the long-lived state that some capabilities keep inside the API
// (running copy passes, for instance). Each capability adds its field here and its
// cleanup to close.
type extensions struct {
	closers []func()
	mail    mailRuns // running copy passes (mail.go)
	signin  signIns  // sign-ins under way, app-wide token sources (signin.go)
	// dnsDefaults are the resolvers a DNS check asks when the project names none
	// (nil: the system's and the public ones); tests set loopback servers.
	dnsDefaults func() []dnscheck.Server
	// directoryHTTP reaches the directory APIs (nil: http.DefaultClient); tests set one
	// that trusts their fakes.
	directoryHTTP *http.Client
}

func (e *extensions) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}
