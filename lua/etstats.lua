--[[
etstats.lua -- round timing, per-player dead/denied time and durable delivery for ET:Legacy.

Writes one gametimes v1 JSON file per round (docs/formats/gametimes-v1.md) under
<fs_homepath>/<fs_game>/gametimes/ and delivers it through an on-disk outbox to the targets
named in etstats_config.lua (Discord webhooks and/or signed HTTP ingest endpoints).
Installation, field meanings and delivery semantics: docs/lua.md.

Rules this file keeps (each one was a production bug somewhere):
  * Lua 5.4 API only: native bitwise operators, never the LuaJIT `bit` library;
  * never string.format("%d") on a value that may be a float (use `int()` first);
  * no globals except the et_* callbacks; et_Obituary and et_ClientConnect return nothing;
  * one clock per quantity: levelTime for intervals, CS_LEVEL_START_TIME for the game clock,
    os.time() only as wall-clock anchors;
  * every client-field access goes through `gent()` (pcall + throttled warning);
  * no per-frame work proportional to the player count: per-player tracking is event-driven.
The chunk returns a table of internals for tests; the engine ignores a chunk's return values.
]]

local VERSION = "0.1.0"
local MODNAME = "etstats.lua"

-- Engine constants (q_shared.h / bg_public.h); prefer the values the engine registers.
local function econst(name, fallback)
  local v = et and et[name]
  if type(v) == "number" then return v end
  return fallback
end

local GS_PLAYING, GS_WARMUP_COUNTDOWN, GS_WARMUP, GS_INTERMISSION = 0, 1, 2, 3
local CS_LEVEL_START_TIME, CS_MULTI_INFO, CS_MULTI_MAPWINNER, CS_SERVERTOGGLES = 11, 13, 14, 32
local CS_INTERMISSION = 12
local TEAM_AXIS, TEAM_ALLIES, TEAM_SPECTATOR = 1, 2, 3
local MOD_SWITCHTEAM = 59
local MOD_UNKNOWN = 0
local CV_SVS_PAUSE = 16
local CON_CONNECTED = 2
local ENTITYNUM_WORLD, ENTITYNUM_NONE = 1022, 1023
local GT_WOLF_LMS = 5
-- g_client.c: a team join or switch later than this into the round (level.time -
-- level.startTime, ms) is followed by limbo until the next reinforcement wave
local LIMBO_AFTER_JOIN_MS = 600

local function load_constants()
  GS_PLAYING = econst("GS_PLAYING", 0)
  GS_WARMUP_COUNTDOWN = econst("GS_WARMUP_COUNTDOWN", 1)
  GS_WARMUP = econst("GS_WARMUP", 2)
  GS_INTERMISSION = econst("GS_INTERMISSION", 3)
  CS_LEVEL_START_TIME = econst("CS_LEVEL_START_TIME", 11)
  CS_MULTI_INFO = econst("CS_MULTI_INFO", 13)
  CS_MULTI_MAPWINNER = econst("CS_MULTI_MAPWINNER", 14)
  CS_SERVERTOGGLES = econst("CS_SERVERTOGGLES", 32)
  CS_INTERMISSION = econst("CS_INTERMISSION", 12)
  TEAM_AXIS = econst("TEAM_AXIS", 1)
  TEAM_ALLIES = econst("TEAM_ALLIES", 2)
  TEAM_SPECTATOR = econst("TEAM_SPECTATOR", 3)
end

---------------------------------------------------------------------------------------------
-- Small helpers
---------------------------------------------------------------------------------------------

-- Any number (or numeric string) to an integer, rounding to nearest; `dflt` when not a number.
local function int(v, dflt)
  local n = tonumber(v)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return dflt end
  local i = math.tointeger(n)
  if i then return i end
  return math.floor(n + 0.5)
end

local function cvar(name)
  local ok, v = pcall(et.trap_Cvar_Get, name)
  if ok and type(v) == "string" then return v end
  return ""
end

local function configstring(index)
  local ok, v = pcall(et.trap_GetConfigstring, index)
  if ok and type(v) == "string" then return v end
  return ""
end

local function info_value(info, key)
  if type(info) ~= "string" or info == "" then return "" end
  local ok, v = pcall(et.Info_ValueForKey, info, key)
  if ok and type(v) == "string" then return v end
  return ""
end

local function print_line(text)
  local line = "etstats: " .. text .. "\n"
  if et and et.G_Print then pcall(et.G_Print, line) end
end

local debug_enabled = false
local function debug_log(text)
  if debug_enabled then print_line(text) end
end

-- Warnings are always printed, at most once per 5 s (wall clock) per key.
local warn_last = {}
local function warn(key, text)
  local now = os.time()
  local last = warn_last[key]
  if last and now - last < 5 then return end
  warn_last[key] = now
  print_line("WARNING: " .. text)
end

local max_clients_cache = nil
local function max_clients()
  if max_clients_cache then return max_clients_cache end
  local n = int(cvar("sv_maxclients"), 0) or 0
  if n <= 0 or n > 64 then n = 64 end
  max_clients_cache = n
  return n
end

-- et.gentity_get raises for client fields on entities without a client: always wrapped.
local function gent(ent, field)
  local ok, v = pcall(et.gentity_get, ent, field)
  if ok then return v end
  warn("gentity", "gentity_get(" .. tostring(ent) .. ", " .. tostring(field) .. ") failed: "
    .. tostring(v))
  return nil
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Every child process goes through this wrapper: ET:Legacy never marks its sockets
-- close-on-exec, so a child would inherit the game's UDP socket and, while it runs, a restarted
-- server could not bind its port (it silently moves to port+1). perl (Debian: perl-base, always
-- installed) closes every descriptor above 2 and execs the command under `timeout`, so no
-- child outlives its limit; background children also get their own session (setsid).
local CLOSE_FDS = "perl -e 'my @f = (3 .. 1023); if (opendir(my $d, \"/proc/self/fd\")) {"
  .. " @f = grep { /^\\d+$/ && $_ > 2 } readdir($d); }"
  .. " for (@f) { open(my $h, \"<&=\", $_) and close($h) } exec(@ARGV) or exit 127' --"

-- Run `cmd` (sh syntax) and wait for it, at most `limit_s` seconds. Returns os.execute's result.
local function run_child(cmd, limit_s)
  return os.execute(CLOSE_FDS .. " timeout -k 2 " .. limit_s .. " /bin/sh -c " .. shell_quote(cmd)
    .. " </dev/null")
end

-- Start `cmd` in the background, detached, killed after `limit_s` seconds; never waits.
local function spawn_child(cmd, limit_s)
  return os.execute(CLOSE_FDS .. " setsid timeout -k 5 " .. limit_s .. " /bin/sh -c "
    .. shell_quote(cmd) .. " </dev/null >/dev/null 2>&1 &")
end

local function file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read("a")
  f:close()
  return data
end

-- Write `data` to `path` atomically: a temporary file in the same directory, then rename.
local function write_atomic(path, data)
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(data)
  local cok, cerr = f:close()
  if not ok or not cok then
    os.remove(tmp)
    return nil, werr or cerr
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then
    os.remove(tmp)
    return nil, rerr
  end
  return true
end

-- Create empty files with mode 0600 whatever the umask and the folder's mode (one child for
-- all of them). io.open(path, "wb") keeps the mode of an existing file when it truncates it.
local function make_private(paths)
  local parts = {}
  for _, path in ipairs(paths) do
    if not file_exists(path) then parts[#parts + 1] = ": > " .. shell_quote(path) end
  end
  if #parts == 0 then return true end
  return run_child("umask 077 && " .. table.concat(parts, " && ") .. " 2>/dev/null", 10)
end

-- Write a file that holds a webhook token or a signing input: created 0600, written in place
-- (only this script reads it, before the child it starts).
local function write_private(path, data)
  if not file_exists(path) then make_private({ path }) end
  if not file_exists(path) then return nil, "cannot create " .. path end
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(data)
  local cok, cerr = f:close()
  if not ok or not cok then return nil, werr or cerr end
  return true
end

local made_dirs = {}
local function ensure_dir(dir, private)
  if made_dirs[dir] then return true end
  if os.rename(dir, dir) then -- exists: no child process needed
    made_dirs[dir] = true
    return true
  end
  local mode = private and "700" or "755"
  local ok = run_child("mkdir -p -m " .. mode .. " " .. shell_quote(dir) .. " 2>/dev/null", 10)
  if ok then made_dirs[dir] = true end
  return ok and true or false
end

---------------------------------------------------------------------------------------------
-- JSON (RFC 8259): the only serializer in this script
---------------------------------------------------------------------------------------------

local NULL = setmetatable({}, { __name = "json.null" })
local OBJ = { __name = "json.object" }

-- An ordered JSON object: obj("k1", v1, "k2", v2, ...); nil values are written as null.
local function obj(...)
  return setmetatable(table.pack(...), OBJ)
end

local ESC = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\127"] = "\\u007F",
}
for b = 0, 31 do
  local c = string.char(b)
  if not ESC[c] then ESC[c] = string.format("\\u%04X", b) end
end

-- Second-byte ranges of multi-byte UTF-8 sequences by lead byte (Unicode Table 3-7).
local function utf8_second_range(c)
  if c >= 0xC2 and c <= 0xDF then return 0x80, 0xBF, 2 end
  if c == 0xE0 then return 0xA0, 0xBF, 3 end
  if c == 0xED then return 0x80, 0x9F, 3 end
  if c >= 0xE1 and c <= 0xEF then return 0x80, 0xBF, 3 end
  if c == 0xF0 then return 0x90, 0xBF, 4 end
  if c == 0xF4 then return 0x80, 0x8F, 4 end
  if c >= 0xF1 and c <= 0xF3 then return 0x80, 0xBF, 4 end
  return nil
end

