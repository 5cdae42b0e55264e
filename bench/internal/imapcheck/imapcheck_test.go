package imapcheck

import (
	"context"
	"crypto/sha256"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// server starts go-imap's in-memory server on loopback with the given users.
func server(t *testing.T, users ...string) string {
	t.Helper()
	mem := imapmemserver.New()
	for _, u := range users {
		mem.AddUser(imapmemserver.NewUser(u, u+"-pw"))
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type msg struct {
	folder string
	flags  []imap.Flag
	body   string
}

func fill(t *testing.T, addr, user string, msgs []msg) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, user+"-pw").Wait(); err != nil {
		t.Fatal(err)
	}
	made := map[string]bool{}
	for _, m := range msgs {
		if !made[m.folder] {
			if err := c.Create(m.folder, nil).Wait(); err != nil {
				t.Fatal(err)
			}
			made[m.folder] = true
		}
		cmd := c.Append(m.folder, int64(len(m.body)), &imap.AppendOptions{Flags: m.flags, Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)})
		cmd.Write([]byte(m.body))
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	a = "From: a@example.com\r\nSubject: one\r\n\r\nbody one\r\n"
	b = "From: b@example.com\r\nSubject: two\r\n\r\nbody two\r\n"
)

var source = []msg{
	{"INBOX", []imap.Flag{imap.FlagSeen}, a},
	{"INBOX", nil, b},
	{"INBOX", nil, b}, // two identical messages must be two at the destination
	{"Reçus", []imap.Flag{imap.FlagFlagged}, a},
}

func TestCompare(t *testing.T) {
	tuid := "From: b@example.com\r\nSubject: two\r\nX-TUID: abcdEFGH1234\r\n\r\nbody two\r\n"
	cases := []struct {
		name     string
		dest     []msg
		problems []string
		altered  int
	}{
		{"exact", source, nil, 0},
		{"one of two duplicates missing", source[:2:2], []string{"INBOX: 3 messages at the source, 2 at the destination", "Reçus: folder missing at the destination (1 messages at the source)"}, 0},
		{"flag lost", []msg{source[0], source[1], source[2], {"Reçus", nil, a}}, []string{"Reçus: 1 messages with other flags than at the source (e.g. source \\Flagged, destination no flags)"}, 0},
		{"body changed", []msg{source[0], source[1], {"INBOX", nil, b + "x"}, source[3]}, []string{"INBOX: 1 source messages not found byte for byte (1 unexpected at the destination)"}, 0},
		{"mbsync's X-TUID header", []msg{source[0], {"INBOX", nil, tuid}, {"INBOX", nil, tuid}, source[3]}, nil, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := server(t, "src", "dst")
			fill(t, addr, "src", source)
			fill(t, addr, "dst", tc.dest)
			ctx := context.Background()
			s, err := Take(ctx, Account{addr, "src", "src-pw"}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := s.Totals(); n != 4 || s.Folders["Reçus"] == nil || s.Folders["INBOX"].Count != 3 {
				t.Fatalf("source snapshot: %d messages, folders %v", n, s.Folders)
			}
			d, err := Take(ctx, Account{addr, "dst", "dst-pw"}, 1)
			if err != nil {
				t.Fatal(err)
			}
			diff := Compare(s, d)
			if strings.Join(diff.Problems, "\n") != strings.Join(tc.problems, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(diff.Problems, "\n"), strings.Join(tc.problems, "\n"))
			}
			if diff.OK() != (len(tc.problems) == 0) || diff.Altered != tc.altered {
				t.Errorf("OK %v altered %d, want %v and %d", diff.OK(), diff.Altered, len(tc.problems) == 0, tc.altered)
			}
		})
	}
}

func TestHashMessageSkipsOnlyHeaderTUID(t *testing.T) {
	plain := "A: 1\r\n\r\nX-TUID: in the body stays\r\n"
	with := "A: 1\r\nX-TUID: abc\r\n\r\nX-TUID: in the body stays\r\n"
	h1, h2 := sha256.New(), sha256.New()
	n1, t1, err1 := hashMessage(h1, strings.NewReader(plain))
	n2, t2, err2 := hashMessage(h2, strings.NewReader(with))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if t1 || !t2 {
		t.Errorf("X-TUID seen: %v %v, want false true", t1, t2)
	}
	if n1 != int64(len(plain)) || n2 != int64(len(with)) {
		t.Errorf("sizes %d %d, want %d %d", n1, n2, len(plain), len(with))
	}
	if string(h1.Sum(nil)) != string(h2.Sum(nil)) {
		t.Error("the header X-TUID line changed the hash")
	}
	h3 := sha256.New()
	hashMessage(h3, strings.NewReader("A: 1\r\n\r\nin the body stays\r\n"))
	if string(h1.Sum(nil)) == string(h3.Sum(nil)) {
		t.Error("an X-TUID line in the body was dropped")
	}
}

func TestCanonicalName(t *testing.T) {
	if got := CanonicalName("Archive.2024", '.'); got != "Archive/2024" {
		t.Errorf("got %q", got)
	}
	if got := CanonicalName("Archive/2024", '/'); got != "Archive/2024" {
		t.Errorf("got %q", got)
	}
}
