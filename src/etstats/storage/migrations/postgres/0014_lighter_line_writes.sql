-- etstats schema v14 (PostgreSQL): lighter line writes, in three parts (each explained where it
-- starts): the TAB fields as columns, JIT off in the totals triggers, the lines' foreign keys
-- checked per statement (docs/storage.md, "Lighter line writes").
-- The summable TAB fields kept only in a line's TAB JSON get a
-- column each (tab_<field>, filled by the writer from the same JSON: etstats.storage.postgres_tab),
-- so writing a line no longer parses its JSON on the server. The totals' insert trigger parsed
-- every new line's JSON once (json_to_record, 14 fields) and the objectives record index parsed it
-- again (etstats_tab_objectives): together about 0.9 s of the server's CPU per 1,000 stats files,
-- a third of its work on the lines (docs/performance.md, "Stats-only against the reference (tenth
-- session)"). Now the triggers sum the columns and the objectives index is over four of them; the
-- records, ladders and careers read the columns too (etstats.queries.statdefs.tab_sql). tab_json
-- stays as it was (the round detail shows every TAB field, summable or not). A column is NULL
-- where the JSON has no such field (or the line no TAB JSON), as json_to_record gave before: the
-- same sums, the same records.
ALTER TABLE player_round_stats
    ADD COLUMN tab_team_gibs DOUBLE PRECISION,
    ADD COLUMN tab_killing_spree DOUBLE PRECISION,
    ADD COLUMN tab_death_spree DOUBLE PRECISION,
    ADD COLUMN tab_kill_assists DOUBLE PRECISION,
    ADD COLUMN tab_kill_steals DOUBLE PRECISION,
    ADD COLUMN tab_objectives_stolen DOUBLE PRECISION,
    ADD COLUMN tab_objectives_returned DOUBLE PRECISION,
    ADD COLUMN tab_dynamites_planted DOUBLE PRECISION,
    ADD COLUMN tab_dynamites_defused DOUBLE PRECISION,
    ADD COLUMN tab_bullets_fired DOUBLE PRECISION,
    ADD COLUMN tab_useful_kills DOUBLE PRECISION,
    ADD COLUMN tab_useless_kills DOUBLE PRECISION,
    ADD COLUMN tab_full_selfkills DOUBLE PRECISION,
    ADD COLUMN tab_repairs_constructions DOUBLE PRECISION;

-- The stored lines' columns from their JSON, once. The update trigger stays off meanwhile: the
-- lines' values do not change, only where they are kept.
ALTER TABLE player_round_stats DISABLE TRIGGER player_totals_update;
UPDATE player_round_stats SET (tab_team_gibs, tab_killing_spree, tab_death_spree, tab_kill_assists, tab_kill_steals, tab_objectives_stolen, tab_objectives_returned, tab_dynamites_planted, tab_dynamites_defused, tab_bullets_fired, tab_useful_kills, tab_useless_kills, tab_full_selfkills, tab_repairs_constructions) =
    (SELECT j.team_gibs, j.killing_spree, j.death_spree, j.kill_assists, j.kill_steals, j.objectives_stolen, j.objectives_returned, j.dynamites_planted, j.dynamites_defused, j.bullets_fired, j.useful_kills, j.useless_kills, j.full_selfkills, j.repairs_constructions FROM json_to_record(tab_json::json) AS j(team_gibs double precision, killing_spree double precision, death_spree double precision, kill_assists double precision, kill_steals double precision, objectives_stolen double precision, objectives_returned double precision, dynamites_planted double precision, dynamites_defused double precision, bullets_fired double precision, useful_kills double precision, useless_kills double precision, full_selfkills double precision, repairs_constructions double precision))
    WHERE tab_json IS NOT NULL;
ALTER TABLE player_round_stats ENABLE TRIGGER player_totals_update;

