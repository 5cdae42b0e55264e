-- Sweeps (issue 17): the final pass run again for every mailbox after the MX switch, until
-- the old host has stopped receiving mail. One schedule per project; each run recorded with
-- what it found.
CREATE TABLE sweep (
    project_id  INTEGER PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
    switch_at   TEXT NOT NULL,            -- the MX switch: the schedule counts from it
    until       TEXT NOT NULL,            -- no sweep starts after it
    started_at  TEXT NOT NULL,
    stopped_at  TEXT NOT NULL DEFAULT ''  -- stopped by the user ('' while it goes on)
);

CREATE TABLE sweep_run (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    copied      INTEGER NOT NULL DEFAULT 0, -- new messages found at the old host and copied
    failed      INTEGER NOT NULL DEFAULT 0, -- refused by the destination
    errors      INTEGER NOT NULL DEFAULT 0, -- mailboxes whose sweep failed
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sweep_run_project ON sweep_run(project_id, started_at);
