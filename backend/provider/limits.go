// Package provider knows what differs between the hosts a mailbox moves from and to —
// Microsoft 365 (Exchange Online), Google Workspace (Gmail) and any other IMAP server — so
// that the copy engines ask it and hold no provider `if`s of their own: the limits of each
// (message size, connections per mailbox, daily IMAP quotas), the answers a server gives when
// it throttles and how long to wait them out, and Gmail's folder and label conventions.
//
// Everything here is a pure function of its arguments (time comes in as an argument, never
// from the wall clock), so the engine, the Analyse page and the tests get the same answers.
//
// Where each figure comes from (all are defaults in a Limits the project may edit):
//
//   - Exchange Online message size: 35 MB by default, raised by an admin to at most 150 MB
//     (Microsoft's "Exchange Online limits" service description; Set-Mailbox -MaxSendSize /
//     -MaxReceiveSize 150MB). Taken as 35 MiB = 36,700,160 bytes. An APPEND counts the encoded
//     (base64) message, so a 27 MB attachment already fills it.
//   - Exchange Online connections: Exchange drops IMAP connections beyond about 16–20 per
//     mailbox (issue 13; Microsoft documents no IMAP figure). We cap at 8: the limit counts
//     every client of the mailbox (the user's Outlook and phone stay connected during the
//     migration), and more connections buy nothing once throttling starts.
//   - Exchange Online throttling: a tagged NO or BAD "Request is throttled. Suggested Backoff
//     Time: N milliseconds", sometimes followed by "* BYE Connection closed. 14" (seen in
//     imapsync issues #198, #272, email-oauth2-proxy #191, imap_tools #135).
//   - Exchange Online pace: about 4 messages per second per mailbox stays under the
//     throttling (imapsync's --office2 preset, imapsync FAQ.Office365, quoted in imapsync
//     issue #272); used only for the Analyse page's estimate.
//   - Gmail connections: 15 simultaneous IMAP connections per user (support.google.com/mail
//     answer 97150, cited in imapsync issue #61); beyond that LOGIN answers
//     "NO [ALERT] Too many simultaneous connections. (Failure)" (wildduck issue #35). We cap at
//     10 to leave the user's own clients room.
//   - Gmail daily IMAP bandwidth: download 2,500 MB and upload 500 MB per user per day
//     (Google Workspace "Gmail bandwidth limits", support.google.com/a answer 1071518: "Reaching
//     the sync limit triggers a safeguard that temporarily stops IMAP uploads"); taken as
//     decimal MB, the smaller reading; beyond
//     it commands answer "[OVERQUOTA] Account exceeded command or bandwidth limits" or
//     "[ALERT] Account exceeded command or bandwidth limits. (Failure)" (ha-email-sensor #16),
//     and the account is blocked for up to a day (chatwoot #6082).
//   - Gmail message size: Gmail advertises APPENDLIMIT=35651584 (RFC 7889; capability line in
//     MailKit issue #1396) and refuses larger APPENDs with "[TOOBIG] Message too large.
//     https://support.google.com/mail/answer/6584#limit" (offlineimap #724). The 25 MB of
//     Google's help pages is the limit for sending attachments, not for IMAP APPEND. A server's
//     own APPENDLIMIT, when it advertises one, wins (EffectiveMaxMessage).
//
// Standards: RFC 5530 response codes (UNAVAILABLE, LIMIT, OVERQUOTA), RFC 7889 APPENDLIMIT,
// RFC 6154 special-use mailboxes, Gmail's IMAP extensions (X-GM-EXT-1: X-GM-MSGID,
// X-GM-LABELS; developers.google.com/gmail/imap/imap-extensions).
package provider

import (
	"fmt"
	"strings"
	"time"
)

// Name is the kind of host, as the project stores it ("m365", "google", "imap").
type Name string

const (
	M365   Name = "m365"
	Google Name = "google"
	IMAP   Name = "imap"
)

