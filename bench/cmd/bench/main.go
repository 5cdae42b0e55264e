// Command bench runs Cutover's copy benchmark: it starts a source and a destination
// Dovecot on loopback (backend/internal/testsrv/cmd/dovecot-pair), writes the reproducible
// corpus (bench/internal/corpus) into the source, then over several rounds, in an order
// that rotates each round, copies the source into a fresh destination user with each tool —
// `cutover copy`, mbsync (isync), imapsync when IMAPSYNC points at it, and the ceiling
// loader (bench/cmd/ceiling) — checks after every pass that the destination holds exactly
// the source's messages per folder (bench/internal/imapcheck: IMAP, RFC 3501, read-only),
// times a second, no-op pass of each tool, records each process's peak RSS, and prints one
// table. Results go to -out as JSON. bench/run.sh installs what it needs and runs it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"cutover/bench/internal/corpus"
	"cutover/bench/internal/imapcheck"
)

type config struct {
	Messages    int      `json:"messages"`
	Seed        uint64   `json:"seed"`
	Rounds      int      `json:"rounds"`
	Tools       []string `json:"tools"`
	Out         string   `json:"-"`
	Pair        string   `json:"-"`
	Ceiling     string   `json:"-"`
	Cutover     string   `json:"-"`
	CutoverB    string   `json:"cutoverB,omitempty"`
	CutoverArgs string   `json:"cutoverArgs,omitempty"` // more arguments of `cutover copy` and `cutover migrate` (both builds)
	Imapsync    string   `json:"imapsync,omitempty"`
	VerifyConns int      `json:"verifyConns"`
	Timeout     time.Duration
	Keep        bool   `json:"-"`
	ServerDir   string `json:"serverDir"`
	NoPin       bool   `json:"noPin,omitempty"`
	// RTT, when set, puts a delaying proxy (delay.go) between every tool and each server.
	RTT        time.Duration `json:"rttNs,omitempty"`
	Mailboxes  int           `json:"mailboxes,omitempty"` // >0: the many-mailbox run (fleet.go)
	ProxyTrace string        `json:"-"`
}

func main() {
	var cfg config
	var tools string
	flag.IntVar(&cfg.Messages, "messages", 10000, "corpus size (messages)")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "corpus seed: the same seed gives the same corpus")
	flag.IntVar(&cfg.Rounds, "rounds", 3, "rounds; each round runs every tool once, in a rotated order")
	flag.StringVar(&tools, "tools", "cutover,mbsync,imapsync,ceiling", "tools to run, comma-separated")
	flag.StringVar(&cfg.Out, "out", "bench/out", "directory for results, logs and tool state")
	flag.StringVar(&cfg.Pair, "pair", "build/bench/dovecot-pair", "dovecot-pair binary")
	flag.StringVar(&cfg.Ceiling, "ceiling", "build/bench/ceiling", "ceiling loader binary")
	flag.StringVar(&cfg.Cutover, "cutover", "build/bin/cutover-web", "cutover binary")
	flag.StringVar(&cfg.CutoverB, "cutover-b", "", "another cutover build to run too, as tool cutover-b (to compare a change in the same run)")
	flag.StringVar(&cfg.CutoverArgs, "cutover-args", "", "more arguments for `cutover copy`, space-separated (e.g. \"--folder-concurrency 5\")")
	flag.StringVar(&cfg.Imapsync, "imapsync", os.Getenv("IMAPSYNC"), "imapsync script (default $IMAPSYNC; empty: not run)")
	flag.IntVar(&cfg.VerifyConns, "verify-conns", 3, "connections the checker reads a mailbox with")
	flag.DurationVar(&cfg.Timeout, "timeout", 3*time.Minute, "longest one pass of one tool may take (then it is killed and reported wrong)")
	flag.StringVar(&cfg.ServerDir, "server-dir", defaultServerDir(), "where the Dovecot servers keep their mail (default /dev/shm: a tmpfs, so the disk does not set the pace; empty: $TMPDIR)")
	flag.BoolVar(&cfg.NoPin, "no-pin", false, "do not give the destination Dovecot CPUs of its own (see pin.go)")
	flag.DurationVar(&cfg.RTT, "rtt", 0, "round-trip time a proxy adds between every tool and each server (e.g. 40ms; 0: loopback as it is)")
	flag.IntVar(&cfg.Mailboxes, "mailboxes", 0, "many-mailbox run: this many source mailboxes of -messages each, copied with `cutover migrate`, mbsync one after another and 4 at a time, and the ceiling loader 4 at a time (fleet.go)")
	flag.StringVar(&cfg.ProxyTrace, "proxy-trace", "", "with -rtt: write when each client command reached the proxies to this file")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep each destination's mail after it is checked (default: removed to save disk)")
	flag.Parse()
	if flag.NArg() > 0 || cfg.Messages < 1 || cfg.Rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: bench [-messages N] [-seed S] [-rounds R] [-tools cutover,mbsync,imapsync,ceiling]")
		os.Exit(2)
	}
	for _, t := range strings.Split(tools, ",") {
		if t = strings.TrimSpace(t); t != "" {
			if _, ok := toolDefs[t]; !ok {
				fmt.Fprintf(os.Stderr, "bench: unknown tool %q (expected cutover, mbsync, imapsync or ceiling)\n", t)
				os.Exit(2)
			}
			cfg.Tools = append(cfg.Tools, t)
		}
	}
	if cfg.CutoverB != "" {
		cfg.Tools = append(cfg.Tools, "cutover-b")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func defaultServerDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		var fs syscall.Statfs_t
		if syscall.Statfs("/dev/shm", &fs) == nil && int64(fs.Bavail)*fs.Bsize > 2<<30 {
			return "/dev/shm"
		}
	}
	return ""
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// server is what dovecot-pair prints for each side.
type server struct {
	Host  string `json:"host"`
	Port  int    `json:"port"`
	Dir   string `json:"dir"`
	PID   int    `json:"pid"`
	Users []struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	} `json:"users"`
}

