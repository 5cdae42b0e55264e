package pim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// Entry is one copied item in the ledger, keyed by job, source collection and source
// href; ETag says which version was copied, DestHref/DestETag where it went.
type Entry struct {
	Job            string
	Collection     string
	Href           string
	ETag           string
	UID            string
	Kind           Kind
	DestCollection string
	DestHref       string
	DestETag       string
	Matched        bool // found at the destination already (written by an interrupted run)
}

// Ledger records copied items. Record is called with batches; each call is one
// transaction. A crash loses at most the batch being filled: the next run writes those
// items again to the same destination hrefs, overwriting its own copies.
type Ledger interface {
	Copied(ctx context.Context, job, collection string) (map[string]Entry, error)
	Record(ctx context.Context, entries []Entry) error
}

// Failure is an item the destination refused (or that could not be read), with why.
type Failure struct {
	Collection string `json:"collection"`
	// Name is the collection's display name (what users know it by), when it has one.
	Name    string `json:"name,omitempty"`
	Href    string `json:"href"`
	UID     string `json:"uid"`
	Kind    Kind   `json:"kind"`
	Summary string `json:"summary"`
	Reason  string `json:"reason"`
}

// CollectionResult is what a pass did in one collection.
type CollectionResult struct {
	Source      string         `json:"source"`
	Dest        string         `json:"dest"`
	Name        string         `json:"name"`
	Type        CollectionType `json:"type"`
	Items       int            `json:"items"`   // in the source collection
	InScope     int            `json:"inScope"` // of those, within the pass's cutoff and classes
	Copied      int            `json:"copied"`  // written by this run (new items)
	Updated     int            `json:"updated"` // changed at the source since copied: written again
	Matched     int            `json:"matched"` // found at the destination already
	AlreadyDone int            `json:"alreadyDone"`
	Failed      int            `json:"failed"`
}

// Result is what a pass did in one mailbox.
type Result struct {
	Job         string             `json:"job"`
	Collections []CollectionResult `json:"collections"`
	Failures    []Failure          `json:"failures"`
	// Notes are items copied without something the destination cannot hold (attendees
	// listed in the text instead of invited, a contact group's members), with what.
	Notes   []Failure `json:"notes,omitempty"`
	Copied  int       `json:"copied"`
	Updated int       `json:"updated"`
	Matched int       `json:"matched"`
	Failed  int       `json:"failed"`
}

// Options shape a pass.
type Options struct {
	// Cutoff: when set, the pre pass: contacts, events whose last instance ended before
	// it, tasks completed before it, journals dated before it. Zero: everything.
	Cutoff time.Time
	// Only limits the pass to these classes; empty means all.
	Only []Class
}

// Checkpoint names a moment of a pass, for tests that kill it there.
type Checkpoint string

const (
	CheckpointWritten  Checkpoint = "written"  // the destination took an item; the ledger does not know yet
	CheckpointRecorded Checkpoint = "recorded" // a batch of ledger entries committed
)

// Progress is the state of a mailbox's pass, reported when a collection has been read
// and after every item. Each report holds the whole mailbox's numbers, so a newer one
// can replace an older one not yet shown.
type Progress struct {
	Job        string `json:"job"`
	Collection string `json:"collection"` // the collection being copied (its href)
	Name       string `json:"name"`       // its display name
	Done       int    `json:"done"`       // of the collection's items in scope: copied, already there or refused
	Total      int    `json:"total"`      // the collection's items in scope
	Failed     int    `json:"failed"`     // refused in the collection
	// Classes are the numbers per class (contacts, calendars, tasks) over the
	// collections read so far: a collection's items are listed only when its turn
	// comes, so until Counted the totals are "so far".
	Classes     []ClassProgress `json:"classes"`
	Reached     int             `json:"reached"`     // collections read, this one included
	Collections int             `json:"collections"` // the source's collections
	Counted     bool            `json:"counted"`     // every collection read: the totals are the pass's
}

// ClassProgress is a pass's count of one class's items in scope.
type ClassProgress struct {
	Class  Class `json:"class"`
	Done   int   `json:"done"`
	Total  int   `json:"total"`
	Failed int   `json:"failed"`
}

