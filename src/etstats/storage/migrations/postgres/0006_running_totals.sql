-- etstats schema v8 (PostgreSQL): running per-GUID totals and per-(GUID, name) line
-- counts, kept by statement-level triggers (transition tables) in the transaction that
-- writes player lines; upserts go in GUID order so concurrent writers never deadlock
-- (docs/storage.md, "Running totals").
CREATE TABLE player_totals (
    guid TEXT PRIMARY KEY,
    lines BIGINT NOT NULL,
    rounds BIGINT NOT NULL,
    kills BIGINT NOT NULL,
    deaths BIGINT NOT NULL,
    damage_given BIGINT NOT NULL,
    damage_received BIGINT NOT NULL,
    team_damage_given BIGINT NOT NULL,
    team_damage_received BIGINT NOT NULL,
    gibs BIGINT NOT NULL,
    self_kills BIGINT NOT NULL,
    team_kills BIGINT NOT NULL,
    xp BIGINT NOT NULL,
    headshot_kills BIGINT NOT NULL,
    revives_given BIGINT NOT NULL,
    times_revived BIGINT NOT NULL,
    time_played_tenths BIGINT NOT NULL,
    time_dead_tenths BIGINT NOT NULL,
    denied_playtime_seconds BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    shots BIGINT NOT NULL,
    headshots BIGINT NOT NULL,
    team_gibs DOUBLE PRECISION NOT NULL,
    killing_spree DOUBLE PRECISION NOT NULL,
    death_spree DOUBLE PRECISION NOT NULL,
    kill_assists DOUBLE PRECISION NOT NULL,
    kill_steals DOUBLE PRECISION NOT NULL,
    objectives_stolen DOUBLE PRECISION NOT NULL,
    objectives_returned DOUBLE PRECISION NOT NULL,
    dynamites_planted DOUBLE PRECISION NOT NULL,
    dynamites_defused DOUBLE PRECISION NOT NULL,
    bullets_fired DOUBLE PRECISION NOT NULL,
    useful_kills DOUBLE PRECISION NOT NULL,
    useless_kills DOUBLE PRECISION NOT NULL,
    full_selfkills DOUBLE PRECISION NOT NULL,
    repairs_constructions DOUBLE PRECISION NOT NULL
);
CREATE TABLE player_name_lines (
    guid TEXT NOT NULL,
    name TEXT NOT NULL,
    lines BIGINT NOT NULL,
    PRIMARY KEY (guid, name)
);
CREATE INDEX player_name_lines_name ON player_name_lines (name);

