-- Changes Cutover makes at the customer's DNS host (issue 17). How to reach the host, one
-- zone per project; its secret (the TSIG key's, or Cloudflare's API token) is sealed in
-- `secret` under dnshost/<project id>/secret.
CREATE TABLE dns_host (
    project_id  INTEGER PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,              -- rfc2136, cloudflare (checked by api: another provider needs no migration)
    zone        TEXT NOT NULL,
    server      TEXT NOT NULL DEFAULT '',   -- rfc2136: the primary's host:port
    key_name    TEXT NOT NULL DEFAULT '',   -- rfc2136: the TSIG key's name
    algorithm   TEXT NOT NULL DEFAULT '',   -- rfc2136: hmac-sha256, ...
    zone_id     TEXT NOT NULL DEFAULT '',   -- cloudflare: the zone's ID
    api_url     TEXT NOT NULL DEFAULT '',   -- cloudflare: another API address (tests, demo)
    updated_at  TEXT NOT NULL
);

-- Every change applied (or tried): the diff the user confirmed, its fingerprint and the
-- snapshot of the records it replaced (JSON, dnsupdate.Snapshot), from which a rollback
-- puts them back. A rollback undoes the latest change not undone yet.
CREATE TABLE dns_change (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('lower', 'switch', 'rollback')),
    fingerprint  TEXT NOT NULL,
    diff         TEXT NOT NULL,
    snapshot     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('applying', 'applied', 'partial', 'failed')),
    error        TEXT NOT NULL DEFAULT '',
    undoes       INTEGER REFERENCES dns_change(id),   -- a rollback: the change it undoes
    undone_by    INTEGER REFERENCES dns_change(id)    -- set when a rollback has undone it
);
CREATE INDEX dns_change_project ON dns_change(project_id, id);
