-- etstats schema v9 (SQLite): bulk writes keep the running totals per batch.
-- While a row of totals_deferred exists (only inside a bulk write's own transaction), the
-- insert and delete row triggers of 0006 stand aside: the writer subtracts the old lines'
-- aggregates and adds the new ones' with one statement each (etstats.storage.bulk_totals),
-- instead of one trigger run per player line and per weapon line (docs/storage.md,
-- "Running totals"). The results are the same; updates keep their row triggers.
CREATE TABLE totals_deferred (
    flag INTEGER PRIMARY KEY CHECK (flag = 1)
);

DROP TRIGGER player_totals_insert;
CREATE TRIGGER player_totals_insert AFTER INSERT ON player_round_stats
WHEN (substr(UPPER(NEW.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(NEW.name), 1, 5) <> '[BOT]') AND NOT EXISTS (SELECT 1 FROM totals_deferred)
BEGIN
    INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
    VALUES (NEW.guid, 1, CASE WHEN (SELECT COUNT(*) FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.guid = NEW.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')) = 1 THEN 1 ELSE 0 END, COALESCE(NEW.kills, 0), COALESCE(NEW.deaths, 0), COALESCE(NEW.damage_given, 0), COALESCE(NEW.damage_received, 0), COALESCE(NEW.team_damage_given, 0), COALESCE(NEW.team_damage_received, 0), COALESCE(NEW.gibs, 0), COALESCE(NEW.self_kills, 0), COALESCE(NEW.team_kills, 0), COALESCE(NEW.xp, 0), COALESCE(NEW.headshot_kills, 0), COALESCE(NEW.revives_given, 0), COALESCE(NEW.times_revived, 0), CAST(ROUND(COALESCE(NEW.time_played_minutes, 0) * 10) AS INTEGER), CAST(ROUND(COALESCE(NEW.time_dead_minutes, 0) * 10) AS INTEGER), COALESCE(NEW.denied_playtime_seconds, 0), COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE(json_extract(NEW.tab_json, '$.team_gibs'), 0), COALESCE(json_extract(NEW.tab_json, '$.killing_spree'), 0), COALESCE(json_extract(NEW.tab_json, '$.death_spree'), 0), COALESCE(json_extract(NEW.tab_json, '$.kill_assists'), 0), COALESCE(json_extract(NEW.tab_json, '$.kill_steals'), 0), COALESCE(json_extract(NEW.tab_json, '$.objectives_stolen'), 0), COALESCE(json_extract(NEW.tab_json, '$.objectives_returned'), 0), COALESCE(json_extract(NEW.tab_json, '$.dynamites_planted'), 0), COALESCE(json_extract(NEW.tab_json, '$.dynamites_defused'), 0), COALESCE(json_extract(NEW.tab_json, '$.bullets_fired'), 0), COALESCE(json_extract(NEW.tab_json, '$.useful_kills'), 0), COALESCE(json_extract(NEW.tab_json, '$.useless_kills'), 0), COALESCE(json_extract(NEW.tab_json, '$.full_selfkills'), 0), COALESCE(json_extract(NEW.tab_json, '$.repairs_constructions'), 0))
    ON CONFLICT (guid) DO UPDATE SET lines = lines + excluded.lines, rounds = rounds + excluded.rounds, kills = kills + excluded.kills, deaths = deaths + excluded.deaths, damage_given = damage_given + excluded.damage_given, damage_received = damage_received + excluded.damage_received, team_damage_given = team_damage_given + excluded.team_damage_given, team_damage_received = team_damage_received + excluded.team_damage_received, gibs = gibs + excluded.gibs, self_kills = self_kills + excluded.self_kills, team_kills = team_kills + excluded.team_kills, xp = xp + excluded.xp, headshot_kills = headshot_kills + excluded.headshot_kills, revives_given = revives_given + excluded.revives_given, times_revived = times_revived + excluded.times_revived, time_played_tenths = time_played_tenths + excluded.time_played_tenths, time_dead_tenths = time_dead_tenths + excluded.time_dead_tenths, denied_playtime_seconds = denied_playtime_seconds + excluded.denied_playtime_seconds, hits = hits + excluded.hits, shots = shots + excluded.shots, headshots = headshots + excluded.headshots, team_gibs = team_gibs + excluded.team_gibs, killing_spree = killing_spree + excluded.killing_spree, death_spree = death_spree + excluded.death_spree, kill_assists = kill_assists + excluded.kill_assists, kill_steals = kill_steals + excluded.kill_steals, objectives_stolen = objectives_stolen + excluded.objectives_stolen, objectives_returned = objectives_returned + excluded.objectives_returned, dynamites_planted = dynamites_planted + excluded.dynamites_planted, dynamites_defused = dynamites_defused + excluded.dynamites_defused, bullets_fired = bullets_fired + excluded.bullets_fired, useful_kills = useful_kills + excluded.useful_kills, useless_kills = useless_kills + excluded.useless_kills, full_selfkills = full_selfkills + excluded.full_selfkills, repairs_constructions = repairs_constructions + excluded.repairs_constructions;
END;

DROP TRIGGER player_totals_delete;
CREATE TRIGGER player_totals_delete AFTER DELETE ON player_round_stats
WHEN (substr(UPPER(OLD.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(OLD.name), 1, 5) <> '[BOT]') AND NOT EXISTS (SELECT 1 FROM totals_deferred)
BEGIN
    UPDATE player_totals SET lines = lines - 1, rounds = rounds - CASE WHEN (SELECT COUNT(*) FROM player_round_stats p WHERE p.round_id = OLD.round_id AND p.guid = OLD.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')) = 0 THEN 1 ELSE 0 END, kills = kills - COALESCE(OLD.kills, 0), deaths = deaths - COALESCE(OLD.deaths, 0), damage_given = damage_given - COALESCE(OLD.damage_given, 0), damage_received = damage_received - COALESCE(OLD.damage_received, 0), team_damage_given = team_damage_given - COALESCE(OLD.team_damage_given, 0), team_damage_received = team_damage_received - COALESCE(OLD.team_damage_received, 0), gibs = gibs - COALESCE(OLD.gibs, 0), self_kills = self_kills - COALESCE(OLD.self_kills, 0), team_kills = team_kills - COALESCE(OLD.team_kills, 0), xp = xp - COALESCE(OLD.xp, 0), headshot_kills = headshot_kills - COALESCE(OLD.headshot_kills, 0), revives_given = revives_given - COALESCE(OLD.revives_given, 0), times_revived = times_revived - COALESCE(OLD.times_revived, 0), time_played_tenths = time_played_tenths - CAST(ROUND(COALESCE(OLD.time_played_minutes, 0) * 10) AS INTEGER), time_dead_tenths = time_dead_tenths - CAST(ROUND(COALESCE(OLD.time_dead_minutes, 0) * 10) AS INTEGER), denied_playtime_seconds = denied_playtime_seconds - COALESCE(OLD.denied_playtime_seconds, 0), hits = hits - COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), shots = shots - COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), headshots = headshots - COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), team_gibs = team_gibs - COALESCE(json_extract(OLD.tab_json, '$.team_gibs'), 0), killing_spree = killing_spree - COALESCE(json_extract(OLD.tab_json, '$.killing_spree'), 0), death_spree = death_spree - COALESCE(json_extract(OLD.tab_json, '$.death_spree'), 0), kill_assists = kill_assists - COALESCE(json_extract(OLD.tab_json, '$.kill_assists'), 0), kill_steals = kill_steals - COALESCE(json_extract(OLD.tab_json, '$.kill_steals'), 0), objectives_stolen = objectives_stolen - COALESCE(json_extract(OLD.tab_json, '$.objectives_stolen'), 0), objectives_returned = objectives_returned - COALESCE(json_extract(OLD.tab_json, '$.objectives_returned'), 0), dynamites_planted = dynamites_planted - COALESCE(json_extract(OLD.tab_json, '$.dynamites_planted'), 0), dynamites_defused = dynamites_defused - COALESCE(json_extract(OLD.tab_json, '$.dynamites_defused'), 0), bullets_fired = bullets_fired - COALESCE(json_extract(OLD.tab_json, '$.bullets_fired'), 0), useful_kills = useful_kills - COALESCE(json_extract(OLD.tab_json, '$.useful_kills'), 0), useless_kills = useless_kills - COALESCE(json_extract(OLD.tab_json, '$.useless_kills'), 0), full_selfkills = full_selfkills - COALESCE(json_extract(OLD.tab_json, '$.full_selfkills'), 0), repairs_constructions = repairs_constructions - COALESCE(json_extract(OLD.tab_json, '$.repairs_constructions'), 0) WHERE guid = OLD.guid;
    DELETE FROM player_totals WHERE guid = OLD.guid AND lines = 0;
END;

DROP TRIGGER player_totals_weapon_insert;
CREATE TRIGGER player_totals_weapon_insert AFTER INSERT ON weapon_stats
WHEN NOT EXISTS (SELECT 1 FROM totals_deferred)
BEGIN
    UPDATE player_totals SET hits = hits + NEW.hits, shots = shots + NEW.shots, headshots = headshots + NEW.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.player_index = NEW.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;

DROP TRIGGER player_totals_weapon_delete;
CREATE TRIGGER player_totals_weapon_delete AFTER DELETE ON weapon_stats
WHEN NOT EXISTS (SELECT 1 FROM totals_deferred)
BEGIN
    UPDATE player_totals SET hits = hits - OLD.hits, shots = shots - OLD.shots, headshots = headshots - OLD.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = OLD.round_id AND p.player_index = OLD.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;

DROP TRIGGER player_name_lines_insert;
CREATE TRIGGER player_name_lines_insert AFTER INSERT ON player_round_stats
WHEN NOT EXISTS (SELECT 1 FROM totals_deferred)
BEGIN
    INSERT INTO player_name_lines (guid, name, lines) VALUES (NEW.guid, NEW.name, 1)
    ON CONFLICT (guid, name) DO UPDATE SET lines = lines + 1;
END;

DROP TRIGGER player_name_lines_delete;
CREATE TRIGGER player_name_lines_delete AFTER DELETE ON player_round_stats
WHEN NOT EXISTS (SELECT 1 FROM totals_deferred)
BEGIN
    UPDATE player_name_lines SET lines = lines - 1 WHERE guid = OLD.guid AND name = OLD.name;
    DELETE FROM player_name_lines WHERE guid = OLD.guid AND name = OLD.name AND lines = 0;
END;
