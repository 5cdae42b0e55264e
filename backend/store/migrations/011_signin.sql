-- How Cutover signs in to each side of a project (issue 13): a password (the batch's or
-- the administrator's, as before), a mailbox owner's OAuth 2.0 sign-in (Microsoft 365 or
-- Google Workspace), Microsoft's app-only access or a Google service account.
-- The client secret, the app's certificate and the service account's key are sealed in
-- `secret` under signin/<project id>/<side>/{client-secret,certificate,service-account}.
CREATE TABLE signin_setting (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    side        TEXT NOT NULL CHECK (side IN ('source', 'dest')),
    method      TEXT NOT NULL CHECK (method IN ('password', 'microsoft-user', 'microsoft-app', 'google-user', 'google-service-account')),
    tenant      TEXT NOT NULL DEFAULT '',   -- Microsoft: "organizations" or the tenant ID
    client_id   TEXT NOT NULL DEFAULT '',   -- the customer's app registration / OAuth client
    idp_url     TEXT NOT NULL DEFAULT '',   -- identity provider override (demo, tests)
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, side)
);

-- A mailbox owner's sign-in: when its token expires and whether it can be renewed. The
-- token itself (access and refresh) is sealed in `secret` under
-- signin/<project id>/<side>/token/<mailbox>.
CREATE TABLE signin_token (
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    side          TEXT NOT NULL CHECK (side IN ('source', 'dest')),
    mailbox       TEXT NOT NULL COLLATE NOCASE,
    expiry        TEXT NOT NULL DEFAULT '',
    refreshable   INTEGER NOT NULL DEFAULT 0,
    signed_in_at  TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, side, mailbox)
);
