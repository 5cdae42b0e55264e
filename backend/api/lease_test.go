package api

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"cutover/backend/store"
)

func TestLeaseOfADeadProcessIsStaleAndALiveOneIsNot(t *testing.T) {
	now := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	a := &API{now: func() time.Time { return now }}
	host, _ := os.Hostname()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	for _, c := range []struct {
		name  string
		lease store.Lease
		stale bool
	}{
		{"this process, renewed now", store.Lease{Owner: host + ":" + strconv.Itoa(os.Getpid()) + ":x", Renewed: now}, false},
		{"a process of this host that ended", store.Lease{Owner: host + ":" + strconv.Itoa(dead) + ":x", Renewed: now}, true},
		{"another host, renewed now", store.Lease{Owner: "elsewhere:1:x", Renewed: now}, false},
		{"another host, silent for long", store.Lease{Owner: "elsewhere:1:x", Renewed: now.Add(-leaseStaleAfter - time.Second)}, true},
	} {
		if got := a.leaseIsStale(c.lease); got != c.stale {
			t.Errorf("%s: stale = %v, want %v", c.name, got, c.stale)
		}
	}
}
