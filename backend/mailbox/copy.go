package mailbox

import (
	"context"
	"cutover/backend/provider"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Failure is a message the destination refused.
type Failure struct {
	Folder  string    `json:"folder"`
	UID     uint32    `json:"uid"`
	Subject string    `json:"subject"`
	Size    int64     `json:"size"`
	Date    time.Time `json:"date"`
	Reason  string    `json:"reason"`
}

// FolderResult is what a pass did in one folder.
type FolderResult struct {
	Source       string `json:"source"`
	Label        string `json:"label,omitempty"` // the Gmail label of Source's messages copied to Dest
	Dest         string `json:"dest"`
	Messages     int    `json:"messages"`     // in the source folder
	InScope      int    `json:"inScope"`      // of those, within the pass's cutoff
	Copied       int    `json:"copied"`       // appended by this run
	CopiedBytes  int64  `json:"copiedBytes"`  //
	Matched      int    `json:"matched"`      // found at the destination already
	AlreadyDone  int    `json:"alreadyDone"`  // in the ledger from an earlier run
	FlagsUpdated int    `json:"flagsUpdated"` // destination messages whose flags were brought up to date
	Failed       int    `json:"failed"`
}

// Result is what a pass did in one mailbox.
type Result struct {
	Job      string         `json:"job"`
	Folders  []FolderResult `json:"folders"`
	Failures []Failure      `json:"failures"`
	Copied   int            `json:"copied"`
	Bytes    int64          `json:"bytes"`
	Matched  int            `json:"matched"`
	Failed   int            `json:"failed"`
	Retries  int            `json:"retries"`
}

// Options shape a pass.
type Options struct {
	// Cutoff: when set, only messages whose INTERNALDATE is before it are copied (the
	// pre-migration pass); zero copies everything not copied yet (the final pass).
	Cutoff time.Time
	// Mapping of source folders; nil maps automatically (MapFolders without rules).
	Mapping []Mapping
	// Rules used when Mapping is nil.
	Rules []Rule
	// NoFlagSync leaves flags of messages copied earlier alone.
	NoFlagSync bool
}

// Copier copies one mailbox. It is safe to run again after any interruption: what its
// ledger holds is not copied again, and copies found at the destination are counted.
// Build it with NewCopier, which fills in the defaults once.
type Copier struct {
	Job         string // ledger key of this mailbox
	Source      Server
	SourceCreds Credentials
	Dest        Server
	DestCreds   Credentials
	Ledger      Ledger
	Log         *slog.Logger
	Now         func() time.Time
	Progress    func(Progress) // called from the copying goroutines (one per pipeline), at most ~4 times a second in all
	// Retries is how many attempts in a row that moved nothing a folder gets after a
	// dropped connection or a throttling answer before the pass fails (0: DefaultRetries;
	// negative: none); Backoff is the wait before attempt n (1-based).
	Retries int
	Backoff func(attempt int) time.Duration
	// BatchSize is how many ledger entries are committed together (default 256). Whatever
	// a crash loses from a batch is found at the destination by the next run.
	BatchSize int
	// AppendConns is how many extra destination connections append with LITERAL+
	// (default 1). More let a many-core destination spread the work; on a small one they
	// only contend for its index locks.
	AppendConns int
	// FetchChunk is how many messages one UID FETCH of bodies asks for (default 500).
	FetchChunk int
	// Pipelines is how many folders are copied at once, each over connections of its own
	// (default DefaultPipelines).
	Pipelines int
	// SourceLimits and DestLimits are the hosts' limits (package provider's presets):
	// how long a throttling answer or a daily quota makes the mailbox wait. Zone is the
	// time zone of the "paused until" progress text (nil: local).
	SourceLimits, DestLimits provider.Limits
	Zone                     *time.Location
	// Sleep waits d or until ctx ends (default: a timer); tests pass a clock's, so that a
	// pause of a day takes no time.
	Sleep func(ctx context.Context, d time.Duration) error
	group *groupSize // messages per MULTIAPPEND, adapted to how the connections hold
	// quota paces the mailbox's use of its hosts' daily quotas (made by the first Run, from
	// the limits; kept by later runs of the same process).
	quota *dailyQuota

	// Checkpoint, when set, is called at the moments a crash or a cut is hardest to
	// recover from, so tests can kill or cut the pass exactly there. Called from the
	// copying goroutines.
	Checkpoint func(Checkpoint)
}

// Checkpoint names a moment of a pass.
type Checkpoint string

const (
	CheckpointBodyFetched  Checkpoint = "body-fetched"  // a message's body started arriving from the source (mid-FETCH)
	CheckpointLiteralHalf  Checkpoint = "literal-half"  // half of a message's bytes written to the destination (mid-APPEND)
	CheckpointGroupPartial Checkpoint = "group-partial" // a message written into a MULTIAPPEND group that is still open
	CheckpointAnswered     Checkpoint = "answered"      // the destination answered an APPEND; the ledger does not know yet
	CheckpointRecorded     Checkpoint = "recorded"      // a batch of ledger entries committed
)

func (c *Copier) checkpoint(p Checkpoint) {
	if c.Checkpoint != nil {
		c.Checkpoint(p)
	}
}

// DefaultPipelines is how many folders of a mailbox are copied at once. A server serves
// each connection with one process (Dovecot) or thread, and appending is what costs it:
// one pipeline keeps one destination core busy and leaves the others idle. Measured with
// bench/run.sh (10,000 messages, 2 cores): 1 pipeline 7.7–8.1 s, 2: 6.2–6.5 s,
// 3: 5.3–6.3 s, 4: 5.7–6.2 s; two appending connections into one folder were slower than
// one (they contend for the folder's index lock), hence folders, not connections. Since
// MULTIAPPEND the destination needs far less CPU: with it on one core of its own, 2 and 3
// pipelines were alike (1.90 s, 1.91 s); 3 stays for servers with more cores.
const DefaultPipelines = 3

// DefaultRetries is how many attempts in a row that move nothing a folder gets.
const DefaultRetries = 6

// NewCopier returns c with its defaults filled in.
func NewCopier(c Copier) *Copier {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if c.Backoff == nil {
		c.Backoff = func(n int) time.Duration {
			d := time.Second << (n - 1)
			if d > 30*time.Second {
				d = 30 * time.Second
			}
			return d
		}
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 256
	}
	if c.AppendConns <= 0 {
		c.AppendConns = 1
	}
	if c.FetchChunk <= 0 {
		c.FetchChunk = 500
	}
	if c.Pipelines <= 0 {
		c.Pipelines = DefaultPipelines
	}
	// Each pipeline holds a connection to the source and 1+AppendConns to the
	// destination: no more than the hosts take (Exchange drops connections past about 16
	// per mailbox, Gmail refuses past 15).
	if n := c.DestLimits.MaxConnections; n > 0 {
		c.Pipelines = max(1, min(c.Pipelines, n/(1+c.AppendConns)))
	}
	if n := c.SourceLimits.MaxConnections; n > 0 {
		c.Pipelines = max(1, min(c.Pipelines, n))
	}
	c.group = &groupSize{}
	return &c
}

// messageLimit is the largest message the destination takes: its APPENDLIMIT (RFC 7889)
// or its provider's limit, the smaller; 0 for none known.
func (c *Copier) messageLimit(dst *Conn) int64 {
	var appendLimit int64
	if lp, ok := dst.Caps().AppendLimit(); ok && lp != nil {
		appendLimit = int64(*lp)
	}
	return c.DestLimits.EffectiveMaxMessage(appendLimit)
}

// Run performs a pass over the mailbox: plan (list, map and size up the folders), hand
// the folders out largest first as the planning connection lists them, and copy them on
// Pipelines workers at once. It returns the result with the refused messages listed; the
// error is set when the pass could not finish (connection lost beyond the retries,
// cancelled, login refused).
func (c *Copier) Run(ctx context.Context, opts Options) (res Result, err error) {
	tr := &tracker{c: c, started: c.Now(), p: Progress{Job: c.Job, State: StatePlanning}}
	defer func() {
		tr.set(func(p *Progress) {
			switch {
			case errors.Is(err, context.Canceled):
				p.State = StateStopped
			case err != nil:
				p.State, p.Error = StateFailed, err.Error()
			default:
				p.State = StateDone
			}
			p.Folder = ""
		})
	}()
	ps := &pass{c: c, opts: opts, tr: tr}
	ps.res.Job = c.Job
	if c.quota == nil {
		c.quota = &dailyQuota{up: c.DestLimits.UploadQuota(), down: c.SourceLimits.DownloadQuota(), upHost: c.DestLimits.Provider, downHost: c.SourceLimits.Provider}
	}
	// The other pipelines' connections open while the first one plans; one that fails is
	// opened again (and its error reported) by its pipeline. After a complete pass, most
	// folders are unchanged: the planning tells how many connections the work needs first.
	prev, err := c.folderStates(ctx)
	if err != nil {
		return ps.res, err
	}
	ps.lean = len(prev) > 0
	var spare *spares
	if !ps.lean {
		spare = c.predial(ctx, c.Pipelines-1)
		defer spare.close()
	}

	sess, err := ps.outline(ctx)
	if err != nil {
		return ps.res, err
	}
	ps.skipUnchanged(prev)
	if ps.lean && len(ps.plan) > 0 {
		c.startAppenders(ctx, sess) // work found: they open while the source is listed
	}
	tr.mu.Lock()
	tr.listing = true
	tr.mu.Unlock()
	tr.set(func(p *Progress) { p.State = StateCopying })

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ps.cancel = cancel
	units := folderUnits(ps.plan)
	if spare == nil {
		spare = c.predial(ctx, min(c.Pipelines, len(units))-1)
		defer spare.close()
	}
	ready, planned := ps.handOut(wctx, sess, units)
	ps.work(wctx, min(c.Pipelines, len(units)), ready, planned, spare)
	return ps.result()
}

// pass is one Run: its plan and what its workers report.
type pass struct {
	c      *Copier
	opts   Options
	tr     *tracker
	plan   []folderPlan
	cancel context.CancelFunc
	// lean: a complete pass came before, so most folders are likely unchanged: the
	// planning session opens without APPEND connections and no other session opens
	// before the planning has found work for it.
	lean bool

	mu      sync.Mutex
	res     Result
	results []*FolderResult
	refused [][]Failure
	skipped []FolderResult // unchanged since the last complete pass (unchanged.go)
	fatal   error
}

// outline opens the planning session and maps and sizes up the folders, with retries.
func (ps *pass) outline(ctx context.Context) (*session, error) {
	c := ps.c
	var sess *session
	for attempt := 0; ; attempt++ {
		var err error
		if sess == nil {
			sess, err = c.connect(ctx, !ps.lean)
		}
		if err == nil {
			ps.plan, err = c.outline(ctx, sess, ps.opts)
		}
		if err == nil {
			ps.results = make([]*FolderResult, len(ps.plan))
			ps.refused = make([][]Failure, len(ps.plan))
			return sess, nil
		}
		broken := sess != nil && sess.broken()
		if sess != nil {
			sess.abort()
			sess = nil
		}
		if !retryable(err) && !broken || attempt >= c.Retries {
			return nil, err
		}
		ps.res.Retries++
		if werr := c.wait(ctx, ps.tr, attempt+1, err); werr != nil {
			return nil, werr
		}
	}
}

// handOut lists the folders on the planning session, largest first, and hands each unit
// to the workers as soon as it is listed, so the destination has work from the start;
// then it hands the session over to copy too. Totals grow while it lists.
func (ps *pass) handOut(ctx context.Context, sess *session, units [][]int) (<-chan []int, <-chan *session) {
	c, plan := ps.c, ps.plan
	ready := make(chan []int, len(units))
	planned := make(chan *session, 1)
	go func() {
		kept := 0
		var la *lookahead
		if sess != nil {
			la = newLookahead(sess.src, plan, units)
		}
		for _, u := range units {
			for _, i := range u {
				if sess == nil || ctx.Err() != nil {
					continue // the worker lists it itself
				}
				st, err := la.scan(ctx, c, i, ps.opts)
				if err != nil {
					// Not fatal here: the worker lists it again, with retries.
					if ctx.Err() == nil {
						c.Log.Warn("listing a folder while planning failed; its pipeline lists it again", "job", c.Job, "folder", plan[i].m.Source, "err", err)
					}
					sess.abort()
					sess = nil
					continue
				}
				plan[i].count(ps.tr, st)
				sess.srcSelected = plan[i].m.Source // the last one listed stays selected
				if kept+len(st.msgs) <= planKeepMessages {
					plan[i].scan, plan[i].scanned = st, c.Now()
					kept += len(st.msgs)
				}
			}
			ready <- u
		}
		close(ready)
		ps.tr.mu.Lock()
		ps.tr.listing = false
		ps.tr.mu.Unlock()
		planned <- sess
	}()
	return ready, planned
}

// work runs n workers over the units handed out: the planning session's once it has
// listed everything, and the spare ones.
func (ps *pass) work(ctx context.Context, n int, ready <-chan []int, planned <-chan *session, spare *spares) {
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		if w == 0 {
			wg.Go(func() { ps.worker(ctx, <-planned, ready) })
			continue
		}
		s := spare.take()
		wg.Go(func() { ps.worker(ctx, s, ready) })
	}
	if n == 0 {
		if s := <-planned; s != nil {
			s.close()
		}
	}
	wg.Wait()
}

