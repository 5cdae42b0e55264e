package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"cutover/backend/dnscheck"
)

// DNSSettings returns a project's DNS settings (defaults when none are stored).
func (s *Store) DNSSettings(ctx context.Context, projectID int64) (dnscheck.Settings, error) {
	st := dnscheck.Settings{Verification: map[string]string{}, Resolvers: []string{}, Nameservers: []string{}, TTLTarget: dnscheck.DefaultTTL}
	var res, ns string
	err := s.db.QueryRowContext(ctx, `SELECT resolvers, nameservers, ttl_target, reach FROM dns_settings WHERE project_id = ?`, projectID).
		Scan(&res, &ns, &st.TTLTarget, &st.Reach)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("read DNS settings: %w", err)
	}
	st.Resolvers, st.Nameservers = lines(res), lines(ns)
	rows, err := s.db.QueryContext(ctx, `SELECT domain, value FROM dns_verification WHERE project_id = ?`, projectID)
	if err != nil {
		return st, fmt.Errorf("read verification values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, v string
		if err := rows.Scan(&d, &v); err != nil {
			return st, fmt.Errorf("read verification value: %w", err)
		}
		st.Verification[strings.ToLower(d)] = v
	}
	return st, rows.Err()
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// PutDNSSettings stores a project's DNS settings, verification values included (an
// empty value removes the domain's).
func (s *Store) PutDNSSettings(ctx context.Context, projectID int64, st dnscheck.Settings) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO dns_settings(project_id, resolvers, nameservers, ttl_target, reach) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(project_id) DO UPDATE SET resolvers=excluded.resolvers, nameservers=excluded.nameservers, ttl_target=excluded.ttl_target, reach=excluded.reach`,
			projectID, strings.Join(st.Resolvers, "\n"), strings.Join(st.Nameservers, "\n"), st.TTLTarget, st.Reach)
		if err != nil {
			return fmt.Errorf("store DNS settings: %w", err)
		}
		for d, v := range st.Verification {
			if v == "" {
				_, err = tx.ExecContext(ctx, `DELETE FROM dns_verification WHERE project_id = ? AND domain = ?`, projectID, d)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO dns_verification(project_id, domain, value) VALUES (?, ?, ?)
					ON CONFLICT(project_id, domain) DO UPDATE SET value=excluded.value`, projectID, d, v)
			}
			if err != nil {
				return fmt.Errorf("store the verification value of %s: %w", d, err)
			}
		}
		return nil
	})
}

// DNSRecordEdits lists a project's edits to the expected records, in the order made.
func (s *Store) DNSRecordEdits(ctx context.Context, projectID int64) ([]dnscheck.Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT domain, key, purpose, name, type, value, match, ttl, changes, disabled
		FROM dns_record WHERE project_id = ? ORDER BY position`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read expected records: %w", err)
	}
	defer rows.Close()
	var out []dnscheck.Record
	for rows.Next() {
		var r dnscheck.Record
		var m string
		if err := rows.Scan(&r.Domain, &r.Key, &r.Purpose, &r.Name, &r.Type, &r.Value, &m, &r.TTL, &r.Changes, &r.Disabled); err != nil {
			return nil, fmt.Errorf("read expected record: %w", err)
		}
		r.Match = dnscheck.Match(m)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutDNSRecordEdit stores an edit, keyed by domain and key.
func (s *Store) PutDNSRecordEdit(ctx context.Context, projectID int64, r dnscheck.Record) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO dns_record(project_id, domain, key, purpose, name, type, value, match, ttl, changes, disabled, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM dns_record WHERE project_id = ?))
		ON CONFLICT(project_id, domain, key) DO UPDATE SET purpose=excluded.purpose, name=excluded.name, type=excluded.type, value=excluded.value,
			match=excluded.match, ttl=excluded.ttl, changes=excluded.changes, disabled=excluded.disabled`,
		projectID, r.Domain, r.Key, r.Purpose, r.Name, r.Type, r.Value, string(r.Match), r.TTL, r.Changes, r.Disabled, projectID)
	if err != nil {
		return fmt.Errorf("store expected record %s/%s: %w", r.Domain, r.Key, err)
	}
	return nil
}

