package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cutover/backend/project"
	"cutover/backend/store"
)

// A pass holds a lease on each of its mailboxes, renewed while it runs, so that a second
// pass over the same mailbox (from the window and a terminal at once) is refused instead
// of appending what the first has not recorded yet.
const (
	leaseRenewEvery = 20 * time.Second
	leaseStaleAfter = 90 * time.Second // a lease not renewed for this long has lost its owner
)

// leaseOwner names this API instance: host, process and a random part (two APIs in one
// process are two owners).
func leaseOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(b)
}

// leaseIsStale reports whether a lease's owner is gone: a process of this host that no
// longer runs, or an owner that stopped renewing.
func (a *API) leaseIsStale(l store.Lease) bool {
	if a.now().Sub(l.Renewed) > leaseStaleAfter {
		return true
	}
	host, rest, ok := strings.Cut(l.Owner, ":")
	pidText, _, _ := strings.Cut(rest, ":")
	pid, err := strconv.Atoi(pidText)
	if me, _ := os.Hostname(); !ok || err != nil || host != me {
		return false
	}
	return !processAlive(pid)
}

func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true // FindProcess opened it: it exists
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// holdMailboxes takes the leases of logins for the time of a pass and keeps them renewed;
// the returned function releases them.
func (a *API) holdMailboxes(p project.Project, logins []string) (release func(), err error) {
	if err := a.store.TakeMailLeases(a.ctx, p.ID, logins, a.owner, a.now(), a.leaseIsStale); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(a.ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(leaseRenewEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := a.store.RenewMailLeases(ctx, p.ID, a.owner, a.now()); err != nil {
					a.log.Warn("renew mailbox leases", "project", p.Name, "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		for _, l := range logins {
			if err := a.store.ReleaseMailLease(context.WithoutCancel(a.ctx), p.ID, l, a.owner); err != nil {
				a.log.Warn("release mailbox lease", "mailbox", l, "err", err)
			}
		}
	}, nil
}
