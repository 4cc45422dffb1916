-- Test module: records every callback it receives into a file (one line each).
local out = nil
local function rec(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  local path = et.trap_Cvar_Get("fs_homepath") .. "/recorder.log"
  local f = io.open(path, "a")
  f:write(table.concat(parts, " "), "\n")
  f:close()
end
function et_InitGame(t, seed, restart) et.RegisterModname("recorder") rec("InitGame", restart, et.trap_Cvar_Get("gamestate")) end
function et_ShutdownGame(restart) rec("ShutdownGame", restart, et.trap_Cvar_Get("gamestate")) end
function et_Obituary(v, k, m) rec("Obituary", v, k, m) end
function et_ClientConnect(n, first, bot) rec("ClientConnect", n, first, bot) end
function et_ClientSpawn(n, revived, tc, rh) rec("ClientSpawn", n, revived) end
function et_Print(text) if string.sub(text, 1, 5) == "Exit:" then rec("Print", (string.gsub(text, "\n", ""))) end end
