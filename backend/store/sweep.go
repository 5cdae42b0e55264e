package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sweep is a project's sweep schedule.
type Sweep struct {
	SwitchAt  time.Time `json:"switchAt"`
	Until     time.Time `json:"until"`
	StartedAt time.Time `json:"startedAt"`
	StoppedAt time.Time `json:"stoppedAt"` // zero while it goes on
}

// SweepRun is one sweep over the batch.
type SweepRun struct {
	ID         int64     `json:"id"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"` // zero while it runs (or when it was cut short)
	Copied     int       `json:"copied"`
	Failed     int       `json:"failed"`
	Errors     int       `json:"errors"`
	Error      string    `json:"error,omitempty"`
}

// PutSweep starts (or restarts) a project's sweeps.
func (s *Store) PutSweep(ctx context.Context, projectID int64, sw Sweep) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sweep(project_id, switch_at, until, started_at, stopped_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(project_id) DO UPDATE SET switch_at = excluded.switch_at, until = excluded.until,
			started_at = excluded.started_at, stopped_at = excluded.stopped_at`,
		projectID, fmtTime(sw.SwitchAt), fmtTime(sw.Until), fmtTime(sw.StartedAt), fmtTime(sw.StoppedAt))
	if err != nil {
		return fmt.Errorf("store the sweeps: %w", err)
	}
	return nil
}

// Sweep returns a project's sweep schedule; ErrNotFound when sweeps were never started.
func (s *Store) Sweep(ctx context.Context, projectID int64) (Sweep, error) {
	var sw Sweep
	var switchAt, until, started, stopped string
	err := s.db.QueryRowContext(ctx, `SELECT switch_at, until, started_at, stopped_at FROM sweep WHERE project_id = ?`, projectID).
		Scan(&switchAt, &until, &started, &stopped)
	if errors.Is(err, sql.ErrNoRows) {
		return sw, ErrNotFound
	}
	if err != nil {
		return sw, fmt.Errorf("read the sweeps: %w", err)
	}
	sw.SwitchAt, sw.Until, sw.StartedAt, sw.StoppedAt = parseTime(switchAt), parseTime(until), parseTime(started), parseTime(stopped)
	return sw, nil
}

// StartSweepRun records a sweep beginning.
func (s *Store) StartSweepRun(ctx context.Context, projectID int64, at time.Time) (SweepRun, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO sweep_run(project_id, started_at) VALUES (?, ?)`, projectID, fmtTime(at))
	if err != nil {
		return SweepRun{}, fmt.Errorf("record a sweep: %w", err)
	}
	id, err := res.LastInsertId()
	return SweepRun{ID: id, StartedAt: at}, err
}

// FinishSweepRun records what a sweep found.
func (s *Store) FinishSweepRun(ctx context.Context, r SweepRun) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sweep_run SET finished_at = ?, copied = ?, failed = ?, errors = ?, error = ? WHERE id = ?`,
		fmtTime(r.FinishedAt), r.Copied, r.Failed, r.Errors, r.Error, r.ID)
	if err != nil {
		return fmt.Errorf("record a sweep: %w", err)
	}
	return nil
}

// SweepRuns returns a project's sweeps, the newest first.
func (s *Store) SweepRuns(ctx context.Context, projectID int64) ([]SweepRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, finished_at, copied, failed, errors, error FROM sweep_run
		WHERE project_id = ? ORDER BY started_at DESC, id DESC`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read the sweeps: %w", err)
	}
	defer rows.Close()
	out := []SweepRun{}
	for rows.Next() {
		var r SweepRun
		var started, finished string
		if err := rows.Scan(&r.ID, &started, &finished, &r.Copied, &r.Failed, &r.Errors, &r.Error); err != nil {
			return nil, err
		}
		r.StartedAt, r.FinishedAt = parseTime(started), parseTime(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}