// tally keeps a running pass's Progress.
type tally struct {
	p       Progress
	byClass map[Class]*ClassProgress
}

func newTally(job string, collections int) *tally {
	return &tally{p: Progress{Job: job, Collections: collections}, byClass: map[Class]*ClassProgress{}}
}

// reach starts a collection whose items in scope are todo.
func (t *tally) reach(sc Collection, todo []Item) {
	t.p.Reached++
	t.p.Counted = t.p.Reached == t.p.Collections
	t.p.Collection, t.p.Name, t.p.Done, t.p.Total, t.p.Failed = sc.Href, sc.Name, 0, len(todo), 0
	for _, it := range todo {
		t.class(it.Kind).Total++
	}
}

// item counts an item of the current collection as done, refused or not.
func (t *tally) item(k Kind, refused bool) {
	c := t.class(k)
	t.p.Done++
	c.Done++
	if refused {
		t.p.Failed++
		c.Failed++
	}
}

func (t *tally) class(k Kind) *ClassProgress {
	cl := ClassOf(k)
	c := t.byClass[cl]
	if c == nil {
		c = &ClassProgress{Class: cl}
		t.byClass[cl] = c
	}
	return c
}

// snapshot is the progress as it stands, its classes in report order.
func (t *tally) snapshot() Progress {
	p := t.p
	p.Classes = []ClassProgress{}
	for _, cl := range Classes {
		if c := t.byClass[cl]; c != nil {
			p.Classes = append(p.Classes, *c)
		}
	}
	return p
}

// Copier copies one mailbox's contacts, calendars and tasks. Like the mail engine it
// may be run again after any interruption.
type Copier struct {
	Job        string
	Source     Source
	Dest       Dest
	Ledger     Ledger
	Log        *slog.Logger
	Progress   func(Progress)
	Checkpoint func(Checkpoint)
	BatchSize  int // ledger entries per transaction (default 64)
	// Workers is how many items are written at once (default 4): a remote DAV or REST
	// destination answers each write after a round trip (20–100 ms to a hosting
	// provider), and several hide it; Graph takes at most 4 concurrent requests per
	// mailbox. On loopback servers, where the server's CPU is the limit, more workers gain
	// nothing (BenchmarkCopyMailboxOfContactsAndEvents, PIM_BENCH_WORKERS).
	Workers int

	notes []Failure // of the running pass
	tally *tally    // of the running pass
}

// report sends the running pass's progress to Progress.
func (c *Copier) report() {
	if c.Progress != nil {
		c.Progress(c.tally.snapshot())
	}
}

func (c *Copier) checkpoint(p Checkpoint) {
	if c.Checkpoint != nil {
		c.Checkpoint(p)
	}
}

// Run performs a pass. Refused items are listed in the result; the error is set when
// the pass could not go on (a collection could not be listed or created, the server
// failed, the context ended).
func (c *Copier) Run(ctx context.Context, opts Options) (res Result, err error) {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	res = Result{Job: c.Job}
	c.notes = nil
	defer func() { res.Notes = c.notes }()
	colls, err := c.Source.Collections(ctx)
	if err != nil {
		return res, fmt.Errorf("list the source's collections: %w", err)
	}
	if u, ok := c.Source.(Unreader); ok {
		for _, f := range u.Unread() {
			if wanted(opts.Only, f.Kind) {
				res.Failures = append(res.Failures, f)
				res.Failed++
			}
		}
	}
	c.tally = newTally(c.Job, len(colls))
	c.report()
	for _, sc := range colls {
		cr, fails, err := c.collection(ctx, sc, opts)
		res.Collections = append(res.Collections, cr)
		res.Failures = append(res.Failures, fails...)
		res.Copied += cr.Copied
		res.Updated += cr.Updated
		res.Matched += cr.Matched
		res.Failed += cr.Failed
		if err != nil {
			return res, err
		}
		log.Info("pim collection copied", "job", c.Job, "collection", sc.Href, "copied", cr.Copied, "updated", cr.Updated, "matched", cr.Matched, "failed", cr.Failed)
	}
	return res, nil
}

