-- The last verification of each mailbox's contacts, calendars and tasks: one row per
-- source address book or calendar, source and destination counts, and the items found
-- missing at the destination (JSON: collection, kind, summary, uid).
CREATE TABLE pim_verify_collection (
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login  TEXT NOT NULL COLLATE NOCASE,
    source        TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    dest          TEXT NOT NULL DEFAULT '',
    type          TEXT NOT NULL DEFAULT '',
    source_items  INTEGER NOT NULL DEFAULT 0,
    dest_items    INTEGER NOT NULL DEFAULT 0,
    missing       TEXT NOT NULL DEFAULT '[]',
    checked_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, source_login, source)
);
