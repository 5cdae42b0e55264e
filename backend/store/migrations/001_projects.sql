-- Projects, their domains, servers and holidays; the migration timeline; the contact
-- log; encrypted secrets; the event log.
CREATE TABLE project (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    customer    TEXT NOT NULL DEFAULT '',
    provider    TEXT NOT NULL CHECK (provider IN ('m365', 'google', 'imap')),
    cutover_at  TEXT NOT NULL,            -- local wall time "2006-01-02T15:04" in tz
    tz          TEXT NOT NULL,            -- IANA zone
    status      TEXT NOT NULL DEFAULT 'active',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE project_domain (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL COLLATE NOCASE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (project_id, domain)
);

CREATE TABLE project_holiday (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,            -- 2006-01-02
    PRIMARY KEY (project_id, day)
);

-- One row per project and role ('source' or 'dest').
CREATE TABLE server (
    project_id   INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('source', 'dest')),
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL,
    tls          TEXT NOT NULL CHECK (tls IN ('implicit', 'starttls', 'plain')),
    allow_plain  INTEGER NOT NULL DEFAULT 0,
    ca_file      TEXT NOT NULL DEFAULT '',
    skip_verify  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, role)
);

-- Status of the timeline's steps; the steps themselves are defined in code.
CREATE TABLE step (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done', 'blocked', 'skipped')),
    due_at      TEXT NOT NULL DEFAULT '', -- frozen due date once done or skipped
    by_whom     TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, key)
);

CREATE TABLE contact_log (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    step_key    TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'meeting', 'other')),
    summary     TEXT NOT NULL
);
CREATE INDEX contact_log_project ON contact_log(project_id, at);

-- Secrets sealed with the key file's key (see package secrets); never plain text.
CREATE TABLE secret (
    ref         TEXT PRIMARY KEY,
    project_id  INTEGER REFERENCES project(id) ON DELETE CASCADE,
    sealed      BLOB NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE event_log (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER REFERENCES project(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX event_log_project ON event_log(project_id, at);