func (s server) addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

func (s server) password(user string) string {
	for _, u := range s.Users {
		if u.Name == user {
			return u.Password
		}
	}
	return ""
}

// startPair runs dovecot-pair and returns both servers once they listen.
func startPair(ctx context.Context, bin, dir string, destUsers []string, logFile string) (src, dst server, stop func(), err error) {
	return startPairUsers(ctx, bin, dir, []string{"alice"}, destUsers, logFile)
}

// startPairUsers is startPair with these source users.
func startPairUsers(ctx context.Context, bin, dir string, users, destUsers []string, logFile string) (src, dst server, stop func(), err error) {
	cmd := exec.Command(bin, "-users", strings.Join(users, ","), "-dest-users", strings.Join(destUsers, ","))
	if dir != "" {
		cmd.Env = append(os.Environ(), "TMPDIR="+dir) // testsrv makes its directories with os.MkdirTemp
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return src, dst, nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return src, dst, nil, err
	}
	if err := cmd.Start(); err != nil {
		return src, dst, nil, fmt.Errorf("run %s (build it: go build -o %s ./backend/internal/testsrv/cmd/dovecot-pair): %w", bin, bin, err)
	}
	done := make(chan struct{})
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	}
	ready := make(chan error, 1)
	lf, _ := os.Create(logFile)
	go func() {
		sc := bufio.NewScanner(stderr)
		var last string
		for sc.Scan() {
			if lf != nil {
				fmt.Fprintln(lf, sc.Text())
			}
			if sc.Text() == "ready" {
				ready <- nil
			}
			last = sc.Text()
		}
		ready <- fmt.Errorf("dovecot-pair stopped: %s", last)
	}()
	var pair struct{ Source, Dest server }
	dec := json.NewDecoder(stdout)
	if err := dec.Decode(&pair); err != nil {
		stop()
		return src, dst, nil, fmt.Errorf("dovecot-pair output: %w (%v)", err, <-ready)
	}
	go func() { io.Copy(io.Discard, stdout); cmd.Wait(); close(done) }()
	select {
	case err := <-ready:
		if err != nil {
			stop()
			return src, dst, nil, err
		}
	case <-ctx.Done():
		stop()
		return src, dst, nil, ctx.Err()
	}
	return pair.Source, pair.Dest, stop, nil
}