-- Replace ill-formed UTF-8 with U+FFFD, one per maximal subpart (the Unicode "best practice",
-- the same as Python's ``bytes.decode("utf-8", "replace")``); valid text is returned as is.
local function utf8_clean(s)
  if utf8.len(s) then return s end -- strict: rejects overlongs, surrogates, > U+10FFFF
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:byte(i)
    if c < 0x80 then
      out[#out + 1] = string.char(c)
      i = i + 1
    else
      local lo, hi, len = utf8_second_range(c)
      local j = i + 1 -- first byte after the well-formed prefix
      if lo then
        local b = s:byte(j)
        if b and b >= lo and b <= hi then
          j = j + 1
          while j < i + len do
            b = s:byte(j)
            if not b or b < 0x80 or b > 0xBF then break end
            j = j + 1
          end
        end
      end
      if lo and j == i + len then
        out[#out + 1] = s:sub(i, j - 1)
      else
        out[#out + 1] = "\239\191\189"
      end
      i = j
    end
  end
  return table.concat(out)
end

local function json_string(s)
  return '"' .. utf8_clean(s):gsub('[%z\1-\31"\\\127]', ESC) .. '"'
end

local function json_number(v)
  local i = math.tointeger(v)
  if i then return string.format("%d", i) end
  if v ~= v or v == math.huge or v == -math.huge then return "null" end
  return string.format("%.17g", v)
end

local function encode_into(v, buf, depth)
  if depth > 32 then error("json: nesting too deep") end
  local t = type(v)
  if v == nil or v == NULL then
    buf[#buf + 1] = "null"
  elseif t == "boolean" then
    buf[#buf + 1] = v and "true" or "false"
  elseif t == "number" then
    buf[#buf + 1] = json_number(v)
  elseif t == "string" then
    buf[#buf + 1] = json_string(v)
  elseif t == "table" then
    if getmetatable(v) == OBJ then
      buf[#buf + 1] = "{"
      for k = 1, v.n, 2 do
        if k > 1 then buf[#buf + 1] = "," end
        buf[#buf + 1] = json_string(tostring(v[k]))
        buf[#buf + 1] = ":"
        encode_into(v[k + 1], buf, depth + 1)
      end
      buf[#buf + 1] = "}"
    else -- any other table is an array (an empty table is [])
      buf[#buf + 1] = "["
      for k = 1, #v do
        if k > 1 then buf[#buf + 1] = "," end
        encode_into(v[k], buf, depth + 1)
      end
      buf[#buf + 1] = "]"
    end
  else
    error("json: cannot encode a " .. t)
  end
end

local function json_encode(v)
  local buf = {}
  encode_into(v, buf, 0)
  return table.concat(buf)
end

---------------------------------------------------------------------------------------------
-- SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) in pure Lua 5.4
---------------------------------------------------------------------------------------------

local K256 = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
local M32 = 0xffffffff
local BLOCK_FMT = ">" .. string.rep("I4", 16)

-- A resumable SHA-256 computation: the padded message and the running state, so a long
-- hash can be spread over several frames (see `sign_jobs`).
local function sha_job(msg)
  local len = #msg
  return {
    msg = msg .. "\128" .. string.rep("\0", (55 - len) % 64) .. string.pack(">I8", len * 8),
    off = 1,
    h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 },
  }
end

-- Process at most `max_blocks` 64-byte blocks; true when the whole message is done.
local function sha_job_step(job, max_blocks)
  local msg, H, w = job.msg, job.h, {}
  local h0, h1, h2, h3, h4, h5, h6, h7 = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  local off, last, blocks = job.off, #msg, 0
  while off <= last and blocks < max_blocks do
    w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14],
      w[15], w[16] = string.unpack(BLOCK_FMT, msg, off)
    for j = 17, 64 do
      local x, y = w[j - 15], w[j - 2]
      local s0 = ((x >> 7) | (x << 25)) ~ ((x >> 18) | (x << 14)) ~ (x >> 3)
      local s1 = ((y >> 17) | (y << 15)) ~ ((y >> 19) | (y << 13)) ~ (y >> 10)
      w[j] = (w[j - 16] + s0 + w[j - 7] + s1) & M32
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for j = 1, 64 do
      local S1 = ((e >> 6) | (e << 26)) ~ ((e >> 11) | (e << 21)) ~ ((e >> 25) | (e << 7))
      local ch = (e & f) ~ (~e & g)
      local t1 = h + (S1 & M32) + ch + K256[j] + w[j]
      local S0 = ((a >> 2) | (a << 30)) ~ ((a >> 13) | (a << 19)) ~ ((a >> 22) | (a << 10))
      local maj = (a & b) ~ (a & c) ~ (b & c)
      local t2 = (S0 & M32) + maj
      h, g, f = g, f, e
      e = (d + t1) & M32
      d, c, b = c, b, a
      a = (t1 + t2) & M32
    end
    h0, h1, h2, h3 = (h0 + a) & M32, (h1 + b) & M32, (h2 + c) & M32, (h3 + d) & M32
    h4, h5, h6, h7 = (h4 + e) & M32, (h5 + f) & M32, (h6 + g) & M32, (h7 + h) & M32
    off, blocks = off + 64, blocks + 1
  end
  H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8] = h0, h1, h2, h3, h4, h5, h6, h7
  job.off = off
  return off > last
end

local function sha_job_digest(job)
  return string.pack(">I4I4I4I4I4I4I4I4", table.unpack(job.h))
end

-- Raw 32-byte SHA-256 digest of a byte string.
local function sha256_raw(msg)
  local job = sha_job(msg)
  sha_job_step(job, math.huge)
  return sha_job_digest(job)
end

local function to_hex(raw)
  return (raw:gsub(".", function(ch) return string.format("%02x", ch:byte()) end))
end

local function sha256_hex(msg)
  return to_hex(sha256_raw(msg))
end

local function hmac_pads(key)
  if #key > 64 then key = sha256_raw(key) end
  key = key .. string.rep("\0", 64 - #key)
  local ipad, opad = {}, {}
  for i = 1, 64 do
    local b = key:byte(i)
    ipad[i] = string.char(b ~ 0x36)
    opad[i] = string.char(b ~ 0x5c)
  end
  return table.concat(ipad), table.concat(opad)
end

-- A resumable HMAC-SHA256: step it with sha_job_step(job.inner, n), then hmac_job_hex(job).
local function hmac_job(key, msg)
  local ipad, opad = hmac_pads(key)
  return { inner = sha_job(ipad .. msg), opad = opad }
end

local function hmac_job_hex(job)
  return to_hex(sha256_raw(job.opad .. sha_job_digest(job.inner)))
end

local function hmac_sha256_hex(key, msg)
  local job = hmac_job(key, msg)
  sha_job_step(job.inner, math.huge)
  return hmac_job_hex(job)
end

---------------------------------------------------------------------------------------------
-- Configuration (a file OUTSIDE this script; fail closed)
---------------------------------------------------------------------------------------------

local CONFIG_TYPES = {
  discord_webhook_urls = "table", -- list of Discord webhook URLs
  http_targets = "table",         -- list of {url=, server_id=, secret=}
  gametimes_dir = "string",       -- absolute path overrides <fs_homepath>/<fs_game>/gametimes
  outbox_dir = "string",          -- absolute path overrides <fs_homepath>/<fs_game>/etstats_outbox
  discord_username = "string",
  discord_attach_file = "boolean",
  delivery_max_age_hours = "number", -- give up on a delivery this long after the round
  heartbeat_seconds = "number",   -- signed heartbeat interval to each HTTP target (0 = off)
  debug = "boolean",
}

-- Validate a config table; returns a normalised copy or nil and one reason.
local function validate_config(t)
  if type(t) ~= "table" then return nil, "the file must return a table" end
  for k, v in pairs(t) do
    if CONFIG_TYPES[k] == nil then return nil, "unknown key '" .. tostring(k) .. "'" end
    if type(v) ~= CONFIG_TYPES[k] then
      return nil, "key '" .. k .. "' must be a " .. CONFIG_TYPES[k] .. ", not a " .. type(v)
    end
  end
  local cfg = {
    discord = {}, http = {},
    gametimes_dir = t.gametimes_dir or "", outbox_dir = t.outbox_dir or "",
    discord_username = t.discord_username or "etstats",
    discord_attach_file = t.discord_attach_file ~= false,
    delivery_max_age_s = math.floor((t.delivery_max_age_hours or 168) * 3600),
    heartbeat_s = math.floor(t.heartbeat_seconds or 300),
    debug = t.debug == true,
  }
  if cfg.heartbeat_s ~= 0 and cfg.heartbeat_s < 30 then
    return nil, "key 'heartbeat_seconds' must be 0 (off) or at least 30"
  end
  if cfg.delivery_max_age_s < 60 then
    return nil, "key 'delivery_max_age_hours' must be at least 1/60 (one minute)"
  end
  for i, url in ipairs(t.discord_webhook_urls or {}) do
    if type(url) ~= "string" or not url:match("^https?://[^%s\"']+$") then
      return nil, "discord_webhook_urls[" .. i .. "] is not an http(s) URL"
    end
    cfg.discord[#cfg.discord + 1] = url
  end
  for i, target in ipairs(t.http_targets or {}) do
    local where = "http_targets[" .. i .. "]"
    if type(target) ~= "table" then return nil, where .. " must be a table" end
    for k in pairs(target) do
      if k ~= "url" and k ~= "server_id" and k ~= "secret" then
        return nil, where .. ": unknown key '" .. tostring(k) .. "'"
      end
    end
    if type(target.url) ~= "string" or not target.url:match("^https?://[^%s\"']+$") then
      return nil, where .. ".url is not an http(s) URL"
    end
    if type(target.server_id) ~= "string" or not target.server_id:match("^[%w%._%-]+$") then
      return nil, where .. ".server_id must be a non-empty [A-Za-z0-9._-] string"
    end
    if type(target.secret) ~= "string" or #target.secret < 16 then
      return nil, where .. ".secret must be a string of at least 16 characters"
    end
    -- the heartbeat goes to the sibling route of the ingest URL (…/v1/ingest -> …/v1/heartbeat)
    local hb = target.url:match("^(.*)/ingest$")
    cfg.http[#cfg.http + 1] = { url = target.url, server_id = target.server_id,
      secret = target.secret, heartbeat_url = hb and (hb .. "/heartbeat") or nil }
  end
  return cfg
end

-- Load a config file in an empty environment. Returns cfg, or nil and a reason.
local function load_config_file(path)
  local text = read_file(path)
  if text == nil then return nil, "cannot read " .. path end
  local chunk, err = load(text, "@" .. path, "t", {})
  if not chunk then return nil, "syntax error: " .. tostring(err) end
  local ok, result = pcall(chunk)
  if not ok then return nil, "error while running it: " .. tostring(result) end
  local cfg, reason = validate_config(result)
  if not cfg then return nil, path .. ": " .. reason end
  return cfg, nil
end

local function is_absolute(p)
  return p:sub(1, 1) == "/" or p:match("^%a:[/\\]") ~= nil
end

local function fs_game()
  local g = cvar("fs_game")
  if g == "" then g = "legacy" end
  return g
end

-- <fs_homepath>/<fs_game> (the directory the engine writes its own files to), with fallbacks.
local function game_dir()
  local home, base = cvar("fs_homepath"), cvar("fs_basepath")
  if is_absolute(home) then return home .. "/" .. fs_game() end
  if is_absolute(base) then return base .. "/" .. fs_game() end
  return "/home/et/.etlegacy/" .. fs_game()
end

-- Candidate config paths, most specific first; the first existing file wins outright.
local function config_candidates()
  local list = {}
  local explicit = cvar("etstats_config")
  if explicit ~= "" then return { explicit } end
  local home, base = cvar("fs_homepath"), cvar("fs_basepath")
  if is_absolute(home) then
    list[#list + 1] = home .. "/" .. fs_game() .. "/luascripts/etstats_config.lua"
  end
  if is_absolute(base) then
    list[#list + 1] = base .. "/" .. fs_game() .. "/luascripts/etstats_config.lua"
  end
  if #list == 0 then list[1] = game_dir() .. "/luascripts/etstats_config.lua" end
  return list
end

-- Returns cfg (or nil) and the one console line describing the outcome.
local function find_config()
  local candidates = config_candidates()
  for _, path in ipairs(candidates) do
    if file_exists(path) then
      local cfg, reason = load_config_file(path)
      if not cfg then
        return nil, "config " .. reason
          .. " -- delivery DISABLED (gametimes files are still written)"
      end
      return cfg, string.format("config %s: %d Discord webhook(s), %d HTTP target(s)", path,
        #cfg.discord, #cfg.http)
    end
  end
  return nil, "no config file (looked at " .. table.concat(candidates, ", ")
    .. ") -- delivery DISABLED (gametimes files are still written)"
end

local config = nil -- the loaded config; nil = delivery disabled

local function gametimes_dir()
  local d = config and config.gametimes_dir or ""
  if d ~= "" and is_absolute(d) then return d end
  return game_dir() .. "/gametimes"
end

local function outbox_dir()
  local d = config and config.outbox_dir or ""
  if d ~= "" and is_absolute(d) then return d end
  return game_dir() .. "/etstats_outbox"
end

---------------------------------------------------------------------------------------------
-- Durable outbox: one body file per pending delivery per target, a small index file,
-- curl launched in the background writing the HTTP status to a marker file.
---------------------------------------------------------------------------------------------

local OUTBOX_MAX_ENTRIES = 500     -- beyond this the oldest entry is moved to failed/
local OUTBOX_MAX_LAUNCHES = 4      -- curl launches per sweep
local OUTBOX_INFLIGHT_TIMEOUT = 90 -- s without a marker before an attempt counts as lost
local OUTBOX_BACKOFF_BASE, OUTBOX_BACKOFF_MAX = 5, 600 -- s
local CURL_CONNECT_TIMEOUT, CURL_MAX_TIME = 5, 30     -- s
local DEFAULT_MAX_AGE_S = 7 * 86400 -- s: delivery_max_age_hours when the config has none

local ob = { dir = nil, entries = nil }

local function ob_path(name) return ob.dir .. "/" .. name end

local function ob_load(dir)
  if ob.dir == dir and ob.entries then return end
  ob.dir, ob.entries = dir, {}
  local text = read_file(ob_path("index"))
  if not text then return end
  for line in text:gmatch("[^\n]+") do
    local id, state, attempts, next_unix, launched, created, label =
      line:match("^([^\t]+)\t(%a+)\t(%d+)\t(%d+)\t(%d+)\t(%d+)\t([^\t]*)$")
    if id then
      ob.entries[#ob.entries + 1] = { id = id, state = state, attempts = int(attempts, 0),
        next_unix = int(next_unix, 0), launched = int(launched, 0), created = int(created, 0),
        label = label }
    else
      warn("outbox-index", "ignoring a malformed outbox index line: " .. line:sub(1, 80))
    end
  end
end

local function ob_save()
  local lines = {}
  for _, e in ipairs(ob.entries) do
    lines[#lines + 1] = table.concat({ e.id, e.state, tostring(e.attempts), tostring(e.next_unix),
      tostring(e.launched), tostring(e.created), e.label }, "\t")
  end
  local ok, err = write_atomic(ob_path("index"), table.concat(lines, "\n") .. "\n")
  if not ok then warn("outbox-save", "cannot write the outbox index: " .. tostring(err)) end
  return ok
end

local function ob_find(id)
  for i, e in ipairs(ob.entries) do
    if e.id == id then return e, i end
  end
  return nil
end

local function ob_remove_files(id)
  for _, suffix in ipairs({ ".body", ".curl", ".att", ".sign", ".status", ".status.tmp" }) do
    os.remove(ob_path(id .. suffix))
  end
end

local function curl_quote(s)
  return '"' .. tostring(s):gsub('[\\"]', "\\%0") .. '"'
end

-- Move an entry to failed/ (permanent failure); logged once, here.
local function ob_fail(e, why)
  if e.id:find("^heartbeat%.") then -- a heartbeat is dropped, never archived: the next follows
    ob_remove_files(e.id)
    warn("heartbeat-failed", "heartbeat to " .. e.label .. " dropped (" .. why
      .. "); does the receiver have /v1/heartbeat?")
    return
  end
  ensure_dir(ob_path("failed"), true)
  os.rename(ob_path(e.id .. ".body"), ob_path("failed/" .. e.id .. ".body"))
  write_atomic(ob_path("failed/" .. e.id .. ".reason"), string.format(
    "target=%s\nreason=%s\nattempts=%d\ntime_unix=%d\n", e.label, why, e.attempts, os.time()))
  ob_remove_files(e.id)
  print_line("delivery of " .. e.id .. " to " .. e.label .. " FAILED permanently (" .. why
    .. "); body moved to " .. ob_path("failed/"))
end

local function curl_config(lines)
  local all = { "silent", "output = \"/dev/null\"", "write-out = \"%{http_code}\"",
    "connect-timeout = " .. CURL_CONNECT_TIMEOUT, "max-time = " .. CURL_MAX_TIME }
  for _, l in ipairs(lines) do all[#all + 1] = l end
  return table.concat(all, "\n") .. "\n"
end

-- Queue one delivery. `curl_lines` are curl config lines (url, headers, data), or for a
-- signed HTTP delivery the signing input (a string: the config is made per attempt); the body
-- is written next to them. Returns true if queued (or already queued).
local function ob_enqueue(dir, id, label, body, curl_lines, attachment)
  if not ensure_dir(dir, true) then
    warn("outbox-dir", "cannot create the outbox directory " .. dir)
    return false
  end
  ob_load(dir)
  if ob_find(id) then return true end
  local ok, err = write_atomic(ob_path(id .. ".body"), body)
  if ok and attachment then ok, err = write_atomic(ob_path(id .. ".att"), attachment) end
  if ok and type(curl_lines) == "string" then -- signed HTTP: the signing input (0600)
    make_private({ ob_path(id .. ".sign"), ob_path(id .. ".curl") }) -- one child for both
    ok, err = write_private(ob_path(id .. ".sign"), curl_lines)
  elseif ok then -- curl config with a webhook URL, i.e. a token (0600)
    ok, err = write_private(ob_path(id .. ".curl"), curl_config(curl_lines))
  end
  if not ok then
    warn("outbox-write", "cannot write outbox entry " .. id .. ": " .. tostring(err))
    ob_remove_files(id)
    return false
  end
  local now = os.time()
  ob.entries[#ob.entries + 1] = { id = id, state = "pending", attempts = 0, next_unix = 0,
    launched = 0, created = now, label = label }
  while #ob.entries > OUTBOX_MAX_ENTRIES do
    local oldest = table.remove(ob.entries, 1)
    ob_fail(oldest, "outbox full (" .. OUTBOX_MAX_ENTRIES .. " entries)")
  end
  return ob_save()
end

-- The curl config of one signed-ingest-v2 attempt at `now` (Unix s): the headers the
-- receiver checks before reading the body (docs/lua.md). The body digest was computed once
-- when the entry was queued; each attempt only HMACs the short canonical string.
-- Returns the config text, or nil and why it cannot be signed now.
local function http_attempt_config(e, now)
  local text = read_file(ob_path(e.id .. ".sign"))
  if not text then return nil, "no signing input" end
  local url, server, filename, digest = text:match("^([^\n]+)\n([^\n]+)\n([^\n]+)\n(%x+)\n?$")
  if not url then return nil, "malformed signing input" end
  local secret = nil
  for _, t in ipairs(config and config.http or {}) do
    if (t.url == url or t.heartbeat_url == url) and t.server_id == server then
      secret = t.secret
    end
  end
  if not secret then return nil, "no configured HTTP target " .. server .. " with that URL" end
  local ts = string.format("%d", now)
  local sig = hmac_sha256_hex(secret, "etstats-ingest-v2\n" .. server .. "\n" .. ts .. "\n"
    .. filename .. "\n" .. digest)
  return curl_config({
    "url = " .. curl_quote(url),
    "header = \"Content-Type: application/json\"",
    "header = " .. curl_quote("User-Agent: " .. MODNAME .. "/" .. VERSION),
    "header = " .. curl_quote("X-Etstats-Server: " .. server),
    "header = " .. curl_quote("X-Etstats-Timestamp: " .. ts),
    "header = " .. curl_quote("X-Etstats-Filename: " .. filename),
    "header = " .. curl_quote("X-Etstats-Content-SHA256: " .. digest),
    "header = " .. curl_quote("X-Etstats-Signature: sha256=" .. sig),
    "data-binary = " .. curl_quote("@" .. ob_path(e.id .. ".body")),
  })
end

local function ob_launch(e, now)
  if e.id:find(".http-", 1, true) then
    -- signed ingest v2: every attempt is signed with its own time (the receiver refuses
    -- timestamps more than 300 s off), so a retry after a long outage is still accepted
    local text, why = http_attempt_config(e, now)
    if not text then
      warn("sign-" .. e.id, "cannot sign " .. e.id .. " now (" .. why .. "); will retry")
      e.next_unix = now + OUTBOX_BACKOFF_BASE
      return false
    end
    local ok, err = write_private(ob_path(e.id .. ".curl"), text)
    if not ok then
      warn("outbox-write", "cannot write " .. e.id .. ".curl: " .. tostring(err))
      e.next_unix = now + OUTBOX_BACKOFF_BASE
      return false
    end
  end
  local st = ob_path(e.id .. ".status")
  local cmd = "curl -K " .. shell_quote(ob_path(e.id .. ".curl")) .. " > "
    .. shell_quote(st .. ".tmp") .. " 2>/dev/null; mv -f " .. shell_quote(st .. ".tmp") .. " "
    .. shell_quote(st)
  e.state, e.launched = "inflight", now
  e.attempts = e.attempts + 1
  ob_save() -- before launching: a crash now can only lose an attempt, never duplicate one
  spawn_child(cmd, CURL_MAX_TIME + 10)
  debug_log("delivery attempt " .. e.attempts .. " of " .. e.id .. " to " .. e.label)
  return true
end

-- Read and consume an attempt's status marker: the HTTP code as text, or nil if absent.
local function ob_take_status(e)
  local text = read_file(ob_path(e.id .. ".status"))
  if text == nil then return nil end
  os.remove(ob_path(e.id .. ".status"))
  local code = text:match("%d%d%d")
  if not code then
    warn("curl-missing", "curl wrote no HTTP status for " .. e.id
      .. " (is curl installed and on the server's PATH?)")
  end
  return code or "000"
end

-- Apply one attempt's HTTP status. Returns "done", "retry" or "failed".
local function ob_settle(e, code, now)
  local n = int(code, 0)
  if n >= 200 and n <= 299 then
    if e.id:find("^heartbeat%.") then
      -- keep its private .sign/.curl files: the next heartbeat rewrites them in place, so no
      -- child process (to create 0600 files) runs every few minutes
      os.remove(ob_path(e.id .. ".body"))
      os.remove(ob_path(e.id .. ".status"))
    else
      ob_remove_files(e.id)
    end
    debug_log("delivered " .. e.id .. " to " .. e.label .. " (HTTP " .. code .. ")")
    return "done"
  end
  -- retry: no answer, 408, 429, 5xx; for signed HTTP also 401 (a stale timestamp after an
  -- outage: the next attempt is signed anew); anything else is final
  local http = e.id:find(".http-", 1, true) ~= nil
  if n == 0 or n == 408 or n == 429 or (n >= 500 and n <= 599) or (http and n == 401) then
    local max_age = config and config.delivery_max_age_s or DEFAULT_MAX_AGE_S
    if now - e.created >= max_age then
      ob_fail(e, "HTTP " .. code .. " and older than the age limit (" .. max_age .. " s)")
      return "failed"
    end
    local delay = OUTBOX_BACKOFF_BASE * (1 << math.min(e.attempts - 1, 10))
    if delay > OUTBOX_BACKOFF_MAX then delay = OUTBOX_BACKOFF_MAX end
    e.state, e.next_unix = "pending", now + delay
    if e.attempts == 1 then
      print_line("delivery of " .. e.id .. " to " .. e.label .. " got HTTP " .. code
        .. "; will retry (backoff up to " .. OUTBOX_BACKOFF_MAX .. " s)")
    end
    return "retry"
  end
  ob_fail(e, "HTTP " .. code)
  return "failed"
end

-- One outbox pass: settle finished attempts, launch due ones. `now` = os.time() seconds.
local function ob_sweep(dir, now)
  ob_load(dir)
  local launches, changed = 0, false
  local keep = {}
  for _, e in ipairs(ob.entries) do
    local outcome = nil
    local code = ob_take_status(e) -- marker checked before any resend
    if code then
      outcome = ob_settle(e, code, now)
      changed = true
    elseif e.state == "inflight" and now - e.launched > OUTBOX_INFLIGHT_TIMEOUT then
      warn("outbox-lost", "no status for " .. e.id .. " after " .. OUTBOX_INFLIGHT_TIMEOUT
        .. " s; retrying")
      outcome = ob_settle(e, "000", now)
      changed = true
    end
    if outcome ~= "done" and outcome ~= "failed" then
      if e.state == "pending" and not file_exists(ob_path(e.id .. ".body")) then
        warn("outbox-orphan", "outbox entry " .. e.id .. " has no body file; dropped")
        ob_remove_files(e.id)
        changed = true
      else
        if e.state == "pending" and now >= e.next_unix and launches < OUTBOX_MAX_LAUNCHES then
          launches = launches + 1
          ob_launch(e, now)
        end
        keep[#keep + 1] = e
      end
    end
  end
  ob.entries = keep
  if changed then ob_save() end
  return #keep, launches
end

---------------------------------------------------------------------------------------------
-- Discord payload (compact embed; the attached gametimes file is the source of truth)
---------------------------------------------------------------------------------------------

local DISCORD_MAX_FIELDS, DISCORD_MAX_VALUE, DISCORD_MAX_TOTAL = 25, 1024, 6000

-- At most n characters (code points) of valid UTF-8, "…" marking a cut.
local function clip(s, n)
  s = utf8_clean(tostring(s))
  if utf8.len(s) <= n then return s end
  return s:sub(1, utf8.offset(s, n) - 1) .. "…"
end

local function strip_colours(s)
  return (tostring(s):gsub("%^[^%^]", ""))
end

local function seconds_text(ms)
  local s = int((ms or 0) / 1000, 0)
  return string.format("%d:%02d", s // 60, s % 60)
end

-- fields: list of {name, value}; enforces 25 fields, 1024 per value, 6000 in total.
local function discord_payload(username, title, description, fields, footer)
  local total = utf8.len(title) + utf8.len(description) + utf8.len(footer)
  local out = {}
  for _, f in ipairs(fields) do
    if #out >= DISCORD_MAX_FIELDS then break end
    local name, value = clip(f[1], 256), clip(f[2] ~= "" and f[2] or "-", DISCORD_MAX_VALUE)
    local cost = utf8.len(name) + utf8.len(value)
    if total + cost > DISCORD_MAX_TOTAL then break end
    total = total + cost
    out[#out + 1] = obj("name", name, "value", value, "inline", f[3] == true)
  end
  return obj("username", clip(username, 80), "content", "etstats gametimes v1",
    "allowed_mentions", obj("parse", {}),
    "embeds", { obj("title", clip(title, 256), "description", clip(description, 4096),
      "color", 3447003, "fields", out, "footer", obj("text", clip(footer, 2048))) })
end

---------------------------------------------------------------------------------------------
-- Round and player tracking
---------------------------------------------------------------------------------------------

local R = nil           -- this VM's round (nil in warmup VMs)
local now_level = 0     -- levelTime of the latest frame (ms)
local players = {}      -- key (GUID or "noguid#n") -> player record
local order = {}        -- keys in first-seen order
local slot_key = {}     -- slot -> key of the client in it
local noguid_seq = 0
local next_sweep_level = 0

local function live() return R ~= nil and R.state == "running" end

local function pause_overlap(a, b)
  local total = 0
  for _, p in ipairs(R.pauses) do
    local s, e = p.start_level, p.end_level or b
    if s < a then s = a end
    if e > b then e = b end
    if e > s then total = total + (e - s) end
  end
  return total
end

local function read_team(slot)
  return int(gent(slot, "sess.sessionTeam"), nil)
end

local function identify(slot)
  local ok, ui = pcall(et.trap_GetUserinfo, slot)
  if not ok then ui = "" end
  local guid = info_value(ui, "cl_guid"):upper()
  if #guid ~= 32 or guid:find("[^0-9A-F]") then guid = nil end
  local name = gent(slot, "pers.netname")
  if type(name) ~= "string" or name == "" then name = info_value(ui, "name") end
  return guid, name
end

local function new_player(key, guid, slot, name)
  return { key = key, guid = guid, slot = slot, name = name or "", team = 0, cur_team = nil,
    connected = true, connected_at_end = false, spawns = 0, revives = 0, deaths = 0, kills = 0,
    team_kills = 0, self_kills = 0, dead_ms = 0, denied_ms = 0, time_axis = 0, time_allies = 0,
    connects = 0, disconnects = 0, team_changes = 0, detail = {}, open = nil,
    seg_team = nil, seg_since = nil }
end

local function player_for_slot(slot, create)
  slot = int(slot, -1)
  if slot < 0 or slot >= max_clients() then return nil end
  local key = slot_key[slot]
  if key and players[key] then return players[key] end
  if not create then return nil end
  local guid, name = identify(slot)
  if guid then
    key = guid
  else
    noguid_seq = noguid_seq + 1
    key = "noguid#" .. noguid_seq
  end
  local p = players[key]
  if not p then
    p = new_player(key, guid, slot, name)
    players[key] = p
    order[#order + 1] = key
  end
  p.slot, p.connected = slot, true
  if name and name ~= "" then p.name = name end
  slot_key[slot] = key
  return p
end

local function close_team_segment(p, t)
  if p.seg_team and p.seg_since then
    local d = t - p.seg_since - pause_overlap(p.seg_since, t)
    if d > 0 then
      if p.seg_team == TEAM_AXIS then p.time_axis = p.time_axis + d
      else p.time_allies = p.time_allies + d end
    end
  end
  p.seg_team, p.seg_since = nil, nil
end

local function open_team_segment(p, team, t)
  if team == TEAM_AXIS or team == TEAM_ALLIES then p.seg_team, p.seg_since = team, t end
end

-- Settle a death detached from its player: end time, pause overlap, dead and denied time.
local function settle_death(p, d, t, by)
  local paused = pause_overlap(d.at, t)
  local dead = t - d.at - paused
  if dead < 0 then dead = 0 end
  d.end_level, d.paused, d.dead, d.closed_by = t, paused, dead, by
  p.dead_ms = p.dead_ms + dead
  if d.kind == "enemy" and d.killer_key and players[d.killer_key] then
    local k = players[d.killer_key]
    k.denied_ms = k.denied_ms + dead
  end
end

local function close_death(p, t, by)
  local d = p.open
  if not d then return end
  p.open = nil
  settle_death(p, d, t, by)
end

local function set_team(p, team, t)
  if team == nil or p.cur_team == team then return end
  if live() then
    if p.cur_team ~= nil then p.team_changes = p.team_changes + 1 end
    close_team_segment(p, t)
    if team == TEAM_SPECTATOR then close_death(p, t, "spectator") end
    open_team_segment(p, team, t)
  end
  p.cur_team, p.team = team, team
end

local function connected(slot)
  return int(gent(slot, "pers.connected"), 0) == CON_CONNECTED
end

local function start_round(t)
  R.state, R.start_level, R.start_unix = "running", t, os.time()
  if R.warmup_start_level then
    if t >= R.warmup_start_level then
      R.warmup_ms = t - R.warmup_start_level
    else -- levelTime was reset (sv_serverTimeReset): fall back to the wall clock
      R.warmup_ms = (R.start_unix - R.warmup_start_unix) * 1000
    end
  end
  for _, key in ipairs(order) do
    local p = players[key]
    if p.connected then open_team_segment(p, p.cur_team, t) end
  end
  for n = 0, max_clients() - 1 do -- once per round, bounded: clients already in the game
    if slot_key[n] == nil and connected(n) then
      local p = player_for_slot(n, true)
      if p then set_team(p, read_team(n), t) end
    end
  end
  debug_log("round started at levelTime " .. t)
end

local function finalize(t, unix, play)
  R.end_level, R.end_unix = t, unix or os.time()
  R.play_ms = play or (t - (int(configstring(CS_LEVEL_START_TIME), t) or t))
  for _, key in ipairs(order) do
    local p = players[key]
    close_death(p, t, "round_end")
    close_team_segment(p, t)
    p.connected_at_end = p.connected
  end
  local last = R.pauses[#R.pauses]
  if last and not last.end_level then last.end_level, last.end_unix = t, R.end_unix end
  R.state = "ended"
end

local EXIT_REASONS = {
  ["Timelimit hit."] = "time_expired",
  ["Wolf EndRound."] = "objective",
  ["Axis Surrender"] = "surrender",
  ["Allies Surrender"] = "surrender",
  ["Nextmap vote passed"] = "nextmap_vote",
}
-- Texts with a team name (g_main.c writes "Allied", not "Allies"); Last Man Standing too.
local EXIT_PATTERNS = {
  { "^%a+ team eliminated%.?$", "team_eliminated" },
  { "^%a+ team wins by drawing First Blood%.?$", "first_blood" },
  { "^%a+ team has the most survivors%.?$", "most_survivors" },
}

-- Apply a confirmed exit (see et_Print / et_RunFrame): the round ends at the exit's frame.
local function on_exit(ex)
  local line, reason_text = ex.line, ex.reason_text
  local reason = EXIT_REASONS[reason_text]
  for _, pat in ipairs(EXIT_PATTERNS) do
    if reason then break end
    if reason_text:match(pat[1]) then reason = pat[2] end
  end
  R.reason, R.exit_line = reason or "unknown", line
  if reason == "surrender" then
    R.surrender_team = reason_text:match("^Axis") and TEAM_AXIS or TEAM_ALLIES
    for i = #R.votes, 1, -1 do
      if R.votes[i].team == R.surrender_team and (R.votes[i].seq or 0) < (ex.seq or 0) then
        R.surrender_caller = R.votes[i]
        break
      end
    end
  end
  finalize(ex.level, ex.unix, ex.play)
end

-- An `Exit:` line is only believed when the gamestate turns INTERMISSION within the next
-- frame (BeginIntermission). CS_INTERMISSION confirms nothing: G_LogExit sets it to "1" and
-- only a new map clears it, so it stays "1" for every round after the first. Anything can
-- print through et_Print (players' names in other lines, other modules' et.G_LogPrint, Lua
-- error lines), so an unconfirmed line is dropped.
-- Two candidates at most: `R.pending_exit`, seen before the previous et_RunFrame and stamped
-- there (`ex.level`: the engine logs a real exit inside that server frame, et_RunFrame runs
-- last in G_RunFrame, so the stamp is exact), and `R.fresh_exit`, seen since. A spoofed line
-- must not shadow a real exit printed one frame later, so the fresh one waits its own turn
-- instead of being dropped while the older one is undecided.
-- Returns true when the round ended.
local function check_exit(gs, levelTime)
  local ex = R.pending_exit
  if ex then
    R.pending_exit = nil
    if gs == GS_INTERMISSION then
      on_exit(ex)
      return true
    end
    warn("exit-spoof", "ignored an unconfirmed console line: " .. clip(ex.line, 80))
  end
  ex = R.fresh_exit
  if not ex then return false end
  R.fresh_exit = nil
  ex.level, ex.unix = levelTime, os.time()
  ex.play = levelTime - (int(configstring(CS_LEVEL_START_TIME), levelTime) or levelTime)
  if gs == GS_INTERMISSION then
    on_exit(ex)
    return true
  end
  R.pending_exit = ex
  return false
end

---------------------------------------------------------------------------------------------
-- The gametimes v1 document, the file and the deliveries
---------------------------------------------------------------------------------------------

local function team_pair(v)
  v = int(v, -1)
  if v == 0 or v == 1 then return v + 1 end
  return 0
end

local function player_doc(p)
  local details = {}
  for _, d in ipairs(p.detail) do
    details[#details + 1] = obj("at_level_ms", d.at, "end_level_ms", d.end_level or d.at,
      "killer_guid", d.killer_guid or NULL, "killer_slot", d.killer_slot, "kind", d.kind,
      "mod", d.mod, "dead_ms", d.dead or 0, "paused_ms", d.paused or 0,
      "closed_by", d.closed_by or "round_end")
  end
  return obj("guid", p.guid or NULL, "slot", p.slot, "name", p.name, "team", p.team or 0,
    "connected_at_end", p.connected_at_end == true, "spawns", p.spawns, "revives", p.revives,
    "deaths", p.deaths, "kills", p.kills, "team_kills", p.team_kills, "self_kills", p.self_kills,
    "dead_ms", p.dead_ms, "denied_ms", p.denied_ms, "time_axis_ms", p.time_axis,
    "time_allies_ms", p.time_allies, "connects", p.connects, "disconnects", p.disconnects,
    "team_changes", p.team_changes, "deaths_detail", details)
end

local function sorted_players()
  local list = {}
  for _, key in ipairs(order) do list[#list + 1] = players[key] end
  table.sort(list, function(a, b)
    if a.slot ~= b.slot then return a.slot < b.slot end
    return a.key < b.key
  end)
  return list
end

local function build_document(emit_kind, winner, defender)
  local pauses, pause_total = {}, 0
  for _, p in ipairs(R.pauses) do
    local d = (p.end_level or R.end_level) - p.start_level
    pause_total = pause_total + d
    pauses[#pauses + 1] = obj("start_level_ms", p.start_level, "end_level_ms",
      p.end_level or R.end_level, "duration_ms", d, "start_unix", p.start_unix,
      "end_unix", p.end_unix or R.end_unix)
  end
  local plist = {}
  for _, p in ipairs(sorted_players()) do plist[#plist + 1] = player_doc(p) end
  local caller = R.surrender_caller
  -- the caller's name as in the player list (a rename after the vote is the name to show)
  local caller_p = caller and caller.key and players[caller.key]
  local caller_name = caller_p and caller_p.name or (caller and caller.name)
  local tl = tonumber(cvar("timelimit")) or 0
  return obj(
    "schema_version", 1,
    "producer", obj("name", MODNAME, "version", VERSION, "lua", _VERSION),
    "server", obj("hostname", cvar("sv_hostname"), "ip", cvar("net_ip"),
      "port", int(cvar("net_port"), 0) or 0),
    "map", R.map,
    "gametype", int(cvar("g_gametype"), 0) or 0,
    "round", R.round,
    "emit", emit_kind,
    "round_start_unix", R.start_unix,
    "round_end_unix", R.end_unix,
    "round_start_level_ms", R.start_level,
    "round_end_level_ms", R.end_level,
    "play_ms", R.play_ms,
    "timelimit_ms", int(tl * 60000, 0),
    "warmup_ms", R.warmup_ms or NULL,
    "warmup_start_unix", R.warmup_ms and R.warmup_start_unix or NULL,
    "started_mid_round", R.started_mid_round,
    "pauses", pauses,
    "pause_total_ms", pause_total,
    "end", obj("reason", R.reason, "exit_line", R.exit_line or NULL, "winner", winner,
      "defender", defender, "surrender_team", R.surrender_team,
      "surrender_caller_guid", caller and caller.guid or NULL,
      "surrender_caller_name", caller_name or NULL),
    "limbo_ms", obj("axis", int(cvar("g_redlimbotime"), 0) or 0,
      "allies", int(cvar("g_bluelimbotime"), 0) or 0),
    "players", plist)
end

local function discord_for_round(stem, emit_kind, winner, defender)
  local team_names = { [1] = "Axis", [2] = "Allies" }
  local title = string.format("%s R%d: %s", strip_colours(R.map), R.round,
    emit_kind == "round_end" and R.reason or ("ABORTED (" .. emit_kind .. ")"))
  local axis, allies = {}, {}
  for _, p in ipairs(sorted_players()) do
    local line = string.format("%s: dead %s, denied %s", strip_colours(p.name),
      seconds_text(p.dead_ms), seconds_text(p.denied_ms))
    if p.team == TEAM_AXIS then axis[#axis + 1] = line
    elseif p.team == TEAM_ALLIES then allies[#allies + 1] = line end
  end
  local pause_total = 0
  for _, p in ipairs(R.pauses) do
    pause_total = pause_total + ((p.end_level or R.end_level) - p.start_level)
  end
  local fields = {
    { "Map", R.map, true }, { "Round", tostring(R.round), true },
    { "End", R.reason, true },
    { "Winner", team_names[winner] or "-", true },
    { "Defender", team_names[defender] or "-", true },
    { "Play time", seconds_text(R.play_ms), true },
    { "Time limit", seconds_text(int((tonumber(cvar("timelimit")) or 0) * 60000, 0)), true },
    { "Pauses", string.format("%d (%s)", #R.pauses, seconds_text(pause_total)), true },
    { "Warmup", R.warmup_ms and seconds_text(R.warmup_ms) or "-", true },
    { "Round start", string.format("<t:%d:T>", R.start_unix), true },
    { "Round end", string.format("<t:%d:T>", R.end_unix), true },
    { "Server", strip_colours(cvar("sv_hostname")), true },
    { "Axis", table.concat(axis, "\n"), false },
    { "Allies", table.concat(allies, "\n"), false },
    { "File", stem .. ".json", false },
  }
  return discord_payload(config.discord_username, title,
    "Round timing by etstats.lua; per-player data: the attached gametimes file.", fields,
    MODNAME .. " v" .. VERSION)
end

local SIGN_BLOCKS_PER_FRAME = 128 -- 8 KiB of SHA-256 input per frame (a few ms)
local sign_jobs = {}              -- HTTP deliveries waiting for their body digest

-- Queue the signed HTTP delivery of a finished digest job. The signing input (URL, server,
-- file name, body SHA-256) is stored; each attempt signs it with its own time.
local function finish_sign_job(sj, digest)
  local target, dir = sj.target, sj.dir
  local h = sha256_hex(target.url .. "\n" .. target.server_id):sub(1, 8)
  local id = sj.stem .. ".http-" .. h
  local input = table.concat({ target.url, target.server_id, sj.stem .. ".json", digest }, "\n")
    .. "\n"
  ob_enqueue(dir, id, "http:" .. target.server_id, sj.body, input, nil)
end

-- Advance the oldest digest job by at most `max_blocks`; queue it when done.
-- Returns true when a delivery was queued.
local function step_sign_jobs(max_blocks)
  local sj = sign_jobs[1]
  if not sj then return false end
  if not sj.job then sj.job = sha_job(sj.body) end
  if not sha_job_step(sj.job, max_blocks) then return false end
  table.remove(sign_jobs, 1)
  finish_sign_job(sj, to_hex(sha_job_digest(sj.job)))
  return true
end

local function enqueue_deliveries(stem, body, emit_kind, winner, defender)
  if not config then return 0 end
  local dir, n = outbox_dir(), 0
  if #config.discord > 0 then
    local payload = json_encode(discord_for_round(stem, emit_kind, winner, defender))
    for i, url in ipairs(config.discord) do
      local h = sha256_hex(url):sub(1, 8)
      local id = stem .. ".discord-" .. h
      local lines = { "url = " .. curl_quote(url) }
      local attach = nil
      if config.discord_attach_file then
        attach = body
        lines[#lines + 1] = "form = " .. curl_quote("payload_json=<" .. dir .. "/" .. id
          .. ".body;type=application/json")
        lines[#lines + 1] = "form = " .. curl_quote("files[0]=@" .. dir .. "/" .. id
          .. ".att;filename=" .. stem .. ".json;type=application/json")
      else
        lines[#lines + 1] = "header = \"Content-Type: application/json\""
        lines[#lines + 1] = "data-binary = " .. curl_quote("@" .. dir .. "/" .. id .. ".body")
      end
      if ob_enqueue(dir, id, "discord#" .. i .. "(" .. h .. ")", payload, lines, attach) then
        n = n + 1
      end
    end
  end
  for _, target in ipairs(config.http) do
    -- signing a large file takes ~0.5 ms per KiB in pure Lua: spread over frames
    sign_jobs[#sign_jobs + 1] = { target = target, stem = stem, body = body, dir = dir,
      job = nil }
    n = n + 1
  end
  return n
end

local function sweep_now()
  if not config then return end
  local ok, err = pcall(ob_sweep, outbox_dir(), os.time())
  if not ok then warn("sweep", "outbox sweep failed: " .. tostring(err)) end
end

---------------------------------------------------------------------------------------------
-- Heartbeat: while the script runs it tells each signed HTTP target, every heartbeat_seconds
-- (default 300), how many players are connected, so the receiver can tell "no round stored
-- while people were playing" from "the server was empty" (docs/lua.md, "Heartbeat").
---------------------------------------------------------------------------------------------

local HEARTBEAT_CVAR = "etstats_heartbeat_unix" -- last heartbeat (os.time()), across VMs
local HEARTBEAT_FILE = "heartbeat.json"         -- the signed file name

-- Connected human players: a connected slot whose cl_guid is 32 hex digits (Omni-bots and
-- other bots have none). One pass over sv_maxclients slots, once per heartbeat.
local function connected_players()
  local n = 0
  for slot = 0, max_clients() - 1 do
    if int(gent(slot, "pers.connected"), 0) == CON_CONNECTED and identify(slot) then n = n + 1 end
  end
  return n
end

-- Queue one heartbeat per HTTP target that has a heartbeat URL. At most one heartbeat entry
-- per target: a pending one (its target is down) is replaced by the newer beat, one in flight
-- is left alone (the next beat follows); so beats never pile up in the outbox.
local function queue_heartbeats(now)
  if not config or config.heartbeat_s == 0 or #config.http == 0 then return 0 end
  local body = json_encode(obj("type", "heartbeat", "version", 1, "sent_unix", now,
    "players", connected_players(), "map", (cvar("mapname"):gsub("[^%w_%.%-]", "_"):sub(1, 64)),
    "gamestate", int(cvar("gamestate"), -1), "port", int(cvar("net_port"), 0),
    "lua_version", VERSION)) .. "\n"
  local digest = sha256_hex(body)
  local dir, n = outbox_dir(), 0
  ob_load(dir)
  for _, target in ipairs(config.http) do
    if target.heartbeat_url then
      local h = sha256_hex(target.url .. "\n" .. target.server_id):sub(1, 8)
      local id = "heartbeat.http-" .. h
      local input = table.concat({ target.heartbeat_url, target.server_id, HEARTBEAT_FILE,
        digest }, "\n") .. "\n"
      local e = ob_find(id)
      if e and e.state == "pending" then -- replace the stale beat in place
        if write_atomic(ob_path(id .. ".body"), body) and write_private(ob_path(id .. ".sign"),
            input) then
          e.created = now
          ob_save()
          n = n + 1
        end
      elseif not e and ob_enqueue(dir, id, "heartbeat:" .. target.server_id, body, input, nil) then
        n = n + 1
      end
    end
  end
  return n
end

-- Send a heartbeat when the last one (any VM's) is heartbeat_seconds old. Called with the
-- outbox sweep (every 5 s of levelTime), so it costs nothing per frame.
local function heartbeat_due(now)
  if not config or config.heartbeat_s == 0 then return false end
  local last = int(cvar(HEARTBEAT_CVAR), nil)
  if last and now - last < config.heartbeat_s and now >= last then return false end
  pcall(et.trap_Cvar_Set, HEARTBEAT_CVAR, string.format("%d", now))
  local ok, err = pcall(queue_heartbeats, now)
  if not ok then warn("heartbeat", "queueing a heartbeat failed: " .. tostring(err)) end
  return ok
end

-- Sign pending HTTP deliveries: a budget of blocks per frame, or everything (`all`) when the
-- VM is about to be destroyed. Queued deliveries are swept (launched) at once.
local function run_sign_jobs(all)
  local queued = false
  while sign_jobs[1] do
    local ok, done = pcall(step_sign_jobs, all and math.huge or SIGN_BLOCKS_PER_FRAME)
    if not ok then
      warn("sign", "signing a delivery failed: " .. tostring(done))
      table.remove(sign_jobs, 1)
    elseif done then
      queued = true
    elseif not all then
      break
    end
    if not all then break end
  end
  if queued then sweep_now() end
end

local function write_round(emit_kind)
  if R.state == "running" then
    if emit_kind == "round_end" then -- intermission without an Exit line
      R.reason = "unknown"
      finalize(R.last_playing_level or now_level)
    else
      R.reason = emit_kind
      finalize(now_level)
    end
  end
  local winner = team_pair(info_value(configstring(CS_MULTI_MAPWINNER), "w"))
  local defender = team_pair(info_value(configstring(CS_MULTI_INFO), "d"))
  local body = json_encode(build_document(emit_kind, winner, defender)) .. "\n"
  local port = int(cvar("net_port"), 0) or 0
  local dir = gametimes_dir()
  -- A bare rcon map_restart in the round's first second replays the same round number in the
  -- same second: the aborted round's file already has that name. Never overwrite a round: the
  -- later file takes the next free second in its name (its body keeps the exact start).
  local safe_map, name_unix = R.map:gsub("[^%w_%-]", "_"), R.start_unix
  local stem, path
  repeat
    stem = string.format("etstats-%s-R%d-%d-%d", safe_map, R.round, name_unix, port)
    path = dir .. "/" .. stem .. ".json"
    name_unix = name_unix + 1
  until not file_exists(path) or name_unix > R.start_unix + 60
  local ok, err = write_atomic(path, body)
  if not ok and ensure_dir(dir, false) then ok, err = write_atomic(path, body) end
  if ok then
    print_line("wrote " .. path .. " (" .. emit_kind .. ", " .. R.reason .. ")")
  else
    print_line("ERROR: cannot write " .. path .. ": " .. tostring(err))
  end
  local queued = enqueue_deliveries(stem, body, emit_kind, winner, defender)
  if queued > 0 then sweep_now() end
  return path
end

local function emit(emit_kind)
  if R == nil or R.emitted or R.state == "pending" then return end
  R.emitted = true
  local ok, err = pcall(write_round, emit_kind)
  if not ok then print_line("ERROR: emitting the round failed: " .. tostring(err)) end
end

---------------------------------------------------------------------------------------------
-- Engine callbacks (the only globals this script defines)
---------------------------------------------------------------------------------------------

---------------------------------------------------------------------------------------------
-- VM restarts without InitGame (lua_restart, a lua_modules change): persist and resume
---------------------------------------------------------------------------------------------

-- g_lua.c: `lua_restart` and any change to lua_modules/lua_allowedModules stop the VMs with
-- only et_Quit; the new VM gets no et_InitGame until the next map_restart or map. The dying
-- VM writes the running round to a state file; the new VM resumes it when its chunk is run
-- (still the same map, still PLAYING). Where that fails the old VM writes the round as a
-- file with emit "lua_restart" instead: never lost silently.
local function state_path() return game_dir() .. "/etstats_resume.lua" end

local function serialize(v, out, depth)
  if depth > 16 then error("state: nesting too deep") end
  local t = type(v)
  if t == "number" then
    out[#out + 1] = math.type(v) == "integer" and string.format("%d", v)
      or string.format("%.17g", v)
  elseif t == "string" then
    out[#out + 1] = string.format("%q", v)
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "table" and v ~= NULL then
    out[#out + 1] = "{"
    for k, x in pairs(v) do
      out[#out + 1] = "["
      serialize(k, out, depth + 1)
      out[#out + 1] = "]="
      serialize(x, out, depth + 1)
      out[#out + 1] = ","
    end
    out[#out + 1] = "}"
  else
    error("state: cannot persist a " .. t)
  end
end

local function persist_round()
  for _, key in ipairs(order) do -- the open death is one of the details: keep it by index
    local p = players[key]
    p.open_index = nil
    for i, d in ipairs(p.detail) do
      if d == p.open then p.open_index = i end
    end
  end
  local out = { "return " }
  serialize({ version = 1, map = R.map, round = R.round, R = R, players = players,
    order = order, slot_key = slot_key, noguid_seq = noguid_seq, now_level = now_level }, out, 0)
  local ok, err = write_atomic(state_path(), table.concat(out))
  if not ok and ensure_dir(game_dir(), false) then
    ok, err = write_atomic(state_path(), table.concat(out))
  end
  if not ok then error(tostring(err)) end
  return true
end

-- Run when the chunk is loaded: resume a round persisted by the previous VM.
local function resume_round()
  local path = state_path()
  local text = read_file(path)
  if text == nil then return false end
  os.remove(path) -- consumed: a later normal map_restart must never see it again
  local chunk = load(text, "=" .. path, "t", {})
  local ok, st = pcall(chunk or error)
  if not ok or type(st) ~= "table" or st.version ~= 1 then
    print_line("WARNING: ignoring an unreadable " .. path)
    return false
  end
  if st.map ~= cvar("mapname") or int(cvar("gamestate"), -1) ~= GS_PLAYING then return false end
  R, players, order, slot_key = st.R, st.players, st.order, st.slot_key
  noguid_seq, now_level = st.noguid_seq, st.now_level
  for _, key in ipairs(order) do
    local p = players[key]
    p.open = p.open_index and p.detail[p.open_index] or nil
  end
  R.resumed = (R.resumed or 0) + 1
  next_sweep_level = now_level + 5000
  return true
end

local WARMUP_CVAR = "etstats_warmup_start" -- "<unix> <levelTime> <round> <map>"

local init_seen = false -- et_InitGame ran in this VM (or the VM resumed a saved round)

function et_InitGame(levelTime, randomSeed, restart)
  init_seen = true
  load_constants()
  now_level = int(levelTime, 0) or 0
  next_sweep_level = now_level + 5000
  pcall(et.RegisterModname, MODNAME .. " " .. VERSION)
  local cfg, line = find_config()
  config = cfg
  debug_enabled = cfg ~= nil and cfg.debug
  print_line("v" .. VERSION .. " (" .. _VERSION .. "): " .. line)
  local gs = int(cvar("gamestate"), -1)
  local map = cvar("mapname")
  local current = int(cvar("g_currentRound"), -1)
  local round = (current == 0 and 1) or (current == 1 and 2) or 0
  if int(cvar("g_gametype"), 0) == GT_WOLF_LMS and current and current >= 0 then
    round = current + 1 -- Last Man Standing: g_currentRound counts the rounds (g_main.c)
  end
  local saved = cvar(WARMUP_CVAR)
  local su, sl, sr, sm = saved:match("^(%d+) (%-?%d+) (%d+) (.*)$")
  local same = su ~= nil and sm == map and int(sr, -1) == round
  restart = int(restart, 0)
  if gs == GS_WARMUP or gs == GS_WARMUP_COUNTDOWN then
    if restart ~= 1 or not same then -- a new warmup; a restart within warmup keeps the start
      pcall(et.trap_Cvar_Set, WARMUP_CVAR, string.format("%d %d %d %s", os.time(), now_level,
        round, map))
    end
  elseif gs == GS_PLAYING then
    R = { state = "pending", map = map, round = round, started_mid_round = restart ~= 1,
      pauses = {}, paused = false, votes = {}, surrender_team = 0, reason = "unknown",
      emitted = false }
    if same and restart == 1 then
      R.warmup_start_unix, R.warmup_start_level = int(su, 0), int(sl, 0)
    end
    pcall(et.trap_Cvar_Set, WARMUP_CVAR, "")
  end
  sweep_now() -- deliveries left by earlier VMs
end

-- Pause edges: the game clock froze one frame before the pause bit is first seen and runs
-- again from the frame before it is first clear, so both edges are stamped with the previous
-- frame's levelTime (`prev`); the wall clock is read when the edge is seen.
local function track_pause(prev)
  local paused = (int(configstring(CS_SERVERTOGGLES), 0) & CV_SVS_PAUSE) ~= 0
  if paused == R.paused then return end
  R.paused = paused
  if paused then
    R.pauses[#R.pauses + 1] = { start_level = prev, start_unix = os.time() }
  else
    local p = R.pauses[#R.pauses]
    p.end_level, p.end_unix = prev, os.time()
  end
end

-- Wave spawns happen inside the engine frame, before et_RunFrame, while this script still
-- holds the previous frame's levelTime: their deaths are closed at the next frame's time.
local in_frame_spawns = {}

local function flush_in_frame(levelTime)
  for i = 1, #in_frame_spawns do
    local item = in_frame_spawns[i]
    settle_death(item.p, item.d, levelTime, "respawn")
    in_frame_spawns[i] = nil
  end
end

function et_RunFrame(levelTime)
  if not init_seen then
    -- a VM started by lua_restart / a lua_modules change without a saved round: the engine
    -- sends no et_InitGame, so initialise here. Mid-round the file says started_mid_round
    -- (its start values are late); in warmup the warmup start is kept (a restart within it).
    local gs = int(cvar("gamestate"), -1)
    et_InitGame(levelTime, 0, gs == GS_PLAYING and 0 or 1)
    print_line("started without et_InitGame (lua_restart or a lua_modules change)"
      .. (R and "; this round's file will be marked started_mid_round" or ""))
  end
  local prev = now_level
  now_level = levelTime
  if in_frame_spawns[1] then
    -- a wave in the frame whose pause bit is first clear: close the pause (it ended at the
    -- previous frame) before the deaths, or they would count this frame as paused
    if R ~= nil and R.state == "running" and not R.emitted and R.paused
      and int(cvar("gamestate"), -1) == GS_PLAYING then
      track_pause(prev)
    end
    flush_in_frame(levelTime)
  end
  if R ~= nil and not R.emitted then
    local gs = int(cvar("gamestate"), -1)
    if R.state == "running" and (R.pending_exit or R.fresh_exit) and check_exit(gs, levelTime) then
      emit("round_end")
    elseif R.state == "pending" then
      if gs == GS_PLAYING then start_round(levelTime) end
    elseif gs == GS_INTERMISSION then
      emit("round_end")
    elseif R.state == "running" and gs == GS_PLAYING then
      R.last_playing_level = levelTime
      track_pause(prev)
    end
  end
  if sign_jobs[1] then run_sign_jobs(false) end
  if levelTime >= next_sweep_level then
    next_sweep_level = levelTime + 5000
    heartbeat_due(os.time())
    sweep_now()
  end
end

function et_ShutdownGame(restart)
  if in_frame_spawns[1] then flush_in_frame(now_level) end
  if R ~= nil and R.pending_exit and int(cvar("gamestate"), -1) == GS_INTERMISSION then
    check_exit(GS_INTERMISSION, now_level)
  end
  if R ~= nil and not R.emitted and R.state ~= "pending" then
    if R.state == "ended" then emit("round_end")
    elseif int(restart, 0) == 1 then emit("map_restart")
    else emit("shutdown") end
  end
  if sign_jobs[1] then run_sign_jobs(true) end -- the VM dies next: finish every signature
end

function et_Print(text)
  if not live() or type(text) ~= "string" then return end
  local reason = text:match("^Exit:%s*(.-)%s*$")
  if not reason then return end
  -- g_main.c: a second exit before the intermission is logged "(already triggered)"; the
  -- first exit of the round stands, so such a line neither replaces nor clears it
  if reason:find("%(already triggered%)$") then return end
  -- Within one frame's window the last line wins: client commands (where a spoof comes from)
  -- run before G_RunFrame, and G_LogExit prints late in it, just before et_RunFrame.
  R.seq = (R.seq or 0) + 1
  R.fresh_exit = { line = (text:gsub("%s+$", "")), reason_text = reason, seq = R.seq }
end

function et_ClientConnect(clientNum, firstTime, isBot)
  -- never return a value here: any string or number rejects the client
  if R == nil then return end
  slot_key[int(clientNum, -1)] = nil
  local p = player_for_slot(clientNum, true)
  if p and live() and int(firstTime, 0) == 1 then p.connects = p.connects + 1 end
end

function et_ClientBegin(clientNum)
  if R == nil then return end
  local p = player_for_slot(clientNum, true)
  if p then
    p.connected = true
    set_team(p, read_team(clientNum), now_level)
  end
end

function et_ClientUserinfoChanged(clientNum)
  if R == nil then return end
  local p = player_for_slot(clientNum, false)
  if not p then return end
  local name = gent(clientNum, "pers.netname")
  if type(name) == "string" and name ~= "" then p.name = name end
  set_team(p, read_team(clientNum), now_level)
end

function et_ClientDisconnect(clientNum)
  if R == nil then return end
  local p = player_for_slot(clientNum, false)
  if not p then return end
  if live() then
    close_death(p, now_level, "disconnect")
    close_team_segment(p, now_level)
    p.disconnects = p.disconnects + 1
  end
  p.connected, p.cur_team = false, nil
  slot_key[int(clientNum, -1)] = nil
end

-- Opens the limbo wait after a team join or switch: dead time without a killer. A player
-- already dead keeps the open death (and its killer) until the wave spawn on the new team.
local function open_limbo(p, t)
  if p.open then return end
  local d = { at = t, killer_key = nil, killer_guid = nil, killer_slot = ENTITYNUM_NONE,
    kind = "team_change", mod = p.switched and MOD_SWITCHTEAM or MOD_UNKNOWN }
  p.open = d
  p.detail[#p.detail + 1] = d
end

function et_ClientSpawn(clientNum, revived, teamChange, restoreHealth)
  if not live() then return end
  local p = player_for_slot(clientNum, true)
  if not p then return end
  local t = now_level
  set_team(p, read_team(clientNum), t)
  local switched = p.switched
  p.switched = false
  if p.cur_team ~= TEAM_AXIS and p.cur_team ~= TEAM_ALLIES then return end -- spectator spawn
  if int(revived, 0) == 1 then -- a medic's action: between frames, levelTime is exact
    p.revives = p.revives + 1
    close_death(p, t, "revive")
  elseif int(teamChange, 0) == 1 then
    -- SetTeam / (re)connect: limbo follows unless within 600 ms of the round start (the
    -- map_restart reconnects, early joins), which is the round's first spawn into play
    local start = int(configstring(CS_LEVEL_START_TIME), t) or t
    if t - start > LIMBO_AFTER_JOIN_MS then
      p.switched = switched
      open_limbo(p, t)
      p.switched = false
    else
      p.spawns = p.spawns + 1
      close_death(p, t, "respawn")
    end
  else -- a reinforcement wave, inside the engine frame: closed at the next frame's levelTime
    p.spawns = p.spawns + 1
    if p.open then -- detached now: the player is alive, a new death opens a new interval
      in_frame_spawns[#in_frame_spawns + 1] = { p = p, d = p.open }
      p.open = nil
    end
  end
end

function et_Obituary(victim, killer, meansOfDeath)
  -- never return a value here: any value stops the modules loaded after this one
  if not live() then return end
  local mod = int(meansOfDeath, -1)
  victim, killer = int(victim, -1), int(killer, -1)
  if mod == MOD_SWITCHTEAM then -- SetTeam of a living player: not a death; limbo follows
    local sp = player_for_slot(victim, false)
    if sp then sp.switched = true end
    return
  end
  local vp = player_for_slot(victim, true)
  if not vp then return end
  -- player_die sets the client's deathTime to level.time before this hook: exact also for a
  -- death inside the server frame (missiles), which comes before this frame's et_RunFrame
  local t = now_level
  local dt = int(gent(victim, "deathTime"), nil)
  if dt and dt > t and dt <= t + 1000 then t = dt end
  set_team(vp, read_team(victim), t)
  if vp.open then close_death(vp, t, "death") end
  local kind, kp = "world", nil
  if killer == victim then
    kind, kp = "self", vp
  elseif killer >= 0 and killer < max_clients() and connected(killer) then
    kp = player_for_slot(killer, true)
    if kp then
      set_team(kp, read_team(killer), t)
      local kt, vt = kp.cur_team, vp.cur_team
      if (kt == TEAM_AXIS or kt == TEAM_ALLIES) and (vt == TEAM_AXIS or vt == TEAM_ALLIES) then
        kind = (kt == vt) and "team" or "enemy"
      else
        kp = nil
      end
    end
  end
  if kind == "self" then vp.self_kills = vp.self_kills + 1
  elseif kind == "team" then kp.team_kills = kp.team_kills + 1
  elseif kind == "enemy" then kp.kills = kp.kills + 1 end
  vp.deaths = vp.deaths + 1
  local d = { at = t, killer_key = kp and kp.key, killer_guid = kp and kp.guid,
    killer_slot = (killer >= 0) and killer or ENTITYNUM_WORLD, kind = kind, mod = mod }
  vp.open = d
  vp.detail[#vp.detail + 1] = d
end

function et_ClientCommand(clientNum, command)
  if live() then
    local ok0, a0 = pcall(et.trap_Argv, 0)
    local ok1, a1 = pcall(et.trap_Argv, 1)
    if ok0 and ok1 and tostring(a0):lower() == "callvote"
      and tostring(a1):lower() == "surrender" then
      local p = player_for_slot(clientNum, true)
      -- A vote typed after the Exit line cannot have caused it: the engine refuses votes once
      -- the intermission is queued, but this module sees the command before the engine does.
      -- Which Exit line is real is only known a frame later, so order votes and exit lines by
      -- a sequence number and let on_exit take the caller from before the confirmed line.
      if p then
        set_team(p, read_team(clientNum), now_level)
        R.seq = (R.seq or 0) + 1
        R.votes[#R.votes + 1] = { key = p.key, guid = p.guid, name = p.name, team = p.cur_team,
          at = now_level, seq = R.seq }
      end
    end
  end
  return 0 -- pass the command on
end

function et_Quit()
  if R ~= nil and not R.emitted and R.state == "running" then
    if in_frame_spawns[1] then flush_in_frame(now_level) end
    local ok, why = pcall(persist_round)
    if ok then
      print_line("round state saved for the next VM (lua_restart)")
    else
      print_line("WARNING: cannot save the round state (" .. tostring(why)
        .. "): writing it as a partial file")
      emit("lua_restart")
    end
  end
  if sign_jobs[1] then run_sign_jobs(true) end
end

-- A VM started without et_InitGame (lua_restart) picks up the round the old VM saved.
do
  local ok, resumed = pcall(function()
    load_constants()
    if int(cvar("gamestate"), -1) ~= GS_PLAYING then return false end
    return resume_round()
  end)
  if ok and resumed then
    init_seen = true
    local cfg, line = find_config()
    config = cfg
    debug_enabled = cfg ~= nil and cfg.debug
    print_line("v" .. VERSION .. " (" .. _VERSION .. "): resumed the running round after a VM "
      .. "restart; " .. line)
  elseif not ok then
    print_line("WARNING: resuming the round failed: " .. tostring(resumed))
  end
end

-- Internals for tests (the engine ignores a chunk's return values).
return {
  VERSION = VERSION, NULL = NULL, obj = obj, json_encode = json_encode, utf8_clean = utf8_clean,
  sha256_hex = sha256_hex, hmac_sha256_hex = hmac_sha256_hex, validate_config = validate_config,
  load_config_file = load_config_file, find_config = find_config,
  set_config = function(c) config = c end,
  pending_signatures = function() return #sign_jobs end,
  sha_job = sha_job, sha_job_step = sha_job_step, sha_job_digest = sha_job_digest,
  ob_enqueue = ob_enqueue, ob_sweep = ob_sweep, heartbeat_due = heartbeat_due,
  connected_players = connected_players,
  ob_entries = function() return ob.entries end,
  discord_payload = discord_payload, clip = clip,
  gametimes_dir = gametimes_dir, outbox_dir = outbox_dir, config_candidates = config_candidates,
}