// worker copies the units it is handed, one folder after the other, until they run out
// or a folder fails (then the others stop at their next message).
func (ps *pass) worker(ctx context.Context, sess *session, ready <-chan []int) {
	defer func() {
		if sess != nil {
			sess.close()
		}
	}()
	for unit := range ready {
		for _, i := range unit {
			if ps.stopped() {
				return
			}
			fp := &ps.plan[i]
			fr := &FolderResult{Source: fp.m.Source, Label: fp.m.Label, Dest: fp.m.Dest}
			var failures []Failure
			run := &folderRun{c: ps.c, fp: fp, opts: ps.opts, fr: fr, refused: &failures, tr: ps.tr}
			ps.c.withAppenders(ctx, sess)
			var retries int
			err := run.forget(ctx)
			if err == nil {
				sess, retries, err = run.run(ctx, sess)
			}
			if err == nil {
				err = ps.remember(ctx, fp, fr, len(failures))
			}
			ps.done(i, fr, failures, retries, err)
		}
	}
}

func (ps *pass) stopped() bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.fatal != nil
}

// done adds a folder's outcome to the pass. The folder's counters hold across its
// attempts: the totals come from them.
func (ps *pass) done(i int, fr *FolderResult, failures []Failure, retries int, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.results[i] = fr
	ps.refused[i] = lastPerUID(failures) // an attempt after a reconnect tries the refused ones again
	fr.Failed = len(ps.refused[i])
	ps.res.Copied += fr.Copied
	ps.res.Bytes += fr.CopiedBytes
	ps.res.Matched += fr.Matched
	ps.res.Failed += fr.Failed
	ps.res.Retries += retries
	if err != nil && ps.fatal == nil {
		ps.fatal = err
		ps.cancel() // the other workers stop at their next message
	}
}

