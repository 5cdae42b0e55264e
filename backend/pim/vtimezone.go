package pim

import (
	"fmt"
	"time"
)

// vtimezone is the VTIMEZONE of loc (RFC 5545 3.6.5) covering [from, to], read from Go's
// time zone database: the observance in effect at from, then one per transition up to
// to, each a STANDARD or DAYLIGHT with its onset (DTSTART, the local time before the
// change), TZOFFSETFROM, TZOFFSETTO and the zone's abbreviation. Listing onsets rather
// than deriving RRULEs keeps it exact for zones whose rules changed (America/Sao_Paulo
// has had no daylight saving time since 2019); after to the last observance holds, and
// clients that know the IANA TZID (all major ones) use their own database further out.
func vtimezone(loc *time.Location, from, to time.Time) []string {
	lines := []string{"BEGIN:VTIMEZONE", "TZID:" + loc.String()}
	t := from.In(loc)
	onset, next := t.ZoneBounds()
	lines = append(lines, observance(t, onset)...)
	for !next.IsZero() && next.After(t) && !next.After(to) {
		t = next.In(loc)
		_, next = t.ZoneBounds()
		lines = append(lines, observance(t, t)...)
	}
	return append(lines, "END:VTIMEZONE")
}

// observance is the STANDARD or DAYLIGHT sub-component of the zone period holding t,
// which began at onset (zero when the database knows no beginning).
func observance(t, onset time.Time) []string {
	abbr, off := t.Zone()
	before, start := off, "19700101T000000"
	if !onset.IsZero() {
		_, before = onset.Add(-time.Second).In(t.Location()).Zone()
		start = onset.UTC().Add(time.Duration(before) * time.Second).Format("20060102T150405")
	}
	kind := "STANDARD"
	if t.IsDST() {
		kind = "DAYLIGHT"
	}
	return []string{"BEGIN:" + kind, "DTSTART:" + start, "TZOFFSETFROM:" + utcOffset(before),
		"TZOFFSETTO:" + utcOffset(off), icalText("TZNAME", abbr), "END:" + kind}
}

// utcOffset is a UTC-OFFSET value (RFC 5545 3.3.14): +hhmm, with seconds when there are.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
