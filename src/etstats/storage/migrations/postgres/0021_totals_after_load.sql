-- etstats schema v21 (PostgreSQL): nothing to change. SQLite's 0021 computes a first load's
-- running totals once at its end; PostgreSQL keeps them per statement (migration 0006).
SELECT 1;
