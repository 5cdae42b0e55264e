-- A DNS change confirmed ahead of time and made by Cutover at the time the timeline says
-- (issue 17): the fingerprint is the plan the user saw; at `at` the change is planned again
-- and made only if the plan is still that one.
CREATE TABLE dns_scheduled (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,               -- lower or switch
    fingerprint TEXT NOT NULL,
    diff        TEXT NOT NULL,               -- the change as confirmed
    at          TEXT NOT NULL,               -- when to make it
    created_at  TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending', -- pending, applied, partial, failed, refused, cancelled
    change_id   INTEGER NOT NULL DEFAULT 0,  -- the dns_change it made
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dns_scheduled_due ON dns_scheduled(state, at);
