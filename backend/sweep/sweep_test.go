package sweep

import (
	"testing"
	"time"
)

func TestSweepsRunEvery30MinutesThenEvery4HoursUntil72HoursAfterTheSwitch(t *testing.T) {
	sw := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	until := Until(sw, time.Time{}, 0)
	if !until.Equal(sw.Add(72 * time.Hour)) {
		t.Fatalf("until %v, want 72 hours after the switch", until)
	}
	var runs []time.Time
	last := time.Time{}
	for i := 0; i < 100; i++ {
		next, ok := Next(sw, until, last)
		if !ok {
			break
		}
		runs = append(runs, next)
		last = next
	}
	// 12 hours at 30 minutes (the switch itself, then 24 more), then every 4 hours to 72 h.
	early := 0
	for _, r := range runs {
		if r.Before(sw.Add(EarlyFor)) {
			early++
		}
	}
	if early != 24 || !runs[0].Equal(sw) || !runs[len(runs)-1].Equal(until) {
		t.Errorf("%d sweeps in the first 12 hours (want 24), first %v, last %v (want %v)", early, runs[0], runs[len(runs)-1], until)
	}
	if n := len(runs); n != 24+15+1 {
		t.Errorf("%d sweeps in all, want 40: %v", n, runs)
	}
}

func TestSweepsGoOnWhileAResolverStillAnswersTheOldMX(t *testing.T) {
	sw := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	lastOld := sw.Add(70 * time.Hour)
	if got := Until(sw, lastOld, 24*time.Hour); !got.Equal(lastOld.Add(24 * time.Hour)) {
		t.Errorf("until %v; want the old TTL past the last old answer", got)
	}
	if got := Until(sw, sw.Add(time.Hour), time.Hour); !got.Equal(sw.Add(For)) {
		t.Errorf("until %v; an early old answer does not shorten the 72 hours", got)
	}
}

func TestASweepMissedWhileTheMachineSleptIsDueAtOnce(t *testing.T) {
	sw := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	last := sw.Add(time.Hour)
	next, ok := Next(sw, Until(sw, time.Time{}, 0), last)
	now := sw.Add(9 * time.Hour) // woke up
	if !ok || !next.Before(now) {
		t.Errorf("next %v: a sweep missed while asleep must be due when the machine wakes at %v", next, now)
	}
	if _, ok := Next(sw, sw.Add(For), sw.Add(For)); ok {
		t.Error("a sweep at the end time must be the last")
	}
}
