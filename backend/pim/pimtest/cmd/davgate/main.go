// Command davgate stands in front of a CalDAV/CardDAV server and holds the PUTs a test
// names, so that a browser test can look at a contacts/calendars pass while it is under
// way, without racing it: the PUTs whose path contains -hold wait, after the first -pass
// of them, until the test releases them. It prints one JSON line:
// {"url": the gate's DAV URL, "held": URL, "release": URL}.
//
//	davgate -target http://127.0.0.1:5232/ -hold .ics -pass 1
//
// GET held?n=N answers once N PUTs are waiting (or the request ends); POST release lets
// every held PUT go on, and the ones that come after.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// gate counts the PUTs it holds; changed is closed and replaced whenever that count or
// the released state changes, so waiters wake without polling.
type gate struct {
	hold string
	pass int

	mu       sync.Mutex
	seen     int
	held     int
	released bool
	changed  chan struct{}
}

// wait holds a PUT until release, unless it is among the first ones let through.
func (g *gate) wait(r *http.Request) {
	g.mu.Lock()
	if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, g.hold) || g.released {
		g.mu.Unlock()
		return
	}
	g.seen++
	if g.seen <= g.pass {
		g.mu.Unlock()
		return
	}
	g.held++
	g.signal()
	for !g.released {
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-r.Context().Done():
			g.mu.Lock()
			g.held--
			g.signal()
			g.mu.Unlock()
			return
		}
		g.mu.Lock()
	}
	g.mu.Unlock()
}

func (g *gate) signal() { // with g.mu held
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *gate) heldHandler(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	g.mu.Lock()
	for g.held < n && !g.released {
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
		g.mu.Lock()
	}
	held := g.held
	g.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]int{"held": held})
}

func (g *gate) releaseHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST", http.StatusMethodNotAllowed)
		return
	}
	g.mu.Lock()
	g.released = true
	g.signal()
	g.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func main() {
	target := flag.String("target", "", "the DAV server's URL")
	hold := flag.String("hold", ".ics", "hold the PUTs whose path contains this")
	pass := flag.Int("pass", 0, "let this many of them through first")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" {
		fmt.Fprintln(os.Stderr, "davgate: -target: a DAV server's URL")
		os.Exit(2)
	}
	g := &gate{hold: *hold, pass: *pass, changed: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	mux := http.NewServeMux()
	mux.HandleFunc("/.davgate/held", g.heldHandler)
	mux.HandleFunc("/.davgate/release", g.releaseHandler)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		g.wait(r)
		proxy.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "davgate:", err)
		os.Exit(1)
	}
	base := "http://" + ln.Addr().String()
	json.NewEncoder(os.Stdout).Encode(map[string]string{"url": base + "/", "held": base + "/.davgate/held", "release": base + "/.davgate/release"})
	go http.Serve(ln, mux)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
