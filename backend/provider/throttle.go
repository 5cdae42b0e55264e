package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Reasons a mailbox pauses, as progress shows them ("paused until 14:05 (Google daily limit)").
const (
	ReasonGoogleDaily     = "Google daily limit"
	ReasonExchange        = "Exchange throttling"
	ReasonTooManyConns    = "too many connections"
	ReasonServerBusy      = "server busy"
	ReasonServerThrottled = "server throttling"
)

// Pause is what a throttling answer asks of the mailbox: wait Wait (until Until) and go on.
type Pause struct {
	Wait   time.Duration `json:"wait"`
	Until  time.Time     `json:"until"`
	Reason string        `json:"reason"`
	// Daily is set when a daily quota is reached: the pause lasts until the quota window
	// resets, and retrying earlier only spends more of the quota.
	Daily bool `json:"daily"`
	// FewerConnections is set when the host refused a connection for their number: the
	// engine should go on with the connections it has rather than open more.
	FewerConnections bool `json:"fewerConnections"`
}

// Message is the progress text, in the project's zone: "paused until 14:05 (Google daily
// limit)"; a pause that ends on another day gives the date.
func (p Pause) Message(now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	u, n := p.Until.In(loc), now.In(loc)
	layout := "15:04"
	if u.YearDay() != n.YearDay() || u.Year() != n.Year() {
		layout = "Mon 2 Jan 15:04"
	}
	return fmt.Sprintf("paused until %s (%s)", u.Format(layout), p.Reason)
}

var (
	// Exchange Online, in a tagged NO or BAD and in BYE.
	exchangeBackoff   = regexp.MustCompile(`(?i)request is throttled\.?\s*suggested backoff time:\s*(\d+)\s*milliseconds`)
	exchangeThrottled = regexp.MustCompile(`(?i)request is throttled`)
	// Exchange's "Server Unavailable. 15" (and .21): the mailbox server is busy.
	exchangeUnavailable = regexp.MustCompile(`(?i)\bserver unavailable\.?\s*\d*`)
	// Gmail's daily bandwidth answers.
	googleDaily = regexp.MustCompile(`(?i)account exceeded command or bandwidth limits|bandwidth limit`)
	// Gmail's (and others') refusal of one connection too many.
	tooManyConns = regexp.MustCompile(`(?i)too many (simultaneous |concurrent )?connections|maximum number of connections`)
	// A response code at the start of the text, as a library that keeps it in the text has it.
	leadingCode = regexp.MustCompile(`^\[([A-Za-z0-9-]+)[^\]]*\]\s*`)
	// A tagged or untagged status line: "A1 NO [CODE] text", "* BYE text".
	statusLine = regexp.MustCompile(`(?i)^(?:\S+\s+)?(OK|NO|BAD|BYE)\s+(.*)$`)
)

// Throttle reads a server's refusal and says whether it asks the mailbox to wait, how long
// and why. err is what go-imap returned (an *imap.Error, possibly wrapped, or any error whose
// text carries the server's answer); now is the engine's clock. A refusal that waiting does not
// cure — a storage quota full, a message too large, a bad password — is not a throttle (ok false).
//
// Recognised: Exchange Online's "Request is throttled. Suggested Backoff Time: N milliseconds"
// (NO, BAD or BYE; wait N ms), Exchange's "Server Unavailable. 15"; RFC 5530 [UNAVAILABLE] and
// a connection [LIMIT]; [THROTTLED]; Gmail's "Too many simultaneous connections" and its daily
// "[OVERQUOTA]/[ALERT] Account exceeded command or bandwidth limits" (wait QuotaWindow: Google
// counts a rolling 24 hours and blocks the account for up to a day, so Cutover waits the whole
// window from the refusal rather than probe — each probe would spend the quota again).
func Throttle(l Limits, now time.Time, err error) (Pause, bool) {
	if err == nil {
		return Pause{}, false
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return throttle(l, now, ie.Type, ie.Code, ie.Text)
	}
	return ThrottleText(l, now, err.Error())
}

