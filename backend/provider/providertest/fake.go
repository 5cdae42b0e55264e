// Package providertest starts IMAP servers on 127.0.0.1 that answer as Exchange Online and
// Gmail do at their limits, for tests of the copy engine's pause-and-resume, size report and
// folder handling. They are go-imap v2 imapserver + imapmemserver with the provider's
// behaviour layered on: Exchange's throttling answers (NO, BAD, BAD then BYE, BYE) and size
// refusal; Gmail's X-GM-EXT-1 capability, [Gmail] folders with special-use attributes (English
// or localised), APPENDLIMIT and [TOOBIG], the connection limit and the daily bandwidth answers.
//
// What they cannot do: imapserver has no hook for FETCH items it does not know, and refuses
// X-GM-MSGID / X-GM-LABELS in a FETCH as "Unknown FETCH data item"; the Gmail fake therefore
// keeps the labels it was given (Gmail.Labels) for the test to compare with, but does not serve
// them over IMAP. Nothing here reaches a public address.
package providertest

import (
	"bytes"
	"cutover/backend/auth/authtest"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Clock is the settable test clock of package authtest: the fakes' time-bound behaviour
// (backoff windows, daily quotas) follows it, and tests move it with Advance instead of
// sleeping.
type Clock = authtest.Clock

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return authtest.NewClock(t) }

// folder is a mailbox of the fake's LIST with its attributes.
type folder struct {
	name  string
	attrs []imap.MailboxAttr
}

// base is what both fakes share: the listener, the in-memory store, the folder list with
// special-use attributes (imapmemserver keeps none) and the wire counters.
type base struct {
	Addr     string
	User     string
	Password string

	srv  *imapserver.Server
	user *imapmemserver.User

	mu      sync.Mutex
	folders []folder
}

// start serves on 127.0.0.1. extraCaps are added to every CAPABILITY list on the wire:
// imapserver advertises only the capabilities it implements (not X-GM-EXT-1, nor an
// APPENDLIMIT it would enforce with its own wording).
func (b *base) start(t testing.TB, caps imap.CapSet, extraCaps []string, hooks func() wireHooks, newSession func(*imapserver.Conn) imapserver.Session, folders []folder) {
	t.Helper()
	if b.User == "" {
		b.User = "user@example.com"
	}
	if b.Password == "" {
		b.Password = "secret"
	}
	b.user = imapmemserver.NewUser(b.User, b.Password)
	for _, f := range folders {
		if f.hasAttr(imap.MailboxAttrNoSelect) {
			continue
		}
		if err := b.user.Create(f.name, nil); err != nil && !strings.EqualFold(f.name, "INBOX") {
			t.Fatalf("create %q: %v", f.name, err)
		}
	}
	b.folders = folders
	b.srv = imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return newSession(c), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	b.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.srv.Serve(&wireListener{Listener: ln, extraCaps: extraCaps, hooks: hooks})
	}()
	t.Cleanup(func() {
		b.srv.Close()
		<-done
	})
}

// Append stores a message directly (no limits, no counters): the test's setup.
func (b *base) Append(t testing.TB, mailbox string, msg []byte, flags ...imap.Flag) imap.UID {
	t.Helper()
	data, err := b.user.Append(mailbox, literal{strings.NewReader(string(msg)), int64(len(msg))}, &imap.AppendOptions{Flags: flags})
	if err != nil {
		t.Fatalf("append to %q: %v", mailbox, err)
	}
	return data.UID
}

// Count is the number of messages in mailbox.
func (b *base) Count(t testing.TB, mailbox string) uint32 {
	t.Helper()
	st, err := b.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		t.Fatalf("status %q: %v", mailbox, err)
	}
	return *st.NumMessages
}

func (f folder) hasAttr(a imap.MailboxAttr) bool {
	for _, x := range f.attrs {
		if x == a {
			return true
		}
	}
	return false
}

// session is the authenticated user's session with the fake's folder list.
type session struct {
	*imapmemserver.UserSession
	b    *base
	conn *imapserver.Conn
}

func (s *session) Login(username, password string) error {
	if username != s.b.User || password != s.b.Password {
		return imapserver.ErrAuthFailed
	}
	return nil
}

