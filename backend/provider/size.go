package provider

import (
	"errors"
	"regexp"
	"sort"
	"time"

	"github.com/emersion/go-imap/v2"
)

// TooLarge reports whether a message of size bytes is over the destination's message size
// limit (none when MaxMessageBytes is 0).
func TooLarge(l Limits, size int64) bool {
	return l.MaxMessageBytes > 0 && size > l.MaxMessageBytes
}

// Message is one source message as the plan knows it before the pass.
type Message struct {
	Folder  string   `json:"folder"`
	UID     imap.UID `json:"uid"`
	Subject string   `json:"subject"`
	Size    int64    `json:"size"`
}

// Oversized lists the messages too large for the destination, by folder then UID, so that
// they are reported before the pass ("too large for the destination") rather than discovered
// by failed APPENDs.
func Oversized(l Limits, msgs []Message) []Message {
	var out []Message
	for _, m := range msgs {
		if TooLarge(l, m.Size) {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Folder != out[j].Folder {
			return out[i].Folder < out[j].Folder
		}
		return out[i].UID < out[j].UID
	})
	return out
}

var tooLargeText = regexp.MustCompile(`(?i)too (large|big)|size exceed|exceeds? (the )?(maximum|max|fixed)|maximum message size|message size limit|literals are limited`)

// RefusedAsTooLarge reports whether a destination's refusal of an APPEND is about the
// message's size ([TOOBIG], RFC 7889; Gmail's "[TOOBIG] Message too large"; the wordings of
// servers that send no code), so that the engine records the message as too large for the
// destination instead of retrying it.
func RefusedAsTooLarge(err error) bool {
	var ie *imap.Error
	if errors.As(err, &ie) {
		if ie.Type == imap.StatusResponseTypeBye {
			return false
		}
		return ie.Code == imap.ResponseCodeTooBig || tooLargeText.MatchString(ie.Text)
	}
	return err != nil && tooLargeText.MatchString(err.Error())
}

// EstimatePrePass is how long a pre pass of bytes in messages takes at least under the
// hosts' limits: the source's daily download quota, the destination's daily upload quota, and
// the messages per second either side sustains without throttling (the Analyse page shows it
// per mailbox). Where no limit applies the answer is 0: the pass is then bound by the
// network, which this package does not guess.
//
// A quota is treated as a rate (500 MB a day moves 3 GB in 6 days), which is what a mailbox
// paused at each refusal and resumed a window later averages to. More connections do not
// shorten any of these bounds: the quotas and the pacing are per mailbox.
func EstimatePrePass(src, dst Limits, bytes, messages int64) time.Duration {
	var worst time.Duration
	for _, rate := range []float64{src.MessagesPerSecond, dst.MessagesPerSecond} {
		if rate > 0 && messages > 0 {
			if d := time.Duration(float64(messages) / rate * float64(time.Second)); d > worst {
				worst = d
			}
		}
	}
	if bytes <= 0 {
		return worst
	}
	for _, q := range []struct {
		daily  int64
		window time.Duration
	}{
		{src.DailyDownloadBytes, src.QuotaWindow},
		{dst.DailyUploadBytes, dst.QuotaWindow},
	} {
		if q.daily <= 0 || bytes <= q.daily {
			// Within one window's quota the pass is not held back by it.
			continue
		}
		w := q.window
		if w <= 0 {
			w = 24 * time.Hour
		}
		// bytes/daily windows, computed without overflowing: whole windows, then the rest.
		d := time.Duration(bytes/q.daily)*w + time.Duration(float64(bytes%q.daily)/float64(q.daily)*float64(w))
		if d > worst {
			worst = d
		}
	}
	return worst
}
