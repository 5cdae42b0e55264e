package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/mailbox"
)

// MailLedger is the ledger of copied messages (mailbox.Ledger) in the database.
type MailLedger struct{ s *Store }

// MailLedger returns the ledger of copied messages.
func (s *Store) MailLedger() *MailLedger { return &MailLedger{s: s} }

// Copied returns the ledger entries of a source folder under its UIDVALIDITY.
func (l *MailLedger) Copied(ctx context.Context, job, folder string, uidValidity uint32) (map[imap.UID]mailbox.Entry, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT uid, msg_key, dest_folder, dest_uid, flags, size, matched
		FROM mail_ledger WHERE job = ? AND folder = ? AND uidvalidity = ?`, job, folder, uidValidity)
	if err != nil {
		return nil, fmt.Errorf("read the ledger of %q: %w", folder, err)
	}
	defer rows.Close()
	out := map[imap.UID]mailbox.Entry{}
	for rows.Next() {
		e := mailbox.Entry{Job: job, Folder: folder, UIDValidity: uidValidity}
		var uid, duid int64
		var flags string
		if err := rows.Scan(&uid, &e.Key, &e.DestFolder, &duid, &flags, &e.Size, &e.Matched); err != nil {
			return nil, fmt.Errorf("read the ledger of %q: %w", folder, err)
		}
		e.UID, e.DestUID = imap.UID(uid), imap.UID(duid)
		e.Flags = strings.Fields(flags)
		out[e.UID] = e
	}
	return out, rows.Err()
}

// DestClaims lists, per message key, the destination UIDs the ledger points to in
// destFolder, leaving out entries of sourceFolder under another UIDVALIDITY than the
// current one (the source folder was recreated: those entries no longer say anything).
func (l *MailLedger) DestClaims(ctx context.Context, job, destFolder, sourceFolder string, uidValidity uint32) (map[string][]imap.UID, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT msg_key, dest_uid FROM mail_ledger WHERE job = ? AND dest_folder = ?
		AND NOT (folder = ? AND uidvalidity != ?)`, job, destFolder, sourceFolder, uidValidity)
	if err != nil {
		return nil, fmt.Errorf("read the ledger of destination folder %q: %w", destFolder, err)
	}
	defer rows.Close()
	out := map[string][]imap.UID{}
	for rows.Next() {
		var k string
		var u int64
		if err := rows.Scan(&k, &u); err != nil {
			return nil, err
		}
		out[k] = append(out[k], imap.UID(u))
	}
	return out, rows.Err()
}

// ledgerRows is how many entries one INSERT statement of Record carries: one statement per
// entry cost 13 µs an entry, 64 rows per statement 8.5 µs (BenchmarkLedgerRecord).
const ledgerRows = 64

// Record writes a batch of entries in one transaction.
func (l *MailLedger) Record(ctx context.Context, entries []mailbox.Entry) error {
	now := fmtTime(l.s.now())
	many, err := l.s.prepared(ctx, recordSQL(ledgerRows))
	if err != nil {
		return fmt.Errorf("record copied messages: %w", err)
	}
	one, err := l.s.prepared(ctx, recordSQL(1))
	if err != nil {
		return fmt.Errorf("record copied messages: %w", err)
	}
	return l.s.Tx(ctx, func(tx *sql.Tx) error {
		many, one := tx.StmtContext(ctx, many), tx.StmtContext(ctx, one)
		args := make([]any, 0, 11*ledgerRows)
		for len(entries) > 0 {
			// Whole groups of ledgerRows, then the rest one by one.
			st, part := many, entries[:min(len(entries), ledgerRows)]
			if len(part) < ledgerRows {
				st, part = one, entries[:1]
			}
			entries = entries[len(part):]
			args = args[:0]
			for _, e := range part {
				args = append(args, e.Job, e.Folder, e.UIDValidity, uint32(e.UID), e.Key, e.DestFolder, uint32(e.DestUID),
					strings.Join(e.Flags, " "), e.Size, e.Matched, now)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("record copied messages %s UID %d to %d: %w", part[0].Folder, part[0].UID, part[len(part)-1].UID, err)
			}
		}
		return nil
	})
}

