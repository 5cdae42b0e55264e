-- People of a project (issue 3): users (each linked to a migration batch entry by its
-- address as the destination login), groups with their members, and external contacts.
-- Passwords are not here: they are sealed in `secret` under the batch entry's references.
CREATE TABLE person (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    address       TEXT NOT NULL COLLATE NOCASE,   -- destination mailbox, the key
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    source_login  TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    job_title     TEXT NOT NULL DEFAULT '',
    department    TEXT NOT NULL DEFAULT '',
    office_phone  TEXT NOT NULL DEFAULT '',
    mobile_phone  TEXT NOT NULL DEFAULT '',
    org_unit      TEXT NOT NULL DEFAULT '',
    migrate       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (project_id, address)
);

CREATE TABLE mail_group (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    address       TEXT NOT NULL COLLATE NOCASE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (project_id, address)
);

-- Members by address: a user, a contact or another group of the project.
CREATE TABLE mail_group_member (
    group_id      INTEGER NOT NULL REFERENCES mail_group(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    address       TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (group_id, address)
);

CREATE TABLE contact (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    address       TEXT NOT NULL COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    company       TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (project_id, address)
);
