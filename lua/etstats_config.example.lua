-- etstats_config.lua -- delivery targets for etstats.lua (copy, edit, chmod 600).
--
-- Install next to the script: <fs_homepath>/<fs_game>/luascripts/etstats_config.lua
-- (or point the cvar `etstats_config` at another path). The file is run in an empty
-- environment and must return a table; an unknown key, a wrong type or a syntax error
-- disables delivery with one console line (gametimes files are still written).
-- Never commit the real file: it holds webhook tokens and signing secrets.
return {
  -- Discord webhooks (each gets a compact embed with the gametimes file attached).
  discord_webhook_urls = {
    -- "https://discord.com/api/webhooks/<id>/<token>",
  },

  -- HTTP ingest endpoints (`etstats serve`, POST /v1/ingest): signed ingest v2, every
  -- attempt signed anew with HMAC-SHA256 using `secret` (at least 16 characters); the same
  -- server_id=secret pair goes into the receiver's ETSTATS_INGEST_SECRETS (docs/http.md).
  http_targets = {
    -- { url = "https://stats.example.org/v1/ingest", server_id = "eu-1", secret = "change-me-32-random-chars" },
  },

  -- Signed heartbeats (players, map) to each HTTP target whose url ends in /ingest, sent to
  -- the same url ending in /heartbeat: they let `etstats serve` alert when the server had
  -- players but no round was stored for hours (seconds; default 300; 0 = off; at least 30).
  -- heartbeat_seconds = 300,

  -- Give up retrying a delivery this long after its round (hours; default 168).
  -- delivery_max_age_hours = 168,

  -- Optional overrides (absolute paths only; the defaults follow fs_homepath/fs_game):
  -- gametimes_dir = "/home/et/.etlegacy/legacy/gametimes",
  -- outbox_dir = "/home/et/.etlegacy/legacy/etstats_outbox",
  -- discord_username = "etstats",
  -- discord_attach_file = true,
  -- debug = false,
}
