package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DirectorySetting is where a project's people are detected at the source (no secret:
// the API token is sealed in the vault).
type DirectorySetting struct {
	Side    string    `json:"side"`              // source (detect) or dest (create)
	Source  string    `json:"source"`            // graph, google, cpanel, doveadm
	URL     string    `json:"url"`               // the API's address; empty: the service's own
	Account string    `json:"account,omitempty"` // cPanel: the hosting account
	Admin   string    `json:"admin,omitempty"`   // Google: the administrator delegated to
	Updated time.Time `json:"updated"`
}

// PutDirectorySetting stores a directory source's setting.
func (s *Store) PutDirectorySetting(ctx context.Context, projectID int64, v DirectorySetting) error {
	if v.Side == "" {
		v.Side = "source"
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO directory_setting(project_id, side, source, url, account, admin, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, side, source) DO UPDATE SET url = excluded.url, account = excluded.account,
			admin = excluded.admin, updated_at = excluded.updated_at`,
		projectID, v.Side, v.Source, v.URL, v.Account, v.Admin, fmtTime(v.Updated))
	if err != nil {
		return fmt.Errorf("store the %s directory setting: %w", v.Source, err)
	}
	return nil
}

// DirectorySetting returns a directory source's setting on a side; ok is false when
// never set.
func (s *Store) DirectorySetting(ctx context.Context, projectID int64, side, source string) (v DirectorySetting, ok bool, err error) {
	v.Side, v.Source = side, source
	var updated string
	err = s.db.QueryRowContext(ctx, `SELECT url, account, admin, updated_at FROM directory_setting
		WHERE project_id = ? AND side = ? AND source = ?`, projectID, side, source).Scan(&v.URL, &v.Account, &v.Admin, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("read the %s %s directory setting: %w", side, source, err)
	}
	v.Updated = parseTime(updated)
	return v, true, nil
}
