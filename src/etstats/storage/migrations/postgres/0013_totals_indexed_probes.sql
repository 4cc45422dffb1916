-- etstats schema v13 (PostgreSQL): the totals' insert and delete triggers find the rows they need
-- through indexes, once per statement, instead of scanning every stored line per statement; the
-- objectives record index parses a line's JSON once instead of eight times; the archived
-- artifacts' bytes are compressed with lz4 (each part explained where it starts below).
-- The player-lines insert function of 0010 answered "is this the GUID's first line in the round"
-- with a NOT EXISTS that the planner, estimating from a freshly loaded table, ran as a hash
-- anti-join over a sequential scan of all of player_round_stats (every batch read the whole
-- store: time per batch grew with the store), and summed the line's weapon parts with three
-- correlated subqueries (three probes per line). The weapon-lines insert function joined every
-- new weapon line to player_round_stats the same way (a sequential scan per batch).
-- Now: the first-line test compares, per (round, GUID), the count of non-bot lines in the
-- statement with the count in the table (the statement's lines are among the table's, so equal
-- counts mean no other line), reading the table only for the statement's rounds through the
-- primary key (LATERAL ... OFFSET 0 keeps the planner from flattening that into a whole-table
-- join); the three weapon sums are one LATERAL aggregate per line; the weapon function groups its
-- lines per (round, player) before one primary-key probe per player line. The delete functions
-- do the same for the lines a statement removed ("no line of this GUID left in the round": the
-- table's lines of the statement's rounds, anti-joined). The update functions (values changed
-- in place, rare) keep 0006's form. Same totals
-- (docs/performance.md, "PostgreSQL, seventh session"; docs/storage.md, "Running totals").
CREATE OR REPLACE FUNCTION etstats_player_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
    SELECT s.guid, s.lines, COALESCE(f.rounds, 0), s.kills, s.deaths, s.damage_given, s.damage_received, s.team_damage_given, s.team_damage_received, s.gibs, s.self_kills, s.team_kills, s.xp, s.headshot_kills, s.revives_given, s.times_revived, s.time_played_tenths, s.time_dead_tenths, s.denied_playtime_seconds, s.hits, s.shots, s.headshots, s.team_gibs, s.killing_spree, s.death_spree, s.kill_assists, s.kill_steals, s.objectives_stolen, s.objectives_returned, s.dynamites_planted, s.dynamites_defused, s.bullets_fired, s.useful_kills, s.useless_kills, s.full_selfkills, s.repairs_constructions
    FROM (SELECT n.guid, COUNT(*) AS lines, SUM(COALESCE(n.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(COALESCE(w.hits, 0)) AS hits, SUM(COALESCE(w.shots, 0)) AS shots, SUM(COALESCE(w.headshots, 0)) AS headshots, SUM(COALESCE(j.team_gibs, 0)) AS team_gibs, SUM(COALESCE(j.killing_spree, 0)) AS killing_spree, SUM(COALESCE(j.death_spree, 0)) AS death_spree, SUM(COALESCE(j.kill_assists, 0)) AS kill_assists, SUM(COALESCE(j.kill_steals, 0)) AS kill_steals, SUM(COALESCE(j.objectives_stolen, 0)) AS objectives_stolen, SUM(COALESCE(j.objectives_returned, 0)) AS objectives_returned, SUM(COALESCE(j.dynamites_planted, 0)) AS dynamites_planted, SUM(COALESCE(j.dynamites_defused, 0)) AS dynamites_defused, SUM(COALESCE(j.bullets_fired, 0)) AS bullets_fired, SUM(COALESCE(j.useful_kills, 0)) AS useful_kills, SUM(COALESCE(j.useless_kills, 0)) AS useless_kills, SUM(COALESCE(j.full_selfkills, 0)) AS full_selfkills, SUM(COALESCE(j.repairs_constructions, 0)) AS repairs_constructions
          FROM new_rows n
          LEFT JOIN LATERAL json_to_record(n.tab_json::json) AS j(team_gibs double precision, killing_spree double precision, death_spree double precision, kill_assists double precision, kill_steals double precision, objectives_stolen double precision, objectives_returned double precision, dynamites_planted double precision, dynamites_defused double precision, bullets_fired double precision, useful_kills double precision, useless_kills double precision, full_selfkills double precision, repairs_constructions double precision) ON TRUE
          LEFT JOIN LATERAL (SELECT SUM(ws.hits) AS hits, SUM(ws.shots) AS shots, SUM(ws.headshots) AS headshots FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index) w ON TRUE
          WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.guid) s
    LEFT JOIN (SELECT g.guid, COUNT(*) AS rounds
               FROM (SELECT n.round_id, n.guid, COUNT(*) AS lines FROM new_rows n WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.round_id, n.guid) g
               JOIN (SELECT p.round_id, p.guid, COUNT(*) AS lines
                     FROM (SELECT DISTINCT round_id FROM new_rows) r
                     JOIN LATERAL (SELECT p.round_id, p.guid FROM player_round_stats p WHERE p.round_id = r.round_id AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') OFFSET 0) p ON TRUE
                     GROUP BY p.round_id, p.guid) t ON t.round_id = g.round_id AND t.guid = g.guid AND t.lines = g.lines
               GROUP BY g.guid) f ON f.guid = s.guid
    ORDER BY s.guid
    ON CONFLICT (guid) DO UPDATE SET lines = player_totals.lines + excluded.lines, rounds = player_totals.rounds + excluded.rounds, kills = player_totals.kills + excluded.kills, deaths = player_totals.deaths + excluded.deaths, damage_given = player_totals.damage_given + excluded.damage_given, damage_received = player_totals.damage_received + excluded.damage_received, team_damage_given = player_totals.team_damage_given + excluded.team_damage_given, team_damage_received = player_totals.team_damage_received + excluded.team_damage_received, gibs = player_totals.gibs + excluded.gibs, self_kills = player_totals.self_kills + excluded.self_kills, team_kills = player_totals.team_kills + excluded.team_kills, xp = player_totals.xp + excluded.xp, headshot_kills = player_totals.headshot_kills + excluded.headshot_kills, revives_given = player_totals.revives_given + excluded.revives_given, times_revived = player_totals.times_revived + excluded.times_revived, time_played_tenths = player_totals.time_played_tenths + excluded.time_played_tenths, time_dead_tenths = player_totals.time_dead_tenths + excluded.time_dead_tenths, denied_playtime_seconds = player_totals.denied_playtime_seconds + excluded.denied_playtime_seconds, hits = player_totals.hits + excluded.hits, shots = player_totals.shots + excluded.shots, headshots = player_totals.headshots + excluded.headshots, team_gibs = player_totals.team_gibs + excluded.team_gibs, killing_spree = player_totals.killing_spree + excluded.killing_spree, death_spree = player_totals.death_spree + excluded.death_spree, kill_assists = player_totals.kill_assists + excluded.kill_assists, kill_steals = player_totals.kill_steals + excluded.kill_steals, objectives_stolen = player_totals.objectives_stolen + excluded.objectives_stolen, objectives_returned = player_totals.objectives_returned + excluded.objectives_returned, dynamites_planted = player_totals.dynamites_planted + excluded.dynamites_planted, dynamites_defused = player_totals.dynamites_defused + excluded.dynamites_defused, bullets_fired = player_totals.bullets_fired + excluded.bullets_fired, useful_kills = player_totals.useful_kills + excluded.useful_kills, useless_kills = player_totals.useless_kills + excluded.useless_kills, full_selfkills = player_totals.full_selfkills + excluded.full_selfkills, repairs_constructions = player_totals.repairs_constructions + excluded.repairs_constructions;
    INSERT INTO player_name_lines (guid, name, lines)
    SELECT n.guid, n.name, COUNT(*) FROM new_rows n GROUP BY n.guid, n.name ORDER BY n.guid, n.name
    ON CONFLICT (guid, name) DO UPDATE SET lines = player_name_lines.lines + excluded.lines;
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION etstats_weapon_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET hits = t.hits + o.hits, shots = t.shots + o.shots, headshots = t.headshots + o.headshots
    FROM (SELECT p.guid, SUM(w.hits) AS hits, SUM(w.shots) AS shots, SUM(w.headshots) AS headshots
          FROM (SELECT round_id, player_index, SUM(hits) AS hits, SUM(shots) AS shots, SUM(headshots) AS headshots FROM new_rows GROUP BY round_id, player_index) w
          JOIN LATERAL (SELECT p.guid FROM player_round_stats p WHERE p.round_id = w.round_id AND p.player_index = w.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') OFFSET 0) p ON TRUE
          GROUP BY p.guid ORDER BY p.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION etstats_player_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET lines = t.lines - o.lines, rounds = t.rounds - o.rounds, kills = t.kills - o.kills, deaths = t.deaths - o.deaths, damage_given = t.damage_given - o.damage_given, damage_received = t.damage_received - o.damage_received, team_damage_given = t.team_damage_given - o.team_damage_given, team_damage_received = t.team_damage_received - o.team_damage_received, gibs = t.gibs - o.gibs, self_kills = t.self_kills - o.self_kills, team_kills = t.team_kills - o.team_kills, xp = t.xp - o.xp, headshot_kills = t.headshot_kills - o.headshot_kills, revives_given = t.revives_given - o.revives_given, times_revived = t.times_revived - o.times_revived, time_played_tenths = t.time_played_tenths - o.time_played_tenths, time_dead_tenths = t.time_dead_tenths - o.time_dead_tenths, denied_playtime_seconds = t.denied_playtime_seconds - o.denied_playtime_seconds, hits = t.hits - o.hits, shots = t.shots - o.shots, headshots = t.headshots - o.headshots, team_gibs = t.team_gibs - o.team_gibs, killing_spree = t.killing_spree - o.killing_spree, death_spree = t.death_spree - o.death_spree, kill_assists = t.kill_assists - o.kill_assists, kill_steals = t.kill_steals - o.kill_steals, objectives_stolen = t.objectives_stolen - o.objectives_stolen, objectives_returned = t.objectives_returned - o.objectives_returned, dynamites_planted = t.dynamites_planted - o.dynamites_planted, dynamites_defused = t.dynamites_defused - o.dynamites_defused, bullets_fired = t.bullets_fired - o.bullets_fired, useful_kills = t.useful_kills - o.useful_kills, useless_kills = t.useless_kills - o.useless_kills, full_selfkills = t.full_selfkills - o.full_selfkills, repairs_constructions = t.repairs_constructions - o.repairs_constructions
    FROM (SELECT s.guid, s.lines, COALESCE(f.rounds, 0) AS rounds, s.kills, s.deaths, s.damage_given, s.damage_received, s.team_damage_given, s.team_damage_received, s.gibs, s.self_kills, s.team_kills, s.xp, s.headshot_kills, s.revives_given, s.times_revived, s.time_played_tenths, s.time_dead_tenths, s.denied_playtime_seconds, s.hits, s.shots, s.headshots, s.team_gibs, s.killing_spree, s.death_spree, s.kill_assists, s.kill_steals, s.objectives_stolen, s.objectives_returned, s.dynamites_planted, s.dynamites_defused, s.bullets_fired, s.useful_kills, s.useless_kills, s.full_selfkills, s.repairs_constructions
          FROM (SELECT n.guid, COUNT(*) AS lines, SUM(COALESCE(n.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(COALESCE(w.hits, 0)) AS hits, SUM(COALESCE(w.shots, 0)) AS shots, SUM(COALESCE(w.headshots, 0)) AS headshots, SUM(COALESCE(j.team_gibs, 0)) AS team_gibs, SUM(COALESCE(j.killing_spree, 0)) AS killing_spree, SUM(COALESCE(j.death_spree, 0)) AS death_spree, SUM(COALESCE(j.kill_assists, 0)) AS kill_assists, SUM(COALESCE(j.kill_steals, 0)) AS kill_steals, SUM(COALESCE(j.objectives_stolen, 0)) AS objectives_stolen, SUM(COALESCE(j.objectives_returned, 0)) AS objectives_returned, SUM(COALESCE(j.dynamites_planted, 0)) AS dynamites_planted, SUM(COALESCE(j.dynamites_defused, 0)) AS dynamites_defused, SUM(COALESCE(j.bullets_fired, 0)) AS bullets_fired, SUM(COALESCE(j.useful_kills, 0)) AS useful_kills, SUM(COALESCE(j.useless_kills, 0)) AS useless_kills, SUM(COALESCE(j.full_selfkills, 0)) AS full_selfkills, SUM(COALESCE(j.repairs_constructions, 0)) AS repairs_constructions
                FROM old_rows n
                LEFT JOIN LATERAL json_to_record(n.tab_json::json) AS j(team_gibs double precision, killing_spree double precision, death_spree double precision, kill_assists double precision, kill_steals double precision, objectives_stolen double precision, objectives_returned double precision, dynamites_planted double precision, dynamites_defused double precision, bullets_fired double precision, useful_kills double precision, useless_kills double precision, full_selfkills double precision, repairs_constructions double precision) ON TRUE
                LEFT JOIN LATERAL (SELECT SUM(ws.hits) AS hits, SUM(ws.shots) AS shots, SUM(ws.headshots) AS headshots FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index AND EXISTS (SELECT 1 FROM rounds r WHERE r.id = n.round_id)) w ON TRUE
                WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.guid) s
          LEFT JOIN (SELECT g.guid, COUNT(*) AS rounds
                     FROM (SELECT DISTINCT n.round_id, n.guid FROM old_rows n WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]')) g
                     LEFT JOIN (SELECT DISTINCT p.round_id, p.guid
                                FROM (SELECT DISTINCT round_id FROM old_rows) r
                                JOIN LATERAL (SELECT p.round_id, p.guid FROM player_round_stats p WHERE p.round_id = r.round_id AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') OFFSET 0) p ON TRUE) t ON t.round_id = g.round_id AND t.guid = g.guid
                     WHERE t.round_id IS NULL
                     GROUP BY g.guid) f ON f.guid = s.guid) o
    WHERE t.guid = o.guid;
    DELETE FROM player_totals WHERE lines = 0 AND guid IN (SELECT guid FROM old_rows);
    UPDATE player_name_lines t SET lines = t.lines - o.lines
    FROM (SELECT guid, name, COUNT(*) AS lines FROM old_rows GROUP BY guid, name) o
    WHERE t.guid = o.guid AND t.name = o.name;
    DELETE FROM player_name_lines t WHERE t.lines = 0
        AND (t.guid, t.name) IN (SELECT guid, name FROM old_rows);
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION etstats_weapon_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET hits = t.hits - o.hits, shots = t.shots - o.shots, headshots = t.headshots - o.headshots
    FROM (SELECT p.guid, SUM(w.hits) AS hits, SUM(w.shots) AS shots, SUM(w.headshots) AS headshots
          FROM (SELECT round_id, player_index, SUM(hits) AS hits, SUM(shots) AS shots, SUM(headshots) AS headshots FROM old_rows GROUP BY round_id, player_index) w
          JOIN LATERAL (SELECT p.guid FROM player_round_stats p WHERE p.round_id = w.round_id AND p.player_index = w.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') AND EXISTS (SELECT 1 FROM rounds r WHERE r.id = w.round_id) OFFSET 0) p ON TRUE
          GROUP BY p.guid ORDER BY p.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

-- The record index of objectives (0008) held the sum of four TAB fields, each read as
-- (tab_json::json ->> 'field')::double precision: eight parses of the line's JSON text per line
-- written (each cast validates it, each ->> parses it again), about 36 µs of the server's CPU
-- per line and the largest single cost of writing a line. etstats_tab_objectives reads the four
-- fields with one json_to_record, added in the same order as before (the same double), and a
-- line without TAB JSON still gives 0. etstats.queries.statdefs.part_sql names this function for
-- "objectives" on PostgreSQL, so the records query and the index keep the same expression
-- (tests/storage/test_migrations.py). Rebuilding the index reads every stored line once.
CREATE FUNCTION etstats_tab_objectives(tab_json text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT COALESCE(j.objectives_stolen, 0) + COALESCE(j.objectives_returned, 0) + COALESCE(j.dynamites_planted, 0) + COALESCE(j.dynamites_defused, 0)
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL json_to_record(tab_json::json) AS j(objectives_stolen double precision, objectives_returned double precision, dynamites_planted double precision, dynamites_defused double precision) ON TRUE
$fn$;
DROP INDEX player_round_stats_record_objectives;
CREATE INDEX player_round_stats_record_objectives ON player_round_stats ((etstats_tab_objectives(tab_json)))
    WHERE values_scope = 'round';

-- The archived artifacts' bytes compressed with lz4 too (as 0011 did for the reports): pglz
-- spent about 40 µs of the server's CPU per artifact written (stats files of about 3 KB, which
-- pglz mostly gives up on, and Lua gametimes of about 4 KB), lz4 a fraction of that, for a
-- smaller store on the synthetic season (1.34 against 1.43 MB per 1,000 artifacts). Bytes
-- already stored keep pglz until rewritten; reading either is transparent. A server without lz4
-- keeps pglz (the same dynamic SQL and handler as 0011).
DO $$
BEGIN
    EXECUTE 'ALTER TABLE artifacts ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN syntax_error OR feature_not_supported THEN
    RAISE NOTICE 'artifacts.data keeps the default compression: %', SQLERRM;
END
$$;