// recordSQL is the upsert of n ledger entries.
func recordSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO mail_ledger(job, folder, uidvalidity, uid, msg_key, dest_folder, dest_uid, flags, size, matched, copied_at) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(` ON CONFLICT(job, folder, uidvalidity, uid) DO UPDATE SET msg_key = excluded.msg_key, dest_folder = excluded.dest_folder,
		dest_uid = excluded.dest_uid, flags = excluded.flags, size = excluded.size, matched = excluded.matched`)
	return b.String()
}

// UpdateFlags stores the flags last carried over for entries.
func (l *MailLedger) UpdateFlags(ctx context.Context, entries []mailbox.Entry) error {
	return l.s.Tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `UPDATE mail_ledger SET flags = ? WHERE job = ? AND folder = ? AND uidvalidity = ? AND uid = ?`,
				strings.Join(e.Flags, " "), e.Job, e.Folder, e.UIDValidity, uint32(e.UID)); err != nil {
				return fmt.Errorf("update flags in the ledger: %w", err)
			}
		}
		return nil
	})
}

// SetAppending records that job is appending to destFolder (on), or has finished.
func (l *MailLedger) SetAppending(ctx context.Context, job, destFolder string, on bool) error {
	var err error
	if on {
		_, err = l.s.db.ExecContext(ctx, `INSERT INTO mail_appending(job, dest_folder, since) VALUES (?, ?, ?)
			ON CONFLICT(job, dest_folder) DO NOTHING`, job, destFolder, fmtTime(l.s.now()))
	} else {
		_, err = l.s.db.ExecContext(ctx, `DELETE FROM mail_appending WHERE job = ? AND dest_folder = ?`, job, destFolder)
	}
	if err != nil {
		return fmt.Errorf("record appending to %q: %w", destFolder, err)
	}
	return nil
}

// Appending reports whether a run was appending to destFolder when it stopped.
func (l *MailLedger) Appending(ctx context.Context, job, destFolder string) (bool, error) {
	var n int
	err := l.s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_appending WHERE job = ? AND dest_folder = ?`, job, destFolder).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read appending state of %q: %w", destFolder, err)
	}
	return n > 0, nil
}

// LedgerCounts returns, per source folder of job, how many messages the ledger holds.
func (l *MailLedger) LedgerCounts(ctx context.Context, job string) (map[string]int, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT folder, COUNT(*) FROM mail_ledger WHERE job = ? GROUP BY folder`, job)
	if err != nil {
		return nil, fmt.Errorf("count the ledger: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var f string
		var n int
		if err := rows.Scan(&f, &n); err != nil {
			return nil, err
		}
		out[f] = n
	}
	return out, rows.Err()
}

// MailAdmin is administrator access to a project's server.
type MailAdmin struct {
	Side  string            `json:"side"`
	Login string            `json:"login"`
	Mode  mailbox.AdminMode `json:"mode"`
}

// PutMailAdmin stores the administrator login of a side ("source" or "dest").
func (s *Store) PutMailAdmin(ctx context.Context, projectID int64, a MailAdmin) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mail_admin(project_id, side, login, mode) VALUES (?, ?, ?, ?)
		ON CONFLICT(project_id, side) DO UPDATE SET login = excluded.login, mode = excluded.mode`, projectID, a.Side, a.Login, string(a.Mode))
	if err != nil {
		return fmt.Errorf("store the %s administrator: %w", a.Side, err)
	}
	return nil
}

// RemoveMailAdmin removes the administrator login of a side.
func (s *Store) RemoveMailAdmin(ctx context.Context, projectID int64, side string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM mail_admin WHERE project_id = ? AND side = ?`, projectID, side)
	return err
}

