package mailbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
			if res.Copied+res.Matched != 60 {
				t.Errorf("copied %d + matched %d, want 60: each message counted once", res.Copied, res.Matched)
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
	if res.Copied+res.Matched != 120 {
		t.Errorf("copied %d + matched %d, want 120: each message counted once", res.Copied, res.Matched)
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
	c := &mailbox.Copier{Job: "test/" + a.User,
		Source:      mailbox.Server{Host: "127.0.0.1", Port: a.SrcPort, TLS: mailbox.TLSPlain},
		SourceCreds: mailbox.Credentials{User: a.User, Password: secrets.New(a.SrcPassword)},
		Dest:        mailbox.Server{Host: "127.0.0.1", Port: a.DstPort, TLS: mailbox.TLSPlain},
		DestCreds:   mailbox.Credentials{User: a.User, Password: secrets.New(a.DstPassword)},
		Ledger:      st.MailLedger(),
		Progress: func(p mailbox.Progress) {
			fmt.Printf("progress %d\n", p.MessagesDone)
		},
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
}

func startChild(t *testing.T, src, dst *testsrv.Dovecot, db string) (*exec.Cmd, *bufio.Scanner) {
	spec, _ := json.Marshal(childArgs{DB: db, User: "alice", SrcPort: src.Port, DstPort: dst.Port,
		SrcPassword: src.Password("alice"), DstPassword: dst.Password("alice")})
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

func TestKilledMidPassThenRerunEndsWithExactlyTheSourceMessages(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	msgs := bigish(1500, 3000)
	msgs = append(msgs, awkward()...)
	seed(t, src, "alice", msgs)
	db := filepath.Join(t.TempDir(), "cutover.db")
	cmd, lines := startChild(t, src, dst, db)
	killedAt := -1
	for lines.Scan() {
		if n, ok := strings.CutPrefix(lines.Text(), "progress "); ok {
			if v, _ := strconv.Atoi(n); v >= 300 {
				cmd.Process.Signal(syscall.SIGKILL)
				killedAt = v
				break
			}
		}
	}
	cmd.Wait()
	if killedAt < 0 {
		t.Fatal("the child finished before it could be killed")
	}
	partial := snapshot(t, dst, "alice")
	if n := len(partial["INBOX"]); n >= 1507 {
		t.Fatalf("the destination already held everything (%d) when the pass was killed", n)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := copier(st, src, dst, "alice")
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed after %d reported; destination INBOX held %d; the re-run copied %d and found %d already there",
		killedAt, len(partial["INBOX"]), res.Copied, res.Matched)
	checkCopied(t, snapshot(t, src, "alice"), snapshot(t, dst, "alice"))
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

	cmd, lines := startChild(t, src, dst, filepath.Join(t.TempDir(), "cutover.db"))
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