CREATE FUNCTION etstats_player_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
    SELECT n.guid, COUNT(*), COUNT(DISTINCT n.round_id) FILTER (WHERE NOT EXISTS (SELECT 1 FROM player_round_stats p WHERE p.round_id = n.round_id AND p.guid = n.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') AND NOT EXISTS (SELECT 1 FROM new_rows m WHERE m.round_id = p.round_id AND m.player_index = p.player_index))), SUM(COALESCE(n.kills, 0)), SUM(COALESCE(n.deaths, 0)), SUM(COALESCE(n.damage_given, 0)), SUM(COALESCE(n.damage_received, 0)), SUM(COALESCE(n.team_damage_given, 0)), SUM(COALESCE(n.team_damage_received, 0)), SUM(COALESCE(n.gibs, 0)), SUM(COALESCE(n.self_kills, 0)), SUM(COALESCE(n.team_kills, 0)), SUM(COALESCE(n.xp, 0)), SUM(COALESCE(n.headshot_kills, 0)), SUM(COALESCE(n.revives_given, 0)), SUM(COALESCE(n.times_revived, 0)), SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER)), SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER)), SUM(COALESCE(n.denied_playtime_seconds, 0)), SUM(COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index), 0)), SUM(COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index), 0)), SUM(COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index), 0)), SUM(COALESCE((n.tab_json::json ->> 'team_gibs')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'killing_spree')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'death_spree')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'kill_assists')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'kill_steals')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'objectives_stolen')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'objectives_returned')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'dynamites_planted')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'dynamites_defused')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'bullets_fired')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'useful_kills')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'useless_kills')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'full_selfkills')::double precision, 0)), SUM(COALESCE((n.tab_json::json ->> 'repairs_constructions')::double precision, 0))
    FROM new_rows n WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.guid ORDER BY n.guid
    ON CONFLICT (guid) DO UPDATE SET lines = player_totals.lines + excluded.lines, rounds = player_totals.rounds + excluded.rounds, kills = player_totals.kills + excluded.kills, deaths = player_totals.deaths + excluded.deaths, damage_given = player_totals.damage_given + excluded.damage_given, damage_received = player_totals.damage_received + excluded.damage_received, team_damage_given = player_totals.team_damage_given + excluded.team_damage_given, team_damage_received = player_totals.team_damage_received + excluded.team_damage_received, gibs = player_totals.gibs + excluded.gibs, self_kills = player_totals.self_kills + excluded.self_kills, team_kills = player_totals.team_kills + excluded.team_kills, xp = player_totals.xp + excluded.xp, headshot_kills = player_totals.headshot_kills + excluded.headshot_kills, revives_given = player_totals.revives_given + excluded.revives_given, times_revived = player_totals.times_revived + excluded.times_revived, time_played_tenths = player_totals.time_played_tenths + excluded.time_played_tenths, time_dead_tenths = player_totals.time_dead_tenths + excluded.time_dead_tenths, denied_playtime_seconds = player_totals.denied_playtime_seconds + excluded.denied_playtime_seconds, hits = player_totals.hits + excluded.hits, shots = player_totals.shots + excluded.shots, headshots = player_totals.headshots + excluded.headshots, team_gibs = player_totals.team_gibs + excluded.team_gibs, killing_spree = player_totals.killing_spree + excluded.killing_spree, death_spree = player_totals.death_spree + excluded.death_spree, kill_assists = player_totals.kill_assists + excluded.kill_assists, kill_steals = player_totals.kill_steals + excluded.kill_steals, objectives_stolen = player_totals.objectives_stolen + excluded.objectives_stolen, objectives_returned = player_totals.objectives_returned + excluded.objectives_returned, dynamites_planted = player_totals.dynamites_planted + excluded.dynamites_planted, dynamites_defused = player_totals.dynamites_defused + excluded.dynamites_defused, bullets_fired = player_totals.bullets_fired + excluded.bullets_fired, useful_kills = player_totals.useful_kills + excluded.useful_kills, useless_kills = player_totals.useless_kills + excluded.useless_kills, full_selfkills = player_totals.full_selfkills + excluded.full_selfkills, repairs_constructions = player_totals.repairs_constructions + excluded.repairs_constructions;
    INSERT INTO player_name_lines (guid, name, lines)
    SELECT n.guid, n.name, COUNT(*) FROM new_rows n GROUP BY n.guid, n.name ORDER BY n.guid, n.name
    ON CONFLICT (guid, name) DO UPDATE SET lines = player_name_lines.lines + excluded.lines;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_player_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET lines = t.lines - o.lines, rounds = t.rounds - o.rounds, kills = t.kills - o.kills, deaths = t.deaths - o.deaths, damage_given = t.damage_given - o.damage_given, damage_received = t.damage_received - o.damage_received, team_damage_given = t.team_damage_given - o.team_damage_given, team_damage_received = t.team_damage_received - o.team_damage_received, gibs = t.gibs - o.gibs, self_kills = t.self_kills - o.self_kills, team_kills = t.team_kills - o.team_kills, xp = t.xp - o.xp, headshot_kills = t.headshot_kills - o.headshot_kills, revives_given = t.revives_given - o.revives_given, times_revived = t.times_revived - o.times_revived, time_played_tenths = t.time_played_tenths - o.time_played_tenths, time_dead_tenths = t.time_dead_tenths - o.time_dead_tenths, denied_playtime_seconds = t.denied_playtime_seconds - o.denied_playtime_seconds, hits = t.hits - o.hits, shots = t.shots - o.shots, headshots = t.headshots - o.headshots, team_gibs = t.team_gibs - o.team_gibs, killing_spree = t.killing_spree - o.killing_spree, death_spree = t.death_spree - o.death_spree, kill_assists = t.kill_assists - o.kill_assists, kill_steals = t.kill_steals - o.kill_steals, objectives_stolen = t.objectives_stolen - o.objectives_stolen, objectives_returned = t.objectives_returned - o.objectives_returned, dynamites_planted = t.dynamites_planted - o.dynamites_planted, dynamites_defused = t.dynamites_defused - o.dynamites_defused, bullets_fired = t.bullets_fired - o.bullets_fired, useful_kills = t.useful_kills - o.useful_kills, useless_kills = t.useless_kills - o.useless_kills, full_selfkills = t.full_selfkills - o.full_selfkills, repairs_constructions = t.repairs_constructions - o.repairs_constructions
    FROM (SELECT n.guid AS guid, COUNT(*) AS lines, COUNT(DISTINCT n.round_id) FILTER (WHERE NOT EXISTS (SELECT 1 FROM player_round_stats p WHERE p.round_id = n.round_id AND p.guid = n.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'))) AS rounds, SUM(COALESCE(n.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(CASE WHEN EXISTS (SELECT 1 FROM rounds r WHERE r.id = n.round_id) THEN COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index), 0) ELSE 0 END) AS hits, SUM(CASE WHEN EXISTS (SELECT 1 FROM rounds r WHERE r.id = n.round_id) THEN COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index), 0) ELSE 0 END) AS shots, SUM(CASE WHEN EXISTS (SELECT 1 FROM rounds r WHERE r.id = n.round_id) THEN COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = n.round_id AND ws.player_index = n.player_index), 0) ELSE 0 END) AS headshots, SUM(COALESCE((n.tab_json::json ->> 'team_gibs')::double precision, 0)) AS team_gibs, SUM(COALESCE((n.tab_json::json ->> 'killing_spree')::double precision, 0)) AS killing_spree, SUM(COALESCE((n.tab_json::json ->> 'death_spree')::double precision, 0)) AS death_spree, SUM(COALESCE((n.tab_json::json ->> 'kill_assists')::double precision, 0)) AS kill_assists, SUM(COALESCE((n.tab_json::json ->> 'kill_steals')::double precision, 0)) AS kill_steals, SUM(COALESCE((n.tab_json::json ->> 'objectives_stolen')::double precision, 0)) AS objectives_stolen, SUM(COALESCE((n.tab_json::json ->> 'objectives_returned')::double precision, 0)) AS objectives_returned, SUM(COALESCE((n.tab_json::json ->> 'dynamites_planted')::double precision, 0)) AS dynamites_planted, SUM(COALESCE((n.tab_json::json ->> 'dynamites_defused')::double precision, 0)) AS dynamites_defused, SUM(COALESCE((n.tab_json::json ->> 'bullets_fired')::double precision, 0)) AS bullets_fired, SUM(COALESCE((n.tab_json::json ->> 'useful_kills')::double precision, 0)) AS useful_kills, SUM(COALESCE((n.tab_json::json ->> 'useless_kills')::double precision, 0)) AS useless_kills, SUM(COALESCE((n.tab_json::json ->> 'full_selfkills')::double precision, 0)) AS full_selfkills, SUM(COALESCE((n.tab_json::json ->> 'repairs_constructions')::double precision, 0)) AS repairs_constructions
          FROM old_rows n WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.guid) o
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

CREATE FUNCTION etstats_player_lines_updated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.round_id = n.round_id
               AND o.player_index = n.player_index
               WHERE n.guid IS DISTINCT FROM o.guid OR n.name IS DISTINCT FROM o.name)
       OR (SELECT COUNT(*) FROM new_rows n JOIN old_rows o ON o.round_id = n.round_id
           AND o.player_index = n.player_index) <> (SELECT COUNT(*) FROM new_rows) THEN
        RAISE EXCEPTION 'player_round_stats: delete and re-insert a line to change its key';
    END IF;
    UPDATE player_totals t SET kills = t.kills + o.kills, deaths = t.deaths + o.deaths, damage_given = t.damage_given + o.damage_given, damage_received = t.damage_received + o.damage_received, team_damage_given = t.team_damage_given + o.team_damage_given, team_damage_received = t.team_damage_received + o.team_damage_received, gibs = t.gibs + o.gibs, self_kills = t.self_kills + o.self_kills, team_kills = t.team_kills + o.team_kills, xp = t.xp + o.xp, headshot_kills = t.headshot_kills + o.headshot_kills, revives_given = t.revives_given + o.revives_given, times_revived = t.times_revived + o.times_revived, time_played_tenths = t.time_played_tenths + o.time_played_tenths, time_dead_tenths = t.time_dead_tenths + o.time_dead_tenths, denied_playtime_seconds = t.denied_playtime_seconds + o.denied_playtime_seconds, team_gibs = t.team_gibs + o.team_gibs, killing_spree = t.killing_spree + o.killing_spree, death_spree = t.death_spree + o.death_spree, kill_assists = t.kill_assists + o.kill_assists, kill_steals = t.kill_steals + o.kill_steals, objectives_stolen = t.objectives_stolen + o.objectives_stolen, objectives_returned = t.objectives_returned + o.objectives_returned, dynamites_planted = t.dynamites_planted + o.dynamites_planted, dynamites_defused = t.dynamites_defused + o.dynamites_defused, bullets_fired = t.bullets_fired + o.bullets_fired, useful_kills = t.useful_kills + o.useful_kills, useless_kills = t.useless_kills + o.useless_kills, full_selfkills = t.full_selfkills + o.full_selfkills, repairs_constructions = t.repairs_constructions + o.repairs_constructions
    FROM (SELECT n.guid AS guid, SUM(COALESCE(n.kills, 0) - COALESCE(o.kills, 0)) AS kills, SUM(COALESCE(n.deaths, 0) - COALESCE(o.deaths, 0)) AS deaths, SUM(COALESCE(n.damage_given, 0) - COALESCE(o.damage_given, 0)) AS damage_given, SUM(COALESCE(n.damage_received, 0) - COALESCE(o.damage_received, 0)) AS damage_received, SUM(COALESCE(n.team_damage_given, 0) - COALESCE(o.team_damage_given, 0)) AS team_damage_given, SUM(COALESCE(n.team_damage_received, 0) - COALESCE(o.team_damage_received, 0)) AS team_damage_received, SUM(COALESCE(n.gibs, 0) - COALESCE(o.gibs, 0)) AS gibs, SUM(COALESCE(n.self_kills, 0) - COALESCE(o.self_kills, 0)) AS self_kills, SUM(COALESCE(n.team_kills, 0) - COALESCE(o.team_kills, 0)) AS team_kills, SUM(COALESCE(n.xp, 0) - COALESCE(o.xp, 0)) AS xp, SUM(COALESCE(n.headshot_kills, 0) - COALESCE(o.headshot_kills, 0)) AS headshot_kills, SUM(COALESCE(n.revives_given, 0) - COALESCE(o.revives_given, 0)) AS revives_given, SUM(COALESCE(n.times_revived, 0) - COALESCE(o.times_revived, 0)) AS times_revived, SUM(CAST(ROUND(COALESCE(n.time_played_minutes, 0) * 10) AS INTEGER) - CAST(ROUND(COALESCE(o.time_played_minutes, 0) * 10) AS INTEGER)) AS time_played_tenths, SUM(CAST(ROUND(COALESCE(n.time_dead_minutes, 0) * 10) AS INTEGER) - CAST(ROUND(COALESCE(o.time_dead_minutes, 0) * 10) AS INTEGER)) AS time_dead_tenths, SUM(COALESCE(n.denied_playtime_seconds, 0) - COALESCE(o.denied_playtime_seconds, 0)) AS denied_playtime_seconds, SUM(COALESCE((n.tab_json::json ->> 'team_gibs')::double precision, 0) - COALESCE((o.tab_json::json ->> 'team_gibs')::double precision, 0)) AS team_gibs, SUM(COALESCE((n.tab_json::json ->> 'killing_spree')::double precision, 0) - COALESCE((o.tab_json::json ->> 'killing_spree')::double precision, 0)) AS killing_spree, SUM(COALESCE((n.tab_json::json ->> 'death_spree')::double precision, 0) - COALESCE((o.tab_json::json ->> 'death_spree')::double precision, 0)) AS death_spree, SUM(COALESCE((n.tab_json::json ->> 'kill_assists')::double precision, 0) - COALESCE((o.tab_json::json ->> 'kill_assists')::double precision, 0)) AS kill_assists, SUM(COALESCE((n.tab_json::json ->> 'kill_steals')::double precision, 0) - COALESCE((o.tab_json::json ->> 'kill_steals')::double precision, 0)) AS kill_steals, SUM(COALESCE((n.tab_json::json ->> 'objectives_stolen')::double precision, 0) - COALESCE((o.tab_json::json ->> 'objectives_stolen')::double precision, 0)) AS objectives_stolen, SUM(COALESCE((n.tab_json::json ->> 'objectives_returned')::double precision, 0) - COALESCE((o.tab_json::json ->> 'objectives_returned')::double precision, 0)) AS objectives_returned, SUM(COALESCE((n.tab_json::json ->> 'dynamites_planted')::double precision, 0) - COALESCE((o.tab_json::json ->> 'dynamites_planted')::double precision, 0)) AS dynamites_planted, SUM(COALESCE((n.tab_json::json ->> 'dynamites_defused')::double precision, 0) - COALESCE((o.tab_json::json ->> 'dynamites_defused')::double precision, 0)) AS dynamites_defused, SUM(COALESCE((n.tab_json::json ->> 'bullets_fired')::double precision, 0) - COALESCE((o.tab_json::json ->> 'bullets_fired')::double precision, 0)) AS bullets_fired, SUM(COALESCE((n.tab_json::json ->> 'useful_kills')::double precision, 0) - COALESCE((o.tab_json::json ->> 'useful_kills')::double precision, 0)) AS useful_kills, SUM(COALESCE((n.tab_json::json ->> 'useless_kills')::double precision, 0) - COALESCE((o.tab_json::json ->> 'useless_kills')::double precision, 0)) AS useless_kills, SUM(COALESCE((n.tab_json::json ->> 'full_selfkills')::double precision, 0) - COALESCE((o.tab_json::json ->> 'full_selfkills')::double precision, 0)) AS full_selfkills, SUM(COALESCE((n.tab_json::json ->> 'repairs_constructions')::double precision, 0) - COALESCE((o.tab_json::json ->> 'repairs_constructions')::double precision, 0)) AS repairs_constructions
          FROM new_rows n JOIN old_rows o ON o.round_id = n.round_id
          AND o.player_index = n.player_index WHERE (substr(UPPER(n.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(n.name), 1, 5) <> '[BOT]') GROUP BY n.guid ORDER BY n.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_weapon_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET hits = t.hits + o.hits, shots = t.shots + o.shots, headshots = t.headshots + o.headshots
    FROM (SELECT p.guid, SUM(w.hits) AS hits, SUM(w.shots) AS shots, SUM(w.headshots) AS headshots FROM new_rows w JOIN player_round_stats p ON p.round_id = w.round_id AND p.player_index = w.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') GROUP BY p.guid ORDER BY p.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_weapon_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET hits = t.hits - o.hits, shots = t.shots - o.shots, headshots = t.headshots - o.headshots
    FROM (SELECT p.guid, SUM(w.hits) AS hits, SUM(w.shots) AS shots, SUM(w.headshots) AS headshots FROM old_rows w JOIN player_round_stats p ON p.round_id = w.round_id AND p.player_index = w.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') AND EXISTS (SELECT 1 FROM rounds r WHERE r.id = w.round_id) GROUP BY p.guid ORDER BY p.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_weapon_lines_updated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET hits = t.hits + o.hits, shots = t.shots + o.shots, headshots = t.headshots + o.headshots
    FROM (SELECT p.guid, SUM(w.hits - ow.hits) AS hits, SUM(w.shots - ow.shots) AS shots, SUM(w.headshots - ow.headshots) AS headshots FROM new_rows w JOIN old_rows ow ON ow.round_id = w.round_id
          AND ow.player_index = w.player_index AND ow.weapon_index = w.weapon_index
          JOIN player_round_stats p ON p.round_id = w.round_id AND p.player_index = w.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') GROUP BY p.guid ORDER BY p.guid) o
    WHERE t.guid = o.guid;
    RETURN NULL;
END
$body$;

CREATE TRIGGER player_totals_insert AFTER INSERT ON player_round_stats
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_player_lines_inserted();
CREATE TRIGGER player_totals_delete AFTER DELETE ON player_round_stats
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_player_lines_deleted();
CREATE TRIGGER player_totals_update AFTER UPDATE ON player_round_stats
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_player_lines_updated();

CREATE TRIGGER player_totals_weapon_insert AFTER INSERT ON weapon_stats
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_weapon_lines_inserted();
CREATE TRIGGER player_totals_weapon_delete AFTER DELETE ON weapon_stats
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION etstats_weapon_lines_deleted();
CREATE TRIGGER player_totals_weapon_update AFTER UPDATE ON weapon_stats
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_weapon_lines_updated();

-- a deleted round's weapon parts leave while its lines and weapon lines are still there
CREATE FUNCTION etstats_round_deleting() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE player_totals t SET hits = t.hits - o.hits, shots = t.shots - o.shots, headshots = t.headshots - o.headshots
    FROM (SELECT p.guid, SUM(w.hits) AS hits, SUM(w.shots) AS shots, SUM(w.headshots) AS headshots FROM weapon_stats w JOIN player_round_stats p ON p.round_id = w.round_id AND p.player_index = w.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')
          WHERE w.round_id = OLD.id GROUP BY p.guid ORDER BY p.guid) o
    WHERE t.guid = o.guid;
    RETURN OLD;
END
$body$;
CREATE TRIGGER player_totals_round_delete BEFORE DELETE ON rounds
    FOR EACH ROW EXECUTE FUNCTION etstats_round_deleting();
CREATE FUNCTION etstats_lines_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_TABLE_NAME = 'player_round_stats' THEN
        DELETE FROM player_totals;
        DELETE FROM player_name_lines;
    ELSE
        UPDATE player_totals SET hits = 0, shots = 0, headshots = 0;
    END IF;
    RETURN NULL;
END
$body$;
CREATE TRIGGER player_totals_truncate AFTER TRUNCATE ON player_round_stats
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_lines_truncated();
CREATE TRIGGER player_totals_weapon_truncate AFTER TRUNCATE ON weapon_stats
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_lines_truncated();

INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
SELECT p.guid, COUNT(*), COUNT(DISTINCT p.round_id), SUM(COALESCE(p.kills, 0)), SUM(COALESCE(p.deaths, 0)), SUM(COALESCE(p.damage_given, 0)), SUM(COALESCE(p.damage_received, 0)), SUM(COALESCE(p.team_damage_given, 0)), SUM(COALESCE(p.team_damage_received, 0)), SUM(COALESCE(p.gibs, 0)), SUM(COALESCE(p.self_kills, 0)), SUM(COALESCE(p.team_kills, 0)), SUM(COALESCE(p.xp, 0)), SUM(COALESCE(p.headshot_kills, 0)), SUM(COALESCE(p.revives_given, 0)), SUM(COALESCE(p.times_revived, 0)), SUM(CAST(ROUND(COALESCE(p.time_played_minutes, 0) * 10) AS INTEGER)), SUM(CAST(ROUND(COALESCE(p.time_dead_minutes, 0) * 10) AS INTEGER)), SUM(COALESCE(p.denied_playtime_seconds, 0)), SUM(COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)), SUM(COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)), SUM(COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)), SUM(COALESCE((p.tab_json::json ->> 'team_gibs')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'killing_spree')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'death_spree')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'kill_assists')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'kill_steals')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'objectives_stolen')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'objectives_returned')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'dynamites_planted')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'dynamites_defused')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'bullets_fired')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'useful_kills')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'useless_kills')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'full_selfkills')::double precision, 0)), SUM(COALESCE((p.tab_json::json ->> 'repairs_constructions')::double precision, 0))
FROM player_round_stats p WHERE (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') GROUP BY p.guid;
INSERT INTO player_name_lines (guid, name, lines)
SELECT guid, name, COUNT(*) FROM player_round_stats GROUP BY guid, name;
