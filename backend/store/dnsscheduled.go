package store

import (
	"context"
	"fmt"
	"time"
)

// DNSScheduled is a DNS change confirmed ahead of time, to be made at At.
type DNSScheduled struct {
	ID          int64     `json:"id"`
	Project     string    `json:"project,omitempty"` // filled by DueDNSScheduled
	Kind        string    `json:"kind"`
	Fingerprint string    `json:"fingerprint"`
	Diff        string    `json:"diff"`
	At          time.Time `json:"at"`
	Created     time.Time `json:"created"`
	State       string    `json:"state"` // pending, applied, partial, failed, refused, cancelled
	ChangeID    int64     `json:"changeId,omitempty"`
	Error       string    `json:"error,omitempty"`
}

// AddDNSScheduled stores a confirmed change to make later.
func (s *Store) AddDNSScheduled(ctx context.Context, projectID int64, d DNSScheduled) (DNSScheduled, error) {
	d.Created, d.State = s.now(), "pending"
	res, err := s.db.ExecContext(ctx, `INSERT INTO dns_scheduled(project_id, kind, fingerprint, diff, at, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		projectID, d.Kind, d.Fingerprint, d.Diff, fmtTime(d.At), fmtTime(d.Created), d.State)
	if err != nil {
		return d, fmt.Errorf("schedule the DNS change: %w", err)
	}
	d.ID, err = res.LastInsertId()
	return d, err
}

// FinishDNSScheduled records what became of a scheduled change.
func (s *Store) FinishDNSScheduled(ctx context.Context, projectID, id int64, state string, changeID int64, errText string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE dns_scheduled SET state = ?, change_id = ?, error = ? WHERE id = ? AND project_id = ? AND state = 'pending'`,
		state, changeID, errText, id, projectID)
	if err != nil {
		return fmt.Errorf("record the scheduled DNS change: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DNSScheduledList lists a project's scheduled changes, the latest first.
func (s *Store) DNSScheduledList(ctx context.Context, projectID int64) ([]DNSScheduled, error) {
	return s.dnsScheduled(ctx, `WHERE d.project_id = ? ORDER BY d.at DESC, d.id DESC`, projectID)
}

// DueDNSScheduled lists the pending changes of every project due at now, the earliest first.
func (s *Store) DueDNSScheduled(ctx context.Context, now time.Time) ([]DNSScheduled, error) {
	return s.dnsScheduled(ctx, `WHERE d.state = 'pending' AND d.at <= ? ORDER BY d.at, d.id`, fmtTime(now))
}

func (s *Store) dnsScheduled(ctx context.Context, where string, args ...any) ([]DNSScheduled, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, p.name, d.kind, d.fingerprint, d.diff, d.at, d.created_at, d.state, d.change_id, d.error
		FROM dns_scheduled d JOIN project p ON p.id = d.project_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read the scheduled DNS changes: %w", err)
	}
	defer rows.Close()
	out := []DNSScheduled{}
	for rows.Next() {
		var d DNSScheduled
		var at, created string
		if err := rows.Scan(&d.ID, &d.Project, &d.Kind, &d.Fingerprint, &d.Diff, &at, &created, &d.State, &d.ChangeID, &d.Error); err != nil {
			return nil, err
		}
		d.At, d.Created = parseTime(at), parseTime(created)
		out = append(out, d)
	}
	return out, rows.Err()
}
