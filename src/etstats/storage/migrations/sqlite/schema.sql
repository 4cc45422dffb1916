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
