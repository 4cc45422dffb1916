-- etstats schema v7 (SQLite): the last heartbeat of each game server (docs/discord.md, "No
-- round while players were on"). lua/etstats.lua sends a signed heartbeat every few minutes
-- to `etstats serve` (POST /v1/heartbeat); only the latest one per server is kept. Times are
-- Unix seconds: `sent_unix` on the game server's clock, `received_unix` on the receiver's.
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