// pass is one timed run of one tool.
type pass struct {
	Seconds     float64  `json:"seconds"`
	PeakRSSKB   int64    `json:"peakRssKB"`
	ExitCode    int      `json:"exitCode"`
	OK          bool     `json:"ok"`
	Problems    []string `json:"problems,omitempty"`
	DatesDiffer int      `json:"datesDiffer"`
	Altered     int      `json:"altered"`
	Log         string   `json:"log,omitempty"`
	// Through the delaying proxies (-rtt): connections opened and round trips waited for.
	Proxy *proxyStats `json:"proxy,omitempty"`
	// CPU seconds the source and the destination Dovecot spent during the pass (their
	// processes that ended by then: see serverCPU).
	SrcCPU float64 `json:"srcCpuSeconds,omitempty"`
	DstCPU float64 `json:"dstCpuSeconds,omitempty"`
}

// serverCPU is the CPU time, in seconds, of a Dovecot master and of the children it has
// reaped (the per-connection imap processes once they end), from /proc (Linux).
func serverCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return 0
	}
	var ticks float64
	for _, x := range f[11:15] { // utime, stime, cutime, cstime (fields 14-17)
		var v float64
		fmt.Sscan(x, &v)
		ticks += v
	}
	return ticks / 100 // USER_HZ
}

type runResult struct {
	Tool  string `json:"tool"`
	Round int    `json:"round"`
	User  string `json:"destUser"`
	First pass   `json:"first"`
	NoOp  *pass  `json:"noop,omitempty"`
}

// toolDef knows how to run one tool into a destination user.
type toolDef struct {
	// available returns "" when the tool can run, or why not.
	available func(cfg config) string
	// command returns the process for one pass, and what to remove once it has ended (nil:
	// nothing); state is a directory kept across the tool's passes into the same destination.
	command func(cfg config, src, dst server, user, state string) (cmd *exec.Cmd, cleanup func(), err error)
	noop    bool // has a second, no-op pass
}

var toolDefs = map[string]toolDef{
	"cutover":   cutoverTool(func(cfg config) string { return cfg.Cutover }),
	"cutover-b": cutoverTool(func(cfg config) string { return cfg.CutoverB }),
	"mbsync": {
		available: func(cfg config) string {
			if _, err := exec.LookPath("mbsync"); err != nil {
				return "not available: mbsync missing (apt install isync)"
			}
			return ""
		},
		command: func(cfg config, src, dst server, user, state string) (*exec.Cmd, func(), error) {
			rc := filepath.Join(state, "mbsyncrc")
			if _, err := os.Stat(rc); err != nil {
				if err := os.MkdirAll(filepath.Join(state, "syncstate"), 0o700); err != nil {
					return nil, nil, err
				}
				conf := fmt.Sprintf(`IMAPAccount source
Host %s
Port %d
User alice
Pass %s
SSLType None
AuthMechs LOGIN

IMAPStore source
Account source

IMAPAccount dest
Host %s
Port %d
User %s
Pass %s
SSLType None
AuthMechs LOGIN

IMAPStore dest
Account dest

Channel copy
Far :source:
Near :dest:
Patterns *
Create Near
Sync Pull
Expunge None
CopyArrivalDate yes
SyncState %s/
`, src.Host, src.Port, src.password("alice"), dst.Host, dst.Port, user, dst.password(user), filepath.Join(state, "syncstate"))
				if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
					return nil, nil, err
				}
			}
			return exec.Command("mbsync", "-c", rc, "-q", "copy"), nil, nil
		},
		noop: true,
	},
	"imapsync": {
		available: func(cfg config) string {
			if cfg.Imapsync == "" {
				return "not run: set IMAPSYNC=/path/to/imapsync"
			}
			if _, err := os.Stat(cfg.Imapsync); err != nil {
				return "not available: " + err.Error()
			}
			return ""
		},
		command: func(cfg config, src, dst server, user, state string) (*exec.Cmd, func(), error) {
			// imapsync 1.678 takes a password on its command line (--password1, visible to ps)
			// or from the first line of a file (--passfile1); it reads no environment variable.
			files, cleanup, err := passfiles(src.password("alice"), dst.password(user))
			if err != nil {
				return nil, nil, err
			}
			// --useuid: by default imapsync tells messages apart by their Message-Id and
			// Received headers, so it skips a message that has neither ("no wanted headers")
			// and all but one of identical copies in a folder ("duplicate"); the corpus has
			// both. With --useuid it copies every source UID and remembers what it copied in a
			// cache under --tmpdir (state is kept for the no-op pass). Folder names need no
			// option: it maps the source's "." separator to the destination's "/" itself
			// (NAMESPACE on both sides, empty prefixes) and keeps "Re&AOc-us" as it is.
			cmd := exec.Command("perl", cfg.Imapsync,
				"--host1", src.Host, "--port1", fmt.Sprint(src.Port), "--user1", "alice", "--passfile1", files[0],
				"--host2", dst.Host, "--port2", fmt.Sprint(dst.Port), "--user2", user, "--passfile2", files[1],
				"--nossl1", "--nossl2", "--notls1", "--notls2", "--nolog", "--noreleasecheck", "--useuid", "--tmpdir", state)
			return cmd, cleanup, nil
		},
		noop: true,
	},
	"ceiling": {
		available: func(cfg config) string {
			if _, err := os.Stat(cfg.Ceiling); err != nil {
				return "not available: " + cfg.Ceiling + " missing (go build -o " + cfg.Ceiling + " ./bench/cmd/ceiling)"
			}
			return ""
		},
		command: func(cfg config, src, dst server, user, state string) (*exec.Cmd, func(), error) {
			cmd := exec.Command(cfg.Ceiling, "-addr", dst.addr(), "-user", user,
				"-messages", fmt.Sprint(cfg.Messages), "-seed", fmt.Sprint(cfg.Seed))
			cmd.Env = append(os.Environ(), "CEILING_PASSWORD="+dst.password(user))
			return cmd, nil, nil
		},
	},
}

