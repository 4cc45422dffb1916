-- etstats schema v20 (SQLite): the round 2s stored with cumulative values (orphans: no round 1
-- to subtract) found by a small partial index, so the ingest summary counts them without
-- reading every round (with the counts of 0015 and 0018 it reads no whole table at all:
-- docs/performance.md, "The ingest summary's counts (seventeenth session)").
CREATE INDEX rounds_cumulative ON rounds (values_scope) WHERE values_scope = 'cumulative_r1_r2';