// Limits is what a host allows one mailbox. Zero means "no limit" for every field.
// The presets are starting points: each field may be overridden by the project.
type Limits struct {
	Provider Name `json:"provider"`
	// MaxMessageBytes is the largest message the destination accepts by APPEND.
	MaxMessageBytes int64 `json:"maxMessageBytes"`
	// ServerConnections is the number of simultaneous connections per mailbox beyond which
	// the host refuses or drops connections (informational; MaxConnections is what we use).
	ServerConnections int `json:"serverConnections"`
	// MaxConnections is the number of connections Cutover opens to one mailbox at most.
	MaxConnections int `json:"maxConnections"`
	// DailyUploadBytes and DailyDownloadBytes are the host's IMAP bandwidth per mailbox per
	// QuotaWindow: what may be APPENDed to it, and FETCHed from it.
	DailyUploadBytes   int64 `json:"dailyUploadBytes"`
	DailyDownloadBytes int64 `json:"dailyDownloadBytes"`
	// MessagesPerSecond is the pace one mailbox sustains without being throttled (0: unknown).
	MessagesPerSecond float64 `json:"messagesPerSecond"`
	// QuotaWindow is the window of the daily quotas (Google's is a rolling 24 hours) and how
	// long a mailbox pauses when the host says a daily limit is reached.
	QuotaWindow time.Duration `json:"quotaWindow"`
	// DefaultBackoff is the wait after a throttling answer that suggests no time.
	DefaultBackoff time.Duration `json:"defaultBackoff"`
	// MaxBackoff caps a suggested wait (a garbled number must not park a mailbox for a week).
	MaxBackoff time.Duration `json:"maxBackoff"`
}

const (
	mb  = 1000 * 1000
	mib = 1024 * 1024
)

// M365MaxRaisedMessageBytes is the largest message size an Exchange Online admin can set.
const M365MaxRaisedMessageBytes = 150 * mib

// Preset returns the default limits of a provider. An unknown name is an error naming the
// accepted ones.
func Preset(name Name) (Limits, error) {
	switch Name(strings.ToLower(strings.TrimSpace(string(name)))) {
	case M365:
		return Limits{
			Provider:          M365,
			MaxMessageBytes:   35 * mib, // 36,700,160 bytes
			ServerConnections: 16,
			MaxConnections:    8,
			MessagesPerSecond: 4,
			DefaultBackoff:    time.Minute,
			MaxBackoff:        time.Hour,
		}, nil
	case Google:
		return Limits{
			Provider:           Google,
			MaxMessageBytes:    35651584, // Gmail's APPENDLIMIT
			ServerConnections:  15,
			MaxConnections:     10,
			DailyUploadBytes:   500 * mb,
			DailyDownloadBytes: 2500 * mb,
			QuotaWindow:        24 * time.Hour,
			DefaultBackoff:     time.Minute,
			MaxBackoff:         24 * time.Hour,
		}, nil
	case IMAP, "":
		return Limits{Provider: IMAP, DefaultBackoff: 30 * time.Second, MaxBackoff: time.Hour}, nil
	}
	return Limits{}, fmt.Errorf("provider %q: expected m365, google or imap", name)
}

// EffectiveMaxMessage is the size limit to plan with: the smaller of the preset's and the
// server's own APPENDLIMIT (RFC 7889), when it advertises one (appendLimit > 0).
func (l Limits) EffectiveMaxMessage(appendLimit int64) int64 {
	switch {
	case appendLimit <= 0:
		return l.MaxMessageBytes
	case l.MaxMessageBytes <= 0 || appendLimit < l.MaxMessageBytes:
		return appendLimit
	}
	return l.MaxMessageBytes
}

// Connections is how many connections to open to one mailbox when the engine would like
// want: want, capped by MaxConnections, at least 1.
func (l Limits) Connections(want int) int {
	if want < 1 {
		want = 1
	}
	if l.MaxConnections > 0 && want > l.MaxConnections {
		return l.MaxConnections
	}
	return want
}
