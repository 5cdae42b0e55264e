package main

// The many-mailbox run (-mailboxes N): a small business's whole migration, N source
// mailboxes of -messages each, copied by each tool the way its users run it — Cutover as
// one `cutover migrate` of a project (its own mailbox concurrency, 4 by default), mbsync
// one mailbox after the other and 4 at a time with xargs -P4, and the ceiling loader 4 at
// a time. Each tool then runs a no-op pass and a "few changes" pass (1 % new messages and
// 1 % flag changes in every mailbox, made just before it). Every mailbox is checked after
// the first and the few-changes pass.

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cutover/bench/internal/corpus"
	"cutover/bench/internal/imapcheck"
)

// fleetTools are the many-mailbox tools, in the order of the table.
var fleetTools = []string{"cutover", "mbsync-seq", "mbsync-p4", "ceiling-p4"}

type fleetRun struct {
	Tool  string `json:"tool"`
	Round int    `json:"round"`
	First pass   `json:"first"`
	NoOp  *pass  `json:"noop,omitempty"`
	Few   *pass  `json:"fewChanges,omitempty"`
}

type fleetRow struct {
	Tool          string  `json:"tool"`
	Status        string  `json:"status"`
	Seconds       float64 `json:"seconds"`
	MsgPerSec     float64 `json:"msgPerSec"`
	PeakRSSMB     float64 `json:"peakRssMB"`
	NoopSeconds   float64 `json:"noopSeconds,omitempty"`
	NoopPerMbox   float64 `json:"noopSecondsPerMailbox,omitempty"`
	FewSeconds    float64 `json:"fewChangesSeconds,omitempty"`
	SrcCPU        float64 `json:"srcCpuSeconds,omitempty"` // first pass, median
	DstCPU        float64 `json:"dstCpuSeconds,omitempty"`
	VsCutover     float64 `json:"vsCutover,omitempty"`
	CeilingPct    float64 `json:"ceilingPct,omitempty"`
	NoopVsCutover float64 `json:"noopVsCutover,omitempty"`
}

type fleetResults struct {
	Mailboxes int        `json:"mailboxes"`
	Messages  int        `json:"messages"` // in all, at the start
	Bytes     int64      `json:"bytes"`
	Runs      []fleetRun `json:"runs"`
	Summary   []fleetRow `json:"summary"`
}

func (fr *fleetResults) summarize(rttMs float64) {
	byRound := map[string]map[int]float64{}
	for _, t := range fleetTools {
		row := fleetRow{Tool: t}
		var secs, noops, fews, srcCPU, dstCPU []float64
		byRound[t] = map[int]float64{}
		wrong := ""
		n := 0
		for _, r := range fr.Runs {
			if r.Tool != t {
				continue
			}
			n++
			row.PeakRSSMB = math.Max(row.PeakRSSMB, float64(r.First.PeakRSSKB)/1024)
			if !r.First.OK {
				wrong = verdict(r.First)
				continue
			}
			secs = append(secs, r.First.Seconds)
			srcCPU, dstCPU = append(srcCPU, r.First.SrcCPU), append(dstCPU, r.First.DstCPU)
			byRound[t][r.Round] = r.First.Seconds
			if r.NoOp != nil && r.NoOp.ExitCode == 0 {
				noops = append(noops, r.NoOp.Seconds)
			}
			if r.Few != nil {
				if r.Few.OK {
					fews = append(fews, r.Few.Seconds)
				} else if wrong == "" {
					wrong = "few-changes pass " + verdict(*r.Few)
				}
			}
		}
		switch {
		case n == 0:
			row.Status = "not run"
		case wrong != "":
			row.Status = wrong
		default:
			row.Status = "ok"
		}
		row.Seconds, row.NoopSeconds, row.FewSeconds = median(secs), median(noops), median(fews)
		row.SrcCPU, row.DstCPU = median(srcCPU), median(dstCPU)
		if row.Seconds > 0 {
			row.MsgPerSec = float64(fr.Messages) / row.Seconds
		}
		if row.NoopSeconds > 0 {
			row.NoopPerMbox = row.NoopSeconds / float64(fr.Mailboxes)
		}
		fr.Summary = append(fr.Summary, row)
	}
	ratio := func(num, den string) float64 {
		var rs []float64
		for round, s := range byRound[num] {
			if d, ok := byRound[den][round]; ok && s > 0 {
				rs = append(rs, d/s)
			}
		}
		return median(rs)
	}
	var cutNoop float64
	for _, r := range fr.Summary {
		if r.Tool == "cutover" {
			cutNoop = r.NoopSeconds
		}
	}
	for i := range fr.Summary {
		fr.Summary[i].VsCutover = ratio(fr.Summary[i].Tool, "cutover")
		fr.Summary[i].CeilingPct = 100 * ratio(fr.Summary[i].Tool, "ceiling-p4")
		if cutNoop > 0 && fr.Summary[i].NoopSeconds > 0 {
			fr.Summary[i].NoopVsCutover = cutNoop / fr.Summary[i].NoopSeconds
		}
	}
}