// MailAdmins returns the administrator logins of a project, by side.
func (s *Store) MailAdmins(ctx context.Context, projectID int64) (map[string]MailAdmin, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT side, login, mode FROM mail_admin WHERE project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read administrators: %w", err)
	}
	defer rows.Close()
	out := map[string]MailAdmin{}
	for rows.Next() {
		var a MailAdmin
		var mode string
		if err := rows.Scan(&a.Side, &a.Login, &mode); err != nil {
			return nil, err
		}
		a.Mode = mailbox.AdminMode(mode)
		out[a.Side] = a
	}
	return out, rows.Err()
}

// MailRule is a folder rule of a project.
type MailRule struct {
	ID          int64  `json:"id"`
	SourceLogin string `json:"sourceLogin"`
	mailbox.Rule
}

// AddMailRule appends a folder rule.
func (s *Store) AddMailRule(ctx context.Context, projectID int64, r MailRule) (MailRule, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO mail_rule(project_id, source_login, pattern, action, target) VALUES (?, ?, ?, ?, ?)`,
		projectID, r.SourceLogin, r.Pattern, r.Action, r.Target)
	if err != nil {
		return r, fmt.Errorf("store folder rule: %w", err)
	}
	r.ID, _ = res.LastInsertId()
	return r, nil
}

// RemoveMailRule deletes a folder rule.
func (s *Store) RemoveMailRule(ctx context.Context, projectID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM mail_rule WHERE project_id = ? AND id = ?`, projectID, id)
	if err != nil {
		return fmt.Errorf("remove folder rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("folder rule %d: %w", id, ErrNotFound)
	}
	return nil
}

