package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
		st.Note, st.Evidence = decodeNote(st.Note)
		out[key] = st
	}
	return out, rows.Err()
}

// PutStepState records a step's status.
func (s *Store) PutStepState(ctx context.Context, projectID int64, key string, st timeline.State) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO step(project_id, key, status, due_at, by_whom, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, key) DO UPDATE SET status=excluded.status, due_at=excluded.due_at, by_whom=excluded.by_whom, at=excluded.at, note=excluded.note`,
		projectID, key, string(st.Status), fmtTime(st.Due), st.By, fmtTime(st.At), encodeNote(st.Note, st.Evidence))
	if err != nil {
		return fmt.Errorf("store step %s: %w", key, err)
	}
	return nil
}

// evidencePrefix starts a note or contact summary Cutover wrote itself: the rest is a
// JSON object of the English sentence and the evidence it words (timeline.Evidence),
// so documents can word it in their own language. It lives in the text column so that
// no schema change is needed; a typed note never starts with it.
const evidencePrefix = "cutover-evidence:"

type evidenceNote struct {
	Note     string             `json:"note"`
	Evidence *timeline.Evidence `json:"evidence"`
}

func encodeNote(note string, ev *timeline.Evidence) string {
	if ev == nil {
		return note
	}
	b, err := json.Marshal(evidenceNote{note, ev})
	if err != nil {
		return note // a plain struct of strings and numbers: cannot happen
	}
	return evidencePrefix + string(b)
}

// decodeNote splits a stored note into its sentence and evidence; a note that does not
// decode is shown as stored.
func decodeNote(stored string) (string, *timeline.Evidence) {
	rest, ok := strings.CutPrefix(stored, evidencePrefix)
	if !ok {
		return stored, nil
	}
	var n evidenceNote
	if err := json.Unmarshal([]byte(rest), &n); err != nil {
		return stored, nil
	}
	return n.Note, n.Evidence
}

// ContactEntry is one contact with the customer.
type ContactEntry struct {
	ID      int64     `json:"id"`
	StepKey string    `json:"step,omitempty"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	Summary string    `json:"summary"`
	// Evidence is set when Cutover wrote the summary itself (a message it sent).
	Evidence *timeline.Evidence `json:"evidence,omitempty"`
}

// AddContact appends to a project's contact log.
func (s *Store) AddContact(ctx context.Context, projectID int64, c ContactEntry) (ContactEntry, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO contact_log(project_id, step_key, at, channel, summary) VALUES (?, ?, ?, ?, ?)`,
		projectID, c.StepKey, fmtTime(c.At), c.Channel, encodeNote(c.Summary, c.Evidence))
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
		c.Summary, c.Evidence = decodeNote(c.Summary)
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