func (ps *pass) result() (Result, error) {
	ps.res.Folders = append(ps.res.Folders, ps.skipped...)
	for i, fr := range ps.results {
		if fr != nil {
			ps.res.Folders = append(ps.res.Folders, *fr)
			ps.res.Failures = append(ps.res.Failures, ps.refused[i]...)
		}
	}
	return ps.res, ps.fatal
}

// lastPerUID keeps the last failure of each message.
func lastPerUID(fs []Failure) []Failure {
	at := map[uint32]int{}
	var out []Failure
	for _, f := range fs {
		if i, ok := at[f.UID]; ok {
			out[i] = f
			continue
		}
		at[f.UID] = len(out)
		out = append(out, f)
	}
	return out
}

// run copies one folder over sess (connecting when it is nil), resuming after a dropped
// connection; it returns the session to go on with and how many times it resumed.
// Refused messages are added to r.refused, per attempt. It gives up after c.Retries
// attempts in a row that moved nothing with one message per APPEND: on a connection that
// keeps breaking, every attempt that copies something is worth another, and so is every
// halving of the groups until they are single messages.
func (r *folderRun) run(ctx context.Context, sess *session) (*session, int, error) {
	c, fp := r.c, r.fp
	resumed, fruitless := 0, 0
	for {
		before := r.fr.Copied + r.fr.Matched + r.fr.FlagsUpdated + len(*r.refused)
		var err error
		if sess == nil {
			sess, err = c.connect(ctx, true)
		}
		if err == nil {
			r.tr.set(func(p *Progress) { p.Folder = fp.m.Source })
			r.s = sess
			err = r.copyFolder(ctx)
		}
		if err == nil {
			return sess, resumed, nil
		}
		if !retryable(err) && !(sess != nil && sess.broken()) {
			return sess, resumed, fmt.Errorf("folder %q: %w", fp.m.Source, err)
		}
		// An attempt that moved something, or that sent groups still larger than one
		// message (the next, smaller ones may fit), is not counted against the folder.
		if sess != nil {
			err = sess.explain(err)
		}
		_, throttled := c.pause(err)
		switch {
		case r.fr.Copied+r.fr.Matched+r.fr.FlagsUpdated+len(*r.refused) > before:
			fruitless = 0
		case throttled: // the server asked us to wait: it is not failing
		case c.group.get() == 1:
			fruitless++
		}
		if fruitless > c.Retries {
			return sess, resumed, fmt.Errorf("folder %q: %d attempts in a row copied nothing: %w", fp.m.Source, fruitless, err)
		}
		// A MULTIAPPEND group is all or nothing: one that does not fit in a connection's
		// life never lands. Smaller groups until they are answered again.
		if !throttled {
			c.group.shrink()
		}
		fp.retried = true
		resumed++
		if throttled {
			c.Log.Info("the host asks to wait; pausing", "job", c.Job, "folder", fp.m.Source, "attempt", resumed, "err", err)
		} else {
			c.Log.Warn("connection lost; resuming", "job", c.Job, "folder", fp.m.Source, "attempt", resumed, "err", err)
		}
		if sess != nil {
			sess.abort()
			sess = nil
		}
		if werr := c.wait(ctx, r.tr, max(fruitless, 1), err); werr != nil {
			return sess, resumed, werr
		}
	}
}

func (c *Copier) wait(ctx context.Context, tr *tracker, attempt int, cause error) error {
	d, why := c.Backoff(attempt), cause.Error()
	if p, ok := c.pause(cause); ok {
		// The server said how long, or a quota says until when: wait that, and say so.
		d, why = p.Wait, p.Message(c.Now(), c.zone())+": "+cause.Error()
	}
	tr.set(func(p *Progress) { p.State, p.Error = StateRetrying, why })
	if err := c.Sleep(ctx, d); err != nil {
		return err
	}
	tr.set(func(p *Progress) { p.State, p.Error = StateCopying, "" })
	return nil
}

// pause reads a throttling answer or a quota refusal in cause, by the destination's limits
// then the source's.
func (c *Copier) pause(cause error) (provider.Pause, bool) {
	var pe *paceError
	if errors.As(cause, &pe) {
		return pe.p, true
	}
	if p, ok := provider.Throttle(c.DestLimits, c.Now(), cause); ok {
		return p, ok
	}
	return provider.Throttle(c.SourceLimits, c.Now(), cause)
}

func (c *Copier) zone() *time.Location {
	if c.Zone != nil {
		return c.Zone
	}
	return time.Local
}
