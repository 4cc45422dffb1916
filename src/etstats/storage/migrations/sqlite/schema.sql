-- Documented end state of the sqlite schema (all migrations applied). Kept equal to the
-- migrations by tests/storage/test_migrations.py; update both together.
CREATE TABLE servers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL DEFAULT 'UTC'
);

CREATE TABLE artifacts (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    server_id INTEGER NOT NULL REFERENCES servers (id),
    data BLOB NOT NULL,
    size_bytes INTEGER NOT NULL,
    received_unix INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    error TEXT,
    map_name TEXT,
    round_number INTEGER,
    anchor_unix INTEGER,
    start_unix INTEGER,
    link_note TEXT
);
CREATE INDEX artifacts_group ON artifacts (server_id, map_name, round_number, anchor_unix);

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    server_id INTEGER NOT NULL REFERENCES servers (id),
    map_name TEXT NOT NULL,
    round_number INTEGER NOT NULL,
    round_start_unix INTEGER NOT NULL,
    start_source TEXT NOT NULL CHECK (start_source IN ('lua', 'stats-file-name', 'endstats-file-name')),
    round_end_unix INTEGER,
    stats_sha256 TEXT UNIQUE REFERENCES artifacts (sha256),
    lua_sha256 TEXT UNIQUE REFERENCES artifacts (sha256),
    endstats_sha256 TEXT UNIQUE REFERENCES artifacts (sha256),
    stats_file_unix INTEGER,
    hostname TEXT,
    winner_team INTEGER,
    defender_team INTEGER,
    time_limit_seconds INTEGER,
    clock_seconds INTEGER,
    playtime_ms INTEGER,
    tab_layout INTEGER,
    values_scope TEXT CHECK (values_scope IN ('round', 'cumulative_r1_r2')),
    r1_round_id INTEGER REFERENCES rounds (id) ON DELETE SET NULL,
    UNIQUE (server_id, map_name, round_number, round_start_unix)
);
CREATE INDEX rounds_pairing ON rounds (server_id, map_name, round_number, stats_file_unix);

CREATE TABLE player_round_stats (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    player_index INTEGER NOT NULL,
    guid TEXT NOT NULL,
    name TEXT NOT NULL,
    raw_name TEXT NOT NULL,
    team INTEGER NOT NULL,
    session_rounds INTEGER NOT NULL,
    kills INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    damage_given INTEGER,
    damage_received INTEGER,
    team_damage_given INTEGER,
    team_damage_received INTEGER,
    gibs INTEGER,
    self_kills INTEGER,
    team_kills INTEGER,
    xp INTEGER,
    headshot_kills INTEGER,
    revives_given INTEGER,
    times_revived INTEGER,
    time_played_minutes REAL,
    time_dead_minutes REAL,
    denied_playtime_seconds INTEGER,
    tab_json TEXT,
    values_scope TEXT NOT NULL DEFAULT 'round'
        CHECK (values_scope IN ('round', 'cumulative_r1_r2', 'r2_as_written')),
    PRIMARY KEY (round_id, player_index)
);

CREATE TABLE weapon_stats (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    player_index INTEGER NOT NULL,
    weapon_index INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    shots INTEGER NOT NULL,
    kills INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    headshots INTEGER NOT NULL,
    values_scope TEXT NOT NULL DEFAULT 'round'
        CHECK (values_scope IN ('round', 'cumulative_r1_r2', 'r2_as_written')),
    PRIMARY KEY (round_id, player_index, weapon_index)
);

CREATE TABLE lua_timing (
    round_id INTEGER NOT NULL UNIQUE REFERENCES rounds (id) ON DELETE CASCADE,
    artifact_sha256 TEXT NOT NULL UNIQUE REFERENCES artifacts (sha256),
    format TEXT NOT NULL,
    round_start_unix INTEGER NOT NULL,
    round_end_unix INTEGER NOT NULL,
    duration_seconds REAL,
    pause_seconds REAL,
    pause_count INTEGER,
    warmup_seconds REAL,
    end_reason TEXT,
    winner_team INTEGER,
    defender_team INTEGER,
    lua_version TEXT
);

CREATE TABLE pauses (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    start_unix INTEGER,
    end_unix INTEGER,
    seconds REAL NOT NULL,
    PRIMARY KEY (round_id, n)
);

CREATE TABLE spawn_stats (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    guid TEXT NOT NULL,
    name TEXT NOT NULL,
    spawns INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    dead_seconds REAL NOT NULL,
    avg_respawn_seconds REAL,
    max_respawn_seconds REAL,
    PRIMARY KEY (round_id, position)
);

CREATE TABLE endstats_awards (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    player_name TEXT NOT NULL,
    value_text TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (round_id, position)
);

CREATE TABLE endstats_versus (
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    subject_name TEXT,
    subject_guid TEXT,
    opponent_name TEXT NOT NULL,
    kills INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    PRIMARY KEY (round_id, position)
);

CREATE TABLE reconciliations (
    round_id INTEGER PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    verdict TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    report_json TEXT NOT NULL
);

