package api

// extensions holds the long-lived state that some capabilities keep inside the API
// (running copy passes, for instance). Each capability adds its field here and its
// cleanup to close.
type extensions struct {
	closers []func()
	mail    mailRuns // running copy passes (mail.go)
}

func (e *extensions) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}
