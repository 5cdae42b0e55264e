-- Contacts, calendars and tasks (issue 15): the ledger of copied items, keyed by the
-- mailbox's job, the source collection and the source item's href; etag is the source
-- version copied, dest_href/dest_etag the copy Cutover wrote (overwritten only over
-- that ETag when the source item changes).
CREATE TABLE pim_ledger (
    job             TEXT NOT NULL,
    collection      TEXT NOT NULL,
    href            TEXT NOT NULL,
    etag            TEXT NOT NULL,
    uid             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    dest_collection TEXT NOT NULL,
    dest_href       TEXT NOT NULL,
    dest_etag       TEXT NOT NULL DEFAULT '',
    matched         INTEGER NOT NULL DEFAULT 0,
    copied_at       TEXT NOT NULL,
    PRIMARY KEY (job, collection, href)
);