func (fr *fleetResults) render(rtt time.Duration) string {
	var b strings.Builder
	lat := "loopback"
	if rtt > 0 {
		lat = rtt.String() + " round trip"
	}
	fmt.Fprintf(&b, "\nMany mailboxes: %d × %d messages (%d, %.1f MB in all), %s\n\n", fr.Mailboxes, fr.Messages/max(fr.Mailboxes, 1), fr.Messages, float64(fr.Bytes)/1e6, lat)
	fmt.Fprintf(&b, "%-11s %8s %7s %9s %8s %12s %8s %10s %9s %13s  %s\n", "tool", "seconds", "msg/s", "peak RSS", "no-op s", "no-op/mbox", "1 % s", "vs Cutover", "% ceiling", "CPU src/dst", "status")
	f := func(format string, v float64) string {
		if v == 0 {
			return "—"
		}
		return fmt.Sprintf(format, v)
	}
	for _, r := range fr.Summary {
		if r.Seconds == 0 {
			fmt.Fprintf(&b, "%-11s %s\n", r.Tool, r.Status)
			continue
		}
		fmt.Fprintf(&b, "%-11s %8.2f %7.0f %9s %8s %12s %8s %10s %9s %13s  %s\n", r.Tool, r.Seconds, r.MsgPerSec, fmt.Sprintf("%.0f MB", r.PeakRSSMB),
			f("%.2f", r.NoopSeconds), f("%.3f s", r.NoopPerMbox), f("%.2f", r.FewSeconds), f("%.2f×", r.VsCutover), f("%.0f %%", r.CeilingPct),
			fmt.Sprintf("%.1f/%.1f s", r.SrcCPU, r.DstCPU), r.Status)
	}
	b.WriteString("\nvs Cutover: the tool's speed over Cutover's in the same round (median); no-op s: a second run with nothing\n" +
		"to do; 1 % s: a run after 1 % new messages and 1 % flag changes in every mailbox; peak RSS: the largest process\n" +
		"(mbsync: one process per mailbox); CPU src/dst: CPU seconds the source and destination Dovecot spent in the\n" +
		"first pass (median).\n")
	return b.String()
}

// fleetUsers names the source mailboxes and, per tool and round, their destinations.
func fleetUsers(n int) []string {
	var us []string
	for i := 1; i <= n; i++ {
		us = append(us, fmt.Sprintf("m%03d", i))
	}
	return us
}

func fleetDest(tool string, round int, srcUser string) string {
	return fmt.Sprintf("%s%d%s", strings.ReplaceAll(tool, "-", ""), round, srcUser)
}

