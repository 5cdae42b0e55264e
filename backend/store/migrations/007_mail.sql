-- The mailbox copy engine (issue 4).

-- The ledger of copied messages: one row per source message copied (or found at the
-- destination already). job names the mailbox pair: "p<project id>/<source login>" for a
-- project's batch entry, "copy/<source>→<destination>" for `cutover copy`.
CREATE TABLE mail_ledger (
    job          TEXT NOT NULL,
    folder       TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    msg_key      TEXT NOT NULL,            -- "m:<hash of Message-ID>" or "h:<hash of header>:<size>"
    dest_folder  TEXT NOT NULL,
    dest_uid     INTEGER NOT NULL DEFAULT 0, -- 0 when the destination did not say
    flags        TEXT NOT NULL DEFAULT '',   -- space-separated, as last carried over
    size         INTEGER NOT NULL DEFAULT 0,
    matched      INTEGER NOT NULL DEFAULT 0, -- found at the destination, not appended
    copied_at    TEXT NOT NULL,
    PRIMARY KEY (job, folder, uidvalidity, uid)
) WITHOUT ROWID;
CREATE INDEX mail_ledger_dest ON mail_ledger(job, dest_folder);

-- Administrator access to a project's server ("source" or "dest") without user passwords.
-- The password is sealed in `secret` under mailadmin/<project id>/<side>.
CREATE TABLE mail_admin (
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    side        TEXT NOT NULL CHECK (side IN ('source', 'dest')),
    login       TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('plain-authzid', 'dovecot-master')),
    PRIMARY KEY (project_id, side)
);

-- The user's folder rules (rename by pattern, exclude), in order; source_login '' applies
-- to every mailbox of the project.
CREATE TABLE mail_rule (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login  TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    pattern       TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('exclude', 'rename')),
    target        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_rule_project ON mail_rule(project_id);

-- The last analysis of each source folder, with its mapping.
CREATE TABLE mail_folder (
    project_id     INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login   TEXT NOT NULL COLLATE NOCASE,
    folder         TEXT NOT NULL,
    delim          TEXT NOT NULL DEFAULT '',
    special_use    TEXT NOT NULL DEFAULT '',
    messages       INTEGER NOT NULL DEFAULT 0,
    bytes          INTEGER NOT NULL DEFAULT 0,
    oldest         TEXT NOT NULL DEFAULT '',
    newest         TEXT NOT NULL DEFAULT '',
    pre_messages   INTEGER NOT NULL DEFAULT 0,
    pre_bytes      INTEGER NOT NULL DEFAULT 0,
    todo_messages  INTEGER NOT NULL DEFAULT 0,
    todo_bytes     INTEGER NOT NULL DEFAULT 0,
    dest           TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    excluded       INTEGER NOT NULL DEFAULT 0,
    analyzed_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, source_login, folder)
);

-- Passes per mailbox: analysis / pre / final / verify, with their counts and state.
CREATE TABLE mail_pass (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login    TEXT NOT NULL COLLATE NOCASE,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    messages_total  INTEGER NOT NULL DEFAULT 0,
    messages_done   INTEGER NOT NULL DEFAULT 0,
    bytes_total     INTEGER NOT NULL DEFAULT 0,
    bytes_done      INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    cutoff          TEXT NOT NULL DEFAULT '',
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_pass_project ON mail_pass(project_id, source_login);

-- Messages the destination refused in a pass.
CREATE TABLE mail_failure (
    pass_id  INTEGER NOT NULL REFERENCES mail_pass(id) ON DELETE CASCADE,
    folder   TEXT NOT NULL,
    uid      INTEGER NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    size     INTEGER NOT NULL DEFAULT 0,
    date     TEXT NOT NULL DEFAULT '',
    reason   TEXT NOT NULL
);
CREATE INDEX mail_failure_pass ON mail_failure(pass_id);

-- Destination folders a run was appending to: a row left behind means the run was
-- interrupted, and APPENDs it had sent may still land; the next run waits for them.
CREATE TABLE mail_appending (
    job          TEXT NOT NULL,
    dest_folder  TEXT NOT NULL,
    since        TEXT NOT NULL,
    PRIMARY KEY (job, dest_folder)
) WITHOUT ROWID;
