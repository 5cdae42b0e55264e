package mailbox

import (
	"context"
	"cutover/backend/provider"
	"fmt"
	"sync"
	"time"
)

// session is a pair of connections for one mailbox.
type session struct {
	src, dst   *Conn
	destFolder string        // where APPENDs go
	apps       []*appender   // none when the destination lacks LITERAL+
	next       int           // round robin over apps
	alone      bool          // one message per APPEND command (finding the one a server refuses)
	appending  bool          // its APPEND connections were dialled (see withAppenders)
	dialing    chan struct{} // closed once the APPEND connections startAppenders dials are in apps
	// srcSelected is the source folder the planning listed last, still selected on src:
	// its first attempt need not examine it again.
	srcSelected string
}

// abort closes both connections at once, without a LOGOUT that a broken connection
// would never answer.
func (s *session) abort() {
	s.src.Client.Close()
	s.dst.Client.Close()
	closeApps := func() {
		for _, a := range s.apps {
			a.conn.Close()
		}
	}
	if s.dialing != nil { // APPEND connections still being dialled: closed once they are
		go func() { s.settled(); closeApps() }()
		return
	}
	closeApps()
}

// close logs out of every connection at once: one round trip, not one per connection.
func (s *session) close() {
	s.settled()
	var wg sync.WaitGroup
	for _, a := range s.apps {
		wg.Go(func() { a.Close() })
	}
	for _, c := range []*Conn{s.src, s.dst} {
		if c != nil {
			wg.Go(func() { c.Close() })
		}
	}
	wg.Wait()
}

// connect opens a session, its connections at once (a login costs a server round trips
// and a process: Dovecot spent ~18 ms of CPU on each). A session that only reads
// (analysis, planning, verification) opens no APPEND connection.
func (c *Copier) connect(ctx context.Context, appending bool) (*session, error) {
	// Nothing is dialled, on any connection, for a server the policy refuses.
	if err := c.Source.Check(); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if err := c.Dest.Check(); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	n := 0
	if appending {
		n = c.AppendConns
	}
	var (
		src, dst       *Conn
		srcErr, dstErr error
		apps           = make([]*appender, n)
		appErrs        = make([]error, n)
		wg             sync.WaitGroup
	)
	wg.Go(func() { src, srcErr = Dial(ctx, c.Source, c.SourceCreds) })
	wg.Go(func() { dst, dstErr = Dial(ctx, c.Dest, c.DestCreds) })
	for i := range apps {
		wg.Go(func() { apps[i], appErrs[i] = dialAppender(ctx, c.Dest, c.DestCreds) })
	}
	wg.Wait()
	s := &session{src: src, dst: dst, appending: appending}
	s.keep(c, apps, appErrs)
	if srcErr != nil || dstErr != nil {
		s.close()
		if srcErr != nil {
			return nil, fmt.Errorf("source: %w", srcErr)
		}
		return nil, fmt.Errorf("destination: %w", dstErr)
	}
	return s, nil
}

// settled waits for APPEND connections still being dialled (startAppenders), so that
// closing the session closes them too.
func (s *session) settled() {
	if s.dialing != nil {
		<-s.dialing
	}
}

// keep adds the APPEND connections that opened to the session.
func (s *session) keep(c *Copier, apps []*appender, errs []error) {
	for i, app := range apps {
		switch {
		case errs[i] != nil:
			// The main connections work: copy with what is open.
			c.Log.Warn("extra destination connection refused; appending with fewer", "job", c.Job, "err", errs[i])
		case app != nil: // nil: no LITERAL+, go-imap's APPEND on the main connection
			s.apps = append(s.apps, app)
		}
	}
}

// withAppenders dials the APPEND connections of a session opened without them (a
// planning session that may have found nothing to do) once it has work.
func (c *Copier) withAppenders(ctx context.Context, s *session) {
	if s == nil {
		return
	}
	c.startAppenders(ctx, s)
	<-s.dialing
}

// startAppenders starts dialling the APPEND connections of a session opened without them.
func (c *Copier) startAppenders(ctx context.Context, s *session) {
	if s.appending {
		if s.dialing == nil {
			s.dialing = make(chan struct{})
			close(s.dialing)
		}
		return
	}
	s.appending = true
	s.dialing = make(chan struct{})
	go func() {
		defer close(s.dialing)
		apps, errs := make([]*appender, c.AppendConns), make([]error, c.AppendConns)
		var wg sync.WaitGroup
		for i := range apps {
			wg.Go(func() { apps[i], errs[i] = dialAppender(ctx, c.Dest, c.DestCreds) })
		}
		wg.Wait()
		s.keep(c, apps, errs)
	}()
}

// broken reports whether any connection of the session failed in the middle of its I/O:
// then whatever error an attempt ended with, it is worth a new connection.
func (s *session) broken() bool {
	for _, c := range []*Conn{s.src, s.dst} {
		if c != nil && c.ioErr() != nil {
			return true
		}
	}
	for _, a := range s.apps {
		a.mu.Lock()
		err := a.err
		a.mu.Unlock()
		if err != nil {
			return true
		}
	}
	return false
}

// spares are sessions opened ahead for the workers.
type spares struct {
	ch   chan *session
	left int
}

// predial opens n sessions in the background.
func (c *Copier) predial(ctx context.Context, n int) *spares {
	n = max(n, 0)
	sp := &spares{ch: make(chan *session, n), left: n}
	for range n {
		go func() {
			s, err := c.connect(ctx, true)
			if err != nil {
				s = nil // its worker opens it again, and reports why it fails
			}
			sp.ch <- s
		}()
	}
	return sp
}

// take waits for one; nil when it could not be opened.
func (sp *spares) take() *session {
	sp.left--
	return <-sp.ch
}

// close closes the ones not taken.
func (sp *spares) close() {
	for ; sp.left > 0; sp.left-- {
		if s := <-sp.ch; s != nil {
			s.close()
		}
	}
}

// explain gives err the text of a BYE that a connection of the session received before it
// broke, when that says more (a host throttling us, and for how long).
func (s *session) explain(err error) error {
	if throttled(err) {
		return err
	}
	for _, c := range []*Conn{s.dst, s.src} {
		if bye := c.lastBye(); bye != "" {
			if p, ok := provider.ThrottleText(provider.Limits{}, time.Time{}, bye); ok {
				return fmt.Errorf("%s (%s): %w", bye, p.Reason, err)
			}
		}
	}
	return err
}