-- 0013's insert and delete functions and 0006's update function, reading n.tab_<field> (and
-- o.tab_<field>) where they read the field from the JSON; nothing else changed.
CREATE OR REPLACE FUNCTION etstats_player_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
    SELECT s.guid, s.lines, COALESCE(f.rounds, 0), s.kills, s.deaths, s.damage_given, s.damage_received, s.team_damage_given, s.team_damage_received, s.gibs, s.self_kills, s.team_kills, s.xp, s.headshot_kills, s.revives_given, s.times_revived, s.time_played_tenths, s.time_dead_tenths, s.denied_playtime_seconds, s.hits, s.shots, s.headshots, s.team_gibs, s.killing_spree, s.death_spree, s.kill_assists, s.kill_steals, s.objectives_stolen, s.objectives_returned, s.dynamites_planted, s.dynamites_defused, s.bullets_fired, s.useful_kills, s.useless_kills, s.full_selfkills, s.repairs_constructions
    FROM (SELECT n.guid, COUNT(*) AS lines, SUM(COALESCE(n.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(COALESCE(w.hits, 0)) AS hits, SUM(COALESCE(w.shots, 0)) AS shots, SUM(COALESCE(w.headshots, 0)) AS headshots, SUM(COALESCE(n.tab_team_gibs, 0)) AS team_gibs, SUM(COALESCE(n.tab_killing_spree, 0)) AS killing_spree, SUM(COALESCE(n.tab_death_spree, 0)) AS death_spree, SUM(COALESCE(n.tab_kill_assists, 0)) AS kill_assists, SUM(COALESCE(n.tab_kill_steals, 0)) AS kill_steals, SUM(COALESCE(n.tab_objectives_stolen, 0)) AS objectives_stolen, SUM(COALESCE(n.tab_objectives_returned, 0)) AS objectives_returned, SUM(COALESCE(n.tab_dynamites_planted, 0)) AS dynamites_planted, SUM(COALESCE(n.tab_dynamites_defused, 0)) AS dynamites_defused, SUM(COALESCE(n.tab_bullets_fired, 0)) AS bullets_fired, SUM(COALESCE(n.tab_useful_kills, 0)) AS useful_kills, SUM(COALESCE(n.tab_useless_kills, 0)) AS useless_kills, SUM(COALESCE(n.tab_full_selfkills, 0)) AS full_selfkills, SUM(COALESCE(n.tab_repairs_constructions, 0)) AS repairs_constructions
          FROM new_rows n
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

CREATE OR REPLACE FUNCTION etstats_player_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET lines = t.lines - o.lines, rounds = t.rounds - o.rounds, kills = t.kills - o.kills, deaths = t.deaths - o.deaths, damage_given = t.damage_given - o.damage_given, damage_received = t.damage_received - o.damage_received, team_damage_given = t.team_damage_given - o.team_damage_given, team_damage_received = t.team_damage_received - o.team_damage_received, gibs = t.gibs - o.gibs, self_kills = t.self_kills - o.self_kills, team_kills = t.team_kills - o.team_kills, xp = t.xp - o.xp, headshot_kills = t.headshot_kills - o.headshot_kills, revives_given = t.revives_given - o.revives_given, times_revived = t.times_revived - o.times_revived, time_played_tenths = t.time_played_tenths - o.time_played_tenths, time_dead_tenths = t.time_dead_tenths - o.time_dead_tenths, denied_playtime_seconds = t.denied_playtime_seconds - o.denied_playtime_seconds, hits = t.hits - o.hits, shots = t.shots - o.shots, headshots = t.headshots - o.headshots, team_gibs = t.team_gibs - o.team_gibs, killing_spree = t.killing_spree - o.killing_spree, death_spree = t.death_spree - o.death_spree, kill_assists = t.kill_assists - o.kill_assists, kill_steals = t.kill_steals - o.kill_steals, objectives_stolen = t.objectives_stolen - o.objectives_stolen, objectives_returned = t.objectives_returned - o.objectives_returned, dynamites_planted = t.dynamites_planted - o.dynamites_planted, dynamites_defused = t.dynamites_defused - o.dynamites_defused, bullets_fired = t.bullets_fired - o.bullets_fired, useful_kills = t.useful_kills - o.useful_kills, useless_kills = t.useless_kills - o.useless_kills, full_selfkills = t.full_selfkills - o.full_selfkills, repairs_constructions = t.repairs_constructions - o.repairs_constructions
    FROM (SELECT s.guid, s.lines, COALESCE(f.rounds, 0) AS rounds, s.kills, s.deaths, s.damage_given, s.damage_received, s.team_damage_given, s.team_damage_received, s.gibs, s.self_kills, s.team_kills, s.xp, s.headshot_kills, s.revives_given, s.times_revived, s.time_played_tenths, s.time_dead_tenths, s.denied_playtime_seconds, s.hits, s.shots, s.headshots, s.team_gibs, s.killing_spree, s.death_spree, s.kill_assists, s.kill_steals, s.objectives_stolen, s.objectives_returned, s.dynamites_planted, s.dynamites_defused, s.bullets_fired, s.useful_kills, s.useless_kills, s.full_selfkills, s.repairs_constructions
          FROM (SELECT n.guid, COUNT(*) AS lines, SUM(COALESCE(n.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(COALESCE(w.hits, 0)) AS hits, SUM(COALESCE(w.shots, 0)) AS shots, SUM(COALESCE(w.headshots, 0)) AS headshots, SUM(COALESCE(n.tab_team_gibs, 0)) AS team_gibs, SUM(COALESCE(n.tab_killing_spree, 0)) AS killing_spree, SUM(COALESCE(n.tab_death_spree, 0)) AS death_spree, SUM(COALESCE(n.tab_kill_assists, 0)) AS kill_assists, SUM(COALESCE(n.tab_kill_steals, 0)) AS kill_steals, SUM(COALESCE(n.tab_objectives_stolen, 0)) AS objectives_stolen, SUM(COALESCE(n.tab_objectives_returned, 0)) AS objectives_returned, SUM(COALESCE(n.tab_dynamites_planted, 0)) AS dynamites_planted, SUM(COALESCE(n.tab_dynamites_defused, 0)) AS dynamites_defused, SUM(COALESCE(n.tab_bullets_fired, 0)) AS bullets_fired, SUM(COALESCE(n.tab_useful_kills, 0)) AS useful_kills, SUM(COALESCE(n.tab_useless_kills, 0)) AS useless_kills, SUM(COALESCE(n.tab_full_selfkills, 0)) AS full_selfkills, SUM(COALESCE(n.tab_repairs_constructions, 0)) AS repairs_constructions
                FROM old_rows n
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

CREATE OR REPLACE FUNCTION etstats_player_lines_updated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.round_id = n.round_id
               AND o.player_index = n.player_index
               WHERE n.guid IS DISTINCT FROM o.guid OR n.name IS DISTINCT FROM o.name)
       OR (SELECT COUNT(*) FROM new_rows n JOIN old_rows o ON o.round_id = n.round_id
           AND o.player_index = n.player_index) <> (SELECT COUNT(*) FROM new_rows) THEN
        RAISE EXCEPTION 'player_round_stats: delete and re-insert a line to change its key';
    END IF;
    UPDATE player_totals t SET kills = t.kills + o.kills, deaths = t.deaths + o.deaths, damage_given = t.damage_given + o.damage_given, damage_received = t.damage_received + o.damage_received, team_damage_given = t.team_damage_given + o.team_damage_given, team_damage_received = t.team_damage_received + o.team_damage_received, gibs = t.gibs + o.gibs, self_kills = t.self_kills + o.self_kills, team_kills = t.team_kills + o.team_kills, xp = t.xp + o.xp, headshot_kills = t.headshot_kills + o.headshot_kills, revives_given = t.revives_given + o.revives_given, times_revived = t.times_revived + o.times_revived, time_played_tenths = t.time_played_tenths + o.time_played_tenths, time_dead_tenths = t.time_dead_tenths + o.time_dead_tenths, denied_playtime_seconds = t.denied_playtime_seconds + o.denied_playtime_seconds, team_gibs = t.team_gibs + o.team_gibs, killing_spree = t.killing_spree + o.killing_spree, death_spree = t.death_spree + o.death_spree, kill_assists = t.kill_assists + o.kill_assists, kill_steals = t.kill_steals + o.kill_steals, objectives_stolen = t.objectives_stolen + o.objectives_stolen, objectives_returned = t.objectives_returned + o.objectives_returned, dynamites_planted = t.dynamites_planted + o.dynamites_planted, dynamites_defused = t.dynamites_defused + o.dynamites_defused, bullets_fired = t.bullets_fired + o.bullets_fired, useful_kills = t.useful_kills + o.useful_kills, useless_kills = t.useless_kills + o.useless_kills, full_selfkills = t.full_selfkills + o.full_selfkills, repairs_constructions = t.repairs_constructions + o.repairs_constructions
    FROM (SELECT n.guid AS guid, SUM(COALESCE(n.kills, 0) - COALESCE(o.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0) - COALESCE(o.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0) - COALESCE(o.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0) - COALESCE(o.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0) - COALESCE(o.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0) - COALESCE(o.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0) - COALESCE(o.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0) - COALESCE(o.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0) - COALESCE(o.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0) - COALESCE(o.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0) - COALESCE(o.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0) - COALESCE(o.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0) - COALESCE(o.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER) - CAST(ROUND(COALESCE(o.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER) - CAST(ROUND(COALESCE(o.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0) - COALESCE(o.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(COALESCE(n.tab_team_gibs, 0) - COALESCE(o.tab_team_gibs, 0)) AS team_gibs, SUM(COALESCE(n.tab_killing_spree, 0) - COALESCE(o.tab_killing_spree, 0)) AS killing_spree, SUM(COALESCE(n.tab_death_spree, 0) - COALESCE(o.tab_death_spree, 0)) AS death_spree, SUM(COALESCE(n.tab_kill_assists, 0) - COALESCE(o.tab_kill_assists, 0)) AS kill_assists, SUM(COALESCE(n.tab_kill_steals, 0) - COALESCE(o.tab_kill_steals, 0)) AS kill_steals, SUM(COALESCE(n.tab_objectives_stolen, 0) - COALESCE(o.tab_objectives_stolen, 0)) AS objectives_stolen, SUM(COALESCE(n.tab_objectives_returned, 0) - COALESCE(o.tab_objectives_returned, 0)) AS objectives_returned, SUM(COALESCE(n.tab_dynamites_planted, 0) - COALESCE(o.tab_dynamites_planted, 0)) AS dynamites_planted, SUM(COALESCE(n.tab_dynamites_defused, 0) - COALESCE(o.tab_dynamites_defused, 0)) AS dynamites_defused, SUM(COALESCE(n.tab_bullets_fired, 0) - COALESCE(o.tab_bullets_fired, 0)) AS bullets_fired, SUM(COALESCE(n.tab_useful_kills, 0) - COALESCE(o.tab_useful_kills, 0)) AS useful_kills, SUM(COALESCE(n.tab_useless_kills, 0) - COALESCE(o.tab_useless_kills, 0)) AS useless_kills, SUM(COALESCE(n.tab_full_selfkills, 0) - COALESCE(o.tab_full_selfkills, 0)) AS full_selfkills, SUM(COALESCE(n.tab_repairs_constructions, 0) - COALESCE(o.tab_repairs_constructions, 0)) AS repairs_constructions
          FROM new_rows n JOIN old_rows o ON o.round_id = n.round_id
          AND o.player_index = n.player_index WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.guid ORDER BY n.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

-- The objectives record index over the columns: exactly
-- etstats.queries.statdefs.value_sql("objectives", "postgres", summed=False) without "p."
-- (tests/storage/test_migrations.py), the four fields added in the same order as
-- etstats_tab_objectives added them (the same double).
DROP INDEX player_round_stats_record_objectives;
CREATE INDEX player_round_stats_record_objectives ON player_round_stats (((COALESCE(tab_objectives_stolen, 0) + COALESCE(tab_objectives_returned, 0) + COALESCE(tab_dynamites_planted, 0) + COALESCE(tab_dynamites_defused, 0))))
    WHERE values_scope = 'round';
DROP FUNCTION etstats_tab_objectives(text);

-- JIT off in the totals' trigger functions: their statements over a batch's transition table
-- (3,000 lines per 250 rounds) are estimated above jit_above_cost, and compiling them (about 40
-- ms per batch, some 60 expressions) cost more than running them (docs/performance.md,
-- "Stats-only against the reference (tenth session)").
ALTER FUNCTION etstats_player_lines_inserted() SET jit = off;
ALTER FUNCTION etstats_player_lines_deleted() SET jit = off;
ALTER FUNCTION etstats_player_lines_updated() SET jit = off;
ALTER FUNCTION etstats_weapon_lines_inserted() SET jit = off;
ALTER FUNCTION etstats_weapon_lines_deleted() SET jit = off;
ALTER FUNCTION etstats_weapon_lines_updated() SET jit = off;

-- The player and weapon lines' foreign keys to rounds, checked once per statement instead of
-- once per line. A foreign key checks each inserted line with its own query (SELECT ... FOR KEY
-- SHARE on rounds): 15,000 per 1,000 stats files of 12 players, about 0.2 s of the server's CPU,
-- a tenth of its work on a stats-only ingest. The same guarantees, per statement:
--  * a line of a round that is not stored is refused (SQLSTATE 23503, foreign_key_violation,
--    as the key raised it): an AFTER INSERT statement trigger looks up the statement's distinct
--    rounds (250 probes per batch of 250 rounds, not 15,000); a row trigger does it for the
--    rare UPDATE that changes a line's round;
--  * deleting rounds deletes their lines (ON DELETE CASCADE): an AFTER DELETE statement trigger
--    on rounds deletes the lines of the rounds the statement deleted, weapon lines first, as
--    the cascade did after the round rows were gone (the totals' delete triggers then leave the
--    weapon parts to etstats_round_deleting, as before);
--  * no check races a delete: every statement writing lines or deleting rounds takes the
--    writer lock first (0008), and each check runs on a snapshot taken after it.
-- The other per-round tables keep their keys (a few rows per round).
ALTER TABLE player_round_stats DROP CONSTRAINT player_round_stats_round_id_fkey;
ALTER TABLE weapon_stats DROP CONSTRAINT weapon_stats_round_id_fkey;
CREATE FUNCTION etstats_lines_rounds_stored() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT round_id FROM new_rows) n
               WHERE NOT EXISTS (SELECT 1 FROM rounds r WHERE r.id = n.round_id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = TG_TABLE_NAME || ': a line of a round that is not stored';
    END IF;
    RETURN NULL;
END
$body$;
CREATE FUNCTION etstats_line_round_stored() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM rounds r WHERE r.id = NEW.round_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = TG_TABLE_NAME || ': a line of a round that is not stored';
    END IF;
    RETURN NULL;
END
$body$;
CREATE TRIGGER player_lines_round_stored AFTER INSERT ON player_round_stats
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_lines_rounds_stored();
CREATE TRIGGER weapon_lines_round_stored AFTER INSERT ON weapon_stats
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_lines_rounds_stored();
CREATE TRIGGER player_line_round_moved AFTER UPDATE OF round_id ON player_round_stats
    FOR EACH ROW WHEN (NEW.round_id IS DISTINCT FROM OLD.round_id) EXECUTE FUNCTION etstats_line_round_stored();
CREATE TRIGGER weapon_line_round_moved AFTER UPDATE OF round_id ON weapon_stats
    FOR EACH ROW WHEN (NEW.round_id IS DISTINCT FROM OLD.round_id) EXECUTE FUNCTION etstats_line_round_stored();
CREATE FUNCTION etstats_rounds_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM weapon_stats WHERE round_id IN (SELECT id FROM old_rows);
    DELETE FROM player_round_stats WHERE round_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END
$body$;
CREATE TRIGGER rounds_lines_cascade AFTER DELETE ON rounds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_rounds_deleted();
