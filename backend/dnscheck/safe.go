package dnscheck

import (
	"fmt"
	"sort"
	"time"
)

// TTLDrop is what the history of one record on one authoritative server says.
type TTLDrop struct {
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Server    string    `json:"server"`
	OldTTL    uint32    `json:"oldTTL,omitempty"`   // the longest TTL seen before the drop
	NewTTL    uint32    `json:"newTTL"`             // the TTL seen now
	LoweredAt time.Time `json:"loweredAt,omitzero"` // the first check that saw the low TTL
	SafeAfter time.Time `json:"safeAfter,omitzero"` // LoweredAt + OldTTL
	State     string    `json:"state"`              // lowered, still_high, always_low
}

// SafeSwitch is when the cutover can switch the records: once every resolver has
// dropped the answers it got with the old, long TTLs.
type SafeSwitch struct {
	Known     bool      `json:"known"` // SafeAfter is known
	SafeAfter time.Time `json:"safeAfter,omitzero"`
	Safe      bool      `json:"safe"` // SafeAfter has passed
	Sentence  string    `json:"sentence"`
	Records   []TTLDrop `json:"records"`
	// FirstLow is the first check that saw TTLs already at or below the target, when
	// no record was ever seen higher.
	FirstLow time.Time `json:"firstLow,omitzero"`
}

// Cause is the record Sentence is about: the first one still above the target, else
// the one lowered last (nil when every TTL was always low, or none was observed).
// Documents word the sentence in their own language from it.
func (s SafeSwitch) Cause() *TTLDrop {
	for i := range s.Records {
		if s.Records[i].State == "still_high" {
			return &s.Records[i]
		}
	}
	var latest *TTLDrop
	for i := range s.Records {
		if r := &s.Records[i]; r.State == "lowered" && (latest == nil || r.SafeAfter.After(latest.SafeAfter)) {
			latest = r
		}
	}
	return latest
}

// ComputeSafeSwitch reads the TTL observations of the authoritative servers (the
// KindTTL ones) and says when it is safe to switch. A resolver that asked just before
// the TTL was lowered may keep the old answer for the old TTL; the drop is only known
// to have happened by the first check that saw it (T), so the old answer is gone
// everywhere by T + the old TTL. target is the TTL the records had to be lowered to.
func ComputeSafeSwitch(obs []Observation, target uint32, loc *time.Location, now time.Time) SafeSwitch {
	type key struct{ name, typ, server string }
	series := map[key][]Observation{}
	var keys []key
	for _, o := range obs {
		if o.Kind != KindTTL || o.Role != Authoritative || !o.HasTTL {
			continue
		}
		k := key{o.Name, o.Type, o.Server}
		if _, ok := series[k]; !ok {
			keys = append(keys, k)
		}
		series[k] = append(series[k], o)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.name != b.name {
			return a.name < b.name
		}
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		return a.server < b.server
	})
	var s SafeSwitch
	if len(keys) == 0 {
		s.Sentence = "No TTL observed yet: run a check before the cutover."
		return s
	}
	var latest, high *TTLDrop
	var firstLow time.Time
	for _, k := range keys {
		os := series[k]
		sort.SliceStable(os, func(i, j int) bool { return os[i].At.Before(os[j].At) })
		d := TTLDrop{Name: k.name, Type: k.typ, Server: k.server, NewTTL: os[len(os)-1].TTL}
		if l := os[len(os)-1].Label; l != "" {
			d.Server = l
		}
		lastHigh := -1
		for i, o := range os {
			if o.TTL > target {
				lastHigh = i
			}
		}
		switch {
		case lastHigh == len(os)-1:
			d.State = "still_high"
		case lastHigh < 0:
			d.State = "always_low"
			if firstLow.IsZero() || os[0].At.Before(firstLow) {
				firstLow = os[0].At
			}
		default:
			d.State = "lowered"
			for _, o := range os[:lastHigh+1] {
				d.OldTTL = max(d.OldTTL, o.TTL)
			}
			d.LoweredAt = os[lastHigh+1].At
			d.SafeAfter = d.LoweredAt.Add(time.Duration(d.OldTTL) * time.Second)
		}
		s.Records = append(s.Records, d)
		last := &s.Records[len(s.Records)-1]
		switch d.State {
		case "still_high":
			if high == nil {
				high = last
			}
		case "lowered":
			if latest == nil || d.SafeAfter.After(latest.SafeAfter) {
				latest = last
			}
		}
	}
	switch {
	case high != nil:
		s.Sentence = fmt.Sprintf("The TTL of %s %s is still %d s on %s: lower it to %d s, then wait %s before switching.",
			high.Name, high.Type, high.NewTTL, high.Server, target, words(time.Duration(high.NewTTL)*time.Second))
	case latest != nil:
		s.Known, s.SafeAfter = true, latest.SafeAfter
		s.Safe = !now.Before(latest.SafeAfter)
		s.Sentence = fmt.Sprintf("TTL lowered from %d to %d at %s: safe to switch after %s", latest.OldTTL, latest.NewTTL,
			when(latest.LoweredAt, loc), when(latest.SafeAfter, loc))
		if s.Safe {
			s.Sentence += " (that time has passed)."
		} else {
			s.Sentence += "."
		}
	default:
		s.FirstLow = firstLow
		s.Sentence = fmt.Sprintf("The TTLs were already at or below %d s at the first check (%s). Cutover never saw the longer TTL they had, so it cannot tell when the old answers expire: wait the old TTL after the moment they were lowered.", target, when(firstLow, loc))
	}
	return s
}

// when is a moment in words in the project's zone: "14:02 on Monday 10 May".
func when(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("15:04 on Monday 2 January")
}

// words is a duration in words: "1 day", "5 min", "2 h 30 min".
func words(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	case d >= time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%d s", int(d/time.Second))
}
