-- etstats schema v18 (PostgreSQL): rounds per round number and linked sources, and the Lua
-- lags (seconds from a round's end to its Lua file's receipt) counted per whole second, kept
-- by triggers, so the Lua-webhook health and the linkage view (/v1/diagnostics/lua-webhook,
-- /v1/diagnostics/linkage) read a few rows instead of grouping every round and joining every
-- Lua file (docs/performance.md, "Diagnostics at 100,000 rounds, eleventh session"), with the
-- same answers: the counts are exact, and so are the lag percentiles, read from the counts
-- by rank. Inserts and deletes of rounds are counted per statement (transition tables: the
-- rebuild's clear deletes every round in one statement); an update of a round fires only
-- when it changes what is counted (the WHEN clause is evaluated without calling the function).
--
-- round_sources: one row per round number and combination of linked files (stats, lua,
-- endstats: whether the round references one), with its rounds; a row at zero leaves.
CREATE TABLE round_sources (
    round_number BIGINT NOT NULL,
    stats BOOLEAN NOT NULL,
    lua BOOLEAN NOT NULL,
    endstats BOOLEAN NOT NULL,
    rounds BIGINT NOT NULL,
    PRIMARY KEY (round_number, stats, lua, endstats)
);

-- lua_lags: the rounds whose lag L (whole seconds: both times are BIGINT) has
-- L >> shift = bucket, for shift 0 (one row per distinct lag), 8, 16 and 24, so the k-th
-- smallest lag is found from the top down reading at most a few hundred rows per level
-- whatever the store holds. A round has a lag when it references a Lua file (lua_sha256, a
-- foreign key) and has an end time.
CREATE TABLE lua_lags (
    shift INTEGER NOT NULL,
    bucket BIGINT NOT NULL,
    rounds BIGINT NOT NULL,
    PRIMARY KEY (shift, bucket)
);

-- One round's counts by ``n`` (1 in, -1 out); ``lag`` null: no lag.
CREATE FUNCTION etstats_round_counted(
    rn BIGINT, has_stats BOOLEAN, has_lua BOOLEAN, has_endstats BOOLEAN, lag BIGINT, n BIGINT
) RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO round_sources AS t (round_number, stats, lua, endstats, rounds)
    VALUES (rn, has_stats, has_lua, has_endstats, n)
    ON CONFLICT (round_number, stats, lua, endstats) DO UPDATE SET rounds = t.rounds + excluded.rounds;
    DELETE FROM round_sources WHERE round_number = rn AND stats = has_stats AND lua = has_lua
        AND endstats = has_endstats AND rounds = 0;
    PERFORM etstats_lua_lag_counted(lag, n);
END
$body$;

CREATE FUNCTION etstats_lua_lag_counted(lag BIGINT, n BIGINT) RETURNS void
LANGUAGE plpgsql AS $body$
BEGIN
    IF lag IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO lua_lags AS t (shift, bucket, rounds)
    SELECT s.shift, lag >> s.shift, n FROM (VALUES (0), (8), (16), (24)) s (shift)
    ON CONFLICT (shift, bucket) DO UPDATE SET rounds = t.rounds + excluded.rounds;
    DELETE FROM lua_lags t USING (VALUES (0), (8), (16), (24)) s (shift)
    WHERE t.shift = s.shift AND t.bucket = lag >> s.shift AND t.rounds = 0;
END
$body$;

CREATE FUNCTION etstats_rounds_counted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO round_sources AS t (round_number, stats, lua, endstats, rounds)
        SELECT round_number, stats_sha256 IS NOT NULL, lua_sha256 IS NOT NULL,
            endstats_sha256 IS NOT NULL, COUNT(*)
        FROM new_rows GROUP BY 1, 2, 3, 4
        ON CONFLICT (round_number, stats, lua, endstats)
            DO UPDATE SET rounds = t.rounds + excluded.rounds;
        INSERT INTO lua_lags AS t (shift, bucket, rounds)
        SELECT s.shift, (a.received_unix - r.round_end_unix) >> s.shift, COUNT(*)
        FROM new_rows r JOIN artifacts a ON a.sha256 = r.lua_sha256
            CROSS JOIN (VALUES (0), (8), (16), (24)) s (shift)
        WHERE r.round_end_unix IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (shift, bucket) DO UPDATE SET rounds = t.rounds + excluded.rounds;
    ELSE
        UPDATE round_sources t SET rounds = t.rounds - d.n
        FROM (SELECT round_number, stats_sha256 IS NOT NULL AS stats,
                lua_sha256 IS NOT NULL AS lua, endstats_sha256 IS NOT NULL AS endstats,
                COUNT(*) AS n
            FROM old_rows GROUP BY 1, 2, 3, 4) d
        WHERE t.round_number = d.round_number AND t.stats = d.stats AND t.lua = d.lua
            AND t.endstats = d.endstats;
        DELETE FROM round_sources WHERE rounds = 0;  -- a few rows
        UPDATE lua_lags t SET rounds = t.rounds - d.n
        FROM (SELECT s.shift, (a.received_unix - r.round_end_unix) >> s.shift AS bucket,
                COUNT(*) AS n
            FROM old_rows r JOIN artifacts a ON a.sha256 = r.lua_sha256
                CROSS JOIN (VALUES (0), (8), (16), (24)) s (shift)
            WHERE r.round_end_unix IS NOT NULL GROUP BY 1, 2) d
        WHERE t.shift = d.shift AND t.bucket = d.bucket;
        DELETE FROM lua_lags t
        USING (SELECT DISTINCT s.shift, (a.received_unix - r.round_end_unix) >> s.shift AS bucket
            FROM old_rows r JOIN artifacts a ON a.sha256 = r.lua_sha256
                CROSS JOIN (VALUES (0), (8), (16), (24)) s (shift)
            WHERE r.round_end_unix IS NOT NULL) d
        WHERE t.shift = d.shift AND t.bucket = d.bucket AND t.rounds = 0;
    END IF;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_round_recounted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM etstats_round_counted(OLD.round_number, OLD.stats_sha256 IS NOT NULL,
        OLD.lua_sha256 IS NOT NULL, OLD.endstats_sha256 IS NOT NULL,
        (SELECT a.received_unix FROM artifacts a WHERE a.sha256 = OLD.lua_sha256)
            - OLD.round_end_unix, -1);
    PERFORM etstats_round_counted(NEW.round_number, NEW.stats_sha256 IS NOT NULL,
        NEW.lua_sha256 IS NOT NULL, NEW.endstats_sha256 IS NOT NULL,
        (SELECT a.received_unix FROM artifacts a WHERE a.sha256 = NEW.lua_sha256)
            - NEW.round_end_unix, 1);
    RETURN NULL;
END
$body$;

-- A Lua file's new receipt time moves the lag of the round that references it (no code path
-- changes a receipt time; an artifact a round references cannot be deleted or re-hashed: the
-- foreign keys).
CREATE FUNCTION etstats_lua_received_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    end_unix BIGINT;
BEGIN
    SELECT r.round_end_unix INTO end_unix FROM rounds r WHERE r.lua_sha256 = NEW.sha256;
    PERFORM etstats_lua_lag_counted(OLD.received_unix - end_unix, -1);
    PERFORM etstats_lua_lag_counted(NEW.received_unix - end_unix, 1);
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_rounds_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM round_sources;
    DELETE FROM lua_lags;
    RETURN NULL;