// runFleet runs the many-mailbox benchmark.
func runFleet(ctx context.Context, cfg config, res *results, work string) error {
	users := fleetUsers(cfg.Mailboxes)
	var destUsers []string
	for r := 1; r <= cfg.Rounds; r++ {
		for _, t := range fleetTools {
			for _, u := range users {
				destUsers = append(destUsers, fleetDest(t, r, u))
			}
		}
	}
	logf("starting two Dovecot servers on loopback (%d source and %d destination mailboxes)", len(users), len(destUsers))
	src, dst, stopPair, err := startPairUsers(ctx, cfg.Pair, cfg.ServerDir, users, destUsers, filepath.Join(work, "logs", "dovecot-pair.log"))
	if err != nil {
		return err
	}
	defer stopPair()
	toolSrc, toolDst, proxies, err := delayed(src, dst, cfg.RTT, nil)
	if err != nil {
		return err
	}
	defer proxies.close()

	fr := &fleetResults{Mailboxes: len(users)}
	for i, u := range users {
		w, err := corpus.NewMaildirWriter(filepath.Join(src.Dir, "mail", u, "Maildir"))
		if err != nil {
			return err
		}
		if err := corpus.Generate(corpus.Options{Messages: cfg.Messages, Seed: cfg.Seed + uint64(i)}, func(m *corpus.Message) error {
			fr.Messages++
			fr.Bytes += int64(len(m.Body))
			return w.Write(m)
		}); err != nil {
			return fmt.Errorf("seed %s: %w", u, err)
		}
	}
	logf("seeded %d mailboxes: %d messages, %.1f MB", len(users), fr.Messages, float64(fr.Bytes)/1e6)
	snaps, err := fleetSnapshots(ctx, src, users, cfg.VerifyConns)
	if err != nil {
		return err
	}
	// The few-changes passes change the sources; the ceiling loader loads the corpus as
	// generated, so it is checked against the sources as they were.
	orig := snaps
	changes := 0
	for r := 1; r <= cfg.Rounds; r++ {
		k := (r - 1) % len(fleetTools)
		order := append(append([]string{}, fleetTools[k:]...), fleetTools[:k]...)
		logf("round %d/%d: %s", r, cfg.Rounds, strings.Join(order, ", "))
		for _, t := range order {
			if !fleetWanted(cfg.Tools, t) {
				continue
			}
			state := filepath.Join(work, "state", fmt.Sprintf("%s%d", t, r))
			if err := os.MkdirAll(state, 0o700); err != nil {
				return err
			}
			run := fleetRun{Tool: t, Round: r}
			passOf := func(what string) (pass, error) {
				cmd, err := fleetCommand(cfg, t, r, toolSrc, toolDst, users, state)
				if err != nil {
					return pass{}, err
				}
				if dir := os.Getenv("BENCH_PROFILE_DIR"); dir != "" && t == "cutover" {
					// CUTOVER_CPUPROFILE: each pass of Cutover writes a CPU profile of its own.
					cmd.Env = append(cmd.Env, "CUTOVER_CPUPROFILE="+filepath.Join(dir, fmt.Sprintf("%s%d-%s.prof", t, r, what)))
				}
				s0, d0 := serverCPU(src.PID), serverCPU(dst.PID)
				p, _ := runPass(ctx, cmd, filepath.Join(work, "logs", fmt.Sprintf("%s%d-%s.log", t, r, what)), cfg.Timeout)
				time.Sleep(200 * time.Millisecond) // the imap processes of the pass end and are reaped
				p.SrcCPU, p.DstCPU = serverCPU(src.PID)-s0, serverCPU(dst.PID)-d0
				return p, nil
			}
			if run.First, err = passOf("first"); err != nil {
				return err
			}
			want := snaps
			if t == "ceiling-p4" {
				want = orig
			}
			fleetCheck(ctx, &run.First, want, dst, t, r, users, cfg.VerifyConns)
			logf("  %-10s %7.2f s  %6.1f MB RSS  %s", t, run.First.Seconds, float64(run.First.PeakRSSKB)/1024, verdict(run.First))
			if t != "ceiling-p4" && run.First.OK {
				np, err := passOf("noop")
				if err != nil {
					return err
				}
				np.OK = np.ExitCode == 0 && len(np.Problems) == 0
				run.NoOp = &np
				logf("  %-10s %7.2f s  no-op pass (exit %d)", t, np.Seconds, np.ExitCode)
				changes++
				if err := fleetChange(ctx, src, users, cfg.Messages, changes); err != nil {
					return err
				}
				if snaps, err = fleetSnapshots(ctx, src, users, cfg.VerifyConns); err != nil {
					return err
				}
				fp, err := passOf("few")
				if err != nil {
					return err
				}
				fleetCheck(ctx, &fp, snaps, dst, t, r, users, cfg.VerifyConns)
				run.Few = &fp
				logf("  %-10s %7.2f s  1 %% changes pass, %s", t, fp.Seconds, verdict(fp))
			}
			fr.Runs = append(fr.Runs, run)
			if !cfg.Keep {
				for _, u := range users {
					os.RemoveAll(filepath.Join(dst.Dir, "mail", fleetDest(t, r, u)))
				}
			}
		}
	}
	fr.summarize(float64(cfg.RTT) / float64(time.Millisecond))
	res.Fleet = fr
	return nil
}