// cutoverTool runs `cutover copy` from the binary bin(cfg), plain IMAP on loopback like
// the other tools, with a database of its own per destination.
func cutoverTool(bin func(cfg config) string) toolDef {
	return toolDef{
		available: func(cfg config) string {
			if _, err := os.Stat(bin(cfg)); err != nil {
				return "not available: " + bin(cfg) + " missing (go build -o build/bin/cutover-web .)"
			}
			if err := exec.Command(bin(cfg), "copy", "--help").Run(); err != nil {
				return "not available: this build has no `cutover copy` command yet"
			}
			return ""
		},
		command: func(cfg config, src, dst server, user, state string) (*exec.Cmd, func(), error) {
			cmd := exec.Command(bin(cfg), "--db", filepath.Join(state, "cutover.db"), "--json", "copy",
				"--from", fmt.Sprintf("imap+plain://alice@%s", src.addr()),
				"--to", fmt.Sprintf("imap+plain://%s@%s", user, dst.addr()))
			cmd.Args = append(cmd.Args, strings.Fields(cfg.CutoverArgs)...)
			cmd.Env = append(os.Environ(), "CUTOVER_FROM_PASSWORD="+src.password("alice"), "CUTOVER_TO_PASSWORD="+dst.password(user))
			return cmd, nil, nil
		},
		noop: true,
	}
}

// passfiles writes each password, alone on the first line of a file of its own (mode 0600),
// in a new private directory; cleanup removes the directory.
func passfiles(passwords ...string) (paths []string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "bench-pass-")
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	for i, pw := range passwords {
		p := filepath.Join(dir, fmt.Sprintf("pass%d", i+1))
		if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
			cleanup()
			return nil, nil, err
		}
		paths = append(paths, p)
	}
	return paths, cleanup, nil
}

