-- etstats schema v9 (PostgreSQL): nothing to change. SQLite's 0009 lets bulk writes keep the
-- running totals per batch instead of per row; PostgreSQL's triggers of 0006 are statement
-- triggers (transition tables) and already run once per COPY (docs/storage.md,
-- "Running totals").
SELECT 1;