-- 0003: identity and read indexes
CREATE TABLE player_aliases (
    guid TEXT PRIMARY KEY,
    player_guid TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    CHECK (guid <> player_guid)
);
CREATE INDEX player_aliases_player ON player_aliases (player_guid);
CREATE TABLE player_names (
    player_guid TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_unix INTEGER NOT NULL
);
CREATE TABLE player_accounts (
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    player_guid TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    PRIMARY KEY (kind, external_id)
);
CREATE INDEX player_accounts_player ON player_accounts (player_guid);
CREATE INDEX rounds_server_time ON rounds (server_id, round_start_unix);
CREATE INDEX rounds_time ON rounds (round_start_unix);
CREATE INDEX player_round_stats_guid ON player_round_stats (guid, name, round_id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    renderer_version INTEGER NOT NULL,
    ref TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'disabled', 'skipped')),
    generation INTEGER NOT NULL DEFAULT 1,
    delivered_generation INTEGER NOT NULL DEFAULT 0,
    message_ids TEXT NOT NULL DEFAULT '[]',
    fingerprint TEXT,
    sending_since_unix REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_unix REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL,
    UNIQUE (target, subject, kind, renderer_version)
);
CREATE INDEX outbox_due ON outbox (target, state, next_attempt_unix);

CREATE TABLE outbox_keys (
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    renderer_version INTEGER NOT NULL,
    key TEXT NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    PRIMARY KEY (target, kind, renderer_version, key)
);

CREATE TABLE delivery_targets (
    name TEXT PRIMARY KEY,
    disabled_reason TEXT,
    disabled_unix INTEGER,
    created_unix INTEGER NOT NULL
);

-- 0005: bulk ingest at scale
CREATE INDEX artifacts_receipt ON artifacts (received_unix, sha256);
CREATE INDEX rounds_r1 ON rounds (r1_round_id);

-- 0006: running totals (see 0006_running_totals.sql)
-- etstats schema v8 (SQLite): running per-GUID totals and per-(GUID, name) line counts,
-- kept by triggers in the transaction that writes player lines (docs/storage.md,
-- "Running totals"). They serve the all-time leaderboard and player search.
CREATE TABLE player_totals (
    guid TEXT PRIMARY KEY,
    lines INTEGER NOT NULL,
    rounds INTEGER NOT NULL,
    kills INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    damage_given INTEGER NOT NULL,
    damage_received INTEGER NOT NULL,
    team_damage_given INTEGER NOT NULL,
    team_damage_received INTEGER NOT NULL,
    gibs INTEGER NOT NULL,
    self_kills INTEGER NOT NULL,
    team_kills INTEGER NOT NULL,
    xp INTEGER NOT NULL,
    headshot_kills INTEGER NOT NULL,
    revives_given INTEGER NOT NULL,
    times_revived INTEGER NOT NULL,
    time_played_tenths INTEGER NOT NULL,
    time_dead_tenths INTEGER NOT NULL,
    denied_playtime_seconds INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    shots INTEGER NOT NULL,
    headshots INTEGER NOT NULL,
    team_gibs REAL NOT NULL,
    killing_spree REAL NOT NULL,
    death_spree REAL NOT NULL,
    kill_assists REAL NOT NULL,
    kill_steals REAL NOT NULL,
    objectives_stolen REAL NOT NULL,
    objectives_returned REAL NOT NULL,
    dynamites_planted REAL NOT NULL,
    dynamites_defused REAL NOT NULL,
    bullets_fired REAL NOT NULL,
    useful_kills REAL NOT NULL,
    useless_kills REAL NOT NULL,
    full_selfkills REAL NOT NULL,
    repairs_constructions REAL NOT NULL
);
CREATE TABLE player_name_lines (
    guid TEXT NOT NULL,
    name TEXT NOT NULL,
    lines INTEGER NOT NULL,
    PRIMARY KEY (guid, name)
);
CREATE INDEX player_name_lines_name ON player_name_lines (name);