// runPass runs cmd with its output in logFile and returns wall time and peak RSS.
func runPass(ctx context.Context, cmd *exec.Cmd, logFile string, timeout time.Duration) (pass, []byte) {
	p := pass{Log: logFile}
	out, err := os.Create(logFile)
	if err != nil {
		p.Problems = []string{err.Error()}
		return p, nil
	}
	defer out.Close()
	var stdout strings.Builder
	cmd.Stdout = io.MultiWriter(out, &limitWriter{&stdout, 1 << 16})
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		p.Problems = []string{fmt.Sprintf("start %s: %v", cmd.Path, err)}
		return p, nil
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-waited
		werr = ctx.Err()
	case <-time.After(timeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-waited
		werr = fmt.Errorf("killed after %s", timeout)
	}
	p.Seconds = time.Since(start).Seconds()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.PeakRSSKB = ru.Maxrss
	}
	p.ExitCode = cmd.ProcessState.ExitCode()
	if werr != nil {
		p.Problems = []string{fmt.Sprintf("%s exited: %v (see %s)", filepath.Base(cmd.Path), werr, logFile)}
	}
	return p, []byte(stdout.String())
}

type limitWriter struct {
	b   *strings.Builder
	max int
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if room := w.max - w.b.Len(); room > 0 {
		if len(p) > room {
			w.b.Write(p[:room])
		} else {
			w.b.Write(p)
		}
	}
	return len(p), nil
}

func check(ctx context.Context, p *pass, srcSnap *imapcheck.Snapshot, dst server, user string, conns int) {
	if len(p.Problems) > 0 {
		return
	}
	snap, err := imapcheck.Take(ctx, imapcheck.Account{Addr: dst.addr(), User: user, Password: dst.password(user)}, conns)
	if err != nil {
		p.Problems = []string{"check the destination: " + err.Error()}
		return
	}
	d := imapcheck.Compare(srcSnap, snap)
	p.Problems, p.DatesDiffer, p.Altered, p.OK = d.Problems, d.DatesDiffer, d.Altered, d.OK()
}

type results struct {
	Started   time.Time            `json:"started"`
	Seconds   float64              `json:"seconds"`
	Config    config               `json:"config"`
	Host      map[string]string    `json:"host"`
	Source    sourceInfo           `json:"source"`
	Skipped   map[string]string    `json:"skipped,omitempty"`
	Runs      []runResult          `json:"runs"`
	Summary   []summaryRow         `json:"summary"`
	Targets   []target             `json:"targets"`
	Snapshots map[string]folderSum `json:"sourceFolders"`
	Fleet     *fleetResults        `json:"mailboxes,omitempty"`
}

type sourceInfo struct {
	Messages    int     `json:"messages"`
	Bytes       int64   `json:"bytes"`
	SeedSeconds float64 `json:"seedSeconds"`
}

type folderSum struct {
	Count int   `json:"count"`
	Bytes int64 `json:"bytes"`
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}

