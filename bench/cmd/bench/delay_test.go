package main

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// TestDelayProxyForwardsAndCountsRoundTrips: what a client sends reaches the server and
// back, and each time the client speaks again after an answer counts as one round trip.
func TestDelayProxyForwardsAndCountsRoundTrips(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			c.Write([]byte("ok " + line))
		}
	}()
	p, err := startDelayProxy(ln.Addr().String(), 2*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	c, err := net.Dial("tcp", p.addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for _, cmd := range []string{"a\n", "b\n", "c\n"} {
		c.Write([]byte(cmd))
		got, err := r.ReadString('\n')
		if err != nil || got != "ok "+cmd {
			t.Fatalf("got %q, %v; want %q", got, err, "ok "+cmd)
		}
	}
	c.Close()
	if s := p.stats(); s.Conns != 1 || s.Turns != 2 {
		t.Errorf("stats %+v, want 1 connection and 2 round trips after the first", s)
	}
}
