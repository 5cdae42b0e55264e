package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cutover/backend/pim"
)

// PIMLedger is the ledger of copied contacts, events, tasks and journals (pim.Ledger).
type PIMLedger struct{ s *Store }

// PIMLedger returns the ledger of copied contacts, calendars and tasks.
func (s *Store) PIMLedger() *PIMLedger { return &PIMLedger{s: s} }

// Copied returns the entries of a source collection, by source href.
func (l *PIMLedger) Copied(ctx context.Context, job, collection string) (map[string]pim.Entry, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT href, etag, uid, kind, dest_collection, dest_href, dest_etag, matched
		FROM pim_ledger WHERE job = ? AND collection = ?`, job, collection)
	if err != nil {
		return nil, fmt.Errorf("read the ledger of %q: %w", collection, err)
	}
	defer rows.Close()
	out := map[string]pim.Entry{}
	for rows.Next() {
		e := pim.Entry{Job: job, Collection: collection}
		if err := rows.Scan(&e.Href, &e.ETag, &e.UID, &e.Kind, &e.DestCollection, &e.DestHref, &e.DestETag, &e.Matched); err != nil {
			return nil, fmt.Errorf("read the ledger of %q: %w", collection, err)
		}
		out[e.Href] = e
	}
	return out, rows.Err()
}

// Record writes a batch of entries in one transaction.
func (l *PIMLedger) Record(ctx context.Context, entries []pim.Entry) error {
	now := fmtTime(l.s.now())
	return l.s.Tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO pim_ledger(job, collection, href, etag, uid, kind, dest_collection, dest_href, dest_etag, matched, copied_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(job, collection, href) DO UPDATE SET etag = excluded.etag, uid = excluded.uid, kind = excluded.kind,
			dest_collection = excluded.dest_collection, dest_href = excluded.dest_href, dest_etag = excluded.dest_etag,
			matched = excluded.matched, copied_at = excluded.copied_at`)
		if err != nil {
			return fmt.Errorf("record copied items: %w", err)
		}
		defer st.Close()
		for _, e := range entries {
			if _, err := st.ExecContext(ctx, e.Job, e.Collection, e.Href, e.ETag, e.UID, string(e.Kind), e.DestCollection, e.DestHref, e.DestETag, e.Matched, now); err != nil {
				return fmt.Errorf("record copied item %s: %w", e.Href, err)
			}
		}
		return nil
	})
}

// PIMSetting is where a project's contacts, calendars and tasks live.
type PIMSetting struct {
	SourceURL string `json:"sourceUrl"`
	DestURL   string `json:"destUrl"`
	// SourceKind and DestKind are "graph", "google" or "dav"; "" is DAV with a URL,
	// else the project's provider's default. For graph and google the URL is the API's base ("" for the
	// real service's).
	SourceKind string `json:"sourceKind,omitempty"`
	DestKind   string `json:"destKind,omitempty"`
}

// The kind of a side is kept in its URL column as "graph:" or "google:" before the
// base URL, or "dav:" for DAV chosen without a URL yet: a DAV address never starts so
// (it is https://, http:// or a bare domain), and no migration is needed.
func packPIMSide(kind, u string) string {
	if kind == "graph" || kind == "google" || (kind == "dav" && u == "") {
		return kind + ":" + u
	}
	return u
}

func unpackPIMSide(v string) (kind, u string) {
	for _, k := range []string{"graph", "google", "dav"} {
		if rest, ok := strings.CutPrefix(v, k+":"); ok && !strings.HasPrefix(rest, "//") {
			return k, rest
		}
	}
	return "", v
}

// PIMSetting returns the project's DAV addresses (empty when none were set).
func (s *Store) PIMSetting(ctx context.Context, projectID int64) (PIMSetting, error) {
	var out PIMSetting
	err := s.db.QueryRowContext(ctx, `SELECT source_url, dest_url FROM pim_setting WHERE project_id = ?`, projectID).Scan(&out.SourceURL, &out.DestURL)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read the contacts and calendars settings: %w", err)
	}
	out.SourceKind, out.SourceURL = unpackPIMSide(out.SourceURL)
	out.DestKind, out.DestURL = unpackPIMSide(out.DestURL)
	return out, nil
}

