package mailbox_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
	"cutover/backend/store"
)

// seedMsg is a message put on a test server.
type seedMsg struct {
	Folder string
	Body   []byte
	Flags  []imap.Flag
	Date   time.Time
}

func plainServer(d *testsrv.Dovecot) mailbox.Server {
	return mailbox.Server{Host: d.Host, Port: d.Port, TLS: mailbox.TLSPlain}
}

func creds(d *testsrv.Dovecot, user string) mailbox.Credentials {
	return mailbox.Credentials{User: user, Password: secrets.New(d.Password(user))}
}

func dial(t testing.TB, d *testsrv.Dovecot, user string) *mailbox.Conn {
	t.Helper()
	c, err := mailbox.Dial(context.Background(), plainServer(d), creds(d, user))
	if err != nil {
		t.Fatalf("dial %s: %v", d.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// seed appends messages, pipelining the APPENDs.
func seed(t testing.TB, d *testsrv.Dovecot, user string, msgs []seedMsg) {
	t.Helper()
	c := dial(t, d, user)
	created := map[string]bool{"INBOX": true}
	var cmds []interface {
		Wait() (*imap.AppendData, error)
	}
	for _, m := range msgs {
		if !created[m.Folder] {
			if err := c.Create(m.Folder, nil).Wait(); err != nil && !strings.Contains(err.Error(), "exists") {
				t.Fatalf("create %q: %v", m.Folder, err)
			}
			created[m.Folder] = true
		}
		cmd := c.Append(m.Folder, int64(len(m.Body)), &imap.AppendOptions{Flags: m.Flags, Time: m.Date})
		if _, err := cmd.Write(m.Body); err != nil {
			t.Fatalf("append to %q: %v", m.Folder, err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("append to %q: %v", m.Folder, err)
		}
		cmds = append(cmds, cmd)
		if len(cmds) >= 500 {
			for _, c := range cmds {
				if _, err := c.Wait(); err != nil {
					t.Fatalf("append: %v", err)
				}
			}
			cmds = cmds[:0]
		}
	}
	for _, c := range cmds {
		if _, err := c.Wait(); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
}

// snapMsg is a message as FETCH shows it.
type snapMsg struct {
	UID   imap.UID
	Flags string
	Date  time.Time
	Body  []byte
}

func (m snapMsg) String() string {
	return fmt.Sprintf("%s|%s|%x", m.Flags, m.Date.UTC().Format(time.RFC3339), m.Body)
}

// snapshot reads every folder and message of a mailbox with EXAMINE and BODY.PEEK[].
func snapshot(t testing.TB, d *testsrv.Dovecot, user string) map[string][]snapMsg {
	t.Helper()
	c := dial(t, d, user)
	folders, err := mailbox.ListFolders(c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]snapMsg{}
	body := &imap.FetchItemBodySection{Peek: true}
	for _, f := range folders {
		sel, err := c.Select(f.Name, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			t.Fatalf("examine %q: %v", f.Name, err)
		}
		out[f.Name] = []snapMsg{}
		if sel.NumMessages == 0 {
			continue
		}
		bufs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1}}, &imap.FetchOptions{UID: true, Flags: true, InternalDate: true,
			BodySection: []*imap.FetchItemBodySection{body}}).Collect()
		if err != nil {
			t.Fatalf("fetch %q: %v", f.Name, err)
		}
		for _, b := range bufs {
			var fl []string
			for _, x := range b.Flags {
				if x != `\Recent` {
					fl = append(fl, string(x))
				}
			}
			sort.Strings(fl)
			out[f.Name] = append(out[f.Name], snapMsg{UID: b.UID, Flags: strings.Join(fl, " "), Date: b.InternalDate, Body: b.FindBodySection(body)})
		}
	}
	return out
}

// multiset renders a folder's messages (flags, date, body) sorted, for comparison
// regardless of UIDs.
func multiset(msgs []snapMsg) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.String()
	}
	sort.Strings(out)
	return out
}

func sameMultiset(t testing.TB, what string, want, got []snapMsg) {
	t.Helper()
	w, g := multiset(want), multiset(got)
	if len(w) != len(g) {
		t.Errorf("%s: %d messages, want %d", what, len(g), len(w))
		return
	}
	for i := range w {
		if w[i] != g[i] {
			t.Errorf("%s: message differs:\n got  %.300s\n want %.300s", what, g[i], w[i])
			return
		}
	}
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cutover.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func copier(st *store.Store, src, dst *testsrv.Dovecot, user string) *mailbox.Copier {
	return mailbox.NewCopier(mailbox.Copier{
		Job: "test/" + user, Source: plainServer(src), SourceCreds: creds(src, user),
		Dest: plainServer(dst), DestCreds: creds(dst, user), Ledger: st.MailLedger(),
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
	})
}

// mail builds an RFC 5322 message; id "" leaves out the Message-ID.
func mail(id, subject, body string) []byte {
	var b bytes.Buffer
	b.WriteString("From: Ann <ann@old.example>\r\nTo: bob@old.example\r\n")
	b.WriteString("Date: Mon, 2 Jan 2023 10:00:00 +0000\r\n")
	if id != "" {
		b.WriteString("Message-ID: <" + id + ">\r\n")
	}
	b.WriteString("Subject: " + subject + "\r\n\r\n" + body)
	return b.Bytes()
}

var (
	day     = 24 * time.Hour
	now     = time.Now().Truncate(time.Second)
	longAgo = now.Add(-400 * day)
)

// progressLog records the progress reports of a pass.
type progressLog struct {
	mu sync.Mutex
	ps []mailbox.Progress
}

func (l *progressLog) add(p mailbox.Progress) {
	l.mu.Lock()
	l.ps = append(l.ps, p)
	l.mu.Unlock()
}

// check asserts what a user watching the pass sees: the totals never shrink, nothing done
// is ever more than the totals, and the last report says "done" with wantTotal messages
// to do, of which wantDone were copied or found (the rest refused), and no time left.
func (l *progressLog) check(t *testing.T, wantTotal, wantDone int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ps) == 0 {
		t.Fatal("no progress reported")
	}
	var total int
	for i, p := range l.ps {
		if p.MessagesTotal < total {
			t.Fatalf("report %d: total went down from %d to %d", i, total, p.MessagesTotal)
		}
		total = p.MessagesTotal
		if p.MessagesDone > p.MessagesTotal || p.BytesDone > p.BytesTotal {
			t.Fatalf("report %d: %d of %d messages, %d of %d bytes done", i, p.MessagesDone, p.MessagesTotal, p.BytesDone, p.BytesTotal)
		}
	}
	last := l.ps[len(l.ps)-1]
	if last.State != "done" || last.MessagesTotal != wantTotal || last.MessagesDone != wantDone || last.MessagesDone+last.Failed != last.MessagesTotal || last.ETASeconds != -1 {
		t.Fatalf("last report %+v; want done, %d of %d messages", last, wantDone, wantTotal)
	}
}
