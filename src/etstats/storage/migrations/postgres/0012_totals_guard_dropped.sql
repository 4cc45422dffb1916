-- etstats schema v12 (PostgreSQL): nothing to change. SQLite's 0012 drops the unused
-- totals_deferred flag table of its 0009 and the trigger guards on it; PostgreSQL's totals
-- triggers are per statement and never had them.
SELECT 1;
