package mailbox_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// faultProxy forwards TCP connections to target and cuts the first `cuts` of them once
// `after` bytes have flowed in the chosen direction (server→client to break a FETCH,
// client→server to break an APPEND).
type faultProxy struct {
	ln       net.Listener
	target   string
	after    int64
	toClient bool
	cuts     atomic.Int32
	conns    atomic.Int32
	cutDone  atomic.Int32
}

func newFaultProxy(t *testing.T, target string, after int64, toClient bool, cuts int) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, after: after, toClient: toClient}
	p.cuts.Store(int32(cuts))
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *faultProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		cut := p.cuts.Add(-1) >= 0
		go p.handle(c, cut)
	}
}

func (p *faultProxy) handle(c net.Conn, cut bool) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	var once sync.Once
	closeBoth := func() { once.Do(func() { c.Close(); s.Close() }) }
	pipe := func(dst, src net.Conn, limited bool) {
		defer closeBoth()
		if limited && cut {
			io.CopyN(dst, src, p.after)
			p.cutDone.Add(1)
			return
		}
		io.Copy(dst, src)
	}
	go pipe(c, s, p.toClient)
	go pipe(s, c, !p.toClient)
}

func bigish(n, size int) []seedMsg {
	var out []seedMsg
	for i := 0; i < n; i++ {
		out = append(out, seedMsg{Folder: "INBOX", Body: mail(fmt.Sprintf("m%d@old.example", i), fmt.Sprintf("Message %d", i),
			strings.Repeat(fmt.Sprintf("line %d of a longer message\r\n", i), size/30)), Date: longAgo.Add(time.Duration(i) * time.Hour)})
	}
	return out
}

func TestConnectionCutMidFetchOrMidAppendIsResumed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		source   bool
		toClient bool
	}{
		{"mid-FETCH", true, true},
		{"mid-APPEND", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := pair(t, testsrv.DovecotOptions{})
			seed(t, src, "alice", bigish(60, 20000))
			target := dst
			if tc.source {
				target = src
			}
			// The first connections break after ~300 kB, well inside the bodies (a session
			// opens two to the destination; only the one appending carries that much).
			proxy := newFaultProxy(t, target.Addr(), 300_000, tc.toClient, 6)
			c := copier(openStore(t), src, dst, "alice")
			// One pipeline: the proxy cuts the first connections it sees, and those of
			// pipelines over the empty folders would take cuts without carrying a body.
			c.Pipelines = 1
			if tc.source {
				c.Source.Port = proxy.port()
			} else {
				c.Dest.Port = proxy.port()
			}
			res, err := c.Run(context.Background(), mailbox.Options{})
			if err != nil {
				t.Fatalf("pass failed: %v", err)
			}
			if proxy.cutDone.Load() < 3 {
				t.Fatalf("the proxy cut %d connections, want 3: the test did not exercise a resume", proxy.cutDone.Load())
			}
			if res.Retries < 3 {
				t.Errorf("%d retries, want at least 3", res.Retries)
			}
			source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
			sameMultiset(t, "INBOX after resumes", source["INBOX"], dest["INBOX"])
			if res.Copied != 60 || res.Matched != 0 {
				t.Errorf("copied %d + matched %d, want 60 copied: each message counted once, as copied by this run", res.Copied, res.Matched)
			}
		})
	}
}

func TestConnectionCutWhileSeveralFoldersCopyIsResumed(t *testing.T) {
	// Three folders copied at once through a proxy that cuts connections mid-APPEND, with
	// two messages per folder over the destination's size limit: every message is copied
	// once, counted once, and each refused one reported once, however many attempts saw it.
	src, dst := pair(t, testsrv.DovecotOptions{MaxMailSize: 30000})
	folders := []string{"INBOX", "Projects", "Reçus"}
	var msgs []seedMsg
	for i, f := range folders {
		for j, m := range append(bigish(40, 20000), bigish(2, 40000)...) {
			m.Folder = f
			m.Body = append([]byte(fmt.Sprintf("X-Folder: %d\r\nX-N: %d\r\n", i, j)), m.Body...)
			msgs = append(msgs, m)
		}
	}
	seed(t, src, "alice", msgs)
	proxy := newFaultProxy(t, dst.Addr(), 300_000, false, 12)
	c := copier(openStore(t), src, dst, "alice")
	c.Dest.Port = proxy.port()
	c.Pipelines = 3
	var progress progressLog
	c.Progress = progress.add
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatalf("pass failed: %v", err)
	}
	// Every folder counted once in the totals, however many attempts listed it.
	progress.check(t, 126, 120)
	if res.Retries < 1 {
		t.Fatalf("%d retries: the test did not exercise a resume", res.Retries)
	}
	source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
	for _, f := range folders {
		var fits []snapMsg
		for _, m := range source[f] {
			if len(m.Body) <= 30000 {
				fits = append(fits, m)
			}
		}
		sameMultiset(t, f+" after resumes", fits, dest[f])
	}
	if res.Copied != 120 || res.Matched != 0 {
		t.Errorf("copied %d + matched %d, want 120 copied: each message counted once, as copied by this run", res.Copied, res.Matched)
	}
	if res.Failed != 6 || len(res.Failures) != 6 {
		t.Errorf("%d refused, %d listed; want the 6 over the limit, each once: %+v", res.Failed, len(res.Failures), res.Failures)
	}
}