// List answers from the fake's folder list, with special-use attributes as Gmail and
// Exchange give them (always, not only when asked).
func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: '/'})
	}
	s.b.mu.Lock()
	folders := append([]folder(nil), s.b.folders...)
	s.b.mu.Unlock()
	for _, f := range folders {
		match := false
		for _, p := range patterns {
			if imapserver.MatchList(f.name, '/', ref, p) {
				match = true
			}
		}
		special := false
		for _, a := range f.attrs {
			switch a {
			case imap.MailboxAttrAll, imap.MailboxAttrArchive, imap.MailboxAttrDrafts, imap.MailboxAttrFlagged,
				imap.MailboxAttrJunk, imap.MailboxAttrSent, imap.MailboxAttrTrash, imap.MailboxAttrImportant:
				special = true
			}
		}
		if !match || (options != nil && options.SelectSpecialUse && !special) {
			continue
		}
		if err := w.WriteList(&imap.ListData{Attrs: f.attrs, Delim: '/', Mailbox: f.name}); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) Create(name string, options *imap.CreateOptions) error {
	if err := s.UserSession.Create(name, options); err != nil {
		return err
	}
	var attrs []imap.MailboxAttr
	if options != nil {
		attrs = options.SpecialUse
	}
	s.b.mu.Lock()
	s.b.folders = append(s.b.folders, folder{name: name, attrs: attrs})
	s.b.mu.Unlock()
	return nil
}

func (s *session) Delete(name string) error {
	if err := s.UserSession.Delete(name); err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	for i, f := range s.b.folders {
		if f.name == name {
			s.b.folders = append(s.b.folders[:i], s.b.folders[i+1:]...)
			break
		}
	}
	return nil
}

func (s *session) Rename(name, newName string, options *imap.RenameOptions) error {
	if err := s.UserSession.Rename(name, newName, options); err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	for i, f := range s.b.folders {
		if f.name == name {
			s.b.folders[i].name = newName
		}
	}
	return nil
}

// wire is the connection under a session, to count what was sent and to end it after a
// given answer as Exchange does.
func (s *session) wire() *wireConn {
	wc, _ := s.conn.NetConn().(*wireConn)
	return wc
}

type wireListener struct {
	net.Listener
	extraCaps []string
	hooks     func() wireHooks
}

// wireHooks rewrite a connection's traffic: command gets each complete client line,
// response each write to the client.
type wireHooks struct {
	command  func([]byte) []byte
	response func([]byte) []byte
}

func (l *wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	wc := &wireConn{Conn: c, extraCaps: l.extraCaps}
	if l.hooks != nil {
		wc.hooks = l.hooks()
	}
	return wc, nil
}

// wireConn counts the bytes written to the client and can end the connection with an
// untagged line after the next complete answer.
type wireConn struct {
	net.Conn
	mu        sync.Mutex
	written   int64
	byeAfter  string // sent after the next write that ends a line, then the connection closes
	extraCaps []string
	hooks     wireHooks
	in        lineBuffer
	readErr   error
	buf       []byte
}

func (c *wireConn) Read(p []byte) (int, error) {
	if c.hooks.command == nil {
		return c.Conn.Read(p)
	}
	if c.buf == nil {
		c.buf = make([]byte, 32*1024)
	}
	buf := c.buf
	for len(c.in.ready) == 0 {
		if c.readErr != nil {
			return 0, c.readErr
		}
		n, err := c.Conn.Read(buf)
		c.in.feed(buf[:n], c.hooks.command)
		if err != nil {
			c.readErr = err
		}
	}
	n := copy(p, c.in.ready)
	c.in.ready = c.in.ready[n:]
	return n, nil
}

func (c *wireConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := p
	if c.hooks.response != nil {
		out = c.hooks.response(out)
	}
	if len(c.extraCaps) > 0 && bytes.Contains(out, capLine) {
		out = bytes.Replace(out, capLine, []byte(string(capLine)+" "+strings.Join(c.extraCaps, " ")), -1)
	}
	n, err := c.Conn.Write(out)
	c.written += int64(n)
	if err == nil {
		n = len(p)
	}
	if err == nil && c.byeAfter != "" && strings.HasSuffix(string(p), "\r\n") {
		c.Conn.Write([]byte(c.byeAfter))
		c.byeAfter = ""
		c.Conn.Close()
	}
	return n, err
}

func (c *wireConn) sent() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written
}

func (c *wireConn) closeAfterAnswer(line string) {
	c.mu.Lock()
	c.byeAfter = line
	c.mu.Unlock()
}

var capLine = []byte("CAPABILITY IMAP4rev1")

type literal struct {
	*strings.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

type discardLogger struct{}

func (discardLogger) Printf(string, ...interface{}) {}
