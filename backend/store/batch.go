package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"cutover/backend/batch"
)

const batchColumns = `b.id, b.source_login, b.dest_login, b.name, b.enabled,
	EXISTS (SELECT 1 FROM secret WHERE ref = 'batch/' || b.id || '/source'),
	EXISTS (SELECT 1 FROM secret WHERE ref = 'batch/' || b.id || '/dest')`

// An entry that leaves the batch while a user has its destination (taken out, or pointed
// at another mailbox) is kept as a removed entry, so that the user keeps its source login:
// the batch entry is the one place that holds it. Lists of the batch, copy passes and the
// uniqueness of logins see only the entries in the batch (removed_at IS NULL).

func scanBatch(row interface{ Scan(...any) error }) (batch.Entry, error) {
	var e batch.Entry
	err := row.Scan(&e.ID, &e.SourceLogin, &e.DestLogin, &e.Name, &e.Enabled, &e.HasSourcePassword, &e.HasDestPassword)
	return e, err
}

// Batch lists a project's batch entries in the order they were added.
func (s *Store) Batch(ctx context.Context, projectID int64) ([]batch.Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+batchColumns+` FROM batch_entry b WHERE b.project_id = ? AND b.removed_at IS NULL ORDER BY b.id`, projectID)
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
	e, err := scanBatch(s.db.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batch_entry b WHERE b.project_id = ? AND b.source_login = ? AND b.removed_at IS NULL`, projectID, sourceLogin))
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
	now := fmtTime(s.now())
	enabled := in.Enabled == nil || *in.Enabled
	var added bool
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batch_entry b
			WHERE b.project_id = ? AND b.source_login = ? AND b.removed_at IS NULL`, projectID, in.SourceLogin))
		if err == nil && !strings.EqualFold(old.DestLogin, in.DestLogin) {
			err = keepForUser(ctx, tx, projectID, old, now)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store batch entry %q: %w", in.SourceLogin, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE batch_entry SET dest_login = ?, name = ?, enabled = ?, updated_at = ?
			WHERE project_id = ? AND source_login = ? AND removed_at IS NULL`, in.DestLogin, in.Name, enabled, now, projectID, in.SourceLogin)
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
		return forgetReplaced(ctx, tx, projectID)
	})
	if err != nil {
		return batch.Entry{}, false, err
	}
	e, err := s.BatchEntry(ctx, projectID, in.SourceLogin)
	return e, added, err
}

// RemoveBatchEntry takes the entry of a project whose source login is login out of the
// batch and deletes its passwords; the user at its destination, if any, keeps the login.
func (s *Store) RemoveBatchEntry(ctx context.Context, projectID int64, sourceLogin string) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		e, err := scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batch_entry b
			WHERE b.project_id = ? AND b.source_login = ? AND b.removed_at IS NULL`, projectID, sourceLogin))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("batch entry %q: %w", sourceLogin, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM secret WHERE ref IN (?, ?)`, batch.SecretRef(e.ID, "source"), batch.SecretRef(e.ID, "dest")); err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM batch_entry WHERE id = ?`, e.ID); err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		if err := keepForUser(ctx, tx, projectID, e, fmtTime(s.now())); err != nil {
			return fmt.Errorf("remove batch entry %q: %w", sourceLogin, err)
		}
		return nil
	})
}

// keepForUser records, for the user whose address is e's destination (if there is one),
// that e left the batch: a removed entry with e's source login, so that the user keeps it.
func keepForUser(ctx context.Context, tx *sql.Tx, projectID int64, e batch.Entry, now string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM batch_entry WHERE project_id = ? AND dest_login = ? AND removed_at IS NOT NULL`,
		projectID, e.DestLogin); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO batch_entry(project_id, source_login, dest_login, name, enabled, removed_at, created_at, updated_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM person WHERE project_id = ? AND address = ?)`,
		projectID, e.SourceLogin, e.DestLogin, e.Name, e.Enabled, now, now, now, projectID, e.DestLogin)
	return err
}

// forgetReplaced deletes the removed entries of users whose mailbox is back in the batch:
// the entry in the batch holds their login now.
func forgetReplaced(ctx context.Context, tx *sql.Tx, projectID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM batch_entry WHERE project_id = ? AND removed_at IS NOT NULL
		AND dest_login IN (SELECT dest_login FROM batch_entry WHERE project_id = ? AND removed_at IS NULL)`, projectID, projectID)
	if err != nil {
		return fmt.Errorf("forget the removed entries put back in the batch: %w", err)
	}
	return nil
}