// RemoveDNSRecordEdit drops an edit: a default record comes back as the provider has it.
func (s *Store) RemoveDNSRecordEdit(ctx context.Context, projectID int64, domain, key string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM dns_record WHERE project_id = ? AND domain = ? AND key = ?`, projectID, domain, key)
	if err != nil {
		return fmt.Errorf("remove expected record %s/%s: %w", domain, key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("edited record %s/%s: %w", domain, key, ErrNotFound)
	}
	return nil
}

// DNSCheck is a stored check.
type DNSCheck struct {
	ID     int64           `json:"id"`
	Report dnscheck.Report `json:"report"`
}

// SaveDNSCheck stores a check's report and each of its answers as an observation, together.
func (s *Store) SaveDNSCheck(ctx context.Context, projectID int64, rep dnscheck.Report) (int64, error) {
	body, err := json.Marshal(rep)
	if err != nil {
		return 0, fmt.Errorf("encode DNS report: %w", err)
	}
	var id int64
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO dns_check(project_id, at, phase, ok, passed, failed, report) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			projectID, fmtTime(rep.At), string(rep.Phase), rep.OK, rep.Passed, rep.Failed, string(body))
		if err != nil {
			return fmt.Errorf("store DNS check: %w", err)
		}
		id, _ = res.LastInsertId()
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO dns_observation(check_id, project_id, at, domain, kind, name, type, server, label, role, rcode, vals, ttl, has_ttl)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store DNS observations: %w", err)
		}
		defer stmt.Close()
		for _, o := range rep.Observations() {
			vals, _ := json.Marshal(o.Values)
			if _, err := stmt.ExecContext(ctx, id, projectID, fmtTime(o.At), o.Domain, string(o.Kind), o.Name, o.Type, o.Server, o.Label,
				string(o.Role), o.Rcode, string(vals), o.TTL, o.HasTTL); err != nil {
				return fmt.Errorf("store DNS observation: %w", err)
			}
		}
		return nil
	})
	return id, err
}

// LatestDNSCheck returns the project's latest check of phase ("" for either).
func (s *Store) LatestDNSCheck(ctx context.Context, projectID int64, phase dnscheck.Phase) (DNSCheck, error) {
	var c DNSCheck
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT id, report FROM dns_check WHERE project_id = ? AND (? = '' OR phase = ?) ORDER BY at DESC, id DESC LIMIT 1`,
		projectID, string(phase), string(phase)).Scan(&c.ID, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("DNS check: %w", ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read DNS check: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &c.Report); err != nil {
		return c, fmt.Errorf("decode DNS check %d: %w", c.ID, err)
	}
	return c, nil
}

// DNSObservations lists a project's stored observations of kind, oldest first.
func (s *Store) DNSObservations(ctx context.Context, projectID int64, kind dnscheck.Kind) ([]dnscheck.Observation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, domain, kind, name, type, server, label, role, rcode, vals, ttl, has_ttl
		FROM dns_observation WHERE project_id = ? AND kind = ? ORDER BY at, id`, projectID, string(kind))
	if err != nil {
		return nil, fmt.Errorf("read DNS observations: %w", err)
	}
	defer rows.Close()
	var out []dnscheck.Observation
	for rows.Next() {
		var o dnscheck.Observation
		var at, k, role, vals string
		if err := rows.Scan(&at, &o.Domain, &k, &o.Name, &o.Type, &o.Server, &o.Label, &role, &o.Rcode, &vals, &o.TTL, &o.HasTTL); err != nil {
			return nil, fmt.Errorf("read DNS observation: %w", err)
		}
		o.At, o.Kind, o.Role = parseTime(at), dnscheck.Kind(k), dnscheck.Role(role)
		_ = json.Unmarshal([]byte(vals), &o.Values)
		out = append(out, o)
	}
	return out, rows.Err()
}
