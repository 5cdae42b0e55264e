package mailbox_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
)

// commandCounter stands between the engine and a server and counts the commands each
// connection sends, by name ("SELECT", "EXAMINE", "UID FETCH", "STATUS"...).
type commandCounter struct {
	target string
	ln     net.Listener
	mu     sync.Mutex
	conns  int
	seen   map[string]int
	// rewrite, when set, may change a line before it reaches the server.
	rewrite func(line string) string
}

func newCommandCounter(t *testing.T, target string) *commandCounter {
	cc := &commandCounter{target: target, seen: map[string]int{}}
	cc.ln = serveLoopback(t, cc.handle)
	return cc
}

func (cc *commandCounter) server() mailbox.Server {
	return mailbox.Server{Host: "127.0.0.1", Port: cc.ln.Addr().(*net.TCPAddr).Port, TLS: mailbox.TLSPlain}
}

func (cc *commandCounter) handle(c net.Conn) {
	s, err := net.Dial("tcp", cc.target)
	if err != nil {
		c.Close()
		return
	}
	defer c.Close()
	defer s.Close()
	cc.mu.Lock()
	cc.conns++
	cc.mu.Unlock()
	go func() { io.Copy(c, s); c.Close() }()
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			cc.count(line)
			cc.mu.Lock()
			if cc.rewrite != nil {
				line = cc.rewrite(line)
			}
			cc.mu.Unlock()
			if _, werr := io.WriteString(s, line); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// count takes the command name of a line (literals' content counts as lines too: the
// tests look only for names that no message line starts with after a tag).
func (cc *commandCounter) count(line string) {
	f := strings.Fields(strings.ToUpper(line))
	if len(f) < 2 {
		return
	}
	name := f[1]
	if name == "UID" && len(f) > 2 {
		name += " " + f[2]
	}
	cc.mu.Lock()
	cc.seen[name]++
	cc.mu.Unlock()
}

// reset returns the counts so far and starts again from zero.
func (cc *commandCounter) reset() (conns int, seen map[string]int) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	conns, seen = cc.conns, cc.seen
	cc.conns, cc.seen = 0, map[string]int{}
	return conns, seen
}

func TestUnchangedFoldersAreSkippedAndEveryChangeStillCopied(t *testing.T) {
	// After a complete pass, a pass over an unchanged mailbox examines no folder and
	// fetches nothing (STATUS says UIDNEXT, MESSAGES and HIGHESTMODSEQ are as they were),
	// and opens one connection to each side. A new message, a flag change and an expunge
	// at the source are each handled as a full pass would.
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward())
	st := openStore(t)
	srcCount, dstCount := newCommandCounter(t, src.Addr()), newCommandCounter(t, dst.Addr())
	pass := func() mailbox.Result {
		t.Helper()
		c := copier(st, src, dst, "alice")
		c.Source, c.Dest = srcCount.server(), dstCount.server()
		res, err := c.Run(context.Background(), mailbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	noop := func(when string) {
		t.Helper()
		srcCount.reset()
		dstCount.reset()
		res := pass()
		sc, ss := srcCount.reset()
		dc, ds := dstCount.reset()
		if res.Copied != 0 || res.Matched != 0 {
			t.Errorf("%s: a pass over an unchanged mailbox copied %d, matched %d", when, res.Copied, res.Matched)
		}
		for _, cmd := range []string{"SELECT", "EXAMINE", "FETCH", "UID FETCH"} {
			if ss[cmd] > 0 || ds[cmd] > 0 {
				t.Errorf("%s: an unchanged mailbox got %d %s at the source, %d at the destination; want none", when, ss[cmd], cmd, ds[cmd])
			}
		}
		if sc != 1 || dc != 1 {
			t.Errorf("%s: %d connections to the source, %d to the destination; want one each", when, sc, dc)
		}
	}
	if res := pass(); res.Copied != len(awkward()) {
		t.Fatalf("first pass copied %d, want %d", res.Copied, len(awkward()))
	}
	noop("after the first pass")

	// One new message.
	seed(t, src, "alice", []seedMsg{{Folder: "INBOX", Body: mail("new@old.example", "New", "arrived\r\n"), Date: now}})
	if res := pass(); res.Copied != 1 {
		t.Errorf("after a new message: copied %d, want 1", res.Copied)
	}
	checkCopied(t, snapshot(t, src, "alice"), snapshot(t, dst, "alice"))
	noop("after the new message")

	// One flag change.
	c := dial(t, src, "alice")
	addFlag(t, c, "Sent", 1, imap.FlagFlagged)
	res := pass()
	updated := 0
	for _, f := range res.Folders {
		updated += f.FlagsUpdated
	}
	if res.Copied != 0 || updated != 1 {
		t.Errorf("after a flag change: copied %d, flags updated on %d; want 0 and 1", res.Copied, updated)
	}
	checkCopied(t, snapshot(t, src, "alice"), snapshot(t, dst, "alice"))
	noop("after the flag change")

	// One message expunged at the source: its copy stays, nothing else moves.
	before := snapshot(t, dst, "alice")
	addFlag(t, c, "INBOX", 1, imap.FlagDeleted)
	if err := c.UIDExpunge(imap.UIDSetNum(1)).Close(); err != nil {
		t.Fatal(err)
	}
	if res := pass(); res.Copied != 0 || res.Matched != 0 {
		t.Errorf("after an expunge: copied %d, matched %d; want nothing", res.Copied, res.Matched)
	}
	after := snapshot(t, dst, "alice")
	for folder, msgs := range before {
		sameMultiset(t, "after an expunge at the source, destination folder "+folder, msgs, after[folder])
	}
	noop("after the expunge")
}

// addFlag adds flag to message uid of folder.
func addFlag(t *testing.T, c *mailbox.Conn, folder string, uid imap.UID, flag imap.Flag) {
	t.Helper()
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{flag}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFolderWhoseListingFailsWhilePlanningIsListedAgainAndCopied(t *testing.T) {
	// Planning lists the folders with several EXAMINEs in flight; when one of them fails
	// (the folder is gone for a moment), the planning connection is given up and each
	// pipeline lists its folders itself: every message still arrives, once.
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward())
	srcCount := newCommandCounter(t, src.Addr())
	failed := false
	srcCount.rewrite = func(line string) string {
		if !failed && strings.Contains(line, `EXAMINE "Sent"`) {
			failed = true
			return strings.Replace(line, `"Sent"`, `"Gone"`, 1)
		}
		return line
	}
	c := copier(openStore(t), src, dst, "alice")
	c.Source = srcCount.server()
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !failed {
		t.Fatal("no EXAMINE of Sent was sent")
	}
	if res.Copied != len(awkward()) {
		t.Errorf("copied %d, want %d", res.Copied, len(awkward()))
	}
	checkCopied(t, snapshot(t, src, "alice"), snapshot(t, dst, "alice"))
}
