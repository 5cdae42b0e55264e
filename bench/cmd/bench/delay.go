package main

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// delayProxy stands between the tools and one server and holds every chunk of bytes, in
// each direction, for half the round-trip time before passing it on: a server that far
// away, with no limit on bandwidth (a chunk read at t is written at t+oneWay, the next
// chunk is not held up behind it). It counts connections and "turns": the times a
// connection's client speaks again after the server answered, a count of the round trips
// the tool waited for (a pipelined batch of commands is one turn).
type delayProxy struct {
	ln     net.Listener
	target string
	oneWay time.Duration

	conns atomic.Int64
	turns atomic.Int64
	wg    sync.WaitGroup

	// trace, when set, gets one line per chunk a client sends: when, which connection,
	// and how the chunk begins (-proxy-trace: to see which round trips a tool waits for).
	trace   func(conn int64, first string)
	traceMu sync.Mutex
}

// proxyStats is what a proxy counted during one pass.
type proxyStats struct {
	Conns int64 `json:"conns"`
	Turns int64 `json:"turns"`
}

// startDelayProxy listens on a loopback port and forwards to target with rtt/2 each way.
func startDelayProxy(target string, rtt time.Duration) (*delayProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &delayProxy{ln: ln, target: target, oneWay: rtt / 2}
	p.wg.Go(p.serve)
	return p, nil
}

func (p *delayProxy) addr() *net.TCPAddr { return p.ln.Addr().(*net.TCPAddr) }

func (p *delayProxy) close() {
	p.ln.Close()
	p.wg.Wait()
}

// stats returns the counts so far; the difference of two is one pass's.
func (p *delayProxy) stats() proxyStats {
	return proxyStats{Conns: p.conns.Load(), Turns: p.turns.Load()}
}

func (p *delayProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c, p.conns.Add(1))
	}
}

func (p *delayProxy) forward(client net.Conn, id int64) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	// last is who sent last: 1 the client, 2 the server.
	var last atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		p.pipe(server, client, func(b []byte) {
			if last.Swap(1) == 2 {
				p.turns.Add(1)
			}
			if p.trace != nil {
				p.traceMu.Lock()
				p.trace(id, string(b[:min(len(b), 60)]))
				p.traceMu.Unlock()
			}
		})
	})
	wg.Go(func() { p.pipe(client, server, func([]byte) { last.Store(2) }) })
	wg.Wait()
}

type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each chunk oneWay after it was read; read is called per chunk.
func (p *delayProxy) pipe(dst, src net.Conn, read func([]byte)) {
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				read(buf[:n])
				q <- chunk{buf[:n], time.Now().Add(p.oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	// Closing both ends stops the other direction too.
	dst.Close()
	src.Close()
	for range q {
	}
}

// proxyPair is the two proxies of a run (none at loopback speed).
type proxyPair []*delayProxy

// delayed returns the servers as the tools see them: through a proxy each when rtt > 0.
// trace, when not nil, gets what the clients send (see delayProxy.trace).
func delayed(src, dst server, rtt time.Duration, trace io.Writer) (server, server, proxyPair, error) {
	if rtt <= 0 {
		return src, dst, nil, nil
	}
	var pp proxyPair
	for _, s := range []*server{&src, &dst} {
		p, err := startDelayProxy(s.addr(), rtt)
		if err != nil {
			pp.close()
			return src, dst, nil, err
		}
		if trace != nil {
			side, start := "dst", time.Now()
			if s == &src {
				side = "src"
			}
			p.trace = func(conn int64, first string) {
				fmt.Fprintf(trace, "%8.1f ms %s#%d %q\n", float64(time.Since(start).Microseconds())/1000, side, conn, first)
			}
		}
		pp = append(pp, p)
		s.Host, s.Port = p.addr().IP.String(), p.addr().Port
	}
	return src, dst, pp, nil
}

func (pp proxyPair) close() {
	for _, p := range pp {
		p.close()
	}
}

func (pp proxyPair) stats() proxyStats {
	var s proxyStats
	for _, p := range pp {
		st := p.stats()
		s.Conns += st.Conns
		s.Turns += st.Turns
	}
	return s
}

// since is what both proxies counted since before; nil without proxies.
func (pp proxyPair) since(before proxyStats) *proxyStats {
	if len(pp) == 0 {
		return nil
	}
	now := pp.stats()
	return &proxyStats{Conns: now.Conns - before.Conns, Turns: now.Turns - before.Turns}
}