END
$body$;

CREATE TRIGGER round_sources_insert AFTER INSERT ON rounds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_rounds_counted();
CREATE TRIGGER round_sources_delete AFTER DELETE ON rounds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_rounds_counted();
CREATE TRIGGER round_sources_update AFTER UPDATE OF round_number, stats_sha256, lua_sha256,
    endstats_sha256, round_end_unix ON rounds
    FOR EACH ROW WHEN (OLD.round_number IS DISTINCT FROM NEW.round_number
        OR OLD.stats_sha256 IS DISTINCT FROM NEW.stats_sha256
        OR OLD.lua_sha256 IS DISTINCT FROM NEW.lua_sha256
        OR OLD.endstats_sha256 IS DISTINCT FROM NEW.endstats_sha256
        OR OLD.round_end_unix IS DISTINCT FROM NEW.round_end_unix)
    EXECUTE FUNCTION etstats_round_recounted();
CREATE TRIGGER lua_lags_received AFTER UPDATE OF received_unix ON artifacts
    FOR EACH ROW WHEN (OLD.received_unix <> NEW.received_unix)
    EXECUTE FUNCTION etstats_lua_received_changed();
CREATE TRIGGER round_sources_truncate AFTER TRUNCATE ON rounds
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_rounds_truncated();

INSERT INTO round_sources (round_number, stats, lua, endstats, rounds)
SELECT round_number, stats_sha256 IS NOT NULL, lua_sha256 IS NOT NULL,
    endstats_sha256 IS NOT NULL, COUNT(*)
FROM rounds GROUP BY 1, 2, 3, 4;
INSERT INTO lua_lags (shift, bucket, rounds)
SELECT s.shift, (a.received_unix - r.round_end_unix) >> s.shift, COUNT(*)
FROM rounds r JOIN artifacts a ON a.sha256 = r.lua_sha256
    CROSS JOIN (VALUES (0), (8), (16), (24)) s (shift)
WHERE r.round_end_unix IS NOT NULL
GROUP BY 1, 2;
