package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Entry is one copied message in the ledger. The source side (Folder, UIDValidity, UID)
// says a message is done; Key and DestFolder let a later pass account for the copies it
// finds at the destination; Flags are the flags last carried over.
type Entry struct {
	Job         string
	Folder      string
	UIDValidity uint32
	UID         imap.UID
	Key         string
	DestFolder  string
	DestUID     imap.UID // 0 when the destination did not say (no UIDPLUS)
	Flags       []string
	Size        int64
	Matched     bool // found at the destination already, not appended
}

// Ledger records copied messages. Record is called with batches of entries whose APPEND
// succeeded; each call is one transaction.
type Ledger interface {
	Copied(ctx context.Context, job, folder string, uidValidity uint32) (map[imap.UID]Entry, error)
	// DestClaims lists, per message key, the destination UIDs that ledger entries of job
	// point to in destFolder (0 for unknown ones), except entries of sourceFolder under a
	// UIDVALIDITY other than uidValidity.
	DestClaims(ctx context.Context, job, destFolder, sourceFolder string, uidValidity uint32) (map[string][]imap.UID, error)
	Record(ctx context.Context, entries []Entry) error
	UpdateFlags(ctx context.Context, entries []Entry) error
	// SetAppending records that job is (or no longer is) appending to destFolder;
	// Appending reports whether a run was interrupted while it was.
	SetAppending(ctx context.Context, job, destFolder string, on bool) error
	Appending(ctx context.Context, job, destFolder string) (bool, error)
}

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