// TestHelperCopyProcess is not a test: it is the child process of the tests below, a copy
// pass run in its own process so it can be killed or measured.
func TestHelperCopyProcess(t *testing.T) {
	spec := os.Getenv("CUTOVER_TEST_COPY")
	if spec == "" {
		t.Skip("helper process only")
	}
	var a childArgs
	if err := json.Unmarshal([]byte(spec), &a); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), a.DB)
	if err != nil {
		t.Fatal(err)
	}
	c := mailbox.NewCopier(mailbox.Copier{Job: "test/" + a.User,
		Source:      mailbox.Server{Host: "127.0.0.1", Port: a.SrcPort, TLS: mailbox.TLSPlain},
		SourceCreds: mailbox.Credentials{User: a.User, Password: secrets.New(a.SrcPassword)},
		Dest:        mailbox.Server{Host: "127.0.0.1", Port: a.DstPort, TLS: mailbox.TLSPlain},
		DestCreds:   mailbox.Credentials{User: a.User, Password: secrets.New(a.DstPassword)},
		Ledger:      st.MailLedger(),
		Progress: func(p mailbox.Progress) {
			fmt.Printf("progress %d\n", p.MessagesDone)
		},
	})
	if a.KillAt != "" {
		var hits atomic.Int64
		c.Checkpoint = func(p mailbox.Checkpoint) {
			if string(p) == a.KillAt && hits.Add(1) == int64(a.KillN) {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way: do nothing more
			}
		}
	}
	start := time.Now()
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("took %.1f s for %d messages, %d bytes\n", time.Since(start).Seconds(), res.Copied, res.Bytes)
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fmt.Println("peak", strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
		}
	}
	fmt.Println("copied", res.Copied)
}

type childArgs struct {
	DB                       string
	User                     string
	SrcPort, DstPort         int
	SrcPassword, DstPassword string
	// KillAt and KillN: the child kills itself with SIGKILL the KillN-th time the pass
	// reaches that checkpoint.
	KillAt string
	KillN  int
}

func startChild(t *testing.T, src, dst *testsrv.Dovecot, db string, a childArgs) (*exec.Cmd, *bufio.Scanner) {
	a.DB, a.User, a.SrcPort = db, "alice", src.Port
	if a.DstPort == 0 {
		a.DstPort = dst.Port
	}
	a.SrcPassword, a.DstPassword = src.Password("alice"), dst.Password("alice")
	spec, _ := json.Marshal(a)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCopyProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "CUTOVER_TEST_COPY="+string(spec))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// killCorpus is a mailbox for crash tests: three folders, a message in twenty without a
// Message-ID (each unique), identical twins with and without one, all spread through the
// folders so that every kill point has some around it.
func killCorpus(n int) []seedMsg {
	folders := []string{"INBOX", "Archive", "Reçus"}
	var out []seedMsg
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("k%d@old.example", i)
		if i%20 == 7 {
			id = ""
		}
		body := mail(id, fmt.Sprintf("message %d", i), strings.Repeat(fmt.Sprintf("line %d of message %d\r\n", i%13, i), 40+i%150))
		m := seedMsg{Folder: folders[i%3], Body: body, Date: longAgo.Add(time.Duration(i) * time.Minute)}
		if i%5 == 0 {
			m.Flags = []imap.Flag{imap.FlagSeen}
		}
		out = append(out, m)
		if i%97 == 3 { // an identical twin right behind, with or without a Message-ID
			out = append(out, m)
		}
	}
	return out
}

