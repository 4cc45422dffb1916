-- etstats schema v16 (PostgreSQL): nothing to change. SQLite's 0016 moves the raw bytes out
-- of `artifacts`; PostgreSQL keeps them there, in TOAST, which an update of the status
-- columns does not rewrite.
SELECT 1;
