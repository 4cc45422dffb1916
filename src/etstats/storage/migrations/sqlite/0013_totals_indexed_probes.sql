-- etstats schema v13 (SQLite): nothing to change. PostgreSQL's 0013 rewrites its totals
-- triggers' reads; SQLite keeps its totals per batch in Python (bulk_totals).
SELECT 1;