func wanted(only []Class, k Kind) bool {
	return len(only) == 0 || slices.Contains(only, ClassOf(k))
}

func (c *Copier) collection(ctx context.Context, sc Collection, opts Options) (CollectionResult, []Failure, error) {
	cr := CollectionResult{Source: sc.Href, Name: sc.Name, Type: sc.Type}
	items, err := c.Source.Items(ctx, sc)
	if err != nil {
		return cr, nil, fmt.Errorf("read %s: %w", sc.Href, err)
	}
	cr.Items = len(items)
	var todo []Item
	for _, it := range items {
		if wanted(opts.Only, it.Kind) && (opts.Cutoff.IsZero() || it.InPrePass(opts.Cutoff)) {
			todo = append(todo, it)
		}
	}
	cr.InScope = len(todo)
	c.tally.reach(sc, todo)
	if len(todo) == 0 {
		c.report()
		return cr, nil, nil
	}
	done, err := c.Ledger.Copied(ctx, c.Job, sc.Href)
	if err != nil {
		return cr, nil, err
	}
	dc, err := c.Dest.Ensure(ctx, sc)
	var refused *RefusedError
	if errors.As(err, &refused) {
		var fails []Failure
		for _, it := range todo {
			fails = append(fails, failure(sc, it, refused.Reason))
			c.tally.item(it.Kind, true)
		}
		cr.Failed = len(fails)
		c.report()
		return cr, fails, nil
	}
	if err != nil {
		return cr, nil, err
	}
	cr.Dest = dc.Href
	batch := make([]Entry, 0, c.batchSize())
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := c.Ledger.Record(ctx, batch); err != nil {
			return fmt.Errorf("record copied items: %w", err)
		}
		batch = batch[:0]
		c.checkpoint(CheckpointRecorded)
		return nil
	}
	var fails, notes []Failure
	defer func() { c.notes = append(c.notes, notes...) }()
	// Contact groups are written after the collection's other items: a destination that
	// makes a group from its members (Google's labels) finds them copied.
	var pending, groups []Item
	for _, it := range todo {
		if prev, known := done[it.Href]; known && prev.ETag == it.ETag {
			cr.AlreadyDone++
			c.tally.item(it.Kind, false)
			continue
		}
		if isGroup(it) {
			groups = append(groups, it)
			continue
		}
		pending = append(pending, it)
	}
	c.report()
	var fatal error
	for _, phase := range [][]Item{pending, groups} {
		if fatal != nil || len(phase) == 0 {
			continue
		}
		fatal = c.writePhase(ctx, sc, dc, phase, done, &cr, &fails, &notes, &batch, flush)
	}
	if fatal == nil {
		fatal = ctx.Err()
	}
	if fatal != nil {
		return cr, fails, errors.Join(fatal, flush())
	}
	return cr, fails, flush()
}

// writePhase writes items on the workers and counts each outcome into cr, fails and
// notes, the written ones into batch (flushed when full); it returns what stops the pass.
func (c *Copier) writePhase(ctx context.Context, sc, dc Collection, items []Item, done map[string]Entry,
	cr *CollectionResult, fails, notes *[]Failure, batch *[]Entry, flush func() error) error {
	var fatal error
	var refused *RefusedError
	for o := range c.writeAll(ctx, sc, dc, items, done) {
		if fatal != nil {
			continue // draining what the other workers had under way
		}
		var note *NoteError
		if errors.As(o.err, &note) {
			*notes = append(*notes, failure(sc, o.it, note.Reason))
			o.err = nil
		}
		switch {
		case errors.As(o.err, &refused):
			*fails = append(*fails, failure(sc, o.it, refused.Reason))
			cr.Failed++
		case errors.Is(o.err, ErrChanged):
			*fails = append(*fails, failure(sc, o.it, "changed at the destination since Cutover copied it: left as it is there"))
			cr.Failed++
		case o.err != nil:
			fatal = o.err
			continue
		default:
			c.checkpoint(CheckpointWritten)
			*batch = append(*batch, o.e)
			switch {
			case o.known:
				cr.Updated++
			case o.e.Matched:
				cr.Matched++
			default:
				cr.Copied++
			}
			if len(*batch) == cap(*batch) {
				fatal = flush()
			}
		}
		c.tally.item(o.it.Kind, o.err != nil)
		c.report()
	}
	return fatal
}

