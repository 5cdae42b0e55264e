package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cutover/backend/docs"
	"cutover/backend/messages"
)

// CustomerSettings returns a project's customer-pack settings (zero values when none
// were set: English, the provider's webmail).
func (s *Store) CustomerSettings(ctx context.Context, projectID int64) (docs.Settings, error) {
	var v docs.Settings
	err := s.db.QueryRowContext(ctx, `SELECT language, webmail, contact_name, contact_email FROM customer_pack WHERE project_id = ?`, projectID).
		Scan(&v.Language, &v.Webmail, &v.ContactName, &v.ContactEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return docs.Settings{Language: "en"}, nil
	}
	if err != nil {
		return v, fmt.Errorf("read customer settings: %w", err)
	}
	return v, nil
}

// PutCustomerSettings stores a project's customer-pack settings.
func (s *Store) PutCustomerSettings(ctx context.Context, projectID int64, v docs.Settings) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO customer_pack(project_id, language, webmail, contact_name, contact_email, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id) DO UPDATE SET language=excluded.language, webmail=excluded.webmail, contact_name=excluded.contact_name,
		contact_email=excluded.contact_email, updated_at=excluded.updated_at`,
		projectID, v.Language, v.Webmail, v.ContactName, v.ContactEmail, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("store customer settings: %w", err)
	}
	return nil
}

// MessageDraft returns the draft of kind as the specialist edited it, if they did.
func (s *Store) MessageDraft(ctx context.Context, projectID int64, kind string) (messages.Draft, bool, error) {
	var d messages.Draft
	var to, cc string
	err := s.db.QueryRowContext(ctx, `SELECT recipients, cc, subject, body FROM message_draft WHERE project_id = ? AND kind = ?`, projectID, kind).
		Scan(&to, &cc, &d.Subject, &d.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("read draft %s: %w", kind, err)
	}
	d.Kind, d.To, d.Cc, d.Edited = kind, lines(to), lines(cc), true
	return d, true, nil
}

// PutMessageDraft keeps the specialist's edit of a draft.
func (s *Store) PutMessageDraft(ctx context.Context, projectID int64, d messages.Draft) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO message_draft(project_id, kind, recipients, cc, subject, body, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(project_id, kind) DO UPDATE SET recipients=excluded.recipients, cc=excluded.cc, subject=excluded.subject,
		body=excluded.body, updated_at=excluded.updated_at`,
		projectID, d.Kind, strings.Join(d.To, "\n"), strings.Join(d.Cc, "\n"), d.Subject, d.Body, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("store draft %s: %w", d.Kind, err)
	}
	return nil
}

// RemoveMessageDraft drops the edit: the draft follows the project's values again.
func (s *Store) RemoveMessageDraft(ctx context.Context, projectID int64, kind string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM message_draft WHERE project_id = ? AND kind = ?`, projectID, kind); err != nil {
		return fmt.Errorf("remove draft %s: %w", kind, err)
	}
	return nil
}

// SpecialistProfile is who writes to customers and through which server.
type SpecialistProfile struct {
	docs.Specialist
	SMTPHost     string            `json:"smtpHost"`
	SMTPPort     int               `json:"smtpPort"`
	SMTPSecurity messages.Security `json:"smtpSecurity"`
	SMTPUser     string            `json:"smtpUser"`
	SMTPCAFile   string            `json:"smtpCAFile"` // a private CA's PEM, besides the system's roots
	// SMTPAuth is how SMTPUser signs in: "password" (the default), "microsoft" (OAuth,
	// device code) or "google" (OAuth, browser + PKCE).
	SMTPAuth     string `json:"smtpAuth"`
	SMTPTenant   string `json:"smtpTenant"`   // Microsoft: the tenant (empty: organizations)
	SMTPClientID string `json:"smtpClientId"` // the specialist's or customer's app registration
	SMTPIdPURL   string `json:"smtpIdpUrl"`   // replaces the provider's endpoints (a fake IdP)
}

// Specialist returns the specialist's profile (defaults when never set).
func (s *Store) Specialist(ctx context.Context) (SpecialistProfile, error) {
	var p SpecialistProfile
	var sec string
	err := s.db.QueryRowContext(ctx, `SELECT name, company, email, phone, signature, smtp_host, smtp_port, smtp_security, smtp_user, smtp_ca_file, smtp_auth, smtp_tenant, smtp_client_id, smtp_idp_url FROM specialist WHERE id = 1`).
		Scan(&p.Name, &p.Company, &p.Email, &p.Phone, &p.Signature, &p.SMTPHost, &p.SMTPPort, &sec, &p.SMTPUser, &p.SMTPCAFile,
			&p.SMTPAuth, &p.SMTPTenant, &p.SMTPClientID, &p.SMTPIdPURL)
	if errors.Is(err, sql.ErrNoRows) {
		return SpecialistProfile{SMTPPort: 587, SMTPSecurity: messages.StartTLS, SMTPAuth: "password"}, nil
	}
	if err != nil {
		return p, fmt.Errorf("read the specialist's profile: %w", err)
	}
	p.SMTPSecurity = messages.Security(sec)
	return p, nil
}

// PutSpecialist stores the specialist's profile.
func (s *Store) PutSpecialist(ctx context.Context, p SpecialistProfile) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO specialist(id, name, company, email, phone, signature, smtp_host, smtp_port, smtp_security, smtp_user, smtp_ca_file, smtp_auth, smtp_tenant, smtp_client_id, smtp_idp_url, updated_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, company=excluded.company, email=excluded.email,
		phone=excluded.phone, signature=excluded.signature, smtp_host=excluded.smtp_host, smtp_port=excluded.smtp_port,
		smtp_security=excluded.smtp_security, smtp_user=excluded.smtp_user, smtp_ca_file=excluded.smtp_ca_file,
		smtp_auth=excluded.smtp_auth, smtp_tenant=excluded.smtp_tenant, smtp_client_id=excluded.smtp_client_id, smtp_idp_url=excluded.smtp_idp_url, updated_at=excluded.updated_at`,
		p.Name, p.Company, p.Email, p.Phone, p.Signature, p.SMTPHost, p.SMTPPort, string(p.SMTPSecurity), p.SMTPUser, p.SMTPCAFile,
		cmp.Or(p.SMTPAuth, "password"), p.SMTPTenant, p.SMTPClientID, p.SMTPIdPURL, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("store the specialist's profile: %w", err)
	}
	return nil
}