// fleetCommand is one pass of tool over every mailbox.
func fleetCommand(cfg config, tool string, round int, src, dst server, users []string, state string) (*exec.Cmd, error) {
	switch tool {
	case "cutover":
		db := filepath.Join(state, "cutover.db")
		if _, err := os.Stat(db); err != nil {
			if err := cutoverProject(cfg, db, src, dst, tool, round, users); err != nil {
				return nil, err
			}
		}
		cmd := exec.Command(cfg.Cutover, "--db", db, "--json", "migrate", "--project", "bench", "--pass", "final")
		cmd.Args = append(cmd.Args, strings.Fields(cfg.CutoverArgs)...) // e.g. --concurrency 8
		cmd.Env = append(os.Environ(), "CUTOVER_ADMIN_PASSWORD="+"admin-secret")
		return cmd, nil
	case "mbsync-seq", "mbsync-p4":
		rc := filepath.Join(state, "mbsyncrc")
		if _, err := os.Stat(rc); err != nil {
			if err := mbsyncFleetRC(rc, src, dst, tool, round, users, state); err != nil {
				return nil, err
			}
		}
		var chans []string
		for _, u := range users {
			chans = append(chans, "c"+u)
		}
		script := `for c in "$@"; do mbsync -c "$RC" -q "$c" || exit 1; done`
		if tool == "mbsync-p4" {
			script = `printf '%s\n' "$@" | xargs -P4 -n1 mbsync -c "$RC" -q`
		}
		cmd := exec.Command("sh", append([]string{"-c", script, "sh"}, chans...)...)
		cmd.Env = append(os.Environ(), "RC="+rc)
		return cmd, nil
	case "ceiling-p4":
		var lines []string
		for i, u := range users {
			lines = append(lines, fmt.Sprintf("%s %d", fleetDest(tool, round, u), cfg.Seed+uint64(i)))
		}
		script := fmt.Sprintf(`printf '%%s\n' "$@" | xargs -P4 -L1 sh -c 'CEILING_PASSWORD="$0-secret" exec "$CEILING" -addr %s -user "$0" -messages %d -seed "$1" >/dev/null'`, dst.addr(), cfg.Messages)
		cmd := exec.Command("sh", append([]string{"-c", script, "sh"}, lines...)...)
		cmd.Env = append(os.Environ(), "CEILING="+cfg.Ceiling)
		return cmd, nil
	}
	return nil, fmt.Errorf("unknown tool %s", tool)
}

