package provider

import (
	"sync"
	"time"
)

// Quota paces one mailbox's use of a daily quota (Gmail: 500 MB uploaded, 2,500 MB downloaded
// per rolling 24 hours) so that a pass pauses on its own before the host refuses — Google
// blocks the account's IMAP for up to a day once the limit is passed. The host also counts
// the user's own clients, so a refusal can still come first: Throttle handles that one.
// Safe for the connections of one mailbox to share.
type Quota struct {
	limit  int64
	window time.Duration

	mu   sync.Mutex
	uses []use
}

type use struct {
	at time.Time
	n  int64
}

// NewQuota paces limit bytes per window; a limit of 0 never holds anything back.
func NewQuota(limit int64, window time.Duration) *Quota {
	if window <= 0 {
		window = 24 * time.Hour
	}
	return &Quota{limit: limit, window: window}
}

// UploadQuota and DownloadQuota are the quotas of a mailbox at a host with these limits.
func (l Limits) UploadQuota() *Quota   { return NewQuota(l.DailyUploadBytes, l.QuotaWindow) }
func (l Limits) DownloadQuota() *Quota { return NewQuota(l.DailyDownloadBytes, l.QuotaWindow) }

// Fits reports whether n more bytes fit in the window at now; if not, resume is the moment
// enough of the window's earlier use has aged out for them to fit. A message larger than the
// whole quota fits only in an empty window (else it would never go).
func (q *Quota) Fits(now time.Time, n int64) (ok bool, resume time.Time) {
	if q == nil || q.limit <= 0 {
		return true, now
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.expireLocked(now)
	used := q.usedLocked()
	if used+n <= q.limit || used == 0 {
		return true, now
	}
	need := used + n - q.limit // bytes that must age out
	if n > q.limit {
		need = used
	}
	var freed int64
	for _, u := range q.uses {
		freed += u.n
		if freed >= need {
			return false, u.at.Add(q.window)
		}
	}
	return false, q.uses[len(q.uses)-1].at.Add(q.window)
}

// Add records n bytes moved at now.
func (q *Quota) Add(now time.Time, n int64) {
	if q == nil || q.limit <= 0 || n <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.expireLocked(now)
	q.uses = append(q.uses, use{now, n})
}

// Used is what the window holds at now.
func (q *Quota) Used(now time.Time) int64 {
	if q == nil {
		return 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.expireLocked(now)
	return q.usedLocked()
}

func (q *Quota) expireLocked(now time.Time) {
	i := 0
	for i < len(q.uses) && !now.Before(q.uses[i].at.Add(q.window)) {
		i++
	}
	q.uses = q.uses[i:]
}

func (q *Quota) usedLocked() int64 {
	var s int64
	for _, u := range q.uses {
		s += u.n
	}
	return s
}
