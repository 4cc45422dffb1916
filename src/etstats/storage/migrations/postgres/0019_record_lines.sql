-- etstats schema v19 (PostgreSQL): nothing to change. SQLite's 0019 replaces the eight record
-- indexes of 0008 with record candidates kept by the writer (etstats.storage.record_lines):
-- kept up line by line, those indexes rewrote most of their pages on every import into a big
-- SQLite store. PostgreSQL keeps its indexes: the candidates measured slower there (a
-- first load of 1,000 rounds: wall 3.34-3.41 s against 3.02-3.27 s, the server's CPU higher)
-- and no faster for imports into a 30,000-round store (docs/performance.md, "Records without
-- expression indexes (seventeenth session)").
SELECT 1;
