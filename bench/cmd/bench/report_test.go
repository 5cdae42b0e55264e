package main

import (
	"strings"
	"testing"
)

func TestSummarizeRatiosPerRoundAndWrongRunsUntimed(t *testing.T) {
	ok := func(s float64, rss int64) pass { return pass{Seconds: s, PeakRSSKB: rss, OK: true} }
	noop := func(s float64) *pass { p := ok(s, 20*1024); return &p }
	res := &results{
		Config:  config{Tools: []string{"cutover", "mbsync", "imapsync", "ceiling"}, Rounds: 2},
		Source:  sourceInfo{Messages: 10000, Bytes: 200e6},
		Skipped: map[string]string{"imapsync": "not run: set IMAPSYNC=/path/to/imapsync"},
		Runs: []runResult{
			{Tool: "cutover", Round: 1, First: ok(10, 40*1024), NoOp: noop(0.5)},
			{Tool: "mbsync", Round: 1, First: ok(20, 50*1024), NoOp: noop(0.1)},
			{Tool: "ceiling", Round: 1, First: ok(8, 300*1024)},
			{Tool: "cutover", Round: 2, First: ok(30, 60*1024), NoOp: noop(0.7)}, // a slow round: the machine was busy
			{Tool: "mbsync", Round: 2, First: pass{Seconds: 1, OK: false, Problems: []string{"INBOX: 1 messages at the source, 0 at the destination"}}},
			{Tool: "ceiling", Round: 2, First: ok(24, 300*1024)},
		},
	}
	rows, targets := summarize(res, []string{"cutover", "mbsync", "ceiling"})
	by := map[string]summaryRow{}
	for _, r := range rows {
		by[r.Tool] = r
	}
	c, m, i, l := by["cutover"], by["mbsync"], by["imapsync"], by["ceiling"]
	if c.Seconds != 20 || c.MsgPerSec != 500 || c.MBPerSec != 10 || c.PeakRSSMB != 60 || c.NoopSeconds != 0.6 {
		t.Errorf("cutover row %+v", c)
	}
	if c.CeilingPct != 80 { // rounds: 8/10 and 24/30
		t.Errorf("cutover at %.1f %% of the ceiling, want 80", c.CeilingPct)
	}
	if m.OKRuns != 1 || m.Seconds != 20 || m.VsCutover != 0.5 || !strings.Contains(m.Status, "1 of 2 runs wrong") {
		t.Errorf("mbsync row %+v (the wrong 1-second run must not count)", m)
	}
	if i.OKRuns != 0 || !strings.HasPrefix(i.Status, "not run") {
		t.Errorf("imapsync row %+v", i)
	}
	if l.VsCutover != 1.25 {
		t.Errorf("ceiling vs cutover %.2f, want 1.25", l.VsCutover)
	}
	want := map[string]string{
		"first pass at least as fast as mbsync":   "met",
		"first pass at least 5× imapsync":         "n/a",
		"first pass at least 80 % of the ceiling": "met",
		"no-op pass under 2 s":                    "met",
		"peak memory under 150 MB":                "met",
	}
	for _, tg := range targets {
		got := "n/a"
		if tg.Met != nil && *tg.Met {
			got = "met"
		} else if tg.Met != nil {
			got = "miss"
		}
		if want[tg.Name] != got {
			t.Errorf("target %q: %s (%s), want %s", tg.Name, got, tg.Value, want[tg.Name])
		}
	}
	res.Summary, res.Targets = rows, targets
	table := render(res)
	for _, s := range []string{"not run: set IMAPSYNC", "1/2 complete; 1 of 2 runs wrong", "80 %"} {
		if !strings.Contains(table, s) {
			t.Errorf("table lacks %q:\n%s", s, table)
		}
	}
}
