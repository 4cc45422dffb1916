-- etstats schema v11 (SQLite): nothing to change. PostgreSQL's 0011 compresses the stored
-- reconciliation reports with lz4; SQLite stores them as plain text.
SELECT 1;
