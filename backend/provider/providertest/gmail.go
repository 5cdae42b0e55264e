package providertest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Gmail's answers, as seen in public logs (see package provider for where from).
const (
	GmailDailyLimitText  = "Account exceeded command or bandwidth limits."
	GmailTooManyConnText = "Too many simultaneous connections. (Failure)"
	GmailTooBigText      = "Message too large. https://support.google.com/mail/answer/6584#limit"
	GmailAppendLimit     = 35651584
)

// GmailLocale chooses the names of the special folders; the attributes are the same.
type GmailLocale int

const (
	English GmailLocale = iota // [Gmail]/All Mail, [Gmail]/Sent Mail, …
	German                     // [Google Mail]/Alle Nachrichten, [Google Mail]/Gesendet, …
)

// GmailOptions shape the Gmail-like fake. Zero values mean "no limit".
type GmailOptions struct {
	User, Password string
	Locale         GmailLocale
	// DailyUploadBytes: once this many bytes were APPENDed within a day, APPEND answers
	// "NO [OVERQUOTA] Account exceeded command or bandwidth limits." until the day is over.
	DailyUploadBytes int64
	// DailyDownloadBytes: once this many bytes were sent in FETCH answers within a day, FETCH
	// answers the same. Counted on the wire (FETCH responses as sent), not message sizes.
	DailyDownloadBytes int64
	// Clock dates the usage; the day is a rolling 24 hours from the first counted byte, as
	// Google's is. Without a clock the day never ends.
	Clock *Clock
	// MaxConnections refuses one more LOGIN with "NO [ALERT] Too many simultaneous
	// connections. (Failure)" (Gmail: 15).
	MaxConnections int
	// NoAppendLimit hides APPENDLIMIT (and lifts the [TOOBIG] check).
	NoAppendLimit bool
}

// Gmail is an IMAP server on 127.0.0.1 answering as Gmail does: X-GM-EXT-1, the [Gmail]
// special folders with their special-use attributes, APPENDLIMIT and [TOOBIG], the connection
// limit and the daily bandwidth answers.
type Gmail struct {
	base
	opts GmailOptions
	// Folders names the special folders of the locale: "all", "sent", "drafts", "spam",
	// "trash", "starred", "important", "container".
	Folders map[string]string

	mu         sync.Mutex
	uploaded   int64
	downloaded int64
	refusals   int // daily-limit answers given
	dayStart   time.Time
	conns      int
	connsMoved chan struct{}        // closed and replaced whenever conns changes
	ids        map[folderUID]uint64 // X-GM-MSGID of each message in each folder
	labels     map[uint64][]string  // X-GM-LABELS by X-GM-MSGID
	nextID     uint64
}

type folderUID struct {
	mailbox string
	uid     imap.UID
}

