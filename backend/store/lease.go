package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lease is a mailbox's copy lease as stored.
type Lease struct {
	SourceLogin string
	Owner       string
	Taken       time.Time
	Renewed     time.Time
}

// LeaseHeldError says a mailbox is being copied by another owner.
type LeaseHeldError struct{ Lease Lease }

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("mailbox %s is being copied by another Cutover (%s, since %s): wait for that pass or stop it",
		e.Lease.SourceLogin, e.Lease.Owner, e.Lease.Taken.Local().Format("15:04:05"))
}

// TakeMailLeases gives owner the leases of every login, all or none: a lease held by
// another owner is taken over only when stale(lease) says its owner is gone.
func (s *Store) TakeMailLeases(ctx context.Context, projectID int64, logins []string, owner string, now time.Time, stale func(Lease) bool) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		for _, login := range logins {
			var l Lease
			var taken, renewed string
			err := tx.QueryRowContext(ctx, `SELECT source_login, owner, taken_at, renewed_at FROM mail_lease WHERE project_id = ? AND source_login = ?`,
				projectID, login).Scan(&l.SourceLogin, &l.Owner, &taken, &renewed)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("read the lease of %s: %w", login, err)
			default:
				l.Taken, l.Renewed = parseTime(taken), parseTime(renewed)
				if l.Owner != owner && !stale(l) {
					return &LeaseHeldError{Lease: l}
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_lease(project_id, source_login, owner, taken_at, renewed_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT(project_id, source_login) DO UPDATE SET owner = excluded.owner, taken_at = excluded.taken_at, renewed_at = excluded.renewed_at`,
				projectID, login, owner, fmtTime(now), fmtTime(now)); err != nil {
				return fmt.Errorf("take the lease of %s: %w", login, err)
			}
		}
		return nil
	})
}

// RenewMailLeases marks owner's leases as alive at now.
func (s *Store) RenewMailLeases(ctx context.Context, projectID int64, owner string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE mail_lease SET renewed_at = ? WHERE project_id = ? AND owner = ?`, fmtTime(now), projectID, owner); err != nil {
		return fmt.Errorf("renew mailbox leases: %w", err)
	}
	return nil
}

// ReleaseMailLease gives up owner's lease of a mailbox.
func (s *Store) ReleaseMailLease(ctx context.Context, projectID int64, login, owner string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM mail_lease WHERE project_id = ? AND source_login = ? AND owner = ?`, projectID, login, owner); err != nil {
		return fmt.Errorf("release the lease of %s: %w", login, err)
	}
	return nil
}
