-- The analysis of a Gmail source has a row per label of All Mail (the folder is All Mail
-- for each), so the label joins the key; each row also keeps the messages too large for
-- the destination (JSON: uid, subject, size, date, limit), listed before the pass.
CREATE TABLE mail_folder_new (
    project_id     INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    source_login   TEXT NOT NULL COLLATE NOCASE,
    folder         TEXT NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
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
    too_large      TEXT NOT NULL DEFAULT '[]',
    analyzed_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, source_login, folder, label)
);
INSERT INTO mail_folder_new (project_id, source_login, folder, delim, special_use, messages, bytes, oldest, newest,
    pre_messages, pre_bytes, todo_messages, todo_bytes, dest, reason, excluded, analyzed_at)
SELECT project_id, source_login, folder, delim, special_use, messages, bytes, oldest, newest,
    pre_messages, pre_bytes, todo_messages, todo_bytes, dest, reason, excluded, analyzed_at FROM mail_folder;
DROP TABLE mail_folder;
ALTER TABLE mail_folder_new RENAME TO mail_folder;