func run(ctx context.Context, cfg config) error {
	started := time.Now()
	res := &results{Started: started.UTC(), Config: cfg, Skipped: map[string]string{},
		Host: map[string]string{"cpus": fmt.Sprint(runtime.NumCPU()), "loadavgStart": loadavg()}}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		res.Host["commit"] = strings.TrimSpace(string(out))
	}
	stamp := started.UTC().Format("20060102-150405")
	work := filepath.Join(cfg.Out, "run-"+stamp)
	if err := os.MkdirAll(filepath.Join(work, "logs"), 0o755); err != nil {
		return err
	}

	if cfg.Mailboxes > 0 {
		if cfg.Rounds < 1 {
			cfg.Rounds = 1
		}
		if err := runFleet(ctx, cfg, res, work); err != nil {
			return err
		}
		res.Host["loadavgEnd"] = loadavg()
		res.Seconds = time.Since(started).Seconds()
		table := res.Fleet.render(cfg.RTT)
		fmt.Print(table)
		return writeResults(cfg, res, stamp, work, table)
	}
	var active []string
	for _, t := range cfg.Tools {
		if why := toolDefs[t].available(cfg); why != "" {
			res.Skipped[t] = why
			logf("%s: %s", t, why)
			continue
		}
		active = append(active, t)
	}
	var destUsers []string
	for r := 1; r <= cfg.Rounds; r++ {
		for _, t := range active {
			destUsers = append(destUsers, fmt.Sprintf("%s%d", t, r))
		}
	}
	if len(destUsers) == 0 {
		destUsers = []string{"nobody1"}
	}

	destCPUs, restCPUs, canPin := cpuSplit()
	pin := canPin && !cfg.NoPin
	if pin {
		runtime.LockOSThread() // no new runtime thread starts unpinned while we pin
		err := pinSelf(restCPUs)
		runtime.UnlockOSThread()
		if err != nil {
			return err
		}
	}
	logf("starting two Dovecot servers on loopback")
	src, dst, stopPair, err := startPair(ctx, cfg.Pair, cfg.ServerDir, destUsers, filepath.Join(work, "logs", "dovecot-pair.log"))
	if err != nil {
		return err
	}
	defer stopPair()
	res.Host["pinning"] = "none: every process on every CPU"
	if pin {
		if err := pinTree(dst.PID, destCPUs); err != nil {
			return err
		}
		res.Host["pinning"] = fmt.Sprintf("destination Dovecot on CPU %s; source Dovecot, tools, loader and checks on CPU %s", cpuList(destCPUs), cpuList(restCPUs))
		logf("%s", res.Host["pinning"])
	}
	logf("source %s, destination %s (mail under %s)", src.addr(), dst.addr(), filepath.Dir(dst.Dir))
	// The tools reach the servers through the proxies; the checks go straight.
	var trace io.Writer
	if cfg.ProxyTrace != "" {
		f, err := os.Create(cfg.ProxyTrace)
		if err != nil {
			return err
		}
		defer f.Close()
		trace = f
	}
	toolSrc, toolDst, proxies, err := delayed(src, dst, cfg.RTT, trace)
	if err != nil {
		return err
	}
	defer proxies.close()
	if cfg.RTT > 0 {
		logf("the tools reach both servers through proxies adding %s round trip", cfg.RTT)
	}

	// Seed: Maildir files written before the first login.
	t0 := time.Now()
	w, err := corpus.NewMaildirWriter(filepath.Join(src.Dir, "mail", "alice", "Maildir"))
	if err != nil {
		return err
	}
	var seeded int
	var seededBytes int64
	if err := corpus.Generate(corpus.Options{Messages: cfg.Messages, Seed: cfg.Seed}, func(m *corpus.Message) error {
		seeded++
		seededBytes += int64(len(m.Body))
		return w.Write(m)
	}); err != nil {
		return fmt.Errorf("seed the source: %w", err)
	}
	res.Source.SeedSeconds = time.Since(t0).Seconds()
	logf("seeded the source with %d messages, %.1f MB in %.1f s", seeded, float64(seededBytes)/1e6, res.Source.SeedSeconds)

	srcSnap, err := imapcheck.Take(ctx, imapcheck.Account{Addr: src.addr(), User: "alice", Password: src.password("alice")}, cfg.VerifyConns)
	if err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	res.Source.Messages, res.Source.Bytes = srcSnap.Totals()
	if res.Source.Messages != seeded {
		return fmt.Errorf("the source shows %d messages, %d were written", res.Source.Messages, seeded)
	}
	res.Snapshots = map[string]folderSum{}
	for n, f := range srcSnap.Folders {
		res.Snapshots[n] = folderSum{f.Count, f.Bytes}
	}
	logf("source read back over IMAP: %d messages, %.1f MB (as served) in %d folders", res.Source.Messages, float64(res.Source.Bytes)/1e6, len(srcSnap.Folders))

	for r := 1; r <= cfg.Rounds && len(active) > 0; r++ {
		order := append(append([]string{}, active[(r-1)%len(active):]...), active[:(r-1)%len(active)]...)
		logf("round %d/%d: %s", r, cfg.Rounds, strings.Join(order, ", "))
		for _, t := range order {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			def := toolDefs[t]
			user := fmt.Sprintf("%s%d", t, r)
			state := filepath.Join(work, "state", user)
			if err := os.MkdirAll(state, 0o700); err != nil {
				return err
			}
			rr := runResult{Tool: t, Round: r, User: user}
			cmd, cleanup, err := def.command(cfg, toolSrc, toolDst, user, state)
			if err != nil {
				return err
			}
			var stdout []byte
			before := proxies.stats()
			rr.First, stdout = runPass(ctx, cmd, filepath.Join(work, "logs", user+"-first.log"), cfg.Timeout)
			rr.First.Proxy = proxies.since(before)
			if cleanup != nil {
				cleanup()
			}
			if t == "ceiling" && len(rr.First.Problems) == 0 {
				// The loader times its APPENDs itself (corpus generation excluded).
				var lr struct{ Seconds float64 }
				if err := json.Unmarshal(stdout, &lr); err == nil && lr.Seconds > 0 {
					rr.First.Seconds = lr.Seconds
				}
			}
			check(ctx, &rr.First, srcSnap, dst, user, cfg.VerifyConns)
			logf("  %-8s %7.2f s  %6.1f MB RSS  %s", t, rr.First.Seconds, float64(rr.First.PeakRSSKB)/1024, verdict(rr.First))
			if def.noop && rr.First.OK {
				cmd, cleanup, err := def.command(cfg, toolSrc, toolDst, user, state)
				if err != nil {
					return err
				}
				before := proxies.stats()
				np, _ := runPass(ctx, cmd, filepath.Join(work, "logs", user+"-noop.log"), cfg.Timeout)
				np.Proxy = proxies.since(before)
				if cleanup != nil {
					cleanup()
				}
				check(ctx, &np, srcSnap, dst, user, cfg.VerifyConns)
				rr.NoOp = &np
				logf("  %-8s %7.2f s  %6.1f MB RSS  no-op pass, %s", t, np.Seconds, float64(np.PeakRSSKB)/1024, verdict(np))
			}
			res.Runs = append(res.Runs, rr)
			if !cfg.Keep {
				os.RemoveAll(filepath.Join(dst.Dir, "mail", user))
			}
		}
	}
	res.Host["loadavgEnd"] = loadavg()
	res.Seconds = time.Since(started).Seconds()
	res.Summary, res.Targets = summarize(res, active)
	table := render(res)
	fmt.Print(table)

	if err := writeResults(cfg, res, stamp, work, table); err != nil {
		return err
	}
	for _, r := range res.Runs {
		if !r.First.OK || (r.NoOp != nil && !r.NoOp.OK) {
			return errors.New("some runs were wrong: see the table")
		}
	}
	return nil
}

