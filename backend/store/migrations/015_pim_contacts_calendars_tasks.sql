-- Contacts, calendars and tasks (issue 15): the ledger of copied items, keyed by the
-- mailbox's job, the source collection and the source item's href; etag is the source
-- version copied, dest_href/dest_etag the copy Cutover wrote (overwritten only over
-- that ETag when the source item changes).
CREATE TABLE pim_ledger (
    job             TEXT NOT NULL,
    collection      TEXT NOT NULL,
    href            TEXT NOT NULL,
    etag            TEXT NOT NULL,
    uid             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    dest_collection TEXT NOT NULL,
    dest_href       TEXT NOT NULL,
    dest_etag       TEXT NOT NULL DEFAULT '',
    matched         INTEGER NOT NULL DEFAULT 0,
    copied_at       TEXT NOT NULL,
    PRIMARY KEY (job, collection, href)
);

-- Where a project's contacts, calendars and tasks live: a CalDAV/CardDAV base URL per
-- side (or a bare domain, found by DNS SRV and /.well-known, RFC 6764). The mailbox's
-- own login and password are used on both.
CREATE TABLE pim_setting (
    project_id  INTEGER PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
    source_url  TEXT NOT NULL DEFAULT '',
    dest_url    TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);

-- The last contacts/calendars pass (or file import) of each mailbox, with what the
-- destination refused (pim.Failure list as JSON) and what it took without something.
CREATE TABLE pim_run (
    project_id   INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login TEXT NOT NULL COLLATE NOCASE,
    pass         TEXT NOT NULL,          -- pre, final or files
    state        TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    copied       INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    matched      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    failures     TEXT NOT NULL DEFAULT '[]',
    notes        TEXT NOT NULL DEFAULT '[]',
    finished_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, source_login)
);
