package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// summaryRow is one tool's line of the table: medians over its exact runs.
type summaryRow struct {
	Tool        string  `json:"tool"`
	Status      string  `json:"status"` // "ok", "not available: ...", "wrong: ..."
	Runs        int     `json:"runs"`
	OKRuns      int     `json:"okRuns"`
	Messages    int     `json:"messages"`
	MB          float64 `json:"mb"`
	Seconds     float64 `json:"seconds"`
	MsgPerSec   float64 `json:"msgPerSec"`
	MBPerSec    float64 `json:"mbPerSec"`
	PeakRSSMB   float64 `json:"peakRssMB"`
	NoopSeconds float64 `json:"noopSeconds,omitempty"`
	NoopRSSMB   float64 `json:"noopRssMB,omitempty"`
	// VsCutover is the tool's speed over Cutover's, median of the rounds where both were
	// exact (mbsync 0.8 = mbsync at 80 % of Cutover's speed); 0 when unknown.
	VsCutover float64 `json:"vsCutover,omitempty"`
	// CeilingPct is the tool's speed as a percentage of the ceiling loader's, median of
	// the rounds where both were exact; 0 when unknown.
	CeilingPct  float64 `json:"ceilingPct,omitempty"`
	DatesDiffer int     `json:"datesDiffer,omitempty"`
	Altered     int     `json:"altered,omitempty"`
	// RTTms is the round trip the proxies added (0: loopback). Through them, medians of
	// the exact runs: connections opened and round trips waited for, first and no-op pass.
	RTTms     float64 `json:"rttMs"`
	Conns     float64 `json:"conns,omitempty"`
	Turns     float64 `json:"turns,omitempty"`
	NoopConns float64 `json:"noopConns,omitempty"`
	NoopTurns float64 `json:"noopTurns,omitempty"`
}

type target struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Met   *bool  `json:"met"` // nil: could not be measured
}

func summarize(res *results, active []string) ([]summaryRow, []target) {
	mb := float64(res.Source.Bytes) / 1e6
	byRound := map[string]map[int]float64{} // tool → round → seconds of an exact first pass
	var rows []summaryRow
	for _, t := range res.Config.Tools {
		row := summaryRow{Tool: t, Messages: res.Source.Messages, MB: mb, RTTms: float64(res.Config.RTT) / float64(time.Millisecond)}
		if why, ok := res.Skipped[t]; ok {
			row.Status = why
			rows = append(rows, row)
			continue
		}
		byRound[t] = map[int]float64{}
		var secs, noops, conns, turns, noopConns, noopTurns []float64
		var wrong string
		for _, r := range res.Runs {
			if r.Tool != t {
				continue
			}
			row.Runs++
			row.PeakRSSMB = math.Max(row.PeakRSSMB, float64(r.First.PeakRSSKB)/1024)
			if !r.First.OK {
				if wrong == "" {
					wrong = verdict(r.First)
				}
				continue
			}
			row.DatesDiffer = max(row.DatesDiffer, r.First.DatesDiffer)
			row.Altered = max(row.Altered, r.First.Altered)
			row.OKRuns++
			secs = append(secs, r.First.Seconds)
			byRound[t][r.Round] = r.First.Seconds
			if p := r.First.Proxy; p != nil {
				conns, turns = append(conns, float64(p.Conns)), append(turns, float64(p.Turns))
			}
			if r.NoOp != nil && r.NoOp.OK && r.NoOp.Proxy != nil {
				noopConns, noopTurns = append(noopConns, float64(r.NoOp.Proxy.Conns)), append(noopTurns, float64(r.NoOp.Proxy.Turns))
			}
			if r.NoOp != nil {
				row.NoopRSSMB = math.Max(row.NoopRSSMB, float64(r.NoOp.PeakRSSKB)/1024)
				if r.NoOp.OK {
					noops = append(noops, r.NoOp.Seconds)
				} else if wrong == "" {
					wrong = "no-op pass " + verdict(*r.NoOp)
				}
			}
		}
		switch {
		case row.Runs == 0:
			row.Status = "not run"
		case wrong != "":
			row.Status = fmt.Sprintf("%d of %d runs wrong: %s", row.Runs-row.OKRuns, row.Runs, wrong)
		default:
			row.Status = "ok"
		}
		if len(secs) > 0 {
			row.Seconds = median(secs)
			row.MsgPerSec = float64(row.Messages) / row.Seconds
			row.MBPerSec = mb / row.Seconds
		}
		row.NoopSeconds = median(noops)
		row.Conns, row.Turns, row.NoopConns, row.NoopTurns = median(conns), median(turns), median(noopConns), median(noopTurns)
		rows = append(rows, row)
	}
	ratio := func(num, den string) float64 { // median over rounds of seconds[den]/seconds[num]: num's speed over den's
		var rs []float64
		for round, s := range byRound[num] {
			if d, ok := byRound[den][round]; ok && s > 0 {
				rs = append(rs, d/s)
			}
		}
		return median(rs)
	}
	for i := range rows {
		rows[i].VsCutover = ratio(rows[i].Tool, "cutover")
		rows[i].CeilingPct = 100 * ratio(rows[i].Tool, "ceiling")
	}

	row := func(t string) *summaryRow {
		for i := range rows {
			if rows[i].Tool == t {
				return &rows[i]
			}
		}
		return nil
	}
	yes := func(b bool) *bool { return &b }
	var targets []target
	c := row("cutover")
	cutoverOK := c != nil && c.OKRuns > 0
	add := func(name string, measured bool, value string, met bool) {
		if !measured {
			targets = append(targets, target{Name: name, Value: value})
			return
		}
		targets = append(targets, target{Name: name, Value: value, Met: yes(met)})
	}
	if m := row("mbsync"); cutoverOK && m != nil && m.VsCutover > 0 {
		add("first pass at least as fast as mbsync", true, fmt.Sprintf("Cutover %.2f× mbsync's speed", 1/m.VsCutover), m.VsCutover <= 1)
	} else {
		add("first pass at least as fast as mbsync", false, "not measured (needs exact Cutover and mbsync runs in the same round)", false)
	}
	if s := row("imapsync"); cutoverOK && s != nil && s.VsCutover > 0 {
		add("first pass at least 5× imapsync", true, fmt.Sprintf("Cutover %.1f× imapsync's speed", 1/s.VsCutover), s.VsCutover <= 0.2)
	} else {
		why := "not measured (set IMAPSYNC=/path/to/imapsync)"
		if s != nil && s.Runs > 0 {
			why = "not measured (no exact imapsync run in a round with an exact Cutover run)"
		}
		add("first pass at least 5× imapsync", false, why, false)
	}
	if cutoverOK && c.CeilingPct > 0 {
		add("first pass at least 80 % of the ceiling", true, fmt.Sprintf("Cutover at %.0f %% of the ceiling", c.CeilingPct), c.CeilingPct >= 80)
	} else {
		add("first pass at least 80 % of the ceiling", false, "not measured", false)
	}
	if cutoverOK && c.NoopSeconds > 0 {
		add("no-op pass under 2 s", true, fmt.Sprintf("%.2f s over %d messages", c.NoopSeconds, c.Messages), c.NoopSeconds < 2)
	} else {
		add("no-op pass under 2 s", false, "not measured", false)
	}
	if cutoverOK {
		peak := math.Max(c.PeakRSSMB, c.NoopRSSMB)
		add("peak memory under 150 MB", true, fmt.Sprintf("%.0f MB", peak), peak < 150)
	} else {
		add("peak memory under 150 MB", false, "not measured", false)
	}
	return rows, targets
}