// cutoverProject makes the project a `cutover migrate` copies: the servers, a batch entry
// per mailbox, and the Dovecot master login on both sides (no user passwords).
func cutoverProject(cfg config, db string, src, dst server, tool string, round int, users []string) error {
	run := func(args ...string) error {
		cmd := exec.Command(cfg.Cutover, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "CUTOVER_ADMIN_PASSWORD=admin-secret")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("cutover %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("project", "create", "--name", "bench", "--domain", "bench.example", "--provider", "imap",
		"--source", "imap+plain://"+src.addr(), "--dest", "imap+plain://"+dst.addr(), "--cutover", "2099-05-14 18:00", "--tz", "UTC"); err != nil {
		return err
	}
	for _, side := range []string{"source", "dest"} {
		if err := run("mail-admin", "--project", "bench", "--side", side, "--login", "admin", "--mode", "dovecot-master"); err != nil {
			return err
		}
	}
	for _, u := range users {
		if err := run("batch", "set", "--project", "bench", "--source", u, "--dest", fleetDest(tool, round, u)); err != nil {
			return err
		}
	}
	return nil
}

func mbsyncFleetRC(rc string, src, dst server, tool string, round int, users []string, state string) error {
	var b strings.Builder
	for _, u := range users {
		d := fleetDest(tool, round, u)
		ss := filepath.Join(state, "syncstate", u)
		if err := os.MkdirAll(ss, 0o700); err != nil {
			return err
		}
		fmt.Fprintf(&b, `IMAPAccount s%[1]s
Host %[2]s
Port %[3]d
User %[1]s
Pass %[1]s-secret
SSLType None
AuthMechs LOGIN

IMAPStore s%[1]s
Account s%[1]s

IMAPAccount d%[1]s
Host %[4]s
Port %[5]d
User %[6]s
Pass %[6]s-secret
SSLType None
AuthMechs LOGIN

IMAPStore d%[1]s
Account d%[1]s

Channel c%[1]s
Far :s%[1]s:
Near :d%[1]s:
Patterns *
Create Near
Sync Pull
Expunge None
CopyArrivalDate yes
SyncState %[7]s/

`, u, src.Host, src.Port, dst.Host, dst.Port, d, ss)
	}
	return os.WriteFile(rc, []byte(b.String()), 0o600)
}

// fleetSnapshots reads every source mailbox, 4 at a time.
func fleetSnapshots(ctx context.Context, src server, users []string, conns int) ([]*imapcheck.Snapshot, error) {
	out := make([]*imapcheck.Snapshot, len(users))
	errs := make([]error, len(users))
	each(len(users), 4, func(i int) {
		out[i], errs[i] = imapcheck.Take(ctx, imapcheck.Account{Addr: src.addr(), User: users[i], Password: src.password(users[i])}, conns)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fleetCheck compares each destination mailbox of the pass with its source.
func fleetCheck(ctx context.Context, p *pass, snaps []*imapcheck.Snapshot, dst server, tool string, round int, users []string, conns int) {
	if len(p.Problems) > 0 {
		return
	}
	var mu sync.Mutex
	ok := true
	each(len(users), 4, func(i int) {
		u := fleetDest(tool, round, users[i])
		snap, err := imapcheck.Take(ctx, imapcheck.Account{Addr: dst.addr(), User: u, Password: dst.password(u)}, conns)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			ok = false
			p.Problems = append(p.Problems, u+": "+err.Error())
			return
		}
		d := imapcheck.Compare(snaps[i], snap)
		p.DatesDiffer += d.DatesDiffer
		p.Altered += d.Altered
		if !d.OK() {
			ok = false
			for _, pr := range d.Problems {
				p.Problems = append(p.Problems, u+": "+pr)
			}
		}
	})
	p.OK = ok
}

// fleetChange makes the "few changes" at every source mailbox: 1 % new messages in INBOX
// and \Flagged turned over on 1 % of its messages (at least one of each).
func fleetChange(ctx context.Context, src server, users []string, perMailbox, n int) error {
	k := max(1, perMailbox/100)
	errs := make([]error, len(users))
	each(len(users), 4, func(i int) {
		errs[i] = changeMailbox(src, users[i], k, n)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func changeMailbox(src server, user string, k, n int) error {
	c, err := imapclient.DialInsecure(src.addr(), nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(user, src.password(user)).Wait(); err != nil {
		return err
	}
	date := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for j := range k {
		body := fmt.Sprintf("From: New <new@example.com>\r\nTo: %s@example.com\r\nSubject: change %d, new %d\r\nMessage-ID: <change-%d-%d-%s@bench.example>\r\nDate: %s\r\n\r\nnew message %d of change %d\r\n",
			user, n, j, n, j, user, date.Format(time.RFC1123Z), j, n)
		cmd := c.Append("INBOX", int64(len(body)), &imap.AppendOptions{Time: date})
		cmd.Write([]byte(body))
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			return fmt.Errorf("append to %s: %w", user, err)
		}
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		return err
	}
	if sel.NumMessages == 0 {
		return nil
	}
	// Every n-th change takes other messages: offset by n*k.
	var set imap.SeqSet
	for j := range k {
		set.AddNum((uint32(n*k+j) % sel.NumMessages) + 1)
	}
	msgs, err := c.Fetch(set, &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		op := imap.StoreFlagsAdd
		for _, f := range m.Flags {
			if f == imap.FlagFlagged {
				op = imap.StoreFlagsDel
			}
		}
		if err := c.Store(imap.SeqSetNum(m.SeqNum), &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
			return err
		}
	}
	return c.Logout().Wait()
}

// each runs f(0..n-1), conc at a time.
func each(n, conc int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, conc)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// fleetWanted reports whether -tools asks for tool: "mbsync" runs both mbsync ways,
// "ceiling" the loader 4 at a time.
func fleetWanted(tools []string, tool string) bool {
	for _, t := range tools {
		if t == tool || strings.HasPrefix(tool, t+"-") {
			return true
		}
	}
	return false
}
