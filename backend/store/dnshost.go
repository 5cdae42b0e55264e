package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DNSHost is how Cutover reaches a project's zone at its DNS host (package dnsupdate),
// without the secret, which the vault keeps.
type DNSHost struct {
	Kind      string    `json:"kind"` // rfc2136 or cloudflare
	Zone      string    `json:"zone"`
	Server    string    `json:"server,omitempty"`
	KeyName   string    `json:"keyName,omitempty"`
	Algorithm string    `json:"algorithm,omitempty"`
	ZoneID    string    `json:"zoneId,omitempty"`
	APIURL    string    `json:"apiUrl,omitempty"`
	Updated   time.Time `json:"updated"`
}

// PutDNSHost stores a project's DNS host.
func (s *Store) PutDNSHost(ctx context.Context, projectID int64, h DNSHost) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO dns_host(project_id, kind, zone, server, key_name, algorithm, zone_id, api_url, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id) DO UPDATE SET kind = excluded.kind, zone = excluded.zone, server = excluded.server,
			key_name = excluded.key_name, algorithm = excluded.algorithm, zone_id = excluded.zone_id,
			api_url = excluded.api_url, updated_at = excluded.updated_at`,
		projectID, h.Kind, h.Zone, h.Server, h.KeyName, h.Algorithm, h.ZoneID, h.APIURL, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("store the DNS host: %w", err)
	}
	return nil
}

// DNSHost returns a project's DNS host; ErrNotFound when none is set.
func (s *Store) DNSHost(ctx context.Context, projectID int64) (DNSHost, error) {
	var h DNSHost
	var updated string
	err := s.db.QueryRowContext(ctx, `SELECT kind, zone, server, key_name, algorithm, zone_id, api_url, updated_at
		FROM dns_host WHERE project_id = ?`, projectID).
		Scan(&h.Kind, &h.Zone, &h.Server, &h.KeyName, &h.Algorithm, &h.ZoneID, &h.APIURL, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("DNS host: %w", ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("read the DNS host: %w", err)
	}
	h.Updated = parseTime(updated)
	return h, nil
}

// DNSChange is a change made (or tried) at a project's DNS host.
type DNSChange struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	Kind        string    `json:"kind"` // lower, switch, rollback
	Fingerprint string    `json:"fingerprint"`
	Diff        string    `json:"diff"`
	Snapshot    []byte    `json:"-"`     // JSON: the records it replaced
	State       string    `json:"state"` // applying, applied, partial, failed
	Error       string    `json:"error,omitempty"`
	Undoes      int64     `json:"undoes,omitempty"`   // a rollback: the change it undoes
	UndoneBy    int64     `json:"undoneBy,omitempty"` // the rollback that undid it
}

// AddDNSChange records a change about to be applied (state "applying"), with the
// snapshot a rollback needs, before anything is sent: a change interrupted midway can
// still be rolled back.
func (s *Store) AddDNSChange(ctx context.Context, projectID int64, c DNSChange) (int64, error) {
	var undoes any
	if c.Undoes != 0 {
		undoes = c.Undoes
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO dns_change(project_id, at, kind, fingerprint, diff, snapshot, state, undoes)
		VALUES (?, ?, ?, ?, ?, ?, 'applying', ?)`,
		projectID, fmtTime(s.now()), c.Kind, c.Fingerprint, c.Diff, string(c.Snapshot), undoes)
	if err != nil {
		return 0, fmt.Errorf("record the DNS change: %w", err)
	}
	return res.LastInsertId()
}

// FinishDNSChange records how a change ended. A rollback that changed anything
// (applied or partial) marks the change it undoes as undone.
func (s *Store) FinishDNSChange(ctx context.Context, id int64, state, errText string) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE dns_change SET state = ?, error = ? WHERE id = ?`, state, errText, id); err != nil {
			return fmt.Errorf("record the end of DNS change %d: %w", id, err)
		}
		if state == "failed" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE dns_change SET undone_by = ? WHERE id = (SELECT undoes FROM dns_change WHERE id = ?)`, id, id)
		if err != nil {
			return fmt.Errorf("record what DNS change %d undid: %w", id, err)
		}
		return nil
	})
}

const dnsChangeColumns = `id, at, kind, fingerprint, diff, snapshot, state, error, COALESCE(undoes, 0), COALESCE(undone_by, 0)`

func scanDNSChange(sc interface{ Scan(...any) error }) (DNSChange, error) {
	var c DNSChange
	var at, snap string
	err := sc.Scan(&c.ID, &at, &c.Kind, &c.Fingerprint, &c.Diff, &snap, &c.State, &c.Error, &c.Undoes, &c.UndoneBy)
	c.At, c.Snapshot = parseTime(at), []byte(snap)
	return c, err
}

// DNSChangeToUndo is the latest lowering or switch that changed something and that no
// rollback has undone yet; ErrNotFound when there is none.
func (s *Store) DNSChangeToUndo(ctx context.Context, projectID int64) (DNSChange, error) {
	c, err := scanDNSChange(s.db.QueryRowContext(ctx, `SELECT `+dnsChangeColumns+` FROM dns_change
		WHERE project_id = ? AND kind != 'rollback' AND state != 'failed' AND undone_by IS NULL
		ORDER BY id DESC LIMIT 1`, projectID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("a DNS change to roll back: %w", ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read the DNS changes: %w", err)
	}
	return c, nil
}

// DNSChanges are a project's DNS changes, the latest first.
func (s *Store) DNSChanges(ctx context.Context, projectID int64) ([]DNSChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+dnsChangeColumns+` FROM dns_change WHERE project_id = ? ORDER BY id DESC`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read the DNS changes: %w", err)
	}
	defer rows.Close()
	out := []DNSChange{}
	for rows.Next() {
		c, err := scanDNSChange(rows)
		if err != nil {
			return nil, fmt.Errorf("read a DNS change: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
