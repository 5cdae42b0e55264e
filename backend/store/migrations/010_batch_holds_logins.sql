-- One place for a user's source login and whether its mailbox is copied (issue 12). They
-- were kept twice, in person (source_login, migrate) and in the user's batch entry
-- (source_login, enabled), and reconciled on every read with the entry winning. The batch
-- entry is now the only place: `cutover batch set` edits it and the copy passes read it.
-- person loses both columns.
--
-- A user whose entry leaves the batch (removed, or pointed at another mailbox) keeps its
-- source login, as before: the entry stays as a record with removed_at set, which no list
-- of the batch, no copy pass and neither uniqueness rule sees, until the mailbox is put
-- back in the batch or the user is removed.
--
-- batch_entry is rebuilt (SQLite cannot change a table's UNIQUE constraints) keeping every
-- id, which the sealed passwords' references (batch/<id>/source, batch/<id>/dest) name.
CREATE TABLE batch_entry_new (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login  TEXT NOT NULL COLLATE NOCASE,
    dest_login    TEXT NOT NULL COLLATE NOCASE,
    name          TEXT NOT NULL DEFAULT '',   -- the person, for display
    enabled       INTEGER NOT NULL DEFAULT 1,
    removed_at    TEXT,                       -- set: out of the batch, kept for the user at dest_login
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
INSERT INTO batch_entry_new(id, project_id, source_login, dest_login, name, enabled, created_at, updated_at)
    SELECT id, project_id, source_login, dest_login, name, enabled, created_at, updated_at FROM batch_entry;
DROP TABLE batch_entry;
ALTER TABLE batch_entry_new RENAME TO batch_entry;
CREATE UNIQUE INDEX batch_entry_source ON batch_entry(project_id, source_login) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX batch_entry_dest ON batch_entry(project_id, dest_login) WHERE removed_at IS NULL;
CREATE INDEX batch_entry_project ON batch_entry(project_id, dest_login);

-- A user without an entry was shown with the login of its person row, not migrated: that
-- login moves to a removed entry. (A user with an entry was shown with the entry's login
-- and state, which stay where they are.)
INSERT INTO batch_entry(project_id, source_login, dest_login, name, enabled, removed_at, created_at, updated_at)
    SELECT p.project_id, p.source_login, p.address, p.display_name, p.migrate, p.updated_at, p.created_at, p.updated_at
    FROM person p
    WHERE p.source_login <> ''
      AND NOT EXISTS (SELECT 1 FROM batch_entry b WHERE b.project_id = p.project_id AND b.dest_login = p.address)
    ORDER BY p.id;

ALTER TABLE person DROP COLUMN source_login;
ALTER TABLE person DROP COLUMN migrate;
