-- A user's aliases (its mailbox's other addresses, one per line, in the order given) and
-- whether the mailbox is shared (nobody signs in, no licence): read from the users sheet
-- or detected at the source, created at the destination (issue: aliases and shared
-- mailboxes were only warnings of the detection preview).
ALTER TABLE person ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1));
