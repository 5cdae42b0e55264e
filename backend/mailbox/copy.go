package mailbox

import (
	"context"
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
	// Retries is how many times a folder is resumed after a dropped connection or a
	// throttling answer; Backoff the wait before attempt n (1-based).
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
	group     groupSize // messages per MULTIAPPEND, adapted to how the connections hold

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

func (c *Copier) defaults() {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
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
	if c.Retries == 0 {
		c.Retries = 6
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
}

// Run performs a pass over the mailbox. It returns the result with the refused messages
// listed; the error is set when the pass could not finish (connection lost beyond the
// retries, cancelled, login refused).
func (c *Copier) Run(ctx context.Context, opts Options) (res Result, err error) {
	c.defaults()
	res.Job = c.Job
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

	var sess *session
	defer func() {
		if sess != nil {
			sess.close()
		}
	}()
	// The other pipelines' connections open while the first one plans; one that fails is
	// opened again (and its error reported) by its pipeline.
	extra := max(c.Pipelines-1, 0)
	predialed := make(chan *session, extra)
	for range extra {
		go func() {
			s, err := c.connect(ctx, true)
			if err != nil {
				s = nil
			}
			predialed <- s
		}()
	}
	defer func() {
		for ; extra > 0; extra-- {
			if s := <-predialed; s != nil {
				s.close()
			}
		}
	}()

	// Plan: list and map folders and size them up, with retries.
	var plan []folderPlan
	for attempt := 0; ; attempt++ {
		if sess == nil {
			sess, err = c.connect(ctx, true)
		}
		if err == nil {
			plan, err = c.outline(sess, opts)
		}
		if err == nil {
			break
		}
		if !retryable(err) && !(sess != nil && sess.broken()) || attempt >= c.Retries {
			return res, err
		}
		if sess != nil {
			sess.abort()
			sess = nil
		}
		res.Retries++
		if werr := c.wait(ctx, tr, attempt+1, err); werr != nil {
			return res, werr
		}
	}
	tr.mu.Lock()
	tr.listing = true
	tr.mu.Unlock()
	tr.set(func(p *Progress) { p.State = StateCopying })

	var (
		mu      sync.Mutex
		results = make([]*FolderResult, len(plan))
		refused = make([][]Failure, len(plan))
		fatal   error
	)
	units := folderUnits(plan)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The planning connection lists the folders, largest first, and hands each unit to
	// the pipelines as soon as it is listed, so the destination has work from the start.
	// It then copies too. Totals grow while it lists (the folders' todo as listed).
	ready := make(chan []int, len(units))
	planned := make(chan *session, 1)
	ps := sess
	sess = nil
	go func() {
		kept := 0
		for _, u := range units {
			for _, i := range u {
				if ps == nil || wctx.Err() != nil {
					continue // the pipeline lists it itself
				}
				st, err := c.scanSource(wctx, ps.src, plan[i].m.Source, opts)
				if err != nil {
					// Not fatal here: the pipeline lists it again, with retries.
					if wctx.Err() == nil {
						c.Log.Warn("listing a folder while planning failed; its pipeline lists it again", "job", c.Job, "folder", plan[i].m.Source, "err", err)
					}
					ps.abort()
					ps = nil
					continue
				}
				plan[i].count(tr, st)
				if kept+len(st.msgs) <= planKeepMessages {
					plan[i].scan, plan[i].scanned = st, time.Now()
					kept += len(st.msgs)
				}
			}
			ready <- u
		}
		close(ready)
		tr.mu.Lock()
		tr.listing = false
		tr.mu.Unlock()
		planned <- ps
	}()
	worker := func(sess *session) {
		defer func() {
			if sess != nil {
				sess.close()
			}
		}()
		for unit := range ready {
			mu.Lock()
			stop := fatal != nil
			mu.Unlock()
			if stop {
				return
			}
			for _, i := range unit {
				fr := &FolderResult{Source: plan[i].m.Source, Dest: plan[i].m.Dest}
				var failures []Failure
				var retries int
				var ferr error
				run := &folderRun{c: c, fp: &plan[i], opts: opts, fr: fr, refused: &failures, tr: tr}
				sess, retries, ferr = run.run(wctx, sess)
				mu.Lock()
				results[i] = fr
				// The folder's counters hold across its attempts: the totals come from them.
				refused[i] = lastPerUID(failures) // an attempt after a reconnect tries the refused ones again
				fr.Failed = len(refused[i])
				res.Copied += fr.Copied
				res.Bytes += fr.CopiedBytes
				res.Matched += fr.Matched
				res.Failed += fr.Failed
				res.Retries += retries
				if ferr != nil && fatal == nil {
					fatal = ferr
					cancel() // the other pipelines stop at their next message
				}
				stop := fatal != nil
				mu.Unlock()
				if stop {
					return
				}
			}
		}
	}
	n := min(c.Pipelines, len(units))
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		if w == 0 {
			// The planning connections copy too, once they have listed everything.
			wg.Go(func() { worker(<-planned) })
			continue
		}
		ws := <-predialed
		extra--
		wg.Go(func() { worker(ws) })
	}
	if n == 0 {
		if ps := <-planned; ps != nil {
			ps.close()
		}
	}
	wg.Wait()
	for i, fr := range results {
		if fr != nil {
			res.Folders = append(res.Folders, *fr)
			res.Failures = append(res.Failures, refused[i]...)
		}
	}
	return res, fatal
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
// attempts in a row that moved nothing: on a connection that keeps breaking, every
// attempt that copies something is worth another.
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
		if r.fr.Copied+r.fr.Matched+r.fr.FlagsUpdated+len(*r.refused) > before {
			fruitless = 0
		} else {
			fruitless++
		}
		if fruitless > c.Retries {
			return sess, resumed, fmt.Errorf("folder %q: %d attempts in a row copied nothing: %w", fp.m.Source, fruitless, err)
		}
		// A MULTIAPPEND group is all or nothing: one that does not fit in a connection's
		// life never lands. Smaller groups until they are answered again.
		c.group.shrink()
		fp.retried = true
		resumed++
		c.Log.Warn("connection lost; resuming", "job", c.Job, "folder", fp.m.Source, "attempt", resumed, "err", err)
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
	tr.set(func(p *Progress) { p.State, p.Error = StateRetrying, cause.Error() })
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(c.Backoff(attempt)):
	}
	tr.set(func(p *Progress) { p.State, p.Error = StateCopying, "" })
	return nil
}
