-- etstats schema v19 (SQLite): record candidates instead of the eight record indexes of 0008.
-- Kept up line by line, those expression indexes (a damage total, a DPM or K/D ratio as keys)
-- put each new line on a different leaf page of each, so an import into a big store rewrote
-- most of their pages (docs/performance.md, "Records without expression indexes (seventeenth
-- session)"). record_lines holds, per statistic of etstats.storage.record_lines.kept_stats(),
-- every line of values scope 'round' whose value is at least record_floors.floor, and every
-- such line played at least 5 minutes (gated = 1) whose value is at least gated_floor (a NULL
-- floor: every such line); the writer keeps it (etstats.storage.record_lines), and the floors
-- rise as entries accumulate. record_lines_refill marks a store that held lines
-- before this migration: the next open fills the entries from them once.
DROP INDEX IF EXISTS player_round_stats_record_kills;
DROP INDEX IF EXISTS player_round_stats_record_damage_given;
DROP INDEX IF EXISTS player_round_stats_record_gibs;
DROP INDEX IF EXISTS player_round_stats_record_revives_given;
DROP INDEX IF EXISTS player_round_stats_record_headshot_kills;
DROP INDEX IF EXISTS player_round_stats_record_objectives;
DROP INDEX IF EXISTS player_round_stats_record_dpm;
DROP INDEX IF EXISTS player_round_stats_record_kd;

CREATE TABLE record_lines (
    stat TEXT NOT NULL,
    value REAL NOT NULL,
    round_id INTEGER NOT NULL,
    player_index INTEGER NOT NULL,
    gated INTEGER NOT NULL CHECK (gated IN (0, 1)),
    PRIMARY KEY (round_id, player_index, stat)
) WITHOUT ROWID;
CREATE INDEX record_lines_best ON record_lines (stat, value);

CREATE TABLE record_floors (
    stat TEXT PRIMARY KEY,
    floor REAL,
    gated_floor REAL
);
INSERT INTO record_floors (stat) VALUES ('kills'), ('damage_given'), ('gibs'), ('revives_given'), ('headshot_kills'), ('objectives'), ('dpm'), ('kd');

CREATE TABLE record_lines_refill (
    flag INTEGER PRIMARY KEY CHECK (flag = 1)
);
INSERT INTO record_lines_refill (flag) SELECT 1 WHERE EXISTS (SELECT 1 FROM player_round_stats);