CREATE TRIGGER player_totals_insert AFTER INSERT ON player_round_stats
WHEN (substr(UPPER(NEW.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(NEW.name), 1, 5) <> '[BOT]')
BEGIN
    INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
    VALUES (NEW.guid, 1, CASE WHEN (SELECT COUNT(*) FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.guid = NEW.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')) = 1 THEN 1 ELSE 0 END, COALESCE(NEW.kills, 0), COALESCE(NEW.deaths, 0), COALESCE(NEW.damage_given, 0), COALESCE(NEW.damage_received, 0), COALESCE(NEW.team_damage_given, 0), COALESCE(NEW.team_damage_received, 0), COALESCE(NEW.gibs, 0), COALESCE(NEW.self_kills, 0), COALESCE(NEW.team_kills, 0), COALESCE(NEW.xp, 0), COALESCE(NEW.headshot_kills, 0), COALESCE(NEW.revives_given, 0), COALESCE(NEW.times_revived, 0), CAST(ROUND(COALESCE(NEW.time_played_minutes, 0) * 10) AS INTEGER), CAST(ROUND(COALESCE(NEW.time_dead_minutes, 0) * 10) AS INTEGER), COALESCE(NEW.denied_playtime_seconds, 0), COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE(json_extract(NEW.tab_json, '$.team_gibs'), 0), COALESCE(json_extract(NEW.tab_json, '$.killing_spree'), 0), COALESCE(json_extract(NEW.tab_json, '$.death_spree'), 0), COALESCE(json_extract(NEW.tab_json, '$.kill_assists'), 0), COALESCE(json_extract(NEW.tab_json, '$.kill_steals'), 0), COALESCE(json_extract(NEW.tab_json, '$.objectives_stolen'), 0), COALESCE(json_extract(NEW.tab_json, '$.objectives_returned'), 0), COALESCE(json_extract(NEW.tab_json, '$.dynamites_planted'), 0), COALESCE(json_extract(NEW.tab_json, '$.dynamites_defused'), 0), COALESCE(json_extract(NEW.tab_json, '$.bullets_fired'), 0), COALESCE(json_extract(NEW.tab_json, '$.useful_kills'), 0), COALESCE(json_extract(NEW.tab_json, '$.useless_kills'), 0), COALESCE(json_extract(NEW.tab_json, '$.full_selfkills'), 0), COALESCE(json_extract(NEW.tab_json, '$.repairs_constructions'), 0))
    ON CONFLICT (guid) DO UPDATE SET lines = lines + excluded.lines, rounds = rounds + excluded.rounds, kills = kills + excluded.kills, deaths = deaths + excluded.deaths, damage_given = damage_given + excluded.damage_given, damage_received = damage_received + excluded.damage_received, team_damage_given = team_damage_given + excluded.team_damage_given, team_damage_received = team_damage_received + excluded.team_damage_received, gibs = gibs + excluded.gibs, self_kills = self_kills + excluded.self_kills, team_kills = team_kills + excluded.team_kills, xp = xp + excluded.xp, headshot_kills = headshot_kills + excluded.headshot_kills, revives_given = revives_given + excluded.revives_given, times_revived = times_revived + excluded.times_revived, time_played_tenths = time_played_tenths + excluded.time_played_tenths, time_dead_tenths = time_dead_tenths + excluded.time_dead_tenths, denied_playtime_seconds = denied_playtime_seconds + excluded.denied_playtime_seconds, hits = hits + excluded.hits, shots = shots + excluded.shots, headshots = headshots + excluded.headshots, team_gibs = team_gibs + excluded.team_gibs, killing_spree = killing_spree + excluded.killing_spree, death_spree = death_spree + excluded.death_spree, kill_assists = kill_assists + excluded.kill_assists, kill_steals = kill_steals + excluded.kill_steals, objectives_stolen = objectives_stolen + excluded.objectives_stolen, objectives_returned = objectives_returned + excluded.objectives_returned, dynamites_planted = dynamites_planted + excluded.dynamites_planted, dynamites_defused = dynamites_defused + excluded.dynamites_defused, bullets_fired = bullets_fired + excluded.bullets_fired, useful_kills = useful_kills + excluded.useful_kills, useless_kills = useless_kills + excluded.useless_kills, full_selfkills = full_selfkills + excluded.full_selfkills, repairs_constructions = repairs_constructions + excluded.repairs_constructions;
END;

CREATE TRIGGER player_totals_delete AFTER DELETE ON player_round_stats
WHEN (substr(UPPER(OLD.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(OLD.name), 1, 5) <> '[BOT]')
BEGIN
    UPDATE player_totals SET lines = lines - 1, rounds = rounds - CASE WHEN (SELECT COUNT(*) FROM player_round_stats p WHERE p.round_id = OLD.round_id AND p.guid = OLD.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')) = 0 THEN 1 ELSE 0 END, kills = kills - COALESCE(OLD.kills, 0), deaths = deaths - COALESCE(OLD.deaths, 0), damage_given = damage_given - COALESCE(OLD.damage_given, 0), damage_received = damage_received - COALESCE(OLD.damage_received, 0), team_damage_given = team_damage_given - COALESCE(OLD.team_damage_given, 0), team_damage_received = team_damage_received - COALESCE(OLD.team_damage_received, 0), gibs = gibs - COALESCE(OLD.gibs, 0), self_kills = self_kills - COALESCE(OLD.self_kills, 0), team_kills = team_kills - COALESCE(OLD.team_kills, 0), xp = xp - COALESCE(OLD.xp, 0), headshot_kills = headshot_kills - COALESCE(OLD.headshot_kills, 0), revives_given = revives_given - COALESCE(OLD.revives_given, 0), times_revived = times_revived - COALESCE(OLD.times_revived, 0), time_played_tenths = time_played_tenths - CAST(ROUND(COALESCE(OLD.time_played_minutes, 0) * 10) AS INTEGER), time_dead_tenths = time_dead_tenths - CAST(ROUND(COALESCE(OLD.time_dead_minutes, 0) * 10) AS INTEGER), denied_playtime_seconds = denied_playtime_seconds - COALESCE(OLD.denied_playtime_seconds, 0), hits = hits - COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), shots = shots - COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), headshots = headshots - COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), team_gibs = team_gibs - COALESCE(json_extract(OLD.tab_json, '$.team_gibs'), 0), killing_spree = killing_spree - COALESCE(json_extract(OLD.tab_json, '$.killing_spree'), 0), death_spree = death_spree - COALESCE(json_extract(OLD.tab_json, '$.death_spree'), 0), kill_assists = kill_assists - COALESCE(json_extract(OLD.tab_json, '$.kill_assists'), 0), kill_steals = kill_steals - COALESCE(json_extract(OLD.tab_json, '$.kill_steals'), 0), objectives_stolen = objectives_stolen - COALESCE(json_extract(OLD.tab_json, '$.objectives_stolen'), 0), objectives_returned = objectives_returned - COALESCE(json_extract(OLD.tab_json, '$.objectives_returned'), 0), dynamites_planted = dynamites_planted - COALESCE(json_extract(OLD.tab_json, '$.dynamites_planted'), 0), dynamites_defused = dynamites_defused - COALESCE(json_extract(OLD.tab_json, '$.dynamites_defused'), 0), bullets_fired = bullets_fired - COALESCE(json_extract(OLD.tab_json, '$.bullets_fired'), 0), useful_kills = useful_kills - COALESCE(json_extract(OLD.tab_json, '$.useful_kills'), 0), useless_kills = useless_kills - COALESCE(json_extract(OLD.tab_json, '$.useless_kills'), 0), full_selfkills = full_selfkills - COALESCE(json_extract(OLD.tab_json, '$.full_selfkills'), 0), repairs_constructions = repairs_constructions - COALESCE(json_extract(OLD.tab_json, '$.repairs_constructions'), 0) WHERE guid = OLD.guid;
    DELETE FROM player_totals WHERE guid = OLD.guid AND lines = 0;
END;

CREATE TRIGGER player_totals_update AFTER UPDATE OF kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_minutes, time_dead_minutes, denied_playtime_seconds, tab_json
ON player_round_stats WHEN (substr(UPPER(NEW.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(NEW.name), 1, 5) <> '[BOT]')
BEGIN
    UPDATE player_totals SET kills = kills - COALESCE(OLD.kills, 0) + COALESCE(NEW.kills, 0), deaths = deaths - COALESCE(OLD.deaths, 0) + COALESCE(NEW.deaths, 0), damage_given = damage_given - COALESCE(OLD.damage_given, 0) + COALESCE(NEW.damage_given, 0), damage_received = damage_received - COALESCE(OLD.damage_received, 0) + COALESCE(NEW.damage_received, 0), team_damage_given = team_damage_given - COALESCE(OLD.team_damage_given, 0) + COALESCE(NEW.team_damage_given, 0), team_damage_received = team_damage_received - COALESCE(OLD.team_damage_received, 0) + COALESCE(NEW.team_damage_received, 0), gibs = gibs - COALESCE(OLD.gibs, 0) + COALESCE(NEW.gibs, 0), self_kills = self_kills - COALESCE(OLD.self_kills, 0) + COALESCE(NEW.self_kills, 0), team_kills = team_kills - COALESCE(OLD.team_kills, 0) + COALESCE(NEW.team_kills, 0), xp = xp - COALESCE(OLD.xp, 0) + COALESCE(NEW.xp, 0), headshot_kills = headshot_kills - COALESCE(OLD.headshot_kills, 0) + COALESCE(NEW.headshot_kills, 0), revives_given = revives_given - COALESCE(OLD.revives_given, 0) + COALESCE(NEW.revives_given, 0), times_revived = times_revived - COALESCE(OLD.times_revived, 0) + COALESCE(NEW.times_revived, 0), time_played_tenths = time_played_tenths - CAST(ROUND(COALESCE(OLD.time_played_minutes, 0) * 10) AS INTEGER) + CAST(ROUND(COALESCE(NEW.time_played_minutes, 0) * 10) AS INTEGER), time_dead_tenths = time_dead_tenths - CAST(ROUND(COALESCE(OLD.time_dead_minutes, 0) * 10) AS INTEGER) + CAST(ROUND(COALESCE(NEW.time_dead_minutes, 0) * 10) AS INTEGER), denied_playtime_seconds = denied_playtime_seconds - COALESCE(OLD.denied_playtime_seconds, 0) + COALESCE(NEW.denied_playtime_seconds, 0), team_gibs = team_gibs - COALESCE(json_extract(OLD.tab_json, '$.team_gibs'), 0) + COALESCE(json_extract(NEW.tab_json, '$.team_gibs'), 0), killing_spree = killing_spree - COALESCE(json_extract(OLD.tab_json, '$.killing_spree'), 0) + COALESCE(json_extract(NEW.tab_json, '$.killing_spree'), 0), death_spree = death_spree - COALESCE(json_extract(OLD.tab_json, '$.death_spree'), 0) + COALESCE(json_extract(NEW.tab_json, '$.death_spree'), 0), kill_assists = kill_assists - COALESCE(json_extract(OLD.tab_json, '$.kill_assists'), 0) + COALESCE(json_extract(NEW.tab_json, '$.kill_assists'), 0), kill_steals = kill_steals - COALESCE(json_extract(OLD.tab_json, '$.kill_steals'), 0) + COALESCE(json_extract(NEW.tab_json, '$.kill_steals'), 0), objectives_stolen = objectives_stolen - COALESCE(json_extract(OLD.tab_json, '$.objectives_stolen'), 0) + COALESCE(json_extract(NEW.tab_json, '$.objectives_stolen'), 0), objectives_returned = objectives_returned - COALESCE(json_extract(OLD.tab_json, '$.objectives_returned'), 0) + COALESCE(json_extract(NEW.tab_json, '$.objectives_returned'), 0), dynamites_planted = dynamites_planted - COALESCE(json_extract(OLD.tab_json, '$.dynamites_planted'), 0) + COALESCE(json_extract(NEW.tab_json, '$.dynamites_planted'), 0), dynamites_defused = dynamites_defused - COALESCE(json_extract(OLD.tab_json, '$.dynamites_defused'), 0) + COALESCE(json_extract(NEW.tab_json, '$.dynamites_defused'), 0), bullets_fired = bullets_fired - COALESCE(json_extract(OLD.tab_json, '$.bullets_fired'), 0) + COALESCE(json_extract(NEW.tab_json, '$.bullets_fired'), 0), useful_kills = useful_kills - COALESCE(json_extract(OLD.tab_json, '$.useful_kills'), 0) + COALESCE(json_extract(NEW.tab_json, '$.useful_kills'), 0), useless_kills = useless_kills - COALESCE(json_extract(OLD.tab_json, '$.useless_kills'), 0) + COALESCE(json_extract(NEW.tab_json, '$.useless_kills'), 0), full_selfkills = full_selfkills - COALESCE(json_extract(OLD.tab_json, '$.full_selfkills'), 0) + COALESCE(json_extract(NEW.tab_json, '$.full_selfkills'), 0), repairs_constructions = repairs_constructions - COALESCE(json_extract(OLD.tab_json, '$.repairs_constructions'), 0) + COALESCE(json_extract(NEW.tab_json, '$.repairs_constructions'), 0) WHERE guid = NEW.guid;
END;
-- a line's identity (guid, name, round, index) is never updated: delete and insert instead
CREATE TRIGGER player_totals_no_rekey BEFORE UPDATE OF guid, name, round_id, player_index
ON player_round_stats
WHEN NEW.guid IS NOT OLD.guid OR NEW.name IS NOT OLD.name OR NEW.round_id IS NOT OLD.round_id
    OR NEW.player_index IS NOT OLD.player_index
BEGIN
    SELECT RAISE(ABORT, 'player_round_stats: delete and re-insert a line to change its key');
END;

CREATE TRIGGER player_totals_weapon_insert AFTER INSERT ON weapon_stats
BEGIN
    UPDATE player_totals SET hits = hits + NEW.hits, shots = shots + NEW.shots, headshots = headshots + NEW.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.player_index = NEW.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;

CREATE TRIGGER player_totals_weapon_delete AFTER DELETE ON weapon_stats
BEGIN
    UPDATE player_totals SET hits = hits - OLD.hits, shots = shots - OLD.shots, headshots = headshots - OLD.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = OLD.round_id AND p.player_index = OLD.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;

CREATE TRIGGER player_totals_weapon_update AFTER UPDATE OF hits, shots, headshots
ON weapon_stats
BEGIN
    UPDATE player_totals SET hits = hits - OLD.hits + NEW.hits, shots = shots - OLD.shots + NEW.shots, headshots = headshots - OLD.headshots + NEW.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.player_index = NEW.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;
CREATE TRIGGER player_name_lines_insert AFTER INSERT ON player_round_stats
BEGIN
    INSERT INTO player_name_lines (guid, name, lines) VALUES (NEW.guid, NEW.name, 1)
    ON CONFLICT (guid, name) DO UPDATE SET lines = lines + 1;
END;
CREATE TRIGGER player_name_lines_delete AFTER DELETE ON player_round_stats
BEGIN
    UPDATE player_name_lines SET lines = lines - 1 WHERE guid = OLD.guid AND name = OLD.name;
    DELETE FROM player_name_lines WHERE guid = OLD.guid AND name = OLD.name AND lines = 0;
END;

INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
SELECT p.guid, COUNT(*), COUNT(DISTINCT p.round_id), SUM(COALESCE(p.kills, 0)), SUM(COALESCE(p.deaths, 0)), SUM(COALESCE(p.damage_given, 0)), SUM(COALESCE(p.damage_received, 0)), SUM(COALESCE(p.team_damage_given, 0)), SUM(COALESCE(p.team_damage_received, 0)), SUM(COALESCE(p.gibs, 0)), SUM(COALESCE(p.self_kills, 0)), SUM(COALESCE(p.team_kills, 0)), SUM(COALESCE(p.xp, 0)), SUM(COALESCE(p.headshot_kills, 0)), SUM(COALESCE(p.revives_given, 0)), SUM(COALESCE(p.times_revived, 0)), SUM(CAST(ROUND(COALESCE(p.time_played_minutes, 0) * 10) AS INTEGER)), SUM(CAST(ROUND(COALESCE(p.time_dead_minutes, 0) * 10) AS INTEGER)), SUM(COALESCE(p.denied_playtime_seconds, 0)), SUM(COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)), SUM(COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)), SUM(COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.team_gibs'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.killing_spree'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.death_spree'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.kill_assists'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.kill_steals'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.objectives_stolen'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.objectives_returned'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.dynamites_planted'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.dynamites_defused'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.bullets_fired'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.useful_kills'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.useless_kills'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.full_selfkills'), 0)), SUM(COALESCE(json_extract(p.tab_json, '$.repairs_constructions'), 0))
FROM player_round_stats p WHERE (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]') GROUP BY p.guid;
INSERT INTO player_name_lines (guid, name, lines)
SELECT guid, name, COUNT(*) FROM player_round_stats GROUP BY guid, name;

-- 0007: server heartbeats (see 0007_heartbeats.sql)
CREATE TABLE server_heartbeats (
    server TEXT PRIMARY KEY,
    sent_unix INTEGER NOT NULL,
    received_unix INTEGER NOT NULL,
    first_received_unix INTEGER NOT NULL,
    players INTEGER NOT NULL CHECK (players >= 0),
    map_name TEXT,
    players_seen_unix INTEGER,
    alert_key TEXT
);
-- the last stored round of a server (heartbeats) without reading its artifacts
CREATE INDEX artifacts_server_received ON artifacts (server_id, status, received_unix);

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

-- 0008: records indexes
-- partial expression indexes, one per statistic of etstats.queries.ladders.RECORD_STATS that a
-- line holds (accuracy needs the weapon lines and is not indexed). Each expression is exactly
-- etstats.queries.statdefs.value_sql(stat, summed=False) without the "p." prefix, so the
-- planner matches it (tests/storage/test_migrations.py checks they stay equal).
CREATE INDEX player_round_stats_record_kills ON player_round_stats ((COALESCE(kills, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_damage_given ON player_round_stats ((COALESCE(damage_given, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_gibs ON player_round_stats ((COALESCE(gibs, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_revives_given ON player_round_stats ((COALESCE(revives_given, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_headshot_kills ON player_round_stats ((COALESCE(headshot_kills, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_objectives ON player_round_stats (((COALESCE(json_extract(tab_json, '$.objectives_stolen'), 0) + COALESCE(json_extract(tab_json, '$.objectives_returned'), 0) + COALESCE(json_extract(tab_json, '$.dynamites_planted'), 0) + COALESCE(json_extract(tab_json, '$.dynamites_defused'), 0))))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_dpm ON player_round_stats (((1.0 * COALESCE(damage_given, 0) * 10.0 / NULLIF(CAST(ROUND(COALESCE(time_played_minutes, 0) * 10) AS INTEGER), 0))))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_kd ON player_round_stats (((1.0 * COALESCE(kills, 0) * 1.0 / NULLIF(COALESCE(deaths, 0), 0))))
    WHERE values_scope = 'round';

-- 0010: nothing for SQLite (PostgreSQL's totals triggers read the TAB JSON once)

-- 0011: nothing for SQLite (PostgreSQL compresses the reports with lz4)

-- 0012: the unused totals_deferred table and the trigger guards on it dropped
DROP TRIGGER player_totals_insert;
CREATE TRIGGER player_totals_insert AFTER INSERT ON player_round_stats
WHEN (substr(UPPER(NEW.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(NEW.name), 1, 5) <> '[BOT]')
BEGIN
    INSERT INTO player_totals (guid, lines, rounds, kills, deaths, damage_given, damage_received, team_damage_given, team_damage_received, gibs, self_kills, team_kills, xp, headshot_kills, revives_given, times_revived, time_played_tenths, time_dead_tenths, denied_playtime_seconds, hits, shots, headshots, team_gibs, killing_spree, death_spree, kill_assists, kill_steals, objectives_stolen, objectives_returned, dynamites_planted, dynamites_defused, bullets_fired, useful_kills, useless_kills, full_selfkills, repairs_constructions)
    VALUES (NEW.guid, 1, CASE WHEN (SELECT COUNT(*) FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.guid = NEW.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')) = 1 THEN 1 ELSE 0 END, COALESCE(NEW.kills, 0), COALESCE(NEW.deaths, 0), COALESCE(NEW.damage_given, 0), COALESCE(NEW.damage_received, 0), COALESCE(NEW.team_damage_given, 0), COALESCE(NEW.team_damage_received, 0), COALESCE(NEW.gibs, 0), COALESCE(NEW.self_kills, 0), COALESCE(NEW.team_kills, 0), COALESCE(NEW.xp, 0), COALESCE(NEW.headshot_kills, 0), COALESCE(NEW.revives_given, 0), COALESCE(NEW.times_revived, 0), CAST(ROUND(COALESCE(NEW.time_played_minutes, 0) * 10) AS INTEGER), CAST(ROUND(COALESCE(NEW.time_dead_minutes, 0) * 10) AS INTEGER), COALESCE(NEW.denied_playtime_seconds, 0), COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = NEW.round_id AND ws.player_index = NEW.player_index), 0), COALESCE(json_extract(NEW.tab_json, '$.team_gibs'), 0), COALESCE(json_extract(NEW.tab_json, '$.killing_spree'), 0), COALESCE(json_extract(NEW.tab_json, '$.death_spree'), 0), COALESCE(json_extract(NEW.tab_json, '$.kill_assists'), 0), COALESCE(json_extract(NEW.tab_json, '$.kill_steals'), 0), COALESCE(json_extract(NEW.tab_json, '$.objectives_stolen'), 0), COALESCE(json_extract(NEW.tab_json, '$.objectives_returned'), 0), COALESCE(json_extract(NEW.tab_json, '$.dynamites_planted'), 0), COALESCE(json_extract(NEW.tab_json, '$.dynamites_defused'), 0), COALESCE(json_extract(NEW.tab_json, '$.bullets_fired'), 0), COALESCE(json_extract(NEW.tab_json, '$.useful_kills'), 0), COALESCE(json_extract(NEW.tab_json, '$.useless_kills'), 0), COALESCE(json_extract(NEW.tab_json, '$.full_selfkills'), 0), COALESCE(json_extract(NEW.tab_json, '$.repairs_constructions'), 0))
    ON CONFLICT (guid) DO UPDATE SET lines = lines + excluded.lines, rounds = rounds + excluded.rounds, kills = kills + excluded.kills, deaths = deaths + excluded.deaths, damage_given = damage_given + excluded.damage_given, damage_received = damage_received + excluded.damage_received, team_damage_given = team_damage_given + excluded.team_damage_given, team_damage_received = team_damage_received + excluded.team_damage_received, gibs = gibs + excluded.gibs, self_kills = self_kills + excluded.self_kills, team_kills = team_kills + excluded.team_kills, xp = xp + excluded.xp, headshot_kills = headshot_kills + excluded.headshot_kills, revives_given = revives_given + excluded.revives_given, times_revived = times_revived + excluded.times_revived, time_played_tenths = time_played_tenths + excluded.time_played_tenths, time_dead_tenths = time_dead_tenths + excluded.time_dead_tenths, denied_playtime_seconds = denied_playtime_seconds + excluded.denied_playtime_seconds, hits = hits + excluded.hits, shots = shots + excluded.shots, headshots = headshots + excluded.headshots, team_gibs = team_gibs + excluded.team_gibs, killing_spree = killing_spree + excluded.killing_spree, death_spree = death_spree + excluded.death_spree, kill_assists = kill_assists + excluded.kill_assists, kill_steals = kill_steals + excluded.kill_steals, objectives_stolen = objectives_stolen + excluded.objectives_stolen, objectives_returned = objectives_returned + excluded.objectives_returned, dynamites_planted = dynamites_planted + excluded.dynamites_planted, dynamites_defused = dynamites_defused + excluded.dynamites_defused, bullets_fired = bullets_fired + excluded.bullets_fired, useful_kills = useful_kills + excluded.useful_kills, useless_kills = useless_kills + excluded.useless_kills, full_selfkills = full_selfkills + excluded.full_selfkills, repairs_constructions = repairs_constructions + excluded.repairs_constructions;
END;

DROP TRIGGER player_totals_delete;
CREATE TRIGGER player_totals_delete AFTER DELETE ON player_round_stats
WHEN (substr(UPPER(OLD.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(OLD.name), 1, 5) <> '[BOT]')
BEGIN
    UPDATE player_totals SET lines = lines - 1, rounds = rounds - CASE WHEN (SELECT COUNT(*) FROM player_round_stats p WHERE p.round_id = OLD.round_id AND p.guid = OLD.guid AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')) = 0 THEN 1 ELSE 0 END, kills = kills - COALESCE(OLD.kills, 0), deaths = deaths - COALESCE(OLD.deaths, 0), damage_given = damage_given - COALESCE(OLD.damage_given, 0), damage_received = damage_received - COALESCE(OLD.damage_received, 0), team_damage_given = team_damage_given - COALESCE(OLD.team_damage_given, 0), team_damage_received = team_damage_received - COALESCE(OLD.team_damage_received, 0), gibs = gibs - COALESCE(OLD.gibs, 0), self_kills = self_kills - COALESCE(OLD.self_kills, 0), team_kills = team_kills - COALESCE(OLD.team_kills, 0), xp = xp - COALESCE(OLD.xp, 0), headshot_kills = headshot_kills - COALESCE(OLD.headshot_kills, 0), revives_given = revives_given - COALESCE(OLD.revives_given, 0), times_revived = times_revived - COALESCE(OLD.times_revived, 0), time_played_tenths = time_played_tenths - CAST(ROUND(COALESCE(OLD.time_played_minutes, 0) * 10) AS INTEGER), time_dead_tenths = time_dead_tenths - CAST(ROUND(COALESCE(OLD.time_dead_minutes, 0) * 10) AS INTEGER), denied_playtime_seconds = denied_playtime_seconds - COALESCE(OLD.denied_playtime_seconds, 0), hits = hits - COALESCE((SELECT SUM(ws.hits) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), shots = shots - COALESCE((SELECT SUM(ws.shots) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), headshots = headshots - COALESCE((SELECT SUM(ws.headshots) FROM weapon_stats ws WHERE ws.round_id = OLD.round_id AND ws.player_index = OLD.player_index), 0), team_gibs = team_gibs - COALESCE(json_extract(OLD.tab_json, '$.team_gibs'), 0), killing_spree = killing_spree - COALESCE(json_extract(OLD.tab_json, '$.killing_spree'), 0), death_spree = death_spree - COALESCE(json_extract(OLD.tab_json, '$.death_spree'), 0), kill_assists = kill_assists - COALESCE(json_extract(OLD.tab_json, '$.kill_assists'), 0), kill_steals = kill_steals - COALESCE(json_extract(OLD.tab_json, '$.kill_steals'), 0), objectives_stolen = objectives_stolen - COALESCE(json_extract(OLD.tab_json, '$.objectives_stolen'), 0), objectives_returned = objectives_returned - COALESCE(json_extract(OLD.tab_json, '$.objectives_returned'), 0), dynamites_planted = dynamites_planted - COALESCE(json_extract(OLD.tab_json, '$.dynamites_planted'), 0), dynamites_defused = dynamites_defused - COALESCE(json_extract(OLD.tab_json, '$.dynamites_defused'), 0), bullets_fired = bullets_fired - COALESCE(json_extract(OLD.tab_json, '$.bullets_fired'), 0), useful_kills = useful_kills - COALESCE(json_extract(OLD.tab_json, '$.useful_kills'), 0), useless_kills = useless_kills - COALESCE(json_extract(OLD.tab_json, '$.useless_kills'), 0), full_selfkills = full_selfkills - COALESCE(json_extract(OLD.tab_json, '$.full_selfkills'), 0), repairs_constructions = repairs_constructions - COALESCE(json_extract(OLD.tab_json, '$.repairs_constructions'), 0) WHERE guid = OLD.guid;
    DELETE FROM player_totals WHERE guid = OLD.guid AND lines = 0;
END;

DROP TRIGGER player_totals_weapon_insert;
CREATE TRIGGER player_totals_weapon_insert AFTER INSERT ON weapon_stats
BEGIN
    UPDATE player_totals SET hits = hits + NEW.hits, shots = shots + NEW.shots, headshots = headshots + NEW.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = NEW.round_id AND p.player_index = NEW.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;

DROP TRIGGER player_totals_weapon_delete;
CREATE TRIGGER player_totals_weapon_delete AFTER DELETE ON weapon_stats
BEGIN
    UPDATE player_totals SET hits = hits - OLD.hits, shots = shots - OLD.shots, headshots = headshots - OLD.headshots WHERE guid = (SELECT p.guid FROM player_round_stats p WHERE p.round_id = OLD.round_id AND p.player_index = OLD.player_index AND (substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]'));
END;

DROP TRIGGER player_name_lines_insert;
CREATE TRIGGER player_name_lines_insert AFTER INSERT ON player_round_stats
BEGIN
    INSERT INTO player_name_lines (guid, name, lines) VALUES (NEW.guid, NEW.name, 1)
    ON CONFLICT (guid, name) DO UPDATE SET lines = lines + 1;
END;

DROP TRIGGER player_name_lines_delete;
CREATE TRIGGER player_name_lines_delete AFTER DELETE ON player_round_stats
BEGIN
    UPDATE player_name_lines SET lines = lines - 1 WHERE guid = OLD.guid AND name = OLD.name;
    DELETE FROM player_name_lines WHERE guid = OLD.guid AND name = OLD.name AND lines = 0;
END;

DROP TABLE totals_deferred;

-- 0013: nothing for SQLite (PostgreSQL's totals triggers read through indexes once per statement)

-- 0014: nothing for SQLite (PostgreSQL's summable TAB fields as columns)

-- 0015: artifacts per server and kind (see 0015_arrival_counts.sql)
-- etstats schema v14 (SQLite): artifacts per server and kind, kept by triggers, so the
-- pipeline health (the overview page, /v1/diagnostics/pipeline) reads a few rows instead of
-- grouping every archived artifact (0.4 s at 300,000 artifacts; docs/performance.md, "Read
-- routes at 100,000 rounds, tenth session"). Artifacts are archived and their status
-- updated, never deleted; the delete trigger exists for completeness (it finds the new latest
-- receipt of the group by a scan of the group's artifacts).
CREATE TABLE artifact_arrivals (
    server_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    artifacts INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    last_received_unix INTEGER NOT NULL,
    PRIMARY KEY (server_id, kind)
);

CREATE TRIGGER artifact_arrivals_insert AFTER INSERT ON artifacts
BEGIN
    INSERT INTO artifact_arrivals (server_id, kind, artifacts, rejected, last_received_unix)
    VALUES (NEW.server_id, NEW.kind, 1, NEW.status = 'rejected', NEW.received_unix)
    ON CONFLICT (server_id, kind) DO UPDATE SET artifacts = artifacts + 1,
        rejected = rejected + excluded.rejected,
        last_received_unix = MAX(last_received_unix, excluded.last_received_unix);
END;

CREATE TRIGGER artifact_arrivals_delete AFTER DELETE ON artifacts
BEGIN
    UPDATE artifact_arrivals SET artifacts = artifacts - 1,
        rejected = rejected - (OLD.status = 'rejected'),
        last_received_unix = COALESCE((SELECT MAX(a.received_unix) FROM artifacts a
            WHERE a.server_id = OLD.server_id AND a.kind = OLD.kind), 0)
    WHERE server_id = OLD.server_id AND kind = OLD.kind;
    DELETE FROM artifact_arrivals
    WHERE server_id = OLD.server_id AND kind = OLD.kind AND artifacts = 0;
END;

-- A status change within the group (the common update: pending to accepted or rejected, and
-- back to pending on a rebuild) only moves the rejected count, and only when it crosses it.
CREATE TRIGGER artifact_arrivals_status AFTER UPDATE OF status ON artifacts
WHEN (OLD.status = 'rejected') <> (NEW.status = 'rejected')
    AND OLD.server_id = NEW.server_id AND OLD.kind = NEW.kind
    AND OLD.received_unix = NEW.received_unix
BEGIN
    UPDATE artifact_arrivals
    SET rejected = rejected + (NEW.status = 'rejected') - (OLD.status = 'rejected')
    WHERE server_id = NEW.server_id AND kind = NEW.kind;
END;

-- A change of group or receipt time (no code path does it): out of the old group, into the new.
CREATE TRIGGER artifact_arrivals_moved AFTER UPDATE OF server_id, kind, received_unix ON artifacts
WHEN OLD.server_id <> NEW.server_id OR OLD.kind <> NEW.kind
    OR OLD.received_unix <> NEW.received_unix
BEGIN
    UPDATE artifact_arrivals SET artifacts = artifacts - 1,
        rejected = rejected - (OLD.status = 'rejected'),
        last_received_unix = COALESCE((SELECT MAX(a.received_unix) FROM artifacts a
            WHERE a.server_id = OLD.server_id AND a.kind = OLD.kind
            AND NOT (a.sha256 = NEW.sha256)), 0)
    WHERE server_id = OLD.server_id AND kind = OLD.kind;
    DELETE FROM artifact_arrivals
    WHERE server_id = OLD.server_id AND kind = OLD.kind AND artifacts = 0;
    INSERT INTO artifact_arrivals (server_id, kind, artifacts, rejected, last_received_unix)
    VALUES (NEW.server_id, NEW.kind, 1, NEW.status = 'rejected', NEW.received_unix)
    ON CONFLICT (server_id, kind) DO UPDATE SET artifacts = artifacts + 1,
        rejected = rejected + excluded.rejected,
        last_received_unix = MAX(last_received_unix, excluded.last_received_unix);
END;

-- 0016: the raw bytes in a table of their own (a status update no longer rewrites them)
CREATE TABLE artifact_bytes (
    sha256 TEXT PRIMARY KEY REFERENCES artifacts (sha256) ON DELETE CASCADE,
    data BLOB NOT NULL
);
ALTER TABLE artifacts DROP COLUMN data;

-- 0017: nothing for SQLite (PostgreSQL keeps the artifact counts per INSERT statement)

-- 0018: rounds per round number and linked sources, Lua lags per second (see 0018_linkage_counts.sql)
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

-- 0019: record candidates instead of the eight record indexes (see 0019_record_lines.sql)
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

-- 0020: orphan round 2s by a partial index (see 0020_orphan_rounds_index.sql)
CREATE INDEX rounds_cumulative ON rounds (values_scope) WHERE values_scope = 'cumulative_r1_r2';

-- 0021: the running totals of a first load computed at its end (see 0021_totals_after_load.sql)
CREATE TABLE totals_refill (
    flag INTEGER PRIMARY KEY CHECK (flag = 1)
);
