-- Placeholder for the mailbox copy engine (issue 4): replaced by its tables before it ships.
SELECT 1;
