package providertest

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// rawSession speaks IMAP line by line: imapclient cannot ask for X-GM items.
type rawSession struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func rawDial(t *testing.T, addr string) *rawSession {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second)) // a hung fake fails the test instead of hanging it
	s := &rawSession{t: t, c: c, r: bufio.NewReader(c)}
	s.line()
	return s
}

func (s *rawSession) line() string {
	s.t.Helper()
	l, err := s.r.ReadString('\n')
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	return strings.TrimRight(l, "\r\n")
}

// do sends a command and returns its untagged lines and its tagged status.
func (s *rawSession) do(tag, cmd string) (untagged []string, status string) {
	s.t.Helper()
	fmt.Fprintf(s.c, "%s %s\r\n", tag, cmd)
	for {
		l := s.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, strings.TrimPrefix(l, tag+" ")
		}
		untagged = append(untagged, l)
	}
}

func TestGmailServesXGMItemsOnTheWire(t *testing.T) {
	g := StartGmail(t, GmailOptions{})
	one := g.AddLabeled(t, message("one", 100), `\Inbox`, "Work", `\Important`)
	two := g.AddLabeled(t, message("two", 100), `\Sent`, `\Starred`, "Clients/Acme Co")
	s := rawDial(t, g.Addr)
	if _, st := s.do("a", fmt.Sprintf("LOGIN %s %s", g.User, g.Password)); !strings.HasPrefix(st, "OK") {
		t.Fatalf("login: %s", st)
	}
	if caps, _ := s.do("b", "CAPABILITY"); !strings.Contains(caps[0], " X-GM-EXT-1") {
		t.Errorf("capabilities: %v", caps)
	}
	if _, st := s.do("c", `SELECT "[Gmail]/All Mail"`); !strings.HasPrefix(st, "OK") {
		t.Fatalf("select: %s", st)
	}
	lines, st := s.do("d", "UID FETCH 1:* (X-GM-MSGID X-GM-LABELS FLAGS)")
	if !strings.HasPrefix(st, "OK") {
		t.Fatalf("fetch: %s", st)
	}
	want := []string{
		fmt.Sprintf(`* 1 FETCH (UID %d X-GM-MSGID %d X-GM-LABELS (\Inbox "Work" \Important) FLAGS ())`, one, g.MsgID(one)),
		fmt.Sprintf(`* 2 FETCH (UID %d X-GM-MSGID %d X-GM-LABELS (\Sent \Starred "Clients/Acme Co") FLAGS (\flagged))`, two, g.MsgID(two)),
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The same message in INBOX has the same X-GM-MSGID.
	s.do("e", "SELECT INBOX")
	lines, _ = s.do("f", "FETCH 1 X-GM-MSGID")
	if len(lines) != 1 || !strings.Contains(lines[0], fmt.Sprintf("X-GM-MSGID %d ", g.MsgID(one))) {
		t.Errorf("INBOX: %v", lines)
	}
	// A FETCH without X-GM items is untouched.
	lines, _ = s.do("g", "UID FETCH 1:* (FLAGS)")
	if len(lines) != 1 || strings.Contains(lines[0], "X-GM") {
		t.Errorf("plain fetch: %v", lines)
	}
	if g.MsgID(one) == g.MsgID(two) || g.MsgID(one) == 0 {
		t.Error("X-GM-MSGIDs are not distinct")
	}
}
