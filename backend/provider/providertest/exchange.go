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

// ThrottleStyle is how the Exchange fake answers a throttled APPEND.
type ThrottleStyle int

const (
	// ThrottleNO: "tag NO Request is throttled. Suggested Backoff Time: N milliseconds".
	ThrottleNO ThrottleStyle = iota
	// ThrottleBADThenBye: the tagged BAD with the same text, then "* BYE Connection closed. 14"
	// and the connection ends — what Exchange Online sends when it gives up on a client.
	ThrottleBADThenBye
	// ThrottleBye: an untagged BYE carrying the throttling text, and the connection ends.
	ThrottleBye
)

// ExchangeTooLargeText is the fake's refusal of a message over its size limit. Exchange
// Online's own wording for an over-size IMAP APPEND was not found in any public log we could
// read; this is a plain NO without a response code (the hard case for a client: text only).
const ExchangeTooLargeText = "APPEND failed: the message exceeds the maximum message size"

// ExchangeOptions shape the Exchange-like fake. Zero values mean "never".
type ExchangeOptions struct {
	User, Password string
	// ThrottleAfter APPENDs are accepted, then ThrottleTimes (default 1) are answered as
	// throttled, then the count starts again: each throttle is followed by acceptance.
	ThrottleAfter int
	ThrottleTimes int
	// Backoff is the suggested time in the answer (default 500 ms).
	Backoff time.Duration
	Style   ThrottleStyle
	// Clock, when set, makes the fake hold the backoff: an APPEND before the suggested time
	// has passed is throttled again with the time left.
	Clock *Clock
	// MaxMessageBytes refuses larger APPENDs with ExchangeTooLargeText (0: no limit).
	MaxMessageBytes int64
}

// Exchange is an IMAP server on 127.0.0.1 answering as Exchange Online does when it
// throttles and at its message size limit. Folders: INBOX, Drafts, Sent Items, Deleted Items,
// Junk Email, Archive, with their special-use attributes.
type Exchange struct {
	base
	opts ExchangeOptions

	mu        sync.Mutex
	sinceLast int       // APPENDs accepted since the last throttle
	throttles int       // throttled answers in the current run
	until     time.Time // with a Clock: end of the suggested backoff
	stats     ExchangeStats
}

// ExchangeStats count what the fake did.
type ExchangeStats struct {
	Accepted  int // APPENDs stored
	Throttled int // APPENDs answered as throttled
	TooLarge  int // APPENDs refused for their size
}

// StartExchange starts the fake; it stops when the test ends.
func StartExchange(t testing.TB, opts ExchangeOptions) *Exchange {
	t.Helper()
	if opts.ThrottleTimes <= 0 {
		opts.ThrottleTimes = 1
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	e := &Exchange{opts: opts}
	e.User, e.Password = opts.User, opts.Password
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapMove: {}, imap.CapNamespace: {}, imap.CapSpecialUse: {}}
	e.start(t, caps, nil, nil, func(c *imapserver.Conn) imapserver.Session {
		return &exchangeSession{session: session{b: &e.base, conn: c, UserSession: imapmemserver.NewUserSession(e.user)}, e: e}
	}, []folder{
		{"INBOX", nil},
		{"Archive", []imap.MailboxAttr{imap.MailboxAttrArchive}},
		{"Deleted Items", []imap.MailboxAttr{imap.MailboxAttrTrash}},
		{"Drafts", []imap.MailboxAttr{imap.MailboxAttrDrafts}},
		{"Junk Email", []imap.MailboxAttr{imap.MailboxAttrJunk}},
		{"Sent Items", []imap.MailboxAttr{imap.MailboxAttrSent}},
	})
	return e
}

// Stats returns the counters.
func (e *Exchange) Stats() ExchangeStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

type exchangeSession struct {
	session
	e *Exchange
}

func (s *exchangeSession) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	e := s.e
	if e.opts.MaxMessageBytes > 0 && r.Size() > e.opts.MaxMessageBytes {
		io.Copy(io.Discard, r)
		e.mu.Lock()
		e.stats.TooLarge++
		e.mu.Unlock()
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: ExchangeTooLargeText}
	}
	if wait, ok := e.throttle(); ok {
		io.Copy(io.Discard, r)
		return nil, s.throttled(wait)
	}
	data, err := s.UserSession.Append(mailbox, r, options)
	if err == nil {
		e.mu.Lock()
		e.stats.Accepted++
		e.mu.Unlock()
	}
	return data, err
}

// throttle decides whether this APPEND is throttled and with what suggested wait.
func (e *Exchange) throttle() (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opts.Clock != nil {
		if now := e.opts.Clock.Now(); now.Before(e.until) {
			e.stats.Throttled++
			return e.until.Sub(now), true
		}
	}
	if e.opts.ThrottleAfter <= 0 || e.sinceLast < e.opts.ThrottleAfter {
		e.sinceLast++
		return 0, false
	}
	e.throttles++
	e.stats.Throttled++
	if e.throttles >= e.opts.ThrottleTimes {
		e.sinceLast, e.throttles = 0, 0
	}
	if e.opts.Clock != nil {
		e.until = e.opts.Clock.Now().Add(e.opts.Backoff)
	}
	return e.opts.Backoff, true
}

func (s *exchangeSession) throttled(wait time.Duration) error {
	text := fmt.Sprintf("Request is throttled. Suggested Backoff Time: %d milliseconds", wait.Milliseconds())
	switch s.e.opts.Style {
	case ThrottleBADThenBye:
		if wc := s.wire(); wc != nil {
			wc.closeAfterAnswer("* BYE Connection closed. 14\r\n")
		}
		return &imap.Error{Type: imap.StatusResponseTypeBad, Text: text}
	case ThrottleBye:
		s.conn.Bye(text)
		return &imap.Error{Type: imap.StatusResponseTypeBye, Text: text}
	}
	return &imap.Error{Type: imap.StatusResponseTypeNo, Text: text}
}
