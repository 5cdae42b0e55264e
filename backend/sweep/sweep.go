// Package sweep schedules the delta passes that follow the final pass: after the MX switch,
// mail keeps landing at the old host until every resolver has dropped the old records (up to
// the old TTL) and senders have retried, so the final pass runs again for every mailbox —
// every 30 minutes for the first 12 hours after the switch, then every 4 hours — until 72
// hours after the switch and at least the old MX TTL past the last time a resolver still
// answered the old value. Pure functions: time comes in as arguments. Imports nothing of
// Cutover.
package sweep

import "time"

const (
	// Early is how often sweeps run in the first EarlyFor after the switch; Late after it.
	Early    = 30 * time.Minute
	EarlyFor = 12 * time.Hour
	Late     = 4 * time.Hour
	// For is how long after the switch sweeps go on at least (Exchange's own IMAP migration
	// keeps syncing for 72 hours).
	For = 72 * time.Hour
)

// Until is when sweeps end: For after the switch, and at least oldTTL after lastOldSeen,
// the last time a resolver answered the old MX (zero when none was seen).
func Until(switchAt, lastOldSeen time.Time, oldTTL time.Duration) time.Time {
	until := switchAt.Add(For)
	if !lastOldSeen.IsZero() {
		if t := lastOldSeen.Add(oldTTL); t.After(until) {
			until = t
		}
	}
	return until
}

// Interval is the time between sweeps at now: Early in the first EarlyFor after the switch,
// Late after.
func Interval(switchAt, now time.Time) time.Duration {
	if now.Before(switchAt.Add(EarlyFor)) {
		return Early
	}
	return Late
}

// Next is when the sweep after the one at last is due (last zero: at the switch itself), and
// false when sweeps are over: the next one would start after until. A sweep missed (the
// machine slept) is due at once: Next is then in the past.
func Next(switchAt, until, last time.Time) (time.Time, bool) {
	next := switchAt
	if !last.IsZero() {
		next = last.Add(Interval(switchAt, last))
	}
	if next.After(until) {
		// One last sweep at until itself, unless the last one ran at or after it.
		if last.IsZero() || last.Before(until) {
			return until, true
		}
		return time.Time{}, false
	}
	return next, true
}
