-- etstats schema v11 (PostgreSQL): the reconciliation reports are compressed with lz4.
-- A report is tens of kilobytes of JSON text (about 51 KB a round on a season where most
-- comparisons conflict); PostgreSQL compresses such values when it stores them, with pglz by
-- default: about 0.5 s of the server's CPU per 1,000 reports against 0.07 s with lz4, for a
-- store about 15 % larger (docs/performance.md, "PostgreSQL: reports compressed with lz4").
-- Reports already stored keep pglz until rewritten; reading either is transparent. A server
-- that cannot (before PostgreSQL 14, or built without lz4) keeps pglz: the statement runs as
-- dynamic SQL so that its error is one this block can catch.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE reconciliations ALTER COLUMN report_json SET COMPRESSION lz4';
EXCEPTION WHEN syntax_error OR feature_not_supported THEN
    RAISE NOTICE 'reconciliations.report_json keeps the default compression: %', SQLERRM;
END
$$;