// ThrottleText is Throttle for the raw text of a status line ("A7 NO [OVERQUOTA] ...",
// "* BYE Request is throttled. ...") or of an error that carries one.
func ThrottleText(l Limits, now time.Time, text string) (Pause, bool) {
	text = strings.TrimSpace(text)
	typ := imap.StatusResponseType("")
	if m := statusLine.FindStringSubmatch(text); m != nil {
		typ, text = imap.StatusResponseType(strings.ToUpper(m[1])), m[2]
	}
	var code imap.ResponseCode
	if m := leadingCode.FindStringSubmatch(text); m != nil {
		code, text = imap.ResponseCode(strings.ToUpper(m[1])), text[len(m[0]):]
	}
	return throttle(l, now, typ, code, text)
}

func throttle(l Limits, now time.Time, typ imap.StatusResponseType, code imap.ResponseCode, text string) (Pause, bool) {
	if typ == imap.StatusResponseTypeOK {
		return Pause{}, false
	}
	p := Pause{}
	switch {
	case exchangeBackoff.MatchString(text):
		ms, _ := strconv.ParseInt(exchangeBackoff.FindStringSubmatch(text)[1], 10, 64)
		p.Reason, p.Wait = ReasonExchange, time.Duration(ms)*time.Millisecond
	case exchangeThrottled.MatchString(text):
		p.Reason, p.Wait = ReasonExchange, l.DefaultBackoff
	case googleDaily.MatchString(text):
		p.Reason, p.Daily, p.Wait = ReasonGoogleDaily, true, l.QuotaWindow
		if p.Wait <= 0 {
			p.Wait = 24 * time.Hour
		}
	case code == imap.ResponseCodeOverQuota:
		// RFC 5530 OVERQUOTA without Gmail's bandwidth text is a full mailbox: waiting won't help.
		return Pause{}, false
	case tooManyConns.MatchString(text):
		p.Reason, p.Wait, p.FewerConnections = ReasonTooManyConns, l.DefaultBackoff, true
	case code == imap.ResponseCodeLimit && strings.Contains(strings.ToLower(text), "connection"):
		p.Reason, p.Wait, p.FewerConnections = ReasonTooManyConns, l.DefaultBackoff, true
	case code == "THROTTLED" || strings.Contains(strings.ToUpper(text), "[THROTTLED]"):
		p.Reason, p.Wait = ReasonServerThrottled, l.DefaultBackoff
	case code == imap.ResponseCodeUnavailable || exchangeUnavailable.MatchString(text):
		p.Reason, p.Wait = ReasonServerBusy, l.DefaultBackoff
	default:
		return Pause{}, false
	}
	if p.Wait <= 0 {
		p.Wait = 30 * time.Second
	}
	if l.MaxBackoff > 0 && p.Wait > l.MaxBackoff && !p.Daily {
		p.Wait = l.MaxBackoff
	}
	p.Until = now.Add(p.Wait)
	return p, true
}

// ByeRecorder remembers the text of the last "* BYE" line a server sent. go-imap's client
// ends the pending commands with io.ErrUnexpectedEOF when a server says BYE in the middle of
// a command, and the BYE's text — where Exchange may say "Request is throttled. Suggested
// Backoff Time: N milliseconds" — is lost. Set a ByeRecorder as imapclient.Options.DebugWriter
// (alone or in an io.MultiWriter) and, when a command fails because the connection ended, give
// Last() to ThrottleText. It keeps nothing but BYE lines (the debug stream also carries the
// client's commands, passwords included: they are dropped line by line).
type ByeRecorder struct {
	mu      sync.Mutex
	partial []byte
	last    string
}

const maxByeLine = 1024

// Write implements io.Writer.
func (r *ByeRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range p {
		if c == '\n' {
			line := strings.TrimRight(string(r.partial), "\r")
			if len(line) >= 6 && strings.EqualFold(line[:6], "* BYE ") {
				r.last = line
			}
			r.partial = r.partial[:0]
			continue
		}
		if len(r.partial) < maxByeLine {
			r.partial = append(r.partial, c)
		}
	}
	return len(p), nil
}

// Last is the last BYE line received ("* BYE ..."), or "".
func (r *ByeRecorder) Last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}
