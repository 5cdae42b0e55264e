-- Which process is copying a mailbox now: two passes over one mailbox at once (the
-- window and a terminal, say) could each append what the other has not recorded yet.
-- A lease is renewed while its pass runs and released when it ends; one whose owner
-- died is taken over.
CREATE TABLE mail_lease (
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login  TEXT NOT NULL COLLATE NOCASE,
    owner         TEXT NOT NULL,   -- host and process: "laptop:4242"
    taken_at      TEXT NOT NULL,
    renewed_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, source_login)
) WITHOUT ROWID;
