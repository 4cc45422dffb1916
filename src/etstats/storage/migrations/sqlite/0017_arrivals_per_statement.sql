-- etstats schema v17 (SQLite): nothing to change. PostgreSQL's 0017 keeps the artifact
-- counts of 0015 per INSERT statement instead of per row; SQLite has no statement triggers.
SELECT 1;