// StartGmail starts the fake; it stops when the test ends.
func StartGmail(t testing.TB, opts GmailOptions) *Gmail {
	t.Helper()
	g := &Gmail{opts: opts, connsMoved: make(chan struct{}), ids: map[folderUID]uint64{}, labels: map[uint64][]string{}, nextID: 1_700_000_000_000_000_000}
	g.User, g.Password = opts.User, opts.Password
	root, names := "[Gmail]", map[string]string{
		"all": "All Mail", "sent": "Sent Mail", "drafts": "Drafts", "spam": "Spam",
		"trash": "Trash", "starred": "Starred", "important": "Important",
	}
	if opts.Locale == German {
		root, names = "[Google Mail]", map[string]string{
			"all": "Alle Nachrichten", "sent": "Gesendet", "drafts": "Entwürfe", "spam": "Spam",
			"trash": "Papierkorb", "starred": "Markiert", "important": "Wichtig",
		}
	}
	g.Folders = map[string]string{"container": root}
	for k, v := range names {
		g.Folders[k] = root + "/" + v
	}
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapMove: {}, imap.CapNamespace: {}, imap.CapSpecialUse: {}}
	extra := []string{"X-GM-EXT-1"}
	if !opts.NoAppendLimit {
		extra = append(extra, fmt.Sprintf("APPENDLIMIT=%d", GmailAppendLimit))
	}
	hooks := func() wireHooks {
		w := &gmWire{g: g}
		return wireHooks{command: w.command, response: w.response}
	}
	g.start(t, caps, extra, hooks, func(c *imapserver.Conn) imapserver.Session {
		return &gmailSession{session: session{b: &g.base, conn: c, UserSession: imapmemserver.NewUserSession(g.user)}, g: g}
	}, []folder{
		{"INBOX", []imap.MailboxAttr{imap.MailboxAttrHasNoChildren}},
		{root, []imap.MailboxAttr{imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren}},
		{g.Folders["all"], []imap.MailboxAttr{imap.MailboxAttrAll, imap.MailboxAttrHasNoChildren}},
		{g.Folders["drafts"], []imap.MailboxAttr{imap.MailboxAttrDrafts, imap.MailboxAttrHasNoChildren}},
		{g.Folders["important"], []imap.MailboxAttr{imap.MailboxAttrImportant, imap.MailboxAttrHasNoChildren}},
		{g.Folders["sent"], []imap.MailboxAttr{imap.MailboxAttrSent, imap.MailboxAttrHasNoChildren}},
		{g.Folders["spam"], []imap.MailboxAttr{imap.MailboxAttrJunk, imap.MailboxAttrHasNoChildren}},
		{g.Folders["starred"], []imap.MailboxAttr{imap.MailboxAttrFlagged, imap.MailboxAttrHasNoChildren}},
		{g.Folders["trash"], []imap.MailboxAttr{imap.MailboxAttrTrash, imap.MailboxAttrHasNoChildren}},
	})
	return g
}

// AddLabeled stores msg in All Mail with its X-GM-LABELS and a new X-GM-MSGID, and shows
// it, as Gmail does, in INBOX when it has \Inbox, in the Sent folder for \Sent, and in a
// folder per user label — the same X-GM-MSGID in each.
func (g *Gmail) AddLabeled(t testing.TB, msg []byte, labels ...string) imap.UID {
	t.Helper()
	g.mu.Lock()
	g.nextID++
	id := g.nextID
	g.labels[id] = append([]string(nil), labels...)
	g.mu.Unlock()
	var flags []imap.Flag
	for _, l := range labels {
		if l == `\Starred` { // Gmail shows a star as \Flagged in every folder
			flags = append(flags, imap.FlagFlagged)
		}
	}
	add := func(mailbox string) imap.UID {
		uid := g.Append(t, mailbox, msg, flags...)
		g.mu.Lock()
		g.ids[folderUID{mailbox, uid}] = id
		g.mu.Unlock()
		return uid
	}
	uid := add(g.Folders["all"])
	for _, l := range labels {
		switch l {
		case `\Inbox`:
			add("INBOX")
		case `\Sent`:
			add(g.Folders["sent"])
		case `\Starred`, `\Important`, `\Draft`:
		default:
			// A nested label ("Projects/2024") has its parent label, a folder too.
			parts := strings.Split(l, "/")
			for i := range parts {
				name := strings.Join(parts[:i+1], "/")
				if g.hasFolder(name) {
					continue
				}
				if err := g.user.Create(name, nil); err != nil && i == len(parts)-1 {
					t.Fatalf("create label folder %q: %v", name, err)
				}
				g.base.mu.Lock()
				g.base.folders = append(g.base.folders, folder{name: name, attrs: []imap.MailboxAttr{imap.MailboxAttrHasNoChildren}})
				g.base.mu.Unlock()
			}
			add(l)
		}
	}
	return uid
}

// Labels are the X-GM-LABELS of the message with that UID in All Mail.
func (g *Gmail) Labels(uid imap.UID) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.labels[g.ids[folderUID{g.Folders["all"], uid}]]...)
}

// MsgID is the X-GM-MSGID of the message with that UID in All Mail.
func (g *Gmail) MsgID(uid imap.UID) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ids[folderUID{g.Folders["all"], uid}]
}

// lookup gives the X-GM-MSGID and rendered X-GM-LABELS of a message; one stored another
// way (a client's APPEND) gets an X-GM-MSGID on first sight and no labels.
func (g *Gmail) lookup(mailbox string, uid imap.UID) (uint64, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := folderUID{mailbox, uid}
	id, ok := g.ids[k]
	if !ok {
		g.nextID++
		id = g.nextID
		g.ids[k] = id
	}
	return id, labelList(g.labels[id])
}