func verdict(p pass) string {
	if p.OK {
		v := "exact copy"
		if p.Altered > 0 {
			v = fmt.Sprintf("complete copy, but an X-TUID header added to %d messages", p.Altered)
		}
		if p.DatesDiffer > 0 {
			v += fmt.Sprintf("; %d INTERNALDATEs not kept", p.DatesDiffer)
		}
		return v
	}
	if len(p.Problems) == 0 {
		return "WRONG"
	}
	more := ""
	if len(p.Problems) > 1 {
		more = fmt.Sprintf(" (+%d more)", len(p.Problems)-1)
	}
	return "WRONG: " + p.Problems[0] + more
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// writeResults writes the run's JSON and table: results-STAMP.json, latest.json and
// latest.txt, and latest-KIND.json/.txt for the kind of run (loopback, rtt-40ms,
// mailboxes-50x1000-loopback...), so that the three runs of the README stand side by side.
func writeResults(cfg config, res *results, stamp, work, table string) error {
	kind := "loopback"
	if cfg.RTT > 0 {
		kind = "rtt-" + cfg.RTT.String()
	}
	if cfg.Mailboxes > 0 {
		kind = fmt.Sprintf("mailboxes-%dx%d-%s", cfg.Mailboxes, cfg.Messages, kind)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	for _, p := range []string{"results-" + stamp + ".json", "latest.json", "latest-" + kind + ".json"} {
		if err := os.WriteFile(filepath.Join(cfg.Out, p), b, 0o644); err != nil {
			return err
		}
	}
	for _, p := range []string{"latest.txt", "latest-" + kind + ".txt"} {
		if err := os.WriteFile(filepath.Join(cfg.Out, p), []byte(table), 0o644); err != nil {
			return err
		}
	}
	if !cfg.Keep {
		os.RemoveAll(filepath.Join(work, "state"))
	}
	logf("results: %s (logs in %s)", filepath.Join(cfg.Out, "latest-"+kind+".json"), filepath.Join(work, "logs"))
	return nil
}
