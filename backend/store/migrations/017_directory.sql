-- Where a project's people are read through a directory API (issue 18): on the source
-- side, where they are detected ("graph", "google", "cpanel", "plesk", "doveadm"); on the
-- destination, where they are created ("graph"). Each row holds the API's address
-- (empty: the service's own), the cPanel account and the Google administrator the
-- service account acts for. The cPanel API token, the Plesk secret key and the doveadm
-- API key are sealed in `secret` under directory/<project id>/<source>/token; Graph and
-- Google use the side's sign-in (signin_setting) and its sealed secrets.
CREATE TABLE directory_setting (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    side        TEXT NOT NULL DEFAULT 'source' CHECK (side IN ('source', 'dest')),
    source      TEXT NOT NULL CHECK (source IN ('graph', 'google', 'cpanel', 'plesk', 'doveadm')),
    url         TEXT NOT NULL DEFAULT '',
    account     TEXT NOT NULL DEFAULT '',
    admin       TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, side, source)
);
