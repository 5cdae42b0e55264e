package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SignInSetting is how Cutover signs in to one side of a project. Secrets (client secret,
// certificate, service account key) are not here: they are sealed in the vault.
type SignInSetting struct {
	Side     string    `json:"side"`   // "source" or "dest"
	Method   string    `json:"method"` // password, microsoft-user, microsoft-app, google-user, google-service-account
	Tenant   string    `json:"tenant"`
	ClientID string    `json:"clientId"`
	IdPURL   string    `json:"idpUrl,omitempty"`
	Updated  time.Time `json:"updated"`
}

// PutSignInSetting stores the sign-in setting of a side.
func (s *Store) PutSignInSetting(ctx context.Context, projectID int64, v SignInSetting) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO signin_setting(project_id, side, method, tenant, client_id, idp_url, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, side) DO UPDATE SET method = excluded.method, tenant = excluded.tenant,
			client_id = excluded.client_id, idp_url = excluded.idp_url, updated_at = excluded.updated_at`,
		projectID, v.Side, v.Method, v.Tenant, v.ClientID, v.IdPURL, fmtTime(v.Updated))
	if err != nil {
		return fmt.Errorf("store the %s sign-in setting: %w", v.Side, err)
	}
	return nil
}

// SignInSetting returns the sign-in setting of a side; a side never set signs in with
// passwords.
func (s *Store) SignInSetting(ctx context.Context, projectID int64, side string) (SignInSetting, error) {
	v := SignInSetting{Side: side, Method: "password"}
	var updated string
	err := s.db.QueryRowContext(ctx, `SELECT method, tenant, client_id, idp_url, updated_at FROM signin_setting
		WHERE project_id = ? AND side = ?`, projectID, side).Scan(&v.Method, &v.Tenant, &v.ClientID, &v.IdPURL, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil
	}
	if err != nil {
		return v, fmt.Errorf("read the %s sign-in setting: %w", side, err)
	}
	v.Updated = parseTime(updated)
	return v, nil
}

// SignInToken is what is known about a mailbox owner's stored sign-in (never the token).
type SignInToken struct {
	Side        string    `json:"side"`
	Mailbox     string    `json:"mailbox"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Refreshable bool      `json:"refreshable"`
	SignedIn    time.Time `json:"signedIn,omitzero"`
	Updated     time.Time `json:"updated"`
}

// PutSignInToken records a stored token's expiry; a new sign-in (signedIn set) also
// records when it happened, a refresh (signedIn zero) keeps the first.
func (s *Store) PutSignInToken(ctx context.Context, projectID int64, t SignInToken) error {
	at := fmtTime(t.Updated)
	signed := fmtTime(t.SignedIn)
	if signed == "" {
		signed = at
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO signin_token(project_id, side, mailbox, expiry, refreshable, signed_in_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, side, mailbox) DO UPDATE SET expiry = excluded.expiry, refreshable = excluded.refreshable,
			updated_at = excluded.updated_at,
			signed_in_at = CASE WHEN ? THEN excluded.signed_in_at ELSE signin_token.signed_in_at END`,
		projectID, t.Side, strings.ToLower(t.Mailbox), fmtTime(t.Expiry), t.Refreshable, signed, at, !t.SignedIn.IsZero())
	if err != nil {
		return fmt.Errorf("record the sign-in of %s: %w", t.Mailbox, err)
	}
	return nil
}

// SignInTokens lists the stored sign-ins of a project, by side and mailbox.
func (s *Store) SignInTokens(ctx context.Context, projectID int64) ([]SignInToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT side, mailbox, expiry, refreshable, signed_in_at, updated_at FROM signin_token
		WHERE project_id = ? ORDER BY side DESC, mailbox`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read the sign-ins: %w", err)
	}
	defer rows.Close()
	out := []SignInToken{}
	for rows.Next() {
		var t SignInToken
		var exp, signed, updated string
		if err := rows.Scan(&t.Side, &t.Mailbox, &exp, &t.Refreshable, &signed, &updated); err != nil {
			return nil, fmt.Errorf("read the sign-ins: %w", err)
		}
		t.Expiry, t.SignedIn, t.Updated = parseTime(exp), parseTime(signed), parseTime(updated)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RemoveSignInToken forgets a mailbox's sign-in record (the caller deletes the sealed token).
func (s *Store) RemoveSignInToken(ctx context.Context, projectID int64, side, mailbox string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM signin_token WHERE project_id = ? AND side = ? AND mailbox = ?`,
		projectID, side, mailbox)
	if err != nil {
		return fmt.Errorf("forget the sign-in of %s: %w", mailbox, err)
	}
	return nil
}