// Progress is a mailbox's progress in a pass.
type Progress struct {
	Job           string  `json:"job"`
	Folder        string  `json:"folder"`
	State         State   `json:"state"`
	MessagesDone  int     `json:"messagesDone"`
	MessagesTotal int     `json:"messagesTotal"`
	BytesDone     int64   `json:"bytesDone"`
	BytesTotal    int64   `json:"bytesTotal"`
	Failed        int     `json:"failed"`
	Rate          float64 `json:"rate"`       // messages per second
	ByteRate      float64 `json:"byteRate"`   // bytes per second
	ETASeconds    float64 `json:"etaSeconds"` // -1 when unknown
	Error         string  `json:"error,omitempty"`
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
	Dial        Dialer // nil: Dial
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

type srcMsg struct {
	UID   imap.UID
	Flags []imap.Flag
	Date  time.Time
	Size  int64
}

func (c *Copier) defaults() {
	if c.Dial == nil {
		c.Dial = Dial
	}
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

// retryable reports whether err is worth a reconnect: the connection dropped, timed out,
// or the server asked us to slow down.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var bc *brokenConn
	if errors.As(err, &bc) {
		return true
	}
	var ae *AuthError
	var ce *CertError
	if errors.As(err, &ae) || errors.As(err, &ce) {
		return false
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodeUnavailable, "THROTTLED", imap.ResponseCodeServerBug, imap.ResponseCodeInUse:
			return true
		}
		return ie.Type == imap.StatusResponseTypeBye
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection") || strings.Contains(err.Error(), "broken pipe")
}

// brokenConn is a connection that failed in the middle of a command: retried.
type brokenConn struct{ err error }

func (e *brokenConn) Error() string { return e.err.Error() }
func (e *brokenConn) Unwrap() error { return e.err }

// readErrRecorder remembers the error of the reader it wraps.
type readErrRecorder struct {
	r   io.Reader
	err error
}

func (r *readErrRecorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// session is a pair of connections for one mailbox.
type session struct {
	src, dst   *Conn
	destFolder string      // where APPENDs go
	apps       []*appender // none when the destination lacks LITERAL+
	next       int         // round robin over apps
	alone      bool        // one message per APPEND command (finding the one a server refuses)
}

// abort closes both connections at once, without a LOGOUT that a broken connection
// would never answer.
func (s *session) abort() {
	s.src.Client.Close()
	s.dst.Client.Close()
	for _, a := range s.apps {
		a.conn.Close()
	}
}

func (s *session) close() {
	for _, a := range s.apps {
		a.Close()
	}
	if s.src != nil {
		s.src.Close()
	}
	if s.dst != nil {
		s.dst.Close()
	}
}

// connect opens a session, its connections at once (a login costs a server round trips
// and a process: Dovecot spent ~18 ms of CPU on each).
func (c *Copier) connect(ctx context.Context) (*session, error) {
	var (
		src, dst       *Conn
		srcErr, dstErr error
		apps           = make([]*appender, c.AppendConns)
		appErrs        = make([]error, c.AppendConns)
		wg             sync.WaitGroup
	)
	wg.Go(func() { src, srcErr = c.Dial(ctx, c.Source, c.SourceCreds) })
	wg.Go(func() { dst, dstErr = c.Dial(ctx, c.Dest, c.DestCreds) })
	for i := range apps {
		wg.Go(func() { apps[i], appErrs[i] = dialAppender(ctx, c.Dest, c.DestCreds) })
	}
	wg.Wait()
	s := &session{src: src, dst: dst}
	for i, app := range apps {
		switch {
		case appErrs[i] != nil:
			// The main connections work: copy with what is open.
			c.Log.Warn("extra destination connection refused; appending with fewer", "job", c.Job, "err", appErrs[i])
		case app != nil: // nil: no LITERAL+, go-imap's APPEND on the main connection
			s.apps = append(s.apps, app)
		}
	}
	if srcErr != nil || dstErr != nil {
		s.close()
		if srcErr != nil {
			return nil, fmt.Errorf("source: %w", srcErr)
		}
		return nil, fmt.Errorf("destination: %w", dstErr)
	}
	return s, nil
}

// tracker accumulates progress and reports it.
type tracker struct {
	c        *Copier
	mu       sync.Mutex
	p        Progress
	started  time.Time
	lastSent time.Time
	listing  bool // the totals are still growing: no ETA yet
}

func (t *tracker) add(msgs int, bytes int64, failed int) {
	t.mu.Lock()
	t.p.MessagesDone += msgs
	t.p.BytesDone += bytes
	t.p.Failed += failed
	t.mu.Unlock()
	t.report(false)
}

func (t *tracker) set(f func(p *Progress)) {
	t.mu.Lock()
	f(&t.p)
	t.mu.Unlock()
	t.report(true)
}

func (t *tracker) report(force bool) {
	if t.c.Progress == nil {
		return
	}
	t.mu.Lock()
	now := t.c.Now()
	if !force && now.Sub(t.lastSent) < 250*time.Millisecond {
		t.mu.Unlock()
		return
	}
	t.lastSent = now
	p := t.p
	if el := now.Sub(t.started).Seconds(); el > 0 {
		p.Rate = float64(p.MessagesDone) / el
		p.ByteRate = float64(p.BytesDone) / el
	}
	p.ETASeconds = -1
	if p.ByteRate > 0 && p.BytesTotal >= p.BytesDone && !t.listing && p.State == StateCopying {
		p.ETASeconds = float64(p.BytesTotal-p.BytesDone) / p.ByteRate
	}
	t.mu.Unlock()
	t.c.Progress(p)
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
			s, err := c.connect(ctx)
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
			sess, err = c.connect(ctx)
		}
		if err == nil {
			plan, err = c.outline(sess, opts)
		}
		if err == nil {
			break
		}
		if !retryable(err) || attempt >= c.Retries {
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
				sess, retries, ferr = c.copyFolderRetrying(wctx, sess, &plan[i], opts, fr, &failures, tr)
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

// folderUnits groups the plan's folders by destination folder: one
// pipeline copies a unit's folders one after the other, so two source folders mapped to
// one destination folder never append to it at once (each would take the other's
// fresh copies for its own when counting what is already there).
func folderUnits(plan []folderPlan) [][]int {
	var units [][]int
	at := map[string]int{}
	for i, fp := range plan {
		if u, ok := at[fp.m.Dest]; ok {
			units[u] = append(units[u], i)
			continue
		}
		at[fp.m.Dest] = len(units)
		units = append(units, []int{i})
	}
	// Largest first: the biggest folder (INBOX, mostly) is the pass's long pole, so it
	// must not start last.
	size := func(u []int) (n int64) {
		for _, i := range u {
			n += plan[i].size
		}
		return n
	}
	sort.SliceStable(units, func(a, b int) bool { return size(units[a]) > size(units[b]) })
	return units
}

// copyFolderRetrying copies one folder over sess (connecting when it is nil), resuming
// after a dropped connection up to c.Retries times; it returns the session to go on with
// and how many times it resumed. Refused messages are added to refused, per attempt.
func (c *Copier) copyFolderRetrying(ctx context.Context, sess *session, fp *folderPlan, opts Options, fr *FolderResult, refused *[]Failure, tr *tracker) (*session, int, error) {
	for attempt := 0; ; attempt++ {
		var err error
		if sess == nil {
			sess, err = c.connect(ctx)
		}
		if err == nil {
			tr.set(func(p *Progress) { p.Folder = fp.m.Source })
			err = c.copyFolder(ctx, sess, fp, opts, fr, refused, tr)
		}
		if err == nil {
			return sess, attempt, nil
		}
		if !retryable(err) || attempt >= c.Retries {
			return sess, attempt, fmt.Errorf("folder %q: %w", fp.m.Source, err)
		}
		c.Log.Warn("connection lost; resuming", "job", c.Job, "folder", fp.m.Source, "attempt", attempt+1, "err", err)
		if sess != nil {
			sess.abort()
			sess = nil
		}
		if werr := c.wait(ctx, tr, attempt+1, err); werr != nil {
			return sess, attempt + 1, werr
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

// folderPlan is one mapped source folder with what the pass would copy.
type folderPlan struct {
	m       Mapping
	size    int64        // from STATUS: its bytes, or its message count, to copy the largest first
	counted bool         // its todo is in the progress totals
	scan    *sourceState // the planning scan, for the folder's first attempt (nil: scan again)
	scanned time.Time
}

// count adds what the folder has to copy to the progress totals, once.
func (fp *folderPlan) count(tr *tracker, st *sourceState) {
	if fp.counted {
		return
	}
	fp.counted = true
	var bytes int64
	for _, m := range st.todo {
		bytes += m.Size
	}
	tr.set(func(p *Progress) {
		p.MessagesTotal += len(st.todo)
		p.BytesTotal += bytes
	})
}

// Planning lists every source folder to count what is to copy; the first attempt at a
// folder goes by that listing instead of asking the source again, while the plan is fresh
// and the listings kept stay small. Listing twice kept the destination idle for a fifth
// of a 10,000-message pass.
const (
	planKeepMessages = 50000
	planKeepFor      = 5 * time.Minute
)

// mapping is opts.Mapping, or the folders of both sides mapped with opts.Rules.
func (s *session) mapping(opts Options) ([]Mapping, error) {
	if opts.Mapping != nil {
		return opts.Mapping, nil
	}
	src, err := ListFolders(s.src)
	if err != nil {
		return nil, err
	}
	dst, err := ListFolders(s.dst)
	if err != nil {
		return nil, err
	}
	return MapFolders(src, dst, destDelim(dst), opts.Rules), nil
}

// outline maps the folders and sizes each source folder up with STATUS (SIZE where the
// server has STATUS=SIZE, else the message count), to copy the largest first.
func (c *Copier) outline(s *session, opts Options) ([]folderPlan, error) {
	mapping, err := s.mapping(opts)
	if err != nil {
		return nil, err
	}
	var out []folderPlan
	var cmds []*imapclient.StatusCommand
	withSize := s.src.Caps().Has(imap.CapStatusSize) || s.src.Caps().Has(imap.CapIMAP4rev2)
	for _, m := range mapping {
		if m.Excluded {
			continue
		}
		out = append(out, folderPlan{m: m})
		cmds = append(cmds, s.src.Status(m.Source, &imap.StatusOptions{NumMessages: true, Size: withSize}))
	}
	for i, cmd := range cmds {
		st, err := cmd.Wait()
		if err != nil {
			return nil, fmt.Errorf("status of %q on the source: %w", out[i].m.Source, err)
		}
		switch {
		case st.Size != nil:
			out[i].size = *st.Size
		case st.NumMessages != nil:
			out[i].size = int64(*st.NumMessages)
		}
	}
	return out, nil
}

// destDelim is the destination's hierarchy delimiter, "/" when it has no folders yet.
func destDelim(dst []Folder) string {
	for _, f := range dst {
		if f.Delim != "" {
			return f.Delim
		}
	}
	return "/"
}

// sourceState is a source folder examined: its messages, the ledger of it, what is to do.
type sourceState struct {
	uidValidity uint32
	msgs        []srcMsg
	ledger      map[imap.UID]Entry
	todo        []srcMsg
	inScope     int
}

// scanSource EXAMINEs a source folder (read-only) and lists its messages against the ledger.
func (c *Copier) scanSource(ctx context.Context, src *Conn, folder string, opts Options) (*sourceState, error) {
	sel, err := src.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("examine %q on the source: %w", folder, err)
	}
	st := &sourceState{uidValidity: sel.UIDValidity}
	if sel.NumMessages > 0 {
		st.msgs, err = listMessages(src, folder)
		if err != nil {
			return nil, err
		}
	}
	st.ledger, err = c.Ledger.Copied(ctx, c.Job, folder, sel.UIDValidity)
	if err != nil {
		return nil, err
	}
	for _, m := range st.msgs {
		if !opts.Cutoff.IsZero() && !m.Date.Before(opts.Cutoff) {
			continue
		}
		st.inScope++
		if _, done := st.ledger[m.UID]; !done {
			st.todo = append(st.todo, m)
		}
	}
	return st, nil
}

// listMessages fetches UID, FLAGS, INTERNALDATE and RFC822.SIZE of every message of the
// selected folder.
func listMessages(c *Conn, folder string) ([]srcMsg, error) {
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}
	cmd := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true})
	var out []srcMsg
	for {
		m := cmd.Next()
		if m == nil {
			break
		}
		b, err := m.Collect()
		if err != nil {
			cmd.Close()
			return nil, fmt.Errorf("list messages of %q: %w", folder, err)
		}
		out = append(out, srcMsg{UID: b.UID, Flags: b.Flags, Date: b.InternalDate, Size: b.RFC822Size})
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("list messages of %q: %w", folder, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

// keyInfo is what identifies a message, and its subject for reports.
type keyInfo struct {
	key     string
	subject string
}

var (
	sectionIDSubject = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Message-ID", "Subject"}, Peek: true}
	sectionHeader    = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	sectionBody      = &imap.FetchItemBodySection{Peek: true}
)

// messageKeys computes the identity key of the given messages of the selected folder: the
// Message-ID where there is one, else the hash of the whole header and the size.
func messageKeys(c *Conn, uids []imap.UID) (map[imap.UID]keyInfo, error) {
	out := make(map[imap.UID]keyInfo, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	sizes := map[imap.UID]int64{}
	var noID []imap.UID
	err := fetchEach(c, uids, 2000, &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{sectionIDSubject}},
		func(b *imapclient.FetchMessageBuffer) {
			h := b.FindBodySection(sectionIDSubject)
			ki := keyInfo{key: messageIDKey(headerField(h, "Message-ID")), subject: decodeSubject(headerField(h, "Subject"))}
			if ki.key == "" {
				noID = append(noID, b.UID)
				sizes[b.UID] = b.RFC822Size
			}
			out[b.UID] = ki
		})
	if err != nil {
		return nil, err
	}
	err = fetchEach(c, noID, 500, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sectionHeader}},
		func(b *imapclient.FetchMessageBuffer) {
			ki := out[b.UID]
			ki.key = headerKey(b.FindBodySection(sectionHeader), sizes[b.UID])
			out[b.UID] = ki
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fetchEach runs a UID FETCH of uids, chunk at a time, and hands each message to f.
func fetchEach(c *Conn, uids []imap.UID, chunk int, opts *imap.FetchOptions, f func(*imapclient.FetchMessageBuffer)) error {
	for _, part := range chunks(uids, chunk) {
		cmd := c.Fetch(imap.UIDSetNum(part...), opts)
		for {
			m := cmd.Next()
			if m == nil {
				break
			}
			b, err := m.Collect()
			if err != nil {
				cmd.Close()
				return err
			}
			f(b)
		}
		if err := cmd.Close(); err != nil {
			return err
		}
	}
	return nil
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// ensureFolder creates the destination folder when it does not exist.
func ensureFolder(dst *Conn, name string) error {
	if strings.EqualFold(name, "INBOX") {
		return nil
	}
	err := dst.Create(name, nil).Wait()
	var ie *imap.Error
	if err != nil && errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists || strings.Contains(strings.ToLower(ie.Text), "exists")) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %q on the destination: %w", name, err)
	}
	return nil
}

func (c *Copier) copyFolder(ctx context.Context, s *session, fp *folderPlan, opts Options, fr *FolderResult, refused *[]Failure, tr *tracker) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := fp.scan
	fp.scan = nil // a retry lists the folder again
	if st == nil || time.Since(fp.scanned) > planKeepFor {
		var err error
		if st, err = c.scanSource(ctx, s.src, fp.m.Source, opts); err != nil {
			return err
		}
		fp.count(tr, st)
	} else if _, err := s.src.Select(fp.m.Source, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return fmt.Errorf("examine %q on the source: %w", fp.m.Source, err)
	}
	fr.Messages, fr.InScope = len(st.msgs), st.inScope
	fr.AlreadyDone = st.inScope - len(st.todo)

	needDest := len(st.todo) > 0
	var syncs []flagSync
	if !opts.NoFlagSync {
		syncs = flagChanges(st)
		needDest = needDest || len(syncs) > 0
	}
	if !needDest {
		return nil
	}
	if err := ensureFolder(s.dst, fp.m.Dest); err != nil {
		return err
	}
	dsel, err := s.dst.Select(fp.m.Dest, nil).Wait()
	s.destFolder = fp.m.Dest
	if err != nil {
		return fmt.Errorf("select %q on the destination: %w", fp.m.Dest, err)
	}
	if len(syncs) > 0 {
		n, err := c.syncFlags(ctx, s.dst, syncs)
		fr.FlagsUpdated += n
		if err != nil {
			return err
		}
	}
	if len(st.todo) == 0 {
		return nil
	}
	// APPENDs sent by an interrupted run (this process before a reconnect, or one that was
	// killed) may still be landing: the server goes on with what it had received. Wait
	// for the folder to settle before counting what is there, or they would be copied twice.
	interrupted, err := c.Ledger.Appending(ctx, c.Job, fp.m.Dest)
	if err != nil {
		return err
	}
	if interrupted {
		if dsel, err = settle(ctx, s.dst, fp.m.Dest); err != nil {
			return err
		}
	}

	// Copies already at the destination are found by their keys, read from both sides.
	// Into an empty folder, keys come from the headers as the bodies stream by instead:
	// reading them first cost the source and us a quarter of a pass's CPU.
	var keys map[imap.UID]keyInfo
	todo := st.todo
	if dsel.NumMessages > 0 {
		uids := make([]imap.UID, len(st.todo))
		for i, m := range st.todo {
			uids[i] = m.UID
		}
		if keys, err = messageKeys(s.src, uids); err != nil {
			return fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
		}
		todo, err = c.matchExisting(ctx, s, st, fp, keys, fr, tr)
		if err != nil {
			return err
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if err := c.Ledger.SetAppending(ctx, c.Job, fp.m.Dest, true); err != nil {
		return err
	}
	if err := c.stream(ctx, s, st, fp, todo, keys, fr, refused, tr); err != nil {
		return err
	}
	// Every APPEND was answered: nothing of this run can land later.
	return c.Ledger.SetAppending(context.WithoutCancel(ctx), c.Job, fp.m.Dest, false)
}

// settle waits until the destination folder stops growing (UIDNEXT unchanged for a
// second, at most a minute) and selects it again.
func settle(ctx context.Context, dst *Conn, folder string) (*imap.SelectData, error) {
	var last imap.UID
	stable := 0
	for i := 0; i < 60 && stable < 2; i++ {
		st, err := dst.Status(folder, &imap.StatusOptions{UIDNext: true}).Wait()
		if err != nil {
			return nil, fmt.Errorf("status of %q on the destination: %w", folder, err)
		}
		if st.UIDNext == last {
			stable++
		} else {
			stable, last = 0, st.UIDNext
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	sel, err := dst.Select(folder, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("select %q on the destination: %w", folder, err)
	}
	return sel, nil
}

// matchExisting counts the copies already at the destination (an earlier manual copy, a
// run whose ledger batch was lost in a crash) and records them instead of appending.
func (c *Copier) matchExisting(ctx context.Context, s *session, st *sourceState, fp *folderPlan, keys map[imap.UID]keyInfo, fr *FolderResult, tr *tracker) ([]srcMsg, error) {
	dmsgs, err := listMessages(s.dst, fp.m.Dest)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	duids := make([]imap.UID, len(dmsgs))
	for i, m := range dmsgs {
		duids[i] = m.UID
	}
	dkeys, err := messageKeys(s.dst, duids)
	if err != nil {
		return nil, fmt.Errorf("read headers of %q on the destination: %w", fp.m.Dest, err)
	}
	claims, err := c.Ledger.DestClaims(ctx, c.Job, fp.m.Dest, fp.m.Source, st.uidValidity)
	if err != nil {
		return nil, err
	}
	// available[key]: destination copies not yet accounted for by the ledger.
	claimed := map[imap.UID]bool{}
	unknownClaims := map[string]int{}
	for k, us := range claims {
		for _, u := range us {
			if u == 0 {
				unknownClaims[k]++
			} else {
				claimed[u] = true
			}
		}
	}
	available := map[string][]imap.UID{}
	for _, m := range dmsgs {
		if claimed[m.UID] {
			continue
		}
		k := dkeys[m.UID].key
		available[k] = append(available[k], m.UID)
	}
	for k, n := range unknownClaims {
		if l := available[k]; len(l) > 0 {
			if n > len(l) {
				n = len(l)
			}
			available[k] = l[:len(l)-n]
		}
	}
	var todo []srcMsg
	var matched []Entry
	var matchedBytes int64
	for _, m := range st.todo {
		k := keys[m.UID].key
		if l := available[k]; k != "" && len(l) > 0 {
			available[k] = l[1:]
			matched = append(matched, Entry{Job: c.Job, Folder: fp.m.Source, UIDValidity: st.uidValidity, UID: m.UID, Key: k,
				DestFolder: fp.m.Dest, DestUID: l[0], Flags: flagStrings(m.Flags), Size: m.Size, Matched: true})
			matchedBytes += m.Size
			continue
		}
		todo = append(todo, m)
	}
	if len(matched) > 0 {
		if err := c.Ledger.Record(ctx, matched); err != nil {
			return nil, err
		}
		fr.Matched += len(matched)
		tr.add(len(matched), matchedBytes, 0)
	}
	return todo, nil
}

type appendWaiter interface {
	Wait() (*imap.AppendData, error)
}

type pendingAppend struct {
	msg     srcMsg
	key     keyInfo
	exact   bool // key read by messageKeys, not from the streamed header
	cmd     appendWaiter
	err     error // set when the APPEND could not even be sent
	refused string
	size    int64
}

// stream fetches bodies with BODY.PEEK[] and appends them to the destination as they
// arrive, without holding a message in memory; APPEND results are collected in order by a
// second goroutine that commits ledger entries in batches.
//
// keys holds the messages' keys when they were read beforehand (nil otherwise): a key
// taken from the streamed header goes to the ledger only with the destination UID the
// server answered, which is what later runs go by; without one (no UIDPLUS), or without a
// Message-ID, the key is read by messageKeys after the bodies, as a match on another run
// would compute it.
func (c *Copier) stream(ctx context.Context, s *session, st *sourceState, fp *folderPlan, todo []srcMsg, keys map[imap.UID]keyInfo, fr *FolderResult, refused *[]Failure, tr *tracker) error {
	// APPENDLIMIT (RFC 7889): a server-wide limit lets us report a message without sending it.
	var limit uint32
	lp, hasLimit := s.dst.Caps().AppendLimit()
	if hasLimit && lp != nil {
		limit = *lp
	} else {
		hasLimit = false
	}
	byUID := make(map[imap.UID]srcMsg, len(todo))
	var early []imap.UID // refused before sending: their subjects are read for the report
	for _, m := range todo {
		byUID[m.UID] = m
		if _, ok := keys[m.UID]; !ok && (m.Size == 0 || hasLimit && m.Size > int64(limit)) {
			early = append(early, m.UID)
		}
	}
	if len(early) > 0 {
		ks, err := messageKeys(s.src, early)
		if err != nil {
			return fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
		}
		if keys == nil {
			keys = ks
		} else {
			maps.Copy(keys, ks)
		}
	}

	pending := make(chan pendingAppend, 256) // ledger commits must not stall the pipeline
	var (
		waitErr  error
		failures []Failure
		again    []srcMsg // in a group the destination refused: appended again one by one
		later    []Entry  // copied; recorded once messageKeys has read their keys
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var batch []Entry
		var batchBytes int64
		var recordErr error
		// flush records the answered APPENDs, also after a later one failed: what is
		// counted as copied is in the ledger, so a resumed run neither appends nor counts
		// it again.
		flush := func() {
			if len(batch) == 0 || recordErr != nil {
				return
			}
			if err := c.Ledger.Record(context.WithoutCancel(ctx), batch); err != nil {
				recordErr = err
				if waitErr == nil {
					waitErr = err
				}
				return
			}
			tr.add(len(batch), batchBytes, 0)
			batch, batchBytes = batch[:0], 0
		}
		lastFlush := time.Now()
		for p := range pending {
			var data *imap.AppendData
			err := p.err
			if err == nil && p.refused == "" {
				data, err = p.cmd.Wait()
			}
			if errors.Is(err, errBatchRefused) {
				again = append(again, p.msg)
				continue
			}
			if p.refused == "" && err != nil && !retryable(err) {
				p.refused = reason(err)
			}
			if p.refused != "" {
				failures = append(failures, Failure{Folder: fp.m.Source, UID: uint32(p.msg.UID), Subject: p.key.subject,
					Size: p.msg.Size, Date: p.msg.Date, Reason: p.refused})
				tr.add(0, 0, 1)
				continue
			}
			if err != nil {
				if waitErr == nil {
					waitErr = err
				}
				continue
			}
			e := Entry{Job: c.Job, Folder: fp.m.Source, UIDValidity: st.uidValidity, UID: p.msg.UID, Key: p.key.key,
				DestFolder: fp.m.Dest, Flags: flagStrings(p.msg.Flags), Size: p.size}
			if data != nil {
				e.DestUID = data.UID
			}
			if e.Key == "" || !p.exact && e.DestUID == 0 {
				later = append(later, e)
				continue
			}
			batch = append(batch, e)
			batchBytes += p.size
			fr.Copied++
			fr.CopiedBytes += p.size
			if len(batch) >= c.BatchSize || time.Since(lastFlush) > time.Second {
				flush()
				lastFlush = time.Now()
			}
		}
		flush()
	}()

	sendErr := c.sendAll(ctx, s, todo, byUID, keys, limit, hasLimit, pending)
	close(pending)
	wg.Wait()

	*refused = append(*refused, failures...)
	if sendErr != nil {
		return sendErr
	}
	if waitErr == nil && len(later) > 0 {
		// Not recorded when this fails: the next attempt finds them at the destination.
		waitErr = c.recordLater(ctx, s, fp, later, fr, tr)
	}
	if waitErr != nil || len(again) == 0 {
		return waitErr
	}
	// Nothing of a refused group was saved: each of its messages is sent on its own, so
	// that only the ones the server refuses are reported.
	s.alone = true
	defer func() { s.alone = false }()
	return c.stream(ctx, s, st, fp, again, keys, fr, refused, tr)
}

// recordLater reads the keys of copied messages with messageKeys and records them.
func (c *Copier) recordLater(ctx context.Context, s *session, fp *folderPlan, later []Entry, fr *FolderResult, tr *tracker) error {
	uids := make([]imap.UID, len(later))
	for i, e := range later {
		uids[i] = e.UID
	}
	ks, err := messageKeys(s.src, uids)
	if err != nil {
		return fmt.Errorf("read headers of %q on the source: %w", fp.m.Source, err)
	}
	var bytes int64
	for i := range later {
		later[i].Key = ks[later[i].UID].key
		bytes += later[i].Size
	}
	if err := c.Ledger.Record(context.WithoutCancel(ctx), later); err != nil {
		return err
	}
	fr.Copied += len(later)
	fr.CopiedBytes += bytes
	tr.add(len(later), bytes, 0)
	return nil
}

// sendAll runs the FETCH of bodies chunk by chunk and starts one APPEND per message.
func (c *Copier) sendAll(ctx context.Context, s *session, todo []srcMsg, byUID map[imap.UID]srcMsg, keys map[imap.UID]keyInfo, limit uint32, hasLimit bool, pending chan<- pendingAppend) (err error) {
	defer func() {
		if err != nil {
			endCommands(ctx, s)
		}
	}()
	uids := make([]imap.UID, 0, len(todo))
	for _, m := range todo {
		if hasLimit && m.Size > int64(limit) {
			pending <- pendingAppend{msg: m, key: keys[m.UID], refused: fmt.Sprintf("%d bytes is over the destination's APPENDLIMIT of %d bytes", m.Size, limit)}
			continue
		}
		if m.Size == 0 {
			pending <- pendingAppend{msg: m, key: keys[m.UID], refused: "empty message (0 bytes): IMAP cannot append it"}
			continue
		}
		uids = append(uids, m.UID)
	}
	for _, chunk := range chunks(uids, c.FetchChunk) {
		if err := ctx.Err(); err != nil {
			return err
		}
		cmd := s.src.Fetch(imap.UIDSetNum(chunk...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sectionBody}})
		for {
			fm := cmd.Next()
			if fm == nil {
				break
			}
			if err := c.appendOne(ctx, s, fm, byUID, keys, pending); err != nil {
				cmd.Close()
				return err
			}
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("fetch from the source: %w", err)
		}
		// The results are waited for in order: the last command must not stay open.
		if err := endCommands(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// endCommands ends the APPEND commands being written: whatever stops the FETCH, the
// results are waited for, and a command left open would never be answered. It holds only
// whole messages (a message cut short breaks its connection), so the server saves them.
func endCommands(ctx context.Context, s *session) error {
	var first error
	for _, app := range s.apps {
		if ctx.Err() != nil {
			// Stopping: a server that does not read must not keep us waiting.
			app.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		}
		if err := app.EndCommand(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (c *Copier) appendOne(ctx context.Context, s *session, fm *imapclient.FetchMessageData, byUID map[imap.UID]srcMsg, keys map[imap.UID]keyInfo, pending chan<- pendingAppend) error {
	var uid imap.UID
	for {
		item := fm.Next()
		if item == nil {
			return nil
		}
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = it.UID
		case imapclient.FetchItemDataBodySection:
			msg, ok := byUID[uid]
			if !ok || it.Literal == nil {
				continue // the message vanished, or the server sent something we did not ask
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			size := it.Literal.Size()
			key, exact := keys[uid]
			head := &headerTap{r: it.Literal}
			rd := &readErrRecorder{r: head}
			if len(s.apps) > 0 && size <= rawLiteralMax {
				app := s.apps[s.next%len(s.apps)]
				s.next++
				w, n, err := app.Append(s.destFolder, appendFlags(msg.Flags), msg.Date, size, rd, s.alone)
				if err == nil {
					err = app.Flush()
				}
				if err != nil {
					if n < size && rd.err != nil {
						return &brokenConn{fmt.Errorf("fetch UID %d from the source broke after %d of %d bytes: %w", uid, n, size, rd.err)}
					}
					return err
				}
				if !exact {
					key = head.key()
				}
				select {
				case pending <- pendingAppend{msg: msg, key: key, exact: exact, cmd: w, size: size}:
				case <-ctx.Done():
					return ctx.Err()
				}
				continue
			}
			cmd := s.dst.Append(s.destFolder, size, &imap.AppendOptions{Flags: appendFlags(msg.Flags), Time: msg.Date})
			n, werr := io.Copy(cmd, rd)
			if n < size && (rd.err != nil || werr == nil) {
				// The source connection broke inside the literal: the APPEND cannot be
				// completed, and both connections are reopened by the retry.
				cmd.Close()
				cause := rd.err
				if cause == nil {
					cause = io.ErrUnexpectedEOF
				}
				return &brokenConn{fmt.Errorf("fetch UID %d from the source broke after %d of %d bytes: %w", uid, n, size, cause)}
			}
			cerr := cmd.Close()
			p := pendingAppend{msg: msg, key: key, exact: exact, cmd: cmd, size: size}
			if werr != nil {
				// The destination answered before taking the literal (a refusal), or the
				// connection broke: drain the source literal to keep the FETCH going.
				if _, err := io.Copy(io.Discard, rd); err != nil {
					return &brokenConn{fmt.Errorf("fetch UID %d from the source: %w", uid, err)}
				}
				if _, err := cmd.Wait(); err != nil && !retryable(err) {
					p.refused = reason(err)
				} else {
					p.err = &brokenConn{fmt.Errorf("append to the destination: %w", werr)}
				}
			} else if cerr != nil {
				p.err = &brokenConn{fmt.Errorf("append to the destination: %w", cerr)}
			}
			if !exact {
				p.key = head.key()
			}
			select {
			case pending <- p:
			case <-ctx.Done():
				return ctx.Err()
			}
			if p.err != nil {
				return p.err
			}
		}
	}
}

// appendFlags are the flags an APPEND may set: \Recent is the server's own.
func appendFlags(fl []imap.Flag) []imap.Flag {
	out := make([]imap.Flag, 0, len(fl))
	for _, f := range fl {
		if strings.EqualFold(string(f), `\Recent`) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func flagStrings(fl []imap.Flag) []string {
	out := make([]string, 0, len(fl))
	for _, f := range appendFlags(fl) {
		out = append(out, string(f))
	}
	sort.Strings(out)
	return out
}

// flagSync is a change of flags at the source since a message was copied.
type flagSync struct {
	entry         Entry
	add, remove   []imap.Flag
	current       []string
	sourceCurrent []imap.Flag
}

func flagChanges(st *sourceState) []flagSync {
	var out []flagSync
	for _, m := range st.msgs {
		e, ok := st.ledger[m.UID]
		if !ok || e.DestUID == 0 {
			continue
		}
		now := flagStrings(m.Flags)
		add, remove := diff(now, e.Flags)
		if len(add) == 0 && len(remove) == 0 {
			continue
		}
		out = append(out, flagSync{entry: e, add: toFlags(add), remove: toFlags(remove), current: now})
	}
	return out
}

func diff(now, before []string) (add, remove []string) {
	had := map[string]bool{}
	for _, f := range before {
		had[strings.ToLower(f)] = true
	}
	has := map[string]bool{}
	for _, f := range now {
		has[strings.ToLower(f)] = true
		if !had[strings.ToLower(f)] {
			add = append(add, f)
		}
	}
	for _, f := range before {
		if !has[strings.ToLower(f)] {
			remove = append(remove, f)
		}
	}
	return add, remove
}

func toFlags(s []string) []imap.Flag {
	out := make([]imap.Flag, len(s))
	for i, f := range s {
		out[i] = imap.Flag(f)
	}
	return out
}

// syncFlags brings flag changes made at the source to the destination copies, adding and
// removing only what changed so flags set at the destination meanwhile are kept.
func (c *Copier) syncFlags(ctx context.Context, dst *Conn, syncs []flagSync) (int, error) {
	var cmds []*imapclient.FetchCommand
	for _, s := range syncs {
		set := imap.UIDSetNum(s.entry.DestUID)
		if len(s.add) > 0 {
			cmds = append(cmds, dst.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: s.add}, nil))
		}
		if len(s.remove) > 0 {
			cmds = append(cmds, dst.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: s.remove}, nil))
		}
	}
	var firstErr error
	for _, cmd := range cmds {
		if err := cmd.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return 0, fmt.Errorf("update flags on the destination: %w", firstErr)
	}
	entries := make([]Entry, len(syncs))
	for i, s := range syncs {
		entries[i] = s.entry
		entries[i].Flags = s.current
	}
	if err := c.Ledger.UpdateFlags(ctx, entries); err != nil {
		return 0, err
	}
	return len(syncs), nil
}