// written is what became of one item.
type written struct {
	it    Item
	e     Entry
	known bool
	err   error
}

// writeAll writes the items on Workers goroutines and hands back each outcome as it
// comes; it stops handing out items when ctx ends or an outcome is a failure of the pass
// (the caller drains the channel). Items are independent: each has its own destination
// name, so their order does not matter.
func (c *Copier) writeAll(ctx context.Context, sc, dc Collection, items []Item, done map[string]Entry) <-chan written {
	ctx, cancel := context.WithCancel(ctx)
	work, out := make(chan Item), make(chan written)
	var wg sync.WaitGroup
	for range c.workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				prev, known := done[it.Href]
				e, err := c.write(ctx, sc, dc, it, prev, known)
				var refused *RefusedError
				var note *NoteError
				if err != nil && !errors.As(err, &refused) && !errors.As(err, &note) && !errors.Is(err, ErrChanged) {
					cancel() // the pass cannot go on: hand out nothing more
				}
				out <- written{it: it, e: e, known: known, err: err}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, it := range items {
			select {
			case work <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		cancel()
		close(out)
	}()
	return out
}

// write reads what the source leaves for the write (Filler) and puts the item; a note of
// the read joins the destination's.
func (c *Copier) write(ctx context.Context, sc, dc Collection, it Item, prev Entry, known bool) (e Entry, err error) {
	var filled *NoteError
	if f, ok := c.Source.(Filler); ok {
		full, err := f.Fill(ctx, sc, it)
		if !errors.As(err, &filled) && err != nil {
			return Entry{}, fmt.Errorf("read %s %q: %w", it.Kind, it.Summary, err)
		}
		it = full
	}
	e, err = c.put(ctx, dc, sc, it, prev, known)
	if filled == nil || err != nil && !errors.As(err, new(*NoteError)) {
		return e, err
	}
	var note *NoteError
	if errors.As(err, &note) {
		return e, &NoteError{Reason: filled.Reason + "; " + note.Reason}
	}
	return e, filled
}

// put writes one item at its destination href: a new item only where nothing is (a 412
// means an interrupted run wrote it: it is written over), a changed one over the version
// Cutover wrote.
func (c *Copier) put(ctx context.Context, dc, sc Collection, it Item, prev Entry, known bool) (e Entry, err error) {
	href := strings.TrimSuffix(dc.Href, "/") + "/" + itemName(it)
	e = Entry{Job: c.Job, Collection: sc.Href, Href: it.Href, ETag: it.ETag, UID: it.UID, Kind: it.Kind, DestCollection: dc.Href, DestHref: href}
	if known {
		e.DestHref, e.DestETag, err = c.Dest.Put(ctx, dc, prev.DestHref, it, prev.DestETag, prev.DestETag == "")
		return e, err
	}
	e.DestHref, e.DestETag, err = c.Dest.Put(ctx, dc, href, it, "", true)
	if errors.Is(err, ErrChanged) {
		e.DestHref, e.DestETag, err = c.Dest.Put(ctx, dc, href, it, "", false)
		e.Matched = true
	}
	return e, err
}

func failure(sc Collection, it Item, reason string) Failure {
	return Failure{Collection: sc.Href, Name: sc.Name, Href: it.Href, UID: it.UID, Kind: it.Kind, Summary: it.Summary, Reason: reason}
}

func (c *Copier) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return 4
}

func (c *Copier) batchSize() int {
	if c.BatchSize > 0 {
		return c.BatchSize
	}
	return 64
}

// itemName is the destination resource name of an item: derived from its UID only, so
// every run (and a run after a crash) writes the same item to the same place.
func itemName(it Item) string {
	ext := ".ics"
	if it.Kind == KindContact {
		ext = ".vcf"
	}
	name := safeSegment(it.UID)
	if name != it.UID || len(name) > 80 {
		name = "u-" + hashOf([]byte(it.UID))[:40]
	}
	return path.Clean(name) + ext
}
