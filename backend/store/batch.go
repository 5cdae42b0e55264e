package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cutover/backend/batch"
)

const batchColumns = `b.id, b.source_login, b.dest_login, b.name, b.enabled,
	EXISTS (SELECT 1 FROM secret WHERE ref = 'batch/' || b.id || '/source'),
	EXISTS (SELECT 1 FROM secret WHERE ref = 'batch/' || b.id || '/dest')`

func scanBatch(row interface{ Scan(...any) error }) (batch.Entry, error) {
	var e batch.Entry
	err := row.Scan(&e.ID, &e.SourceLogin, &e.DestLogin, &e.Name, &e.Enabled, &e.HasSourcePassword, &e.HasDestPassword)
	return e, err
}

// Batch lists a project's batch entries in the order they were added.
func (s *Store) Batch(ctx context.Context, projectID int64) ([]batch.Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+batchColumns+` FROM batch_entry b WHERE b.project_id = ? ORDER BY b.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list batch: %w", err)
	}
	defer rows.Close()
	var out []batch.Entry
	for rows.Next() {
		e, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("list batch: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// BatchEntry returns the entry of a project whose source login is login.
func (s *Store) BatchEntry(ctx context.Context, projectID int64, sourceLogin string) (batch.Entry, error) {
	e, err := scanBatch(s.db.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batch_entry b WHERE b.project_id = ? AND b.source_login = ?`, projectID, sourceLogin))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("batch entry %q: %w", sourceLogin, ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("read batch entry %q: %w", sourceLogin, err)
	}
	return e, nil
}

// PutBatchEntry adds the entry keyed by its source login, or updates the one already there.
// It reports whether the entry was added.
func (s *Store) PutBatchEntry(ctx context.Context, projectID int64, in batch.Input) (batch.Entry, bool, error) {
	now := fmtTime(time.Now())
	enabled := in.Enabled == nil || *in.Enabled
	var added bool
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batch_entry SET dest_login = ?, name = ?, enabled = ?, updated_at = ?
			WHERE project_id = ? AND source_login = ?`, in.DestLogin, in.Name, enabled, now, projectID, in.SourceLogin)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				added = true
				_, err = tx.ExecContext(ctx, `INSERT INTO batch_entry(project_id, source_login, dest_login, name, enabled, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, projectID, in.SourceLogin, in.DestLogin, in.Name, enabled, now, now)
			}
		}
		if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: batch_entry.project_id, batch_entry.dest_login") {
			return fmt.Errorf("destination login %q is already in the batch for another source mailbox: %w", in.DestLogin, ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store batch entry %q: %w", in.SourceLogin, err)
		}
		return nil
	})
	if err != nil {
		return batch.Entry{}, false, err
	}
	e, err := s.BatchEntry(ctx, projectID, in.SourceLogin)
	return e, added, err
}

// RemoveBatchEntry deletes the entry of a project whose source login is login, with its passwords.
func (s *Store) RemoveBatchEntry(ctx context.Context, projectID int64, sourceLogin string) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM batch_entry WHERE project_id = ? AND source_login = ?`, projectID, sourceLogin).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("batch entry %q: %w", sourceLogin, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM secret WHERE ref IN (?, ?)`, batch.SecretRef(id, "source"), batch.SecretRef(id, "dest")); err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM batch_entry WHERE id = ?`, id); err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		return nil
	})
}
