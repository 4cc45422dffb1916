-- etstats schema v2 (SQLite): which values a round's player/weapon rows hold, and the R1 round
-- a round-2 row was differenced against (docs/storage.md, "Round 2 values").
-- Rows stored before this migration hold the values as written; run `etstats rebuild` to
-- difference the round-2 rounds of an existing store.
ALTER TABLE rounds ADD COLUMN values_scope TEXT
    CHECK (values_scope IN ('round', 'cumulative_r1_r2'));
ALTER TABLE rounds ADD COLUMN r1_round_id INTEGER REFERENCES rounds (id) ON DELETE SET NULL;
ALTER TABLE player_round_stats ADD COLUMN values_scope TEXT NOT NULL DEFAULT 'round'
    CHECK (values_scope IN ('round', 'cumulative_r1_r2', 'r2_as_written'));
ALTER TABLE weapon_stats ADD COLUMN values_scope TEXT NOT NULL DEFAULT 'round'
    CHECK (values_scope IN ('round', 'cumulative_r1_r2', 'r2_as_written'));
CREATE INDEX rounds_pairing ON rounds (server_id, map_name, round_number, stats_file_unix);
UPDATE rounds SET values_scope = CASE round_number WHEN 2 THEN 'cumulative_r1_r2' ELSE 'round' END
    WHERE stats_sha256 IS NOT NULL;
UPDATE player_round_stats SET values_scope = 'cumulative_r1_r2'
    WHERE round_id IN (SELECT id FROM rounds WHERE round_number = 2);
UPDATE weapon_stats SET values_scope = 'cumulative_r1_r2'
    WHERE round_id IN (SELECT id FROM rounds WHERE round_number = 2);
