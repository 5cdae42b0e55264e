package pim

import (
	"sort"
	"strings"
	"testing"
	"time"
)

// tzObservance is one onset of a parsed VTIMEZONE: from then on, local time is UTC+to.
type tzObservance struct {
	onset time.Time // UTC
	to    time.Duration
}

// parseVTimezone reads a VTIMEZONE as a client does: each observance's DTSTART is local
// time in its TZOFFSETFROM.
func parseVTimezone(t *testing.T, lines []string) []tzObservance {
	t.Helper()
	cal, err := decodeCalendar([]byte(strings.Join(append(append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}, lines...), "END:VCALENDAR"), "\r\n") + "\r\n"))
	if err != nil || len(cal.Children) != 1 || cal.Children[0].Name != "VTIMEZONE" {
		t.Fatalf("not one VTIMEZONE (%v):\n%s", err, strings.Join(lines, "\n"))
	}
	offset := func(v string) time.Duration {
		tt, err := time.Parse("-0700", v[:5])
		if err != nil {
			t.Fatalf("offset %q: %v", v, err)
		}
		_, off := tt.Zone()
		return time.Duration(off) * time.Second
	}
	var obs []tzObservance
	for _, c := range cal.Children[0].Children {
		start, err := time.Parse("20060102T150405", c.Props.Get("DTSTART").Value)
		if err != nil {
			t.Fatalf("%s DTSTART: %v", c.Name, err)
		}
		obs = append(obs, tzObservance{onset: start.Add(-offset(c.Props.Get("TZOFFSETFROM").Value)), to: offset(c.Props.Get("TZOFFSETTO").Value)})
	}
	sort.Slice(obs, func(i, j int) bool { return obs[i].onset.Before(obs[j].onset) })
	return obs
}

// instant resolves a wall-clock time through the observances (RFC 5545 3.6.5): the
// offset of the observance in effect at the instant it gives.
func instant(obs []tzObservance, wall time.Time) (time.Time, bool) {
	for i, o := range obs {
		at := wall.Add(-o.to)
		if !at.Before(o.onset) && (i+1 == len(obs) || at.Before(obs[i+1].onset)) {
			return at, true
		}
	}
	return time.Time{}, false
}

func TestVTimezoneGivesTheSameInstantsAsTheTimeZoneDatabase(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, tc := range []struct {
		zone     string
		from, to time.Time
		onsets   int // the observance at from, then one per transition
	}{
		{"Europe/Berlin", day("2026-01-05"), day("2028-01-05"), 1 + 4},
		{"America/New_York", day("2026-01-05"), day("2028-01-05"), 1 + 4},
		{"Australia/Sydney", day("2026-01-05"), day("2028-01-05"), 1 + 4},  // southern hemisphere: summer time in January
		{"Asia/Kolkata", day("2026-01-05"), day("2028-01-05"), 1},          // no daylight saving time
		{"America/Sao_Paulo", day("2017-06-01"), day("2021-06-01"), 1 + 4}, // none since 2019
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			lines := vtimezone(loc, tc.from, tc.to)
			obs := parseVTimezone(t, lines)
			if len(obs) != tc.onsets {
				t.Errorf("%d observances, want %d:\n%s", len(obs), tc.onsets, strings.Join(lines, "\n"))
			}
			for d := tc.from; d.Before(tc.to); d = d.AddDate(0, 0, 1) {
				for _, hour := range []int{9, 12, 18, 23} {
					wall := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC)
					want := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
					got, ok := instant(obs, wall)
					if !ok || !got.Equal(want) {
						t.Fatalf("%s local is %v through the VTIMEZONE, %v by the database:\n%s", wall.Format("2006-01-02 15:04"), got, want.UTC(), strings.Join(lines, "\n"))
					}
				}
			}
		})
	}
}

func TestVTimezoneOffsets(t *testing.T) {
	for sec, want := range map[int]string{3600: "+0100", -18000: "-0500", 19800: "+0530", 20700: "+0545", -12600: "-0330", 3208: "+005328", 0: "+0000"} {
		if got := utcOffset(sec); got != want {
			t.Errorf("utcOffset(%d) = %s, want %s", sec, got, want)
		}
	}
}
