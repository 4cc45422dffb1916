-- etstats schema v14 (SQLite): nothing to change. PostgreSQL's 0014 keeps the summable TAB
-- fields in columns of their own so its server never parses a line's JSON while writing it;
-- SQLite's bulk writes keep the totals per batch (0009) and read the JSON with json_extract.
SELECT 1;
