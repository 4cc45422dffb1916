-- etstats schema v3 (SQLite): player identity (GUID merges, preferred names, external
-- accounts) and the indexes of the read API (docs/sessions.md, docs/storage.md).
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
CREATE INDEX player_round_stats_guid ON player_round_stats (guid, round_id);
