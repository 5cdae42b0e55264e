package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PutSecret stores a sealed secret under ref (projectID 0 for none).
func (s *Store) PutSecret(ctx context.Context, ref string, projectID int64, sealed []byte) error {
	var pid any
	if projectID != 0 {
		pid = projectID
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO secret(ref, project_id, sealed, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(ref) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
		ref, pid, sealed, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("store secret %s: %w", ref, err)
	}
	return nil
}

// SecretBlob returns the sealed secret under ref, or nil when there is none.
func (s *Store) SecretBlob(ctx context.Context, ref string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT sealed FROM secret WHERE ref = ?`, ref).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secret %s: %w", ref, err)
	}
	return b, nil
}

// DeleteSecret removes the secret under ref.
func (s *Store) DeleteSecret(ctx context.Context, ref string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM secret WHERE ref = ?`, ref)
	if err != nil {
		return fmt.Errorf("delete secret %s: %w", ref, err)
	}
	return nil
}
