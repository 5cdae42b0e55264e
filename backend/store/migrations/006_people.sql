-- Placeholder for the people spreadsheets (issue 3): replaced by its tables before it ships.
SELECT 1;
