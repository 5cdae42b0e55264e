package pim

import (
	"context"
	"fmt"
	"sort"
)

// Counts is how many items of each kind a collection holds.
type Counts struct {
	Contacts int `json:"contacts"`
	Events   int `json:"events"`
	Tasks    int `json:"tasks"`
	Journals int `json:"journals"`
}

// Add counts d items of kind k.
func (n *Counts) Add(k Kind, d int) {
	switch k {
	case KindContact:
		n.Contacts += d
	case KindEvent:
		n.Events += d
	case KindTask:
		n.Tasks += d
	case KindJournal:
		n.Journals += d
	}
}

// Total is every item counted.
func (n Counts) Total() int { return n.Contacts + n.Events + n.Tasks + n.Journals }

// CollectionStats is the analysis of one source collection: what it holds and what the
// passes would copy.
type CollectionStats struct {
	Collection
	Counts
	Pre  int `json:"pre"`  // in the pre pass's scope, not copied yet (or changed since)
	Todo int `json:"todo"` // everything not copied yet (or changed since): the final pass
}

// Analyze lists every source collection with its counts and what a pre pass with
// opts.Cutoff and a final pass would copy, against the ledger. It reads the source only.
func (c *Copier) Analyze(ctx context.Context, opts Options) ([]CollectionStats, error) {
	colls, err := c.Source.Collections(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the source's collections: %w", err)
	}
	var out []CollectionStats
	for _, sc := range colls {
		items, err := c.Source.Items(ctx, sc)
		if err != nil {
			return out, fmt.Errorf("read %s: %w", sc.Href, err)
		}
		done, err := c.Ledger.Copied(ctx, c.Job, sc.Href)
		if err != nil {
			return out, err
		}
		st := CollectionStats{Collection: sc}
		for _, it := range items {
			if !wanted(opts.Only, it.Kind) {
				continue
			}
			st.Add(it.Kind, 1)
			if e, ok := done[it.Href]; ok && e.ETag == it.ETag {
				continue
			}
			st.Todo++
			if it.InPrePass(opts.Cutoff) {
				st.Pre++
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// CollectionCheck compares a source collection with its destination collection.
type CollectionCheck struct {
	Source  string         `json:"source"`
	Dest    string         `json:"dest"`
	Name    string         `json:"name"`
	Type    CollectionType `json:"type"`
	SourceN Counts         `json:"sourceCounts"` // in scope
	DestN   Counts         `json:"destCounts"`
	Missing []Failure      `json:"missing"` // source items in scope whose UID the destination lacks
}

// Verify compares each source collection's items in scope (all, or the pre pass's with
// opts.Cutoff) with the destination collection's, by UID and kind: it does not trust the
// ledger, only what both sides show.
func (c *Copier) Verify(ctx context.Context, opts Options) ([]CollectionCheck, error) {
	colls, err := c.Source.Collections(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the source's collections: %w", err)
	}
	var out []CollectionCheck
	for _, sc := range colls {
		items, err := c.Source.Items(ctx, sc)
		if err != nil {
			return out, fmt.Errorf("read %s: %w", sc.Href, err)
		}
		cc := CollectionCheck{Source: sc.Href, Name: sc.Name, Type: sc.Type, Missing: []Failure{}}
		dc, err := c.Dest.Target(sc)
		var have map[string]bool
		if err == nil {
			cc.Dest = dc.Href
			dItems, err := c.Dest.Items(ctx, dc)
			if err != nil {
				return out, fmt.Errorf("read %s at the destination: %w", dc.Href, err)
			}
			have = map[string]bool{}
			for _, it := range dItems {
				if wanted(opts.Only, it.Kind) {
					cc.DestN.Add(it.Kind, 1)
					have[it.UID] = true
				}
			}
		}
		for _, it := range items {
			if !wanted(opts.Only, it.Kind) || (!opts.Cutoff.IsZero() && !it.InPrePass(opts.Cutoff)) {
				continue
			}
			cc.SourceN.Add(it.Kind, 1)
			if !have[it.UID] {
				cc.Missing = append(cc.Missing, failure(sc, it, "not at the destination"))
			}
		}
		sort.Slice(cc.Missing, func(i, j int) bool { return cc.Missing[i].Summary < cc.Missing[j].Summary })
		out = append(out, cc)
	}
	return out, nil
}
