-- DNS checks (issue 5): per-project settings and verification values, edits to the
-- expected records, every check run and every answer observed (the history the
-- safe-switch time is computed from).
CREATE TABLE dns_settings (
    project_id   INTEGER PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
    resolvers    TEXT NOT NULL DEFAULT '',   -- one address per line; empty: system + public
    nameservers  TEXT NOT NULL DEFAULT '',   -- one address per line; empty: found through NS
    ttl_target   INTEGER NOT NULL DEFAULT 300,
    reach        INTEGER NOT NULL DEFAULT 0  -- also try the destination's IMAP/submission ports
);

-- The TXT value the destination's console gives, per domain.
CREATE TABLE dns_verification (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL COLLATE NOCASE,
    value       TEXT NOT NULL,
    PRIMARY KEY (project_id, domain)
);

-- A project's edits to the provider's expected records: same (domain, key) replaces
-- or disables a default, another key adds a record.
CREATE TABLE dns_record (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL COLLATE NOCASE,
    key         TEXT NOT NULL,
    purpose     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL DEFAULT '',
    match       TEXT NOT NULL DEFAULT 'exact',
    ttl         INTEGER NOT NULL DEFAULT 300,
    changes     INTEGER NOT NULL DEFAULT 1,
    disabled    INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL,
    PRIMARY KEY (project_id, domain, key)
);

CREATE TABLE dns_check (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    phase       TEXT NOT NULL CHECK (phase IN ('before', 'after')),
    ok          INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    report      TEXT NOT NULL                -- the whole report, JSON
);
CREATE INDEX dns_check_project ON dns_check(project_id, at);

CREATE TABLE dns_observation (
    id          INTEGER PRIMARY KEY,
    check_id    INTEGER NOT NULL REFERENCES dns_check(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    domain      TEXT NOT NULL,
    kind        TEXT NOT NULL,               -- value or ttl
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    server      TEXT NOT NULL,               -- host:port asked
    label       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,               -- authoritative or resolver
    rcode       TEXT NOT NULL,
    vals        TEXT NOT NULL DEFAULT '[]',  -- JSON array of values
    ttl         INTEGER NOT NULL DEFAULT 0,
    has_ttl     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dns_observation_series ON dns_observation(project_id, kind, name, type, server, at);