// PutVerifyFolders replaces a mailbox's last verification, folder by folder, with the
// messages it found missing.
func (s *Store) PutVerifyFolders(ctx context.Context, projectID int64, sourceLogin string, at time.Time, checks []docs.Check, missing []docs.Missing) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM mail_verify_folder WHERE project_id = ? AND source_login = ?`, `DELETE FROM mail_verify_missing WHERE project_id = ? AND source_login = ?`} {
			if _, err := tx.ExecContext(ctx, q, projectID, sourceLogin); err != nil {
				return fmt.Errorf("store verification: %w", err)
			}
		}
		for _, m := range missing {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO mail_verify_missing(project_id, source_login, source, uid, subject, date, size) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				projectID, sourceLogin, m.Folder, m.UID, m.Subject, fmtTime(m.Date), m.Size); err != nil {
				return fmt.Errorf("store a missing message of %s: %w", m.Folder, err)
			}
		}
		for _, c := range checks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_verify_folder(project_id, source_login, source, dest, source_messages, dest_messages, missing, checked_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, projectID, sourceLogin, c.Source, c.Dest, c.SourceMessages, c.DestMessages, c.Missing, fmtTime(at)); err != nil {
				return fmt.Errorf("store verification of %s: %w", c.Source, err)
			}
		}
		return nil
	})
}

// VerifyMissing returns the messages the last verifications found missing.
func (s *Store) VerifyMissing(ctx context.Context, projectID int64) ([]docs.Missing, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source_login, source, uid, subject, date, size FROM mail_verify_missing
		WHERE project_id = ? ORDER BY source_login, source, uid`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read missing messages: %w", err)
	}
	defer rows.Close()
	out := []docs.Missing{}
	for rows.Next() {
		var m docs.Missing
		var date string
		if err := rows.Scan(&m.Mailbox, &m.Folder, &m.UID, &m.Subject, &date, &m.Size); err != nil {
			return nil, fmt.Errorf("read missing messages: %w", err)
		}
		m.Date = parseTime(date)
		out = append(out, m)
	}
	return out, rows.Err()
}

// VerifyFolders returns the last verification of every mailbox, folder by folder.
func (s *Store) VerifyFolders(ctx context.Context, projectID int64) ([]docs.Check, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source_login, source, dest, source_messages, dest_messages, missing, checked_at FROM mail_verify_folder
		WHERE project_id = ? ORDER BY source_login, source`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read verification: %w", err)
	}
	defer rows.Close()
	out := []docs.Check{}
	for rows.Next() {
		var c docs.Check
		var at string
		if err := rows.Scan(&c.Mailbox, &c.Source, &c.Dest, &c.SourceMessages, &c.DestMessages, &c.Missing, &at); err != nil {
			return nil, fmt.Errorf("read verification: %w", err)
		}
		c.At = parseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutPIMVerify keeps a mailbox's last verification of contacts, calendars and tasks,
// replacing the one before.
func (s *Store) PutPIMVerify(ctx context.Context, projectID int64, sourceLogin string, at time.Time, checks []docs.PIMCheck) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pim_verify_collection WHERE project_id = ? AND source_login = ?`, projectID, sourceLogin); err != nil {
			return fmt.Errorf("store the contacts and calendars verification: %w", err)
		}
		for _, c := range checks {
			missing, err := json.Marshal(c.Missing)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO pim_verify_collection(project_id, source_login, source, name, type, source_items, dest_items, missing, checked_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, projectID, sourceLogin, c.Source, c.Collection, c.Type, c.SourceItems, c.DestItems, string(missing), fmtTime(at)); err != nil {
				return fmt.Errorf("store the verification of %s: %w", c.Collection, err)
			}
		}
		return nil
	})
}

// PIMVerifyChecks returns the last verification of every mailbox's contacts, calendars
// and tasks.
func (s *Store) PIMVerifyChecks(ctx context.Context, projectID int64) ([]docs.PIMCheck, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source_login, source, name, type, source_items, dest_items, missing, checked_at FROM pim_verify_collection
		WHERE project_id = ? ORDER BY source_login, name`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read the contacts and calendars verification: %w", err)
	}
	defer rows.Close()
	var out []docs.PIMCheck
	for rows.Next() {
		var c docs.PIMCheck
		var missing, at string
		if err := rows.Scan(&c.Mailbox, &c.Source, &c.Collection, &c.Type, &c.SourceItems, &c.DestItems, &missing, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(missing), &c.Missing); err != nil {
			return nil, fmt.Errorf("read the items missing from %s: %w", c.Collection, err)
		}
		c.At = parseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
