-- Where a project's people are detected at the source (issue 18): one row per directory
-- source ("graph", "google", "cpanel", "doveadm") with its API address, the cPanel
-- account and the Google administrator the service account acts for. The cPanel API
-- token and the doveadm API key are sealed in `secret` under
-- directory/<project id>/<source>/token; Graph and Google use the source side's sign-in
-- (signin_setting) and its sealed secrets.
CREATE TABLE directory_setting (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source      TEXT NOT NULL CHECK (source IN ('graph', 'google', 'cpanel', 'doveadm')),
    url         TEXT NOT NULL DEFAULT '',
    account     TEXT NOT NULL DEFAULT '',
    admin       TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, source)
);