// render prints the table and the targets.
func render(res *results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nCopy benchmark: %d messages, %.1f MB (seed %d), %d round(s), %s CPUs, load %s → %s, %.0f s in all\n\n",
		res.Source.Messages, float64(res.Source.Bytes)/1e6, res.Config.Seed, res.Config.Rounds, res.Host["cpus"], res.Host["loadavgStart"], res.Host["loadavgEnd"], res.Seconds)
	if p := res.Host["pinning"]; p != "" {
		fmt.Fprintf(&b, "CPUs: %s\n\n", p)
	}
	fmt.Fprintf(&b, "%-9s %5s %8s %7s %8s %7s %6s %9s %8s %9s %10s %9s  %s\n",
		"tool", "RTT", "messages", "MB", "seconds", "msg/s", "MB/s", "peak RSS", "no-op s", "no-op RSS", "vs Cutover", "% ceiling", "runs")
	dash := "—"
	for _, r := range res.Summary {
		if r.OKRuns == 0 {
			fmt.Fprintf(&b, "%-9s %s\n", r.Tool, r.Status)
			continue
		}
		f := func(format string, v float64) string {
			if v == 0 {
				return dash
			}
			return fmt.Sprintf(format, v)
		}
		runs := fmt.Sprintf("%d/%d complete", r.OKRuns, r.Runs)
		if r.Status != "ok" {
			runs += "; " + r.Status
		}
		if r.Altered > 0 {
			runs += fmt.Sprintf("; X-TUID header added to %d messages", r.Altered)
		}
		if r.DatesDiffer > 0 {
			runs += fmt.Sprintf("; %d dates not kept", r.DatesDiffer)
		}
		if r.Turns > 0 {
			runs += fmt.Sprintf("; through the proxies: %.0f connections, %.0f round trips (no-op: %.0f, %.0f)", r.Conns, r.Turns, r.NoopConns, r.NoopTurns)
		}
		rtt := "lo"
		if r.RTTms > 0 {
			rtt = fmt.Sprintf("%.0fms", r.RTTms)
		}
		fmt.Fprintf(&b, "%-9s %5s %8d %7.1f %8.2f %7.0f %6.1f %9s %8s %9s %10s %9s  %s\n",
			r.Tool, rtt, r.Messages, r.MB, r.Seconds, r.MsgPerSec, r.MBPerSec, fmt.Sprintf("%.0f MB", r.PeakRSSMB),
			f("%.2f", r.NoopSeconds), f("%.0f MB", r.NoopRSSMB), f("%.2f×", r.VsCutover), f("%.0f %%", r.CeilingPct), runs)
	}
	b.WriteString("\nvs Cutover: the tool's speed over Cutover's in the same round (median); % ceiling: its speed over the\n" +
		"ceiling loader's (pipelined MULTIAPPENDs of 100 messages, whole folders on 3 connections, corpus in memory)\n" +
		"in the same round. Seconds: median of exact runs.\n\nTargets:\n")
	for _, t := range res.Targets {
		mark := "n/a "
		if t.Met != nil && *t.Met {
			mark = "met "
		} else if t.Met != nil {
			mark = "MISS"
		}
		fmt.Fprintf(&b, "  [%s] %s: %s\n", mark, t.Name, t.Value)
	}
	return b.String()
}
