package providertest

import (
	"fmt"
	"io"
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
	dayStart   time.Time
	conns      int
	labels     map[imap.UID][]string
}

// StartGmail starts the fake; it stops when the test ends.
func StartGmail(t testing.TB, opts GmailOptions) *Gmail {
	t.Helper()
	g := &Gmail{opts: opts, labels: map[imap.UID][]string{}}
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
	g.start(t, caps, extra, func(c *imapserver.Conn) imapserver.Session {
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

// AddLabeled stores msg in All Mail with its X-GM-LABELS (kept here, since imapserver
// cannot serve them: see the package comment), and in INBOX too when it has \Inbox, and in
// a folder per user label, as Gmail shows a label as a folder.
func (g *Gmail) AddLabeled(t testing.TB, msg []byte, labels ...string) imap.UID {
	t.Helper()
	uid := g.Append(t, g.Folders["all"], msg)
	g.mu.Lock()
	g.labels[uid] = append([]string(nil), labels...)
	g.mu.Unlock()
	for _, l := range labels {
		switch l {
		case `\Inbox`:
			g.Append(t, "INBOX", msg)
		case `\Sent`:
			g.Append(t, g.Folders["sent"], msg)
		case `\Starred`, `\Important`, `\Draft`:
		default:
			if !g.hasFolder(l) {
				if err := g.user.Create(l, nil); err != nil {
					t.Fatalf("create label folder %q: %v", l, err)
				}
				g.base.mu.Lock()
				g.base.folders = append(g.base.folders, folder{name: l, attrs: []imap.MailboxAttr{imap.MailboxAttrHasNoChildren}})
				g.base.mu.Unlock()
			}
			g.Append(t, l, msg)
		}
	}
	return uid
}

// Labels are the X-GM-LABELS of the message with that UID in All Mail.
func (g *Gmail) Labels(uid imap.UID) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.labels[uid]...)
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
	s.loggedIn = true
	return nil
}

func (s *gmailSession) Close() error {
	if s.loggedIn {
		s.g.mu.Lock()
		s.g.conns--
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

// connections is the number of logged-in sessions.
func (g *Gmail) connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.conns
}
