package mailbox

import (
	"fmt"

	"cutover/backend/provider"

	"github.com/emersion/go-imap/v2"
)

// dailyQuota is what a mailbox may still move today: its destination's daily upload
// quota and its source's daily download quota (Gmail: 500 MB and 2,500 MB per rolling 24
// hours). The pass keeps within them on its own, so the host never has to refuse (Google
// then blocks the account's IMAP for up to a day); a refusal that comes anyway (the
// user's own clients count too) pauses the mailbox just the same (provider.Throttle).
type dailyQuota struct {
	up, down         *provider.Quota
	upHost, downHost provider.Name
}

// paceError is the pause Cutover takes before a message would pass a daily quota.
type paceError struct{ p provider.Pause }

func (e *paceError) Error() string {
	return fmt.Sprintf("the next message would pass the %s", e.p.Reason)
}

// paced keeps the head of a chunk of bodies to fetch that fits in the daily quotas,
// counted as used from now. When not even its first message fits, the mailbox pauses
// until enough of the quota has aged out: a paceError, which the folder's loop waits out
// like a throttling answer, counting nothing against the folder.
func (r *folderRun) paced(chunk []imap.UID) ([]imap.UID, error) {
	q := r.c.quota
	if q == nil {
		return chunk, nil
	}
	now := r.c.Now()
	for i, uid := range chunk {
		size := r.byUID[uid].Size
		upOK, upAt := q.up.Fits(now, size)
		downOK, downAt := q.down.Fits(now, size)
		if upOK && downOK {
			q.up.Add(now, size)
			q.down.Add(now, size)
			continue
		}
		if i > 0 {
			return chunk[:i], nil
		}
		p := provider.Pause{Until: now, Daily: true}
		if !upOK {
			p.Until, p.Reason = upAt, quotaReason(q.upHost, "upload")
		}
		if !downOK && downAt.After(p.Until) {
			p.Until, p.Reason = downAt, quotaReason(q.downHost, "download")
		}
		p.Wait = p.Until.Sub(now)
		return nil, &paceError{p}
	}
	return chunk, nil
}

// quotaReason names a daily quota as progress shows it: "Google daily limit" for Google's
// (provider.ReasonGoogleDaily, as when Google itself refuses), else "daily upload limit".
func quotaReason(host provider.Name, way string) string {
	if host == provider.Google {
		return provider.ReasonGoogleDaily
	}
	return "daily " + way + " limit"
}
