-- The customer pack (issue 14): per project, the language and webmail URL of the
-- documents and messages and the customer's contact; the drafts the specialist edited;
-- the specialist's profile (one row) with the SMTP submission server, whose password is
-- sealed in `secret` under specialist/smtp-password; and the last verification per
-- folder, which the verification and closing reports print.
CREATE TABLE customer_pack (
    project_id     INTEGER PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
    language       TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
    webmail        TEXT NOT NULL DEFAULT '',   -- '' : the provider's preset
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_email  TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL
);

CREATE TABLE message_draft (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                  -- pre_contact, confirm_contact, ...
    recipients  TEXT NOT NULL DEFAULT '',       -- one address a line
    cc          TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, kind)
);

CREATE TABLE specialist (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    name           TEXT NOT NULL DEFAULT '',
    company        TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    signature      TEXT NOT NULL DEFAULT '',
    smtp_host      TEXT NOT NULL DEFAULT '',
    smtp_port      INTEGER NOT NULL DEFAULT 587,
    smtp_security  TEXT NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('starttls', 'tls', 'plain')),
    smtp_user      TEXT NOT NULL DEFAULT '',
    smtp_ca_file   TEXT NOT NULL DEFAULT '',   -- a private CA (PEM) besides the system's roots
    updated_at     TEXT NOT NULL
);

CREATE TABLE mail_verify_folder (
    project_id       INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login     TEXT NOT NULL COLLATE NOCASE,
    source           TEXT NOT NULL,
    dest             TEXT NOT NULL DEFAULT '',
    source_messages  INTEGER NOT NULL DEFAULT 0,
    dest_messages    INTEGER NOT NULL DEFAULT 0,
    missing          INTEGER NOT NULL DEFAULT 0,
    checked_at       TEXT NOT NULL,
    PRIMARY KEY (project_id, source_login, source)
);

-- The messages that verification found missing at the destination, one a row.
CREATE TABLE mail_verify_missing (
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login  TEXT NOT NULL COLLATE NOCASE,
    source        TEXT NOT NULL,
    uid           INTEGER NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    date          TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, source_login, source, uid)
);
