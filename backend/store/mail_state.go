package store

import (
	"context"
	"fmt"

	"cutover/backend/mailbox"
)

// The MailLedger also keeps the folder states of mailbox.FolderStates (migration 018).
var _ mailbox.FolderStates = (*MailLedger)(nil)

// FolderStates returns the states of job's source folders, by folder.
func (l *MailLedger) FolderStates(ctx context.Context, job string) (map[string]mailbox.FolderState, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT folder, dest_folder, uidvalidity, uidnext, messages, highestmodseq
		FROM mail_folder_state WHERE job = ?`, job)
	if err != nil {
		return nil, fmt.Errorf("read the folder states: %w", err)
	}
	defer rows.Close()
	out := map[string]mailbox.FolderState{}
	for rows.Next() {
		st := mailbox.FolderState{Job: job}
		var modseq int64
		if err := rows.Scan(&st.Folder, &st.Dest, &st.UIDValidity, &st.UIDNext, &st.Messages, &modseq); err != nil {
			return nil, fmt.Errorf("read the folder states: %w", err)
		}
		st.HighestModSeq = uint64(modseq)
		out[st.Folder] = st
	}
	return out, rows.Err()
}

// PutFolderState stores the state of a folder, replacing the one before.
func (l *MailLedger) PutFolderState(ctx context.Context, st mailbox.FolderState) error {
	_, err := l.s.db.ExecContext(ctx, `INSERT INTO mail_folder_state(job, folder, dest_folder, uidvalidity, uidnext, messages, highestmodseq, passed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(job, folder) DO UPDATE SET dest_folder = excluded.dest_folder, uidvalidity = excluded.uidvalidity,
		uidnext = excluded.uidnext, messages = excluded.messages, highestmodseq = excluded.highestmodseq, passed_at = excluded.passed_at`,
		st.Job, st.Folder, st.Dest, st.UIDValidity, st.UIDNext, st.Messages, int64(st.HighestModSeq), fmtTime(l.s.now()))
	if err != nil {
		return fmt.Errorf("record the state of %q: %w", st.Folder, err)
	}
	return nil
}

// ForgetFolderState removes the state of a folder.
func (l *MailLedger) ForgetFolderState(ctx context.Context, job, folder string) error {
	if _, err := l.s.db.ExecContext(ctx, `DELETE FROM mail_folder_state WHERE job = ? AND folder = ?`, job, folder); err != nil {
		return fmt.Errorf("forget the state of %q: %w", folder, err)
	}
	return nil
}