// runKilled runs a copy in a child process that kills itself with SIGKILL at the n-th
// time the pass reaches point (0: never), and reports whether it was killed.
func runKilled(t *testing.T, src, dst *testsrv.Dovecot, db string, point mailbox.Checkpoint, n int) bool {
	t.Helper()
	return runChild(t, src, dst, db, childArgs{KillAt: string(point), KillN: n})
}

// runChild runs a copy in a child process with a; it reports whether it was killed.
func runChild(t *testing.T, src, dst *testsrv.Dovecot, db string, a childArgs) bool {
	t.Helper()
	cmd, lines := startChild(t, src, dst, db, a)
	for lines.Scan() {
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true
	}
	if err != nil {
		t.Fatalf("copy process: %v", err)
	}
	return false
}

func TestKilledMidPassThenRerunEndsWithExactlyTheSourceMessages(t *testing.T) {
	// Each case kills the copying process with SIGKILL at exact moments, a few runs in a
	// row, then lets a last run finish: the destination must hold every source message
	// exactly once, with or without Message-ID, identical twins still two. The points are
	// counted, not timed: the same kills happen however fast the machine is.
	type kill struct {
		at mailbox.Checkpoint
		n  int
	}
	for _, tc := range []struct {
		name  string
		kills []kill
	}{
		{"between the destination's answer and the ledger", []kill{{mailbox.CheckpointAnswered, 130}, {mailbox.CheckpointAnswered, 40}, {mailbox.CheckpointAnswered, 20}}},
		{"inside a MULTIAPPEND group", []kill{{mailbox.CheckpointGroupPartial, 150}, {mailbox.CheckpointGroupPartial, 50}}},
		{"inside a message's literal", []kill{{mailbox.CheckpointLiteralHalf, 170}, {mailbox.CheckpointLiteralHalf, 33}}},
		{"inside the source FETCH", []kill{{mailbox.CheckpointBodyFetched, 120}, {mailbox.CheckpointBodyFetched, 45}}},
		{"right after a ledger commit", []kill{{mailbox.CheckpointRecorded, 1}, {mailbox.CheckpointRecorded, 1}}},
		{"all of them, one after the other", []kill{{mailbox.CheckpointAnswered, 30}, {mailbox.CheckpointGroupPartial, 30},
			{mailbox.CheckpointLiteralHalf, 30}, {mailbox.CheckpointBodyFetched, 30}, {mailbox.CheckpointRecorded, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := pair(t, testsrv.DovecotOptions{})
			seed(t, src, "alice", killCorpus(2000))
			db := filepath.Join(t.TempDir(), "cutover.db")
			for i, k := range tc.kills {
				if runKilled(t, src, dst, db, k.at, k.n) {
					continue
				}
				// How much a killed run had sent beyond its kill point depends on how fast
				// the destination answered: a later run may find too little left to reach
				// its point. The first kill must happen, or nothing was tested.
				if i == 0 {
					t.Fatalf("run 1 finished before reaching %s #%d: the test did not kill it there", k.at, k.n)
				}
				t.Logf("run %d finished before reaching %s #%d", i+1, k.at, k.n)
				break
			}
			if runKilled(t, src, dst, db, "", 0) {
				t.Fatal("the last run was killed")
			}
			source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
			for _, f := range []string{"INBOX", "Archive", "Reçus"} {
				sameMultiset(t, f, source[f], dest[f])
			}
		})
	}
}

func TestMemoryStaysBoundedWithA50MBMessageAnd10000SmallOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("copies 10,000 messages and 50 MB")
	}
	src, dst := pair(t, testsrv.DovecotOptions{})
	big := []byte("From: a@old.example\r\nSubject: the big one\r\nMessage-ID: <big@old.example>\r\n\r\n")
	line := []byte(strings.Repeat("0123456789abcdef", 4) + "ABCDEFGHIJKLM\r\n")
	for len(big) < 50<<20 {
		big = append(big, line...)
	}
	seed(t, src, "alice", []seedMsg{{Folder: "INBOX", Body: big, Date: longAgo}})
	big = nil
	seed(t, src, "alice", bigish(10000, 100))

	cmd, lines := startChild(t, src, dst, filepath.Join(t.TempDir(), "cutover.db"), childArgs{})
	var peak, copied string
	for lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), "peak "); ok {
			peak = v
		}
		if v, ok := strings.CutPrefix(lines.Text(), "copied "); ok {
			copied = v
		}
		if v, ok := strings.CutPrefix(lines.Text(), "took "); ok {
			t.Logf("the copy took %s (a figure, not a check)", v)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("copy process: %v", err)
	}
	if copied != "10001" {
		t.Fatalf("copied %q messages, want 10001", copied)
	}
	kb, err := strconv.Atoi(strings.TrimSuffix(peak, " kB"))
	if err != nil {
		t.Fatalf("peak memory %q: %v", peak, err)
	}
	t.Logf("peak RSS of the copying process: %d MB", kb/1024)
	if kb > 150*1024 {
		t.Errorf("peak RSS %d MB, want under 150 MB", kb/1024)
	}
	source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
	sameMultiset(t, "INBOX", source["INBOX"], dest["INBOX"])
}

