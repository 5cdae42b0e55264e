-- What the last complete pass of a job saw of each source folder (issue 16): a pass that
-- finds the folder's STATUS the same (UIDVALIDITY, UIDNEXT, MESSAGES and, with CONDSTORE,
-- HIGHESTMODSEQ) and the same destination folder skips it without EXAMINE or FETCH. A pass
-- removes a folder's row before it changes the folder and writes it again once the folder
-- is complete (mailbox/unchanged.go).
CREATE TABLE mail_folder_state (
    job              TEXT NOT NULL,
    folder           TEXT NOT NULL,
    dest_folder      TEXT NOT NULL,
    uidvalidity      INTEGER NOT NULL,
    uidnext          INTEGER NOT NULL,
    messages         INTEGER NOT NULL,
    highestmodseq    INTEGER NOT NULL DEFAULT 0, -- 0: the source has no CONDSTORE
    passed_at        TEXT NOT NULL,
    PRIMARY KEY (job, folder)
) WITHOUT ROWID;