// SetPIMSetting stores the project's DAV addresses.
func (s *Store) SetPIMSetting(ctx context.Context, projectID int64, v PIMSetting) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO pim_setting(project_id, source_url, dest_url, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(project_id) DO UPDATE SET source_url = excluded.source_url, dest_url = excluded.dest_url, updated_at = excluded.updated_at`,
		projectID, packPIMSide(v.SourceKind, v.SourceURL), packPIMSide(v.DestKind, v.DestURL), fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("save the contacts and calendars settings: %w", err)
	}
	return nil
}

// PIMCopied counts the items in the ledger of each job under prefix, by kind: what has
// been copied of each mailbox.
func (l *PIMLedger) PIMCopied(ctx context.Context, prefix string) (map[string]pim.Counts, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT job, kind, COUNT(*) FROM pim_ledger WHERE substr(job, 1, ?) = ? GROUP BY job, kind`, len(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("count copied items: %w", err)
	}
	defer rows.Close()
	out := map[string]pim.Counts{}
	for rows.Next() {
		var job, kind string
		var n int
		if err := rows.Scan(&job, &kind, &n); err != nil {
			return nil, err
		}
		c := out[job]
		c.Add(pim.Kind(kind), n)
		out[job] = c
	}
	return out, rows.Err()
}

// PIMRun is the last contacts/calendars pass or file import of a mailbox.
type PIMRun struct {
	SourceLogin string        `json:"sourceLogin"`
	Pass        string        `json:"pass"`
	State       string        `json:"state"`
	Error       string        `json:"error,omitempty"`
	Copied      int           `json:"copied"`
	Updated     int           `json:"updated"`
	Matched     int           `json:"matched"`
	Failed      int           `json:"failed"`
	Failures    []pim.Failure `json:"failures"`
	Notes       []pim.Failure `json:"notes"`
	Finished    time.Time     `json:"finished"`
}

// RecordPIMRun keeps a mailbox's last run, replacing the one before.
func (s *Store) RecordPIMRun(ctx context.Context, projectID int64, r PIMRun) error {
	fails, _ := json.Marshal(orEmpty(r.Failures))
	notes, _ := json.Marshal(orEmpty(r.Notes))
	_, err := s.db.ExecContext(ctx, `INSERT INTO pim_run(project_id, source_login, pass, state, error, copied, updated, matched, failed, failures, notes, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, source_login) DO UPDATE SET pass = excluded.pass, state = excluded.state, error = excluded.error,
		copied = excluded.copied, updated = excluded.updated, matched = excluded.matched, failed = excluded.failed,
		failures = excluded.failures, notes = excluded.notes, finished_at = excluded.finished_at`,
		projectID, r.SourceLogin, r.Pass, r.State, r.Error, r.Copied, r.Updated, r.Matched, r.Failed, string(fails), string(notes), fmtTime(r.Finished))
	if err != nil {
		return fmt.Errorf("record the contacts and calendars pass of %q: %w", r.SourceLogin, err)
	}
	return nil
}

func orEmpty(f []pim.Failure) []pim.Failure {
	if f == nil {
		return []pim.Failure{}
	}
	return f
}

// PIMRuns returns the last run of each mailbox of a project, by lower-case source login.
func (s *Store) PIMRuns(ctx context.Context, projectID int64) (map[string]PIMRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source_login, pass, state, error, copied, updated, matched, failed, failures, notes, finished_at
		FROM pim_run WHERE project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read the contacts and calendars passes: %w", err)
	}
	defer rows.Close()
	out := map[string]PIMRun{}
	for rows.Next() {
		var r PIMRun
		var fails, notes, finished string
		if err := rows.Scan(&r.SourceLogin, &r.Pass, &r.State, &r.Error, &r.Copied, &r.Updated, &r.Matched, &r.Failed, &fails, &notes, &finished); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(fails), &r.Failures)
		json.Unmarshal([]byte(notes), &r.Notes)
		r.Finished = parseTime(finished)
		out[strings.ToLower(r.SourceLogin)] = r
	}
	return out, rows.Err()
}
