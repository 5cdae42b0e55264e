package mailbox

import (
	"context"

	"github.com/emersion/go-imap/v2"
)

// Entry is one copied message in the ledger. The source side (Folder, UIDValidity, UID)
// says a message is done; Key and DestFolder let a later pass account for the copies it
// finds at the destination; Flags are the flags last carried over.
type Entry struct {
	Job         string
	Folder      string
	UIDValidity uint32
	UID         imap.UID
	Key         string
	DestFolder  string
	DestUID     imap.UID // 0 when the destination did not say (no UIDPLUS)
	Flags       []string
	Size        int64
	Matched     bool // found at the destination already, not appended
}

// Ledger records copied messages: the ones whose APPEND the destination answered (with
// their destination UID when it said, RFC 4315), and the ones found at the destination
// already (Matched). Record is called with batches (a few hundred entries, or a second's
// worth); each call is one transaction. A crash loses at most the batch being filled: the
// next run finds those copies at the destination before it appends anything.
type Ledger interface {
	Copied(ctx context.Context, job, folder string, uidValidity uint32) (map[imap.UID]Entry, error)
	// DestClaims lists, per message key, the destination UIDs that ledger entries of job
	// point to in destFolder (0 for unknown ones), except entries of sourceFolder under a
	// UIDVALIDITY other than uidValidity.
	DestClaims(ctx context.Context, job, destFolder, sourceFolder string, uidValidity uint32) (map[string][]imap.UID, error)
	Record(ctx context.Context, entries []Entry) error
	UpdateFlags(ctx context.Context, entries []Entry) error
	// SetAppending records that job is (or no longer is) appending to destFolder;
	// Appending reports whether a run was interrupted while it was.
	SetAppending(ctx context.Context, job, destFolder string, on bool) error
	Appending(ctx context.Context, job, destFolder string) (bool, error)
}

// record writes entries to the ledger in one transaction.
func (c *Copier) record(ctx context.Context, entries []Entry) error {
	if err := c.Ledger.Record(ctx, entries); err != nil {
		return err
	}
	c.checkpoint(CheckpointRecorded)
	return nil
}
