-- Placeholder for the people spreadsheets (issue 3): replaced by its tables.
SELECT 1;
