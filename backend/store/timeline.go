package store

import (
	"context"
	"fmt"
	"time"

	"cutover/backend/timeline"
)

// StepStates returns the stored state of a project's steps, by step key.
func (s *Store) StepStates(ctx context.Context, projectID int64) (map[string]timeline.State, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, status, due_at, by_whom, at, note FROM step WHERE project_id=?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read steps: %w", err)
	}
	defer rows.Close()
	out := map[string]timeline.State{}
	for rows.Next() {
		var key, status, due, at string
		var st timeline.State
		if err := rows.Scan(&key, &status, &due, &st.By, &at, &st.Note); err != nil {
			return nil, fmt.Errorf("read step: %w", err)
		}
		st.Status, st.Due, st.At = timeline.Status(status), parseTime(due), parseTime(at)
		out[key] = st
	}
	return out, rows.Err()
}

// PutStepState records a step's status.
func (s *Store) PutStepState(ctx context.Context, projectID int64, key string, st timeline.State) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO step(project_id, key, status, due_at, by_whom, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, key) DO UPDATE SET status=excluded.status, due_at=excluded.due_at, by_whom=excluded.by_whom, at=excluded.at, note=excluded.note`,
		projectID, key, string(st.Status), fmtTime(st.Due), st.By, fmtTime(st.At), st.Note)
	if err != nil {
		return fmt.Errorf("store step %s: %w", key, err)
	}
	return nil
}

// ContactEntry is one contact with the customer.
type ContactEntry struct {
	ID      int64     `json:"id"`
	StepKey string    `json:"step,omitempty"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	Summary string    `json:"summary"`
}

// AddContact appends to a project's contact log.
func (s *Store) AddContact(ctx context.Context, projectID int64, c ContactEntry) (ContactEntry, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO contact_log(project_id, step_key, at, channel, summary) VALUES (?, ?, ?, ?, ?)`,
		projectID, c.StepKey, fmtTime(c.At), c.Channel, c.Summary)
	if err != nil {
		return c, fmt.Errorf("store contact: %w", err)
	}
	c.ID, _ = res.LastInsertId()
	return c, nil
}

// ContactLog lists a project's contacts, oldest first.
func (s *Store) ContactLog(ctx context.Context, projectID int64) ([]ContactEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, step_key, at, channel, summary FROM contact_log WHERE project_id=? ORDER BY at, id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read contact log: %w", err)
	}
	defer rows.Close()
	out := []ContactEntry{}
	for rows.Next() {
		var c ContactEntry
		var at string
		if err := rows.Scan(&c.ID, &c.StepKey, &at, &c.Channel, &c.Summary); err != nil {
			return nil, fmt.Errorf("read contact: %w", err)
		}
		c.At = parseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// LogEvent appends to the event log (projectID 0 for none).
func (s *Store) LogEvent(ctx context.Context, projectID int64, kind, message string) error {
	var pid any
	if projectID != 0 {
		pid = projectID
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO event_log(project_id, at, kind, message) VALUES (?, ?, ?, ?)`, pid, fmtTime(s.now()), kind, message)
	if err != nil {
		return fmt.Errorf("log event: %w", err)
	}
	return nil
}
