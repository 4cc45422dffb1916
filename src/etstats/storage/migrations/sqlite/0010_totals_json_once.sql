-- etstats schema v10 (SQLite): nothing to change. PostgreSQL's 0010 makes its statement
-- triggers parse each line's TAB JSON once; SQLite's bulk writes sum the lines without the
-- row triggers (etstats.storage.bulk_totals) and single rows keep 0006's triggers.
SELECT 1;
