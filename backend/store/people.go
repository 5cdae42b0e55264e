package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"cutover/backend/batch"
	"cutover/backend/people"
	"cutover/backend/secrets"
)

// Seal encrypts a secret for a vault reference (secrets.Vault.Seal).
type Seal func(ref string, s secrets.Secret) ([]byte, error)

// UserWrite is a user to store with the passwords found in its sheet (zero: keep).
type UserWrite struct {
	User           people.User
	SourcePassword secrets.Secret
	Password       secrets.Secret
}

// Users lists a project's users in the order they were added, each with the source login
// and migration state of its batch entry, the one place they are kept (a user whose entry
// left the batch keeps its login and is not migrated; a user without one has neither),
// and whether the entry holds passwords.
func (s *Store) Users(ctx context.Context, projectID int64) ([]people.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.address, p.first_name, p.last_name, p.display_name, COALESCE(b.source_login, ''),
		p.job_title, p.department, p.office_phone, p.mobile_phone, p.org_unit, p.aliases, p.shared, COALESCE(b.removed_at IS NULL AND b.enabled, 0),
		EXISTS (SELECT 1 FROM secret WHERE ref = 'batch/' || b.id || '/source'),
		EXISTS (SELECT 1 FROM secret WHERE ref = 'batch/' || b.id || '/dest')
		FROM person p LEFT JOIN batch_entry b ON b.id = (SELECT e.id FROM batch_entry e
			WHERE e.project_id = p.project_id AND e.dest_login = p.address ORDER BY e.removed_at IS NOT NULL, e.id DESC LIMIT 1)
		WHERE p.project_id = ? ORDER BY p.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []people.User{}
	for rows.Next() {
		var u people.User
		var aliases string
		if err := rows.Scan(&u.Address, &u.FirstName, &u.LastName, &u.DisplayName, &u.SourceLogin, &u.JobTitle, &u.Department,
			&u.OfficePhone, &u.MobilePhone, &u.OrgUnit, &aliases, &u.Shared, &u.Migrate, &u.HasSourcePassword, &u.HasPassword); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		if aliases != "" {
			u.Aliases = strings.Split(aliases, "\n")
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// BatchSecrets returns the sealed batch passwords of a project by reference.
func (s *Store) BatchSecrets(ctx context.Context, projectID int64) (map[string][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ref, sealed FROM secret WHERE project_id = ? AND ref LIKE 'batch/%'`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read batch secrets: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var ref string
		var b []byte
		if err := rows.Scan(&ref, &b); err != nil {
			return nil, fmt.Errorf("read batch secrets: %w", err)
		}
		out[ref] = b
	}
	return out, rows.Err()
}

// SaveUsers stores users in one transaction: each user (keyed by address), its batch
// entry, which holds the user's source login and whether the mailbox is migrated (source
// login → the user's address, found by destination so that a changed source login moves
// the entry), and the passwords given, sealed under the entry's references.
func (s *Store) SaveUsers(ctx context.Context, projectID int64, users []UserWrite, seal Seal) error {
	now := fmtTime(s.now())
	return s.Tx(ctx, func(tx *sql.Tx) error {
		persons := &rowsWriter{tx: tx, ncols: 14,
			head: `INSERT INTO person(project_id, address, first_name, last_name, display_name,
			job_title, department, office_phone, mobile_phone, org_unit, aliases, shared, created_at, updated_at) VALUES `,
			tail: ` ON CONFLICT(project_id, address) DO UPDATE SET address = excluded.address, first_name = excluded.first_name,
			last_name = excluded.last_name, display_name = excluded.display_name,
			job_title = excluded.job_title, department = excluded.department, office_phone = excluded.office_phone,
			mobile_phone = excluded.mobile_phone, org_unit = excluded.org_unit, aliases = excluded.aliases, shared = excluded.shared,
			updated_at = excluded.updated_at`}
		defer persons.close()
		// Keyed by destination: a user whose source login changed keeps its entry (and passwords).
		entries := &rowsWriter{tx: tx, ncols: 7,
			head: `INSERT INTO batch_entry(project_id, source_login, dest_login, name, enabled, created_at, updated_at) VALUES `,
			tail: ` ON CONFLICT(project_id, dest_login) WHERE removed_at IS NULL DO UPDATE SET source_login = excluded.source_login,
			name = excluded.name, enabled = excluded.enabled, updated_at = excluded.updated_at`}
		defer entries.close()
		putSecret, err := tx.PrepareContext(ctx, `INSERT INTO secret(ref, project_id, sealed, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(ref) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("save users: %w", err)
		}
		defer putSecret.Close()
		entryErr := func(u people.User, err error) error {
			if strings.Contains(err.Error(), "UNIQUE constraint failed") {
				return fmt.Errorf("source login %q of %s is already in the batch for another mailbox: %w", u.SourceLogin, u.Address, ErrDuplicate)
			}
			return fmt.Errorf("save the batch entry of %s: %w", u.Address, err)
		}
		// An entry with passwords is written on its own: its sealed passwords are bound to
		// the entry's id. The entries before it go first, so the batch keeps the sheet's order.
		withPasswords := func(w UserWrite) error {
			if err := entries.flush(ctx); err != nil {
				re := err.(*rowError)
				return entryErr(re.w.User, re.err)
			}
			u := w.User
			var id int64
			err := tx.QueryRowContext(ctx, entries.statement(1)+` RETURNING id`, projectID, u.SourceLogin, u.Address, u.DisplayName, u.Migrate, now, now).Scan(&id)
			if err != nil {
				return entryErr(u, err)
			}
			for side, sec := range map[string]secrets.Secret{"source": w.SourcePassword, "dest": w.Password} {
				if sec.IsZero() {
					continue
				}
				ref := batch.SecretRef(id, side)
				sealed, err := seal(ref, sec)
				if err != nil {
					return fmt.Errorf("seal the %s password of %s: %w", side, u.Address, err)
				}
				if _, err := putSecret.ExecContext(ctx, ref, projectID, sealed, now); err != nil {
					return fmt.Errorf("store the %s password of %s: %w", side, u.Address, err)
				}
			}
			return nil
		}
		for _, w := range users {
			u := w.User
			if err := persons.add(ctx, w, projectID, u.Address, u.FirstName, u.LastName, u.DisplayName,
				u.JobTitle, u.Department, u.OfficePhone, u.MobilePhone, u.OrgUnit, strings.Join(u.Aliases, "\n"), u.Shared, now, now); err != nil {
				re := err.(*rowError)
				return fmt.Errorf("save user %s: %w", re.w.User.Address, re.err)
			}
			if !w.SourcePassword.IsZero() || !w.Password.IsZero() {
				if err := withPasswords(w); err != nil {
					return err
				}
				continue
			}
			if err := entries.add(ctx, w, projectID, u.SourceLogin, u.Address, u.DisplayName, u.Migrate, now, now); err != nil {
				re := err.(*rowError)
				return entryErr(re.w.User, re.err)
			}
		}
		if err := persons.flush(ctx); err != nil {
			re := err.(*rowError)
			return fmt.Errorf("save user %s: %w", re.w.User.Address, re.err)
		}
		if err := entries.flush(ctx); err != nil {
			re := err.(*rowError)
			return entryErr(re.w.User, re.err)
		}
		return forgetReplaced(ctx, tx, projectID)
	})
}

// rowsWriter inserts rows many to a statement (far fewer round trips through the SQLite
// driver than one statement a row); when a statement fails its rows are retried one by
// one, so the error names the row at fault.
type rowsWriter struct {
	tx         *sql.Tx
	head, tail string
	ncols      int
	full       *sql.Stmt
	pending    []UserWrite
	args       []any
}

const rowsPerStatement = 64

func (r *rowsWriter) statement(n int) string {
	var b strings.Builder
	b.WriteString(r.head)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", r.ncols), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	b.WriteString(r.tail)
	return b.String()
}

type rowError struct {
	w   UserWrite
	err error
}

func (e *rowError) Error() string { return e.err.Error() }

func (r *rowsWriter) add(ctx context.Context, w UserWrite, args ...any) error {
	r.pending = append(r.pending, w)
	r.args = append(r.args, args...)
	if len(r.pending) < rowsPerStatement {
		return nil
	}
	if r.full == nil {
		st, err := r.tx.PrepareContext(ctx, r.statement(rowsPerStatement))
		if err != nil {
			return &rowError{w: w, err: err}
		}
		r.full = st
	}
	_, err := r.full.ExecContext(ctx, r.args...)
	return r.settle(ctx, err)
}

func (r *rowsWriter) flush(ctx context.Context) error {
	if len(r.pending) == 0 {
		return nil
	}
	_, err := r.tx.ExecContext(ctx, r.statement(len(r.pending)), r.args...)
	return r.settle(ctx, err)
}

// settle clears the pending rows, or on error retries them one at a time to find the culprit.
func (r *rowsWriter) settle(ctx context.Context, err error) error {
	defer func() { r.pending, r.args = r.pending[:0], r.args[:0] }()
	if err == nil {
		return nil
	}
	one := r.statement(1)
	for i, w := range r.pending {
		if _, err := r.tx.ExecContext(ctx, one, r.args[i*r.ncols:(i+1)*r.ncols]...); err != nil {
			return &rowError{w: w, err: err}
		}
	}
	return &rowError{w: r.pending[0], err: err}
}

func (r *rowsWriter) close() {
	if r.full != nil {
		r.full.Close()
	}
}

// Groups lists a project's groups with their members in order.
func (s *Store) Groups(ctx context.Context, projectID int64) ([]people.Group, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.address, g.name, g.description, m.address
		FROM mail_group g LEFT JOIN mail_group_member m ON m.group_id = g.id
		WHERE g.project_id = ? ORDER BY g.id, m.position`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	out := []people.Group{}
	last := int64(-1)
	for rows.Next() {
		var id int64
		var g people.Group
		var member sql.NullString
		if err := rows.Scan(&id, &g.Address, &g.Name, &g.Description, &member); err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		if id != last {
			g.Members = []string{}
			out = append(out, g)
			last = id
		}
		if member.Valid {
			cur := &out[len(out)-1]
			cur.Members = append(cur.Members, member.String)
		}
	}
	return out, rows.Err()
}

// SaveGroups stores groups (keyed by address) and replaces their members, in one transaction.
func (s *Store) SaveGroups(ctx context.Context, projectID int64, groups []people.Group) error {
	now := fmtTime(s.now())
	return s.Tx(ctx, func(tx *sql.Tx) error {
		for _, g := range groups {
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO mail_group(project_id, address, name, description, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT(project_id, address) DO UPDATE SET address = excluded.address, name = excluded.name,
				description = excluded.description, updated_at = excluded.updated_at RETURNING id`,
				projectID, g.Address, g.Name, g.Description, now, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("save group %s: %w", g.Address, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM mail_group_member WHERE group_id = ?`, id); err != nil {
				return fmt.Errorf("save group %s: %w", g.Address, err)
			}
			for i, m := range g.Members {
				if _, err := tx.ExecContext(ctx, `INSERT INTO mail_group_member(group_id, position, address) VALUES (?, ?, ?)
					ON CONFLICT DO NOTHING`, id, i, m); err != nil {
					return fmt.Errorf("save member %s of group %s: %w", m, g.Address, err)
				}
			}
		}
		return nil
	})
}

// Contacts lists a project's contacts in the order they were added.
func (s *Store) Contacts(ctx context.Context, projectID int64) ([]people.Contact, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT address, display_name, first_name, last_name, company, phone
		FROM contact WHERE project_id = ? ORDER BY id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	out := []people.Contact{}
	for rows.Next() {
		var c people.Contact
		if err := rows.Scan(&c.Address, &c.DisplayName, &c.FirstName, &c.LastName, &c.Company, &c.Phone); err != nil {
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveContacts stores contacts keyed by address, in one transaction.
func (s *Store) SaveContacts(ctx context.Context, projectID int64, contacts []people.Contact) error {
	now := fmtTime(s.now())
	return s.Tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO contact(project_id, address, display_name, first_name, last_name, company, phone, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(project_id, address) DO UPDATE SET address = excluded.address, display_name = excluded.display_name,
			first_name = excluded.first_name, last_name = excluded.last_name, company = excluded.company, phone = excluded.phone,
			updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("save contacts: %w", err)
		}
		defer st.Close()
		for _, c := range contacts {
			if _, err := st.ExecContext(ctx, projectID, c.Address, c.DisplayName, c.FirstName, c.LastName, c.Company, c.Phone, now, now); err != nil {
				return fmt.Errorf("save contact %s: %w", c.Address, err)
			}
		}
		return nil
	})
}

// RemovePerson deletes the user, group or contact at address (kind "users", "groups" or
// "contacts"); a user's batch entry stays (remove it from the batch separately), and the
// login kept for a user whose entry had left the batch goes with the user.
func (s *Store) RemovePerson(ctx context.Context, projectID int64, kind people.Kind, address string) error {
	table := map[people.Kind]string{people.Users: "person", people.Groups: "mail_group", people.Contacts: "contact"}[kind]
	if table == "" {
		return fmt.Errorf("remove %s: unknown kind", kind)
	}
	return s.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE project_id = ? AND address = ?`, projectID, address)
		if err != nil {
			return fmt.Errorf("remove %s %s: %w", kind, address, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s %q: %w", strings.TrimSuffix(string(kind), "s"), address, ErrNotFound)
		}
		if kind != people.Users {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM batch_entry WHERE project_id = ? AND dest_login = ? AND removed_at IS NOT NULL`, projectID, address); err != nil {
			return fmt.Errorf("remove %s %s: %w", kind, address, err)
		}
		return nil
	})
}