// MailRules returns the rules that apply to a mailbox (its own and the project's), in order;
// sourceLogin "" returns every rule of the project.
func (s *Store) MailRules(ctx context.Context, projectID int64, sourceLogin string) ([]MailRule, error) {
	q := `SELECT id, source_login, pattern, action, target FROM mail_rule WHERE project_id = ?`
	args := []any{projectID}
	if sourceLogin != "" {
		q += ` AND (source_login = '' OR source_login = ?)`
		args = append(args, sourceLogin)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read folder rules: %w", err)
	}
	defer rows.Close()
	var out []MailRule
	for rows.Next() {
		var r MailRule
		if err := rows.Scan(&r.ID, &r.SourceLogin, &r.Pattern, &r.Action, &r.Target); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MailFolder is the stored analysis of one source folder.
type MailFolder struct {
	SourceLogin  string    `json:"sourceLogin"`
	Folder       string    `json:"folder"`
	Label        string    `json:"label,omitempty"` // a Gmail source: the label of Folder's (All Mail's) messages
	Delim        string    `json:"delim"`
	SpecialUse   string    `json:"specialUse"`
	Messages     int       `json:"messages"`
	Bytes        int64     `json:"bytes"`
	Oldest       time.Time `json:"oldest"`
	Newest       time.Time `json:"newest"`
	PreMessages  int       `json:"preMessages"`
	PreBytes     int64     `json:"preBytes"`
	TodoMessages int       `json:"todoMessages"`
	TodoBytes    int64     `json:"todoBytes"`
	Dest         string    `json:"dest"`
	Reason       string    `json:"reason"`
	Excluded     bool      `json:"excluded"`
	// TooLarge are the messages over the destination's size limit: a pass reports them
	// without sending them.
	TooLarge   []mailbox.TooLarge `json:"tooLarge"`
	AnalyzedAt time.Time          `json:"analyzedAt"`
}

// PutMailFolders replaces the stored analysis of a mailbox.
func (s *Store) PutMailFolders(ctx context.Context, projectID int64, sourceLogin string, folders []MailFolder) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mail_folder WHERE project_id = ? AND source_login = ?`, projectID, sourceLogin); err != nil {
			return fmt.Errorf("store analysis of %q: %w", sourceLogin, err)
		}
		for _, f := range folders {
			tooLarge, err := json.Marshal(f.TooLarge)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO mail_folder(project_id, source_login, folder, label, delim, special_use, messages, bytes, oldest, newest,
				pre_messages, pre_bytes, todo_messages, todo_bytes, dest, reason, excluded, too_large, analyzed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				projectID, sourceLogin, f.Folder, f.Label, f.Delim, f.SpecialUse, f.Messages, f.Bytes, fmtTime(f.Oldest), fmtTime(f.Newest),
				f.PreMessages, f.PreBytes, f.TodoMessages, f.TodoBytes, f.Dest, f.Reason, f.Excluded, string(tooLarge), fmtTime(f.AnalyzedAt))
			if err != nil {
				return fmt.Errorf("store analysis of %q folder %q: %w", sourceLogin, f.Folder, err)
			}
		}
		return nil
	})
}

// MailFolders returns the stored analysis of a project's mailboxes ("" for all).
func (s *Store) MailFolders(ctx context.Context, projectID int64, sourceLogin string) ([]MailFolder, error) {
	q := `SELECT source_login, folder, label, delim, special_use, messages, bytes, oldest, newest, pre_messages, pre_bytes,
		todo_messages, todo_bytes, dest, reason, excluded, too_large, analyzed_at FROM mail_folder WHERE project_id = ?`
	args := []any{projectID}
	if sourceLogin != "" {
		q += ` AND source_login = ?`
		args = append(args, sourceLogin)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY source_login, CASE WHEN upper(folder) = 'INBOX' THEN 0 ELSE 1 END, folder, label`, args...)
	if err != nil {
		return nil, fmt.Errorf("read analysis: %w", err)
	}
	defer rows.Close()
	var out []MailFolder
	for rows.Next() {
		var f MailFolder
		var oldest, newest, at, tooLarge string
		if err := rows.Scan(&f.SourceLogin, &f.Folder, &f.Label, &f.Delim, &f.SpecialUse, &f.Messages, &f.Bytes, &oldest, &newest,
			&f.PreMessages, &f.PreBytes, &f.TodoMessages, &f.TodoBytes, &f.Dest, &f.Reason, &f.Excluded, &tooLarge, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(tooLarge), &f.TooLarge); err != nil {
			return nil, fmt.Errorf("read analysis of %q folder %q: too-large list: %w", f.SourceLogin, f.Folder, err)
		}
		if f.TooLarge == nil {
			f.TooLarge = []mailbox.TooLarge{}
		}
		f.Oldest, f.Newest, f.AnalyzedAt = parseTime(oldest), parseTime(newest), parseTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// MailPass is one pass over one mailbox.
type MailPass struct {
	ID            int64             `json:"id"`
	SourceLogin   string            `json:"sourceLogin"`
	Kind          string            `json:"kind"`
	State         mailbox.State     `json:"state"`
	MessagesTotal int               `json:"messagesTotal"`
	MessagesDone  int               `json:"messagesDone"`
	BytesTotal    int64             `json:"bytesTotal"`
	BytesDone     int64             `json:"bytesDone"`
	Failed        int               `json:"failed"`
	Error         string            `json:"error"`
	Cutoff        time.Time         `json:"cutoff"`
	Started       time.Time         `json:"started"`
	Finished      time.Time         `json:"finished"`
	Failures      []mailbox.Failure `json:"failures,omitempty"`
}

// StartMailPass records a pass beginning.
func (s *Store) StartMailPass(ctx context.Context, projectID int64, p MailPass) (MailPass, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO mail_pass(project_id, source_login, kind, state, cutoff, started_at) VALUES (?, ?, ?, ?, ?, ?)`,
		projectID, p.SourceLogin, p.Kind, p.State, fmtTime(p.Cutoff), fmtTime(p.Started))
	if err != nil {
		return p, fmt.Errorf("record pass of %q: %w", p.SourceLogin, err)
	}
	p.ID, _ = res.LastInsertId()
	return p, nil
}

// UpdateMailPass stores a pass's counts and state, and its failures when given.
func (s *Store) UpdateMailPass(ctx context.Context, p MailPass) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_pass SET state = ?, messages_total = ?, messages_done = ?, bytes_total = ?, bytes_done = ?,
			failed = ?, error = ?, finished_at = ? WHERE id = ?`, p.State, p.MessagesTotal, p.MessagesDone, p.BytesTotal, p.BytesDone,
			p.Failed, p.Error, fmtTime(p.Finished), p.ID)
		if err != nil {
			return fmt.Errorf("update pass %d: %w", p.ID, err)
		}
		if p.Failures == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mail_failure WHERE pass_id = ?`, p.ID); err != nil {
			return err
		}
		for _, f := range p.Failures {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_failure(pass_id, folder, uid, subject, size, date, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				p.ID, f.Folder, f.UID, f.Subject, f.Size, fmtTime(f.Date), f.Reason); err != nil {
				return fmt.Errorf("record failure: %w", err)
			}
		}
		return nil
	})
}

// LatestMailPasses returns the newest pass of each mailbox of a project, with failures.
func (s *Store) LatestMailPasses(ctx context.Context, projectID int64) (map[string]MailPass, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, source_login, kind, state, messages_total, messages_done, bytes_total, bytes_done, failed, error,
		cutoff, started_at, finished_at FROM mail_pass p WHERE project_id = ? AND kind IN ('pre', 'final')
		AND id = (SELECT MAX(id) FROM mail_pass q WHERE q.project_id = p.project_id AND q.source_login = p.source_login AND q.kind IN ('pre', 'final'))`, projectID)
	if err != nil {
		return nil, fmt.Errorf("read passes: %w", err)
	}
	out := map[string]MailPass{}
	var ids []int64
	for rows.Next() {
		var p MailPass
		var cutoff, started, finished string
		if err := rows.Scan(&p.ID, &p.SourceLogin, &p.Kind, &p.State, &p.MessagesTotal, &p.MessagesDone, &p.BytesTotal, &p.BytesDone,
			&p.Failed, &p.Error, &cutoff, &started, &finished); err != nil {
			rows.Close()
			return nil, err
		}
		p.Cutoff, p.Started, p.Finished = parseTime(cutoff), parseTime(started), parseTime(finished)
		out[strings.ToLower(p.SourceLogin)] = p
		ids = append(ids, p.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for login, p := range out {
		fs, err := s.mailFailures(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		p.Failures = fs
		out[login] = p
	}
	return out, nil
}

func (s *Store) mailFailures(ctx context.Context, passID int64) ([]mailbox.Failure, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT folder, uid, subject, size, date, reason FROM mail_failure WHERE pass_id = ? ORDER BY folder, uid`, passID)
	if err != nil {
		return nil, fmt.Errorf("read failures: %w", err)
	}
	defer rows.Close()
	var out []mailbox.Failure
	for rows.Next() {
		var f mailbox.Failure
		var date string
		if err := rows.Scan(&f.Folder, &f.UID, &f.Subject, &f.Size, &date, &f.Reason); err != nil {
			return nil, err
		}
		f.Date = parseTime(date)
		out = append(out, f)
	}
	return out, rows.Err()
}

// MarkInterruptedMailPasses marks a mailbox's passes still recorded as running (their
// process was killed) as stopped; called when a new pass of that mailbox starts.
func (s *Store) MarkInterruptedMailPasses(ctx context.Context, projectID int64, sourceLogin string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE mail_pass SET state = ?, error = 'interrupted: run the pass again to resume'
		WHERE project_id = ? AND source_login = ? AND state = ?`, mailbox.StateStopped, projectID, sourceLogin, mailbox.StateRunning)
	if err != nil {
		return fmt.Errorf("mark interrupted passes: %w", err)
	}
	return nil
}
