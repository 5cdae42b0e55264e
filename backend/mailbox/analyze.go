package mailbox

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
)

// FolderStats is the analysis of one source folder: what it holds and what the passes
// would copy, with where it goes.
type FolderStats struct {
	Folder
	Messages     int       `json:"messages"`
	Bytes        int64     `json:"bytes"`
	Oldest       time.Time `json:"oldest"`
	Newest       time.Time `json:"newest"`
	PreMessages  int       `json:"preMessages"`  // older than the cutoff, not copied yet
	PreBytes     int64     `json:"preBytes"`     //
	TodoMessages int       `json:"todoMessages"` // everything not copied yet (final pass)
	TodoBytes    int64     `json:"todoBytes"`    //
	// TooLarge are the messages not copied yet that are over the destination's message
	// size limit (its APPENDLIMIT, or its provider's): a pass reports them without
	// sending them.
	TooLarge []TooLarge `json:"tooLarge,omitempty"`
	Mapping  Mapping    `json:"mapping"`
}

// TooLarge is a message too large for the destination.
type TooLarge struct {
	UID     uint32    `json:"uid"`
	Subject string    `json:"subject"`
	Size    int64     `json:"size"`
	Date    time.Time `json:"date"`
	Limit   int64     `json:"limit"`
}

// Analyze lists every source folder with its counts, sizes, oldest and newest dates, and
// what a pre pass with opts.Cutoff and a final pass would copy, against the ledger.
func (c *Copier) Analyze(ctx context.Context, opts Options) ([]FolderStats, error) {
	s, err := c.connect(ctx, false)
	if err != nil {
		return nil, err
	}
	defer s.close()
	src, err := ListFolders(s.src)
	if err != nil {
		return nil, err
	}
	views, err := c.views(ctx, s, opts)
	if err != nil {
		return nil, err
	}
	views = append(views, unmapped(src, views)...)
	folders := map[string]Folder{}
	for _, f := range src {
		folders[f.Name] = f
	}
	limit := c.messageLimit(s.dst)
	var out []FolderStats
	for _, v := range views {
		f, ok := folders[v.m.Source]
		if !ok {
			f = Folder{Name: v.m.Source}
		}
		fs := FolderStats{Folder: f, Mapping: v.m}
		if f.NoSelect {
			out = append(out, fs)
			continue
		}
		st, err := c.scanSource(ctx, s.src, Mapping{Source: v.m.Source, Dest: v.m.Dest}, v.uids, Options{})
		if err != nil {
			return nil, err
		}
		for _, m := range st.msgs {
			fs.Messages++
			fs.Bytes += m.Size
			if fs.Oldest.IsZero() || m.Date.Before(fs.Oldest) {
				fs.Oldest = m.Date
			}
			if m.Date.After(fs.Newest) {
				fs.Newest = m.Date
			}
			if st.copied(m.UID) || fs.Mapping.Excluded {
				continue
			}
			fs.TodoMessages++
			fs.TodoBytes += m.Size
			if limit > 0 && m.Size > limit {
				fs.TooLarge = append(fs.TooLarge, TooLarge{UID: uint32(m.UID), Size: m.Size, Date: m.Date, Limit: limit})
			}
			if !opts.Cutoff.IsZero() && m.Date.Before(opts.Cutoff) {
				fs.PreMessages++
				fs.PreBytes += m.Size
			}
		}
		if err := subjects(s.src, fs.TooLarge); err != nil {
			return nil, fmt.Errorf("read the subjects of the messages too large in %q: %w", v.m.Source, err)
		}
		out = append(out, fs)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return folderLess(out[i].Name, out[j].Name)
		}
		return out[i].Mapping.Label < out[j].Mapping.Label
	})
	return out, nil
}

// unmapped are the source folders no view names (those that cannot be selected), so
// that the analysis lists every folder.
func unmapped(src []Folder, views []view) []view {
	named := map[string]bool{}
	for _, v := range views {
		named[v.m.Source] = true
	}
	var out []view
	for _, f := range src {
		if !named[f.Name] {
			out = append(out, view{m: Mapping{Source: f.Name}})
		}
	}
	return out
}

// subjects fills in the subjects of the listed messages of the selected folder.
func subjects(c *Conn, list []TooLarge) error {
	if len(list) == 0 {
		return nil
	}
	uids := make([]imap.UID, len(list))
	for i, m := range list {
		uids[i] = imap.UID(m.UID)
	}
	keys, err := messageKeys(c, uids)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Subject = keys[imap.UID(list[i].UID)].subject
	}
	return nil
}

// Plan lists the source and destination folders and maps them (a Gmail source by label).
func (c *Copier) Plan(ctx context.Context, rules []Rule) (src, dst []Folder, mapping []Mapping, err error) {
	s, err := c.connect(ctx, false)
	if err != nil {
		return nil, nil, nil, err
	}
	defer s.close()
	if src, err = ListFolders(s.src); err != nil {
		return nil, nil, nil, err
	}
	if dst, err = ListFolders(s.dst); err != nil {
		return nil, nil, nil, err
	}
	views, err := c.views(ctx, s, Options{Rules: rules})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, v := range views {
		mapping = append(mapping, v.m)
	}
	return src, dst, mapping, nil
}

