-- The migration batch: each entry links a source mailbox (its login on the old server)
-- to a destination mailbox (its login on the new one). Passwords are not here: they are
-- sealed in `secret` under the references batch/<entry id>/source and batch/<entry id>/dest.
CREATE TABLE batch_entry (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login  TEXT NOT NULL COLLATE NOCASE,
    dest_login    TEXT NOT NULL COLLATE NOCASE,
    name          TEXT NOT NULL DEFAULT '',   -- the person, for display
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (project_id, source_login),
    UNIQUE (project_id, dest_login)
);
CREATE INDEX batch_entry_project ON batch_entry(project_id);