// DailyRefusals is how many times the fake answered with its daily-limit refusal.
func (g *Gmail) DailyRefusals() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refusals
}

// Usage is what was counted against the daily quotas in the current day.
func (g *Gmail) Usage() (uploaded, downloaded int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rollLocked()
	return g.uploaded, g.downloaded
}

func (g *Gmail) hasFolder(name string) bool {
	g.base.mu.Lock()
	defer g.base.mu.Unlock()
	for _, f := range g.base.folders {
		if f.name == name {
			return true
		}
	}
	return false
}

// rollLocked starts a new day once 24 hours have passed since the day's first counted byte.
func (g *Gmail) rollLocked() {
	if g.opts.Clock == nil || g.dayStart.IsZero() {
		return
	}
	if !g.opts.Clock.Now().Before(g.dayStart.Add(24 * time.Hour)) {
		g.uploaded, g.downloaded, g.dayStart = 0, 0, time.Time{}
	}
}

func (g *Gmail) countLocked(up, down int64) {
	if g.dayStart.IsZero() && g.opts.Clock != nil && up+down > 0 {
		g.dayStart = g.opts.Clock.Now()
	}
	g.uploaded += up
	g.downloaded += down
}

var errDaily = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeOverQuota, Text: GmailDailyLimitText}

type gmailSession struct {
	session
	g        *Gmail
	loggedIn bool
}

func (s *gmailSession) Login(username, password string) error {
	if err := s.session.Login(username, password); err != nil {
		return err
	}
	g := s.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opts.MaxConnections > 0 && g.conns >= g.opts.MaxConnections {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlert, Text: GmailTooManyConnText}
	}
	g.conns++
	g.connsMovedLocked()
	s.loggedIn = true
	return nil
}

func (s *gmailSession) Close() error {
	if s.loggedIn {
		s.g.mu.Lock()
		s.g.conns--
		s.g.connsMovedLocked()
		s.g.mu.Unlock()
		s.loggedIn = false
	}
	return s.UserSession.Close()
}

func (s *gmailSession) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	g := s.g
	if !g.opts.NoAppendLimit && r.Size() > GmailAppendLimit {
		io.Copy(io.Discard, r)
		return nil, &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeTooBig, Text: GmailTooBigText}
	}
	g.mu.Lock()
	g.rollLocked()
	over := g.opts.DailyUploadBytes > 0 && g.uploaded+r.Size() > g.opts.DailyUploadBytes
	g.mu.Unlock()
	if over {
		io.Copy(io.Discard, r)
		g.mu.Lock()
		g.refusals++
		g.mu.Unlock()
		return nil, errDaily
	}
	data, err := s.UserSession.Append(mailbox, r, options)
	if err == nil {
		g.mu.Lock()
		g.countLocked(r.Size(), 0)
		g.mu.Unlock()
	}
	return data, err
}

func (s *gmailSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	g := s.g
	g.mu.Lock()
	g.rollLocked()
	over := g.opts.DailyDownloadBytes > 0 && g.downloaded >= g.opts.DailyDownloadBytes
	if over {
		g.refusals++
	}
	g.mu.Unlock()
	if over {
		return errDaily
	}
	wc := s.wire()
	var before int64
	if wc != nil {
		before = wc.sent()
	}
	err := s.UserSession.Fetch(w, numSet, options)
	if wc != nil {
		g.mu.Lock()
		g.countLocked(0, wc.sent()-before)
		g.mu.Unlock()
	}
	return err
}

func (g *Gmail) connsMovedLocked() {
	close(g.connsMoved)
	g.connsMoved = make(chan struct{})
}

// WaitConnections waits until at most n sessions are logged in (the server sees a client's
// LOGOUT on its own goroutine), or fails the test after a minute.
func (g *Gmail) WaitConnections(t testing.TB, n int) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		g.mu.Lock()
		conns, moved := g.conns, g.connsMoved
		g.mu.Unlock()
		if conns <= n {
			return
		}
		select {
		case <-moved:
		case <-timeout:
			t.Fatalf("still %d connections, want at most %d", conns, n)
		}
	}
}