// Missing is a source message not found at the destination.
type Missing struct {
	UID     uint32    `json:"uid"`
	Subject string    `json:"subject"`
	Date    time.Time `json:"date"`
	Size    int64     `json:"size"`
}

// FolderCheck is one folder verified: source and destination side by side.
type FolderCheck struct {
	Source         string    `json:"source"`
	Label          string    `json:"label,omitempty"` // the Gmail label of Source's messages checked
	Dest           string    `json:"dest"`
	SourceMessages int       `json:"sourceMessages"` // in scope
	DestMessages   int       `json:"destMessages"`
	Missing        []Missing `json:"missing"`
}

// Verify compares each mapped folder's messages in scope (all, or older than
// opts.Cutoff) with the destination folder's, counting copies by message identity: it
// does not trust the ledger, only what both servers show.
func (c *Copier) Verify(ctx context.Context, opts Options) ([]FolderCheck, error) {
	s, err := c.connect(ctx, false)
	if err != nil {
		return nil, err
	}
	defer s.close()
	views, err := c.views(ctx, s, opts)
	if err != nil {
		return nil, err
	}
	var out []FolderCheck
	for _, v := range views {
		if v.m.Excluded {
			continue
		}
		fc, err := verifyFolder(ctx, s, v, opts)
		if err != nil {
			return out, err
		}
		out = append(out, fc)
	}
	return out, nil
}

func verifyFolder(ctx context.Context, s *session, v view, opts Options) (FolderCheck, error) {
	m := v.m
	fc := FolderCheck{Source: m.Source, Label: m.Label, Dest: m.Dest, Missing: []Missing{}}
	if err := ctx.Err(); err != nil {
		return fc, err
	}
	var (
		srcMsgs  []srcMsg
		srcKeys  map[imap.UID]keyInfo
		dstCount = map[string]int{}
		wg       sync.WaitGroup
		srcErr   error
		dstErr   error
	)
	// Both sides at once: they are different servers.
	wg.Add(1)
	go func() {
		defer wg.Done()
		sel, err := s.src.Select(m.Source, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			srcErr = fmt.Errorf("examine %q on the source: %w", m.Source, err)
			return
		}
		if sel.NumMessages == 0 {
			return
		}
		var all []srcMsg
		if v.uids != nil {
			all, err = listUIDs(s.src, m.Source, v.uids)
		} else {
			all, err = listMessages(s.src, m.Source)
		}
		if err != nil {
			srcErr = err
			return
		}
		var uids []imap.UID
		for _, msg := range all {
			if !opts.Cutoff.IsZero() && !msg.Date.Before(opts.Cutoff) {
				continue
			}
			srcMsgs = append(srcMsgs, msg)
			uids = append(uids, msg.UID)
		}
		srcKeys, srcErr = messageKeys(s.src, uids)
	}()
	sel, err := s.dst.Select(m.Dest, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err == nil && sel.NumMessages > 0 {
		var dmsgs []srcMsg
		if dmsgs, err = listMessages(s.dst, m.Dest); err == nil {
			uids := make([]imap.UID, len(dmsgs))
			for i, d := range dmsgs {
				uids[i] = d.UID
			}
			var keys map[imap.UID]keyInfo
			if keys, err = messageKeys(s.dst, uids); err == nil {
				fc.DestMessages = len(dmsgs)
				for _, k := range keys {
					dstCount[k.key]++
				}
			}
		}
	} else if err != nil {
		// A destination folder that does not exist holds nothing: everything is missing.
		err = nil
	}
	dstErr = err
	wg.Wait()
	if srcErr != nil {
		return fc, srcErr
	}
	if dstErr != nil {
		return fc, fmt.Errorf("destination %q: %w", m.Dest, dstErr)
	}
	fc.SourceMessages = len(srcMsgs)
	for _, msg := range srcMsgs {
		k := srcKeys[msg.UID]
		if dstCount[k.key] > 0 {
			dstCount[k.key]--
			continue
		}
		fc.Missing = append(fc.Missing, Missing{UID: uint32(msg.UID), Subject: k.subject, Date: msg.Date, Size: msg.Size})
	}
	return fc, nil
}

// RunAll runs a pass over several mailboxes, concurrency of them at a time. done is
// called (from the copying goroutines) as each mailbox finishes.
func RunAll(ctx context.Context, copiers []*Copier, concurrency int, opts func(*Copier) Options, done func(*Copier, Result, error)) {
	if concurrency < 1 {
		concurrency = 1
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, c := range copiers {
		wg.Add(1)
		go func(c *Copier) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				done(c, Result{Job: c.Job}, ctx.Err())
				return
			}
			defer func() { <-sem }()
			res, err := c.Run(ctx, opts(c))
			done(c, res, err)
		}(c)
	}
	wg.Wait()
}
