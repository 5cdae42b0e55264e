-- Placeholder for the DNS checks (issue 5): replaced by its tables.
SELECT 1;