// flakyProxy forwards TCP connections to target and cuts each one once a random budget
// of bytes, counted in both directions, has flowed: like a hotel Wi-Fi or a provider that
// drops throttled connections. Budgets come from a seeded generator; it accepts at most
// maxConns connections, so a copier that never gives up still ends.
type flakyProxy struct {
	ln       net.Listener
	target   string
	mu       sync.Mutex
	rnd      *rand.Rand
	min, max int64
	conns    int
	cut      int
}

const maxFlakyConns = 3000

func newFlakyProxy(t *testing.T, target string, seed uint64, min, max int64) *flakyProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{ln: ln, target: target, rnd: rand.New(rand.NewPCG(seed, 1)), min: min, max: max}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *flakyProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *flakyProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns++
		over := p.conns > maxFlakyConns
		budget := p.min + p.rnd.Int64N(p.max-p.min+1)
		p.mu.Unlock()
		if over {
			c.Close()
			continue
		}
		go p.handle(c, budget)
	}
}

func (p *flakyProxy) handle(c net.Conn, budget int64) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	var left atomic.Int64
	left.Store(budget)
	var once sync.Once
	closeBoth := func() { once.Do(func() { c.Close(); s.Close() }) }
	pipe := func(dst, src net.Conn) {
		defer closeBoth()
		buf := make([]byte, 16<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				allowed := min(int64(n), max(left.Add(-int64(n))+int64(n), 0))
				if allowed > 0 {
					if _, werr := dst.Write(buf[:allowed]); werr != nil {
						return
					}
				}
				if allowed < int64(n) {
					p.mu.Lock()
					p.cut++
					p.mu.Unlock()
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go pipe(c, s)
	go pipe(s, c)
}

func TestCopyThroughConnectionsThatKeepDroppingFinishesExactlyOnce(t *testing.T) {
	// Every connection, to the source and to the destination, is cut after a random 0.2
	// to 3 MB. A group of 100 messages (~1.2 MB here) often does not fit in one
	// connection's life, and it is all or nothing: groups must shrink, and the source must
	// resume inside a folder without listing it again, for the pass to get anywhere.
	src, dst := pair(t, testsrv.DovecotOptions{})
	var msgs []seedMsg
	for i, m := range killCorpus(1200) {
		if i%4 == 0 { // some larger ones: 20–40 kB
			m.Body = append(m.Body, []byte(strings.Repeat("padding to make a larger message\r\n", 600+i%600))...)
		}
		msgs = append(msgs, m)
	}
	seed(t, src, "alice", msgs)
	srcProxy := newFlakyProxy(t, src.Addr(), 1, 200_000, 3_000_000)
	dstProxy := newFlakyProxy(t, dst.Addr(), 2, 200_000, 3_000_000)
	c := copier(openStore(t), src, dst, "alice")
	c.Source.Port, c.Dest.Port = srcProxy.port(), dstProxy.port()
	var progress progressLog
	c.Progress = progress.add
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatalf("pass failed after %d resumes: %v", res.Retries, err)
	}
	srcProxy.mu.Lock()
	dstProxy.mu.Lock()
	t.Logf("%d resumes; connections cut: source %d of %d, destination %d of %d", res.Retries, srcProxy.cut, srcProxy.conns, dstProxy.cut, dstProxy.conns)
	cuts := srcProxy.cut + dstProxy.cut
	srcProxy.mu.Unlock()
	dstProxy.mu.Unlock()
	if cuts < 5 || res.Retries < 5 {
		t.Fatalf("%d cuts, %d resumes: the test did not exercise dropping connections", cuts, res.Retries)
	}
	source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
	for _, f := range []string{"INBOX", "Archive", "Reçus"} {
		sameMultiset(t, f, source[f], dest[f])
	}
	if n := len(msgs); res.Copied != n || res.Matched != 0 {
		t.Errorf("copied %d + found %d, want %d copied: each message counted once, as copied by this run", res.Copied, res.Matched, n)
	}
	progress.check(t, len(msgs), len(msgs))
}

// rewritingProxy forwards connections to target and adds a header field at the top of
// every message APPENDed through it, as servers that store messages their own way do
// (Exchange and Gmail add and rewrite header fields): a copy's header hash and size no
// longer match the original's.
type rewritingProxy struct {
	ln     net.Listener
	target string
}

const rewrittenField = "X-Stored-By: a rewriting server\r\n"

func newRewritingProxy(t *testing.T, target string) *rewritingProxy {
	p := &rewritingProxy{target: target}
	p.ln = serveLoopback(t, p.handle)
	return p
}

// serveLoopback listens on 127.0.0.1 until the test ends and hands each connection to
// handle in a goroutine of its own.
func serveLoopback(t *testing.T, handle func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln
}

func (p *rewritingProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *rewritingProxy) handle(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	defer c.Close()
	defer s.Close()
	go func() { io.Copy(c, s); c.Close() }()
	br := bufio.NewReader(c)
	inAppend := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		appendStart := len(f) >= 2 && strings.EqualFold(f[1], "APPEND")
		n, plus, lit := literalAtEnd(line)
		if !lit {
			inAppend = false
			if _, err := io.WriteString(s, line); err != nil {
				return
			}
			continue
		}
		extra := ""
		if appendStart || inAppend {
			extra, inAppend = rewrittenField, true
		}
		head := line[:strings.LastIndexByte(line, '{')]
		fmt.Fprintf(s, "%s{%d%s}\r\n%s", head, n+int64(len(extra)), plus, extra)
		if _, err := io.CopyN(s, br, n); err != nil {
			return
		}
	}
}

