-- etstats schema v18 (SQLite): rounds per round number and linked sources, and the Lua lags
-- (seconds from a round's end to its Lua file's receipt) counted per whole second, kept by
-- triggers, so the Lua-webhook health and the linkage view (/v1/diagnostics/lua-webhook,
-- /v1/diagnostics/linkage) read a few rows instead of grouping every round and joining every
-- Lua file (0.2-0.7 s at 100,000 rounds; docs/performance.md, "Diagnostics at 100,000 rounds,
-- eleventh session"), with the same answers: the counts are exact, and so are the lag
-- percentiles, read from the counts by rank.
--
-- round_sources: one row per round number and combination of linked files (stats, lua,
-- endstats: 1 when the round references one), with its rounds; a row at zero leaves.
CREATE TABLE round_sources (
    round_number INTEGER NOT NULL,
    stats INTEGER NOT NULL,
    lua INTEGER NOT NULL,
    endstats INTEGER NOT NULL,
    rounds INTEGER NOT NULL,
    PRIMARY KEY (round_number, stats, lua, endstats)
);

-- lua_lags: the rounds whose lag L (a whole number of seconds: both times are integer
-- columns) has L >> shift = bucket, for shift 0 (one row per distinct lag), 8, 16 and 24, so
-- the k-th smallest lag is found from the top down reading at most a few hundred rows per
-- level whatever the store holds. A round has a lag when it references a Lua file
-- (lua_sha256, which must exist: a foreign key) and has an end time.
CREATE TABLE lua_lags (
    shift INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    rounds INTEGER NOT NULL,
    PRIMARY KEY (shift, bucket)
);

CREATE TRIGGER round_sources_insert AFTER INSERT ON rounds
BEGIN
    INSERT INTO round_sources (round_number, stats, lua, endstats, rounds)
    VALUES (NEW.round_number, NEW.stats_sha256 IS NOT NULL, NEW.lua_sha256 IS NOT NULL,
        NEW.endstats_sha256 IS NOT NULL, 1)
    ON CONFLICT (round_number, stats, lua, endstats) DO UPDATE SET rounds = rounds + 1;
    INSERT INTO lua_lags (shift, bucket, rounds)
    SELECT s.column1, (a.received_unix - NEW.round_end_unix) >> s.column1, 1
    FROM artifacts a, (VALUES (0), (8), (16), (24)) s
    WHERE a.sha256 = NEW.lua_sha256 AND NEW.round_end_unix IS NOT NULL
    ON CONFLICT (shift, bucket) DO UPDATE SET rounds = rounds + 1;
END;

CREATE TRIGGER round_sources_delete AFTER DELETE ON rounds
BEGIN
    UPDATE round_sources SET rounds = rounds - 1
    WHERE round_number = OLD.round_number AND stats = (OLD.stats_sha256 IS NOT NULL)
        AND lua = (OLD.lua_sha256 IS NOT NULL) AND endstats = (OLD.endstats_sha256 IS NOT NULL);
    DELETE FROM round_sources
    WHERE round_number = OLD.round_number AND stats = (OLD.stats_sha256 IS NOT NULL)
        AND lua = (OLD.lua_sha256 IS NOT NULL) AND endstats = (OLD.endstats_sha256 IS NOT NULL)
        AND rounds = 0;
    UPDATE lua_lags SET rounds = rounds - 1 WHERE (shift, bucket) IN (
        SELECT s.column1, (a.received_unix - OLD.round_end_unix) >> s.column1
        FROM artifacts a, (VALUES (0), (8), (16), (24)) s
        WHERE a.sha256 = OLD.lua_sha256 AND OLD.round_end_unix IS NOT NULL);
    DELETE FROM lua_lags WHERE rounds = 0 AND (shift, bucket) IN (
        SELECT s.column1, (a.received_unix - OLD.round_end_unix) >> s.column1
        FROM artifacts a, (VALUES (0), (8), (16), (24)) s
        WHERE a.sha256 = OLD.lua_sha256 AND OLD.round_end_unix IS NOT NULL);
END;

-- A link, an unlink, a re-key or a new end time: out of the old row's counts, into the new's.
-- (The ingest's full-row update of an unchanged round does not fire: the WHEN clause.)
CREATE TRIGGER round_sources_update AFTER UPDATE OF round_number, stats_sha256, lua_sha256,
    endstats_sha256, round_end_unix ON rounds
WHEN OLD.round_number IS NOT NEW.round_number OR OLD.stats_sha256 IS NOT NEW.stats_sha256
    OR OLD.lua_sha256 IS NOT NEW.lua_sha256 OR OLD.endstats_sha256 IS NOT NEW.endstats_sha256
    OR OLD.round_end_unix IS NOT NEW.round_end_unix
BEGIN
    UPDATE round_sources SET rounds = rounds - 1
    WHERE round_number = OLD.round_number AND stats = (OLD.stats_sha256 IS NOT NULL)
        AND lua = (OLD.lua_sha256 IS NOT NULL) AND endstats = (OLD.endstats_sha256 IS NOT NULL);
    DELETE FROM round_sources
    WHERE round_number = OLD.round_number AND stats = (OLD.stats_sha256 IS NOT NULL)
        AND lua = (OLD.lua_sha256 IS NOT NULL) AND endstats = (OLD.endstats_sha256 IS NOT NULL)
        AND rounds = 0;
    INSERT INTO round_sources (round_number, stats, lua, endstats, rounds)
    VALUES (NEW.round_number, NEW.stats_sha256 IS NOT NULL, NEW.lua_sha256 IS NOT NULL,
        NEW.endstats_sha256 IS NOT NULL, 1)
    ON CONFLICT (round_number, stats, lua, endstats) DO UPDATE SET rounds = rounds + 1;
    UPDATE lua_lags SET rounds = rounds - 1 WHERE (shift, bucket) IN (
        SELECT s.column1, (a.received_unix - OLD.round_end_unix) >> s.column1
        FROM artifacts a, (VALUES (0), (8), (16), (24)) s
        WHERE a.sha256 = OLD.lua_sha256 AND OLD.round_end_unix IS NOT NULL);
    DELETE FROM lua_lags WHERE rounds = 0 AND (shift, bucket) IN (
        SELECT s.column1, (a.received_unix - OLD.round_end_unix) >> s.column1
        FROM artifacts a, (VALUES (0), (8), (16), (24)) s
        WHERE a.sha256 = OLD.lua_sha256 AND OLD.round_end_unix IS NOT NULL);
    INSERT INTO lua_lags (shift, bucket, rounds)
    SELECT s.column1, (a.received_unix - NEW.round_end_unix) >> s.column1, 1
    FROM artifacts a, (VALUES (0), (8), (16), (24)) s
    WHERE a.sha256 = NEW.lua_sha256 AND NEW.round_end_unix IS NOT NULL
    ON CONFLICT (shift, bucket) DO UPDATE SET rounds = rounds + 1;
END;

-- A Lua file's new receipt time moves the lag of the round that references it (no code path
-- changes a receipt time; an artifact a round references cannot be deleted or re-hashed: the
-- foreign keys).
CREATE TRIGGER lua_lags_received AFTER UPDATE OF received_unix ON artifacts
WHEN OLD.received_unix <> NEW.received_unix
BEGIN
    UPDATE lua_lags SET rounds = rounds - 1 WHERE (shift, bucket) IN (
        SELECT s.column1, (OLD.received_unix - r.round_end_unix) >> s.column1
        FROM rounds r, (VALUES (0), (8), (16), (24)) s
        WHERE r.lua_sha256 = OLD.sha256 AND r.round_end_unix IS NOT NULL);
    DELETE FROM lua_lags WHERE rounds = 0 AND (shift, bucket) IN (
        SELECT s.column1, (OLD.received_unix - r.round_end_unix) >> s.column1
        FROM rounds r, (VALUES (0), (8), (16), (24)) s
        WHERE r.lua_sha256 = OLD.sha256 AND r.round_end_unix IS NOT NULL);
    INSERT INTO lua_lags (shift, bucket, rounds)
    SELECT s.column1, (NEW.received_unix - r.round_end_unix) >> s.column1, 1
    FROM rounds r, (VALUES (0), (8), (16), (24)) s
    WHERE r.lua_sha256 = NEW.sha256 AND r.round_end_unix IS NOT NULL
    ON CONFLICT (shift, bucket) DO UPDATE SET rounds = rounds + 1;
END;

INSERT INTO round_sources (round_number, stats, lua, endstats, rounds)
SELECT round_number, stats_sha256 IS NOT NULL, lua_sha256 IS NOT NULL,
    endstats_sha256 IS NOT NULL, COUNT(*)
FROM rounds GROUP BY 1, 2, 3, 4;
INSERT INTO lua_lags (shift, bucket, rounds)
SELECT s.column1, (a.received_unix - r.round_end_unix) >> s.column1, COUNT(*)
FROM rounds r JOIN artifacts a ON a.sha256 = r.lua_sha256, (VALUES (0), (8), (16), (24)) s
WHERE r.round_end_unix IS NOT NULL
GROUP BY 1, 2;