// literalAtEnd reads "{n}" or "{n+}" at the end of an IMAP line.
func literalAtEnd(line string) (n int64, plus string, ok bool) {
	l := strings.TrimRight(line, "\r\n")
	i := strings.LastIndexByte(l, '{')
	if i < 0 || !strings.HasSuffix(l, "}") {
		return 0, "", false
	}
	num := l[i+1 : len(l)-1]
	if strings.HasSuffix(num, "+") {
		num, plus = strings.TrimSuffix(num, "+"), "+"
	}
	n, err := strconv.ParseInt(num, 10, 64)
	return n, plus, err == nil
}

func TestKilledCopyToADestinationThatRewritesHeadersLeavesNoDuplicate(t *testing.T) {
	// A destination that rewrites what it stores: a message without a Message-ID cannot be
	// recognised there by its header. Killed between the destination's answers and the
	// ledger, a re-run must still find those copies (by their place among the others)
	// instead of appending them again.
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", killCorpus(2000))
	proxy := newRewritingProxy(t, dst.Addr())
	db := filepath.Join(t.TempDir(), "cutover.db")
	for i, n := range []int{130, 40, 20} {
		if runChild(t, src, dst, db, childArgs{DstPort: proxy.port(), KillAt: string(mailbox.CheckpointAnswered), KillN: n}) {
			continue
		}
		if i == 0 {
			t.Fatalf("run 1 finished before reaching answer #%d: the test did not kill it there", n)
		}
		t.Logf("run %d finished before reaching answer #%d", i+1, n)
		break
	}
	if runChild(t, src, dst, db, childArgs{DstPort: proxy.port()}) {
		t.Fatal("the last run was killed")
	}
	source, dest := snapshot(t, src, "alice"), snapshot(t, dst, "alice")
	for _, f := range []string{"INBOX", "Archive", "Reçus"} {
		for i, m := range dest[f] {
			b, ok := bytes.CutPrefix(m.Body, []byte(rewrittenField))
			if !ok {
				t.Fatalf("%s: a message at the destination did not go through the rewriting server", f)
			}
			dest[f][i].Body = b
		}
		sameMultiset(t, f, source[f], dest[f])
	}
}
