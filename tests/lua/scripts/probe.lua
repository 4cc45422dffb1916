-- Test module: prints what it observes through the et API as "PROBE ..." console lines.
local function out(...)
  local t = {}
  for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
  et.G_Print("PROBE " .. table.concat(t, " ") .. "\n")
end
local frames = 0

function et_InitGame(levelTime, seed, restart)
  et.RegisterModname("probe")
  out("init", levelTime, restart, et.trap_Cvar_Get("gamestate"), et.trap_Cvar_Get("g_currentRound"),
      et.trap_Cvar_Get("timelimit"), frames)
  out("consts", tostring(et.PM_DEAD), et.PM_FREEZE, et.TEAM_AXIS, et.TEAM_SPECTATOR,
      et.GS_INTERMISSION, et.MAX_CLIENTS, et.CS_SERVERTOGGLES)
  local ok, err = pcall(function()
    local value = et.gentity_get(16, "pers.connected")
    return value
  end)
  out("gentity16", tostring(ok), err)
  out("gentity15", et.gentity_get(15, "pers.connected"), et.gentity_get(20, "health"))
  out("unknown_cvar", "[" .. et.trap_Cvar_Get("no_such_cvar") .. "]")
  local p = io.popen("echo hello")
  out("popen", p:read("l"))
  p:close()
  out("clocks", levelTime, et.trap_Milliseconds(), os.time(), os.date("!%Y", os.time()))
end

function et_RunFrame(levelTime)
  frames = frames + 1
  local toggles = tonumber(et.trap_GetConfigstring(et.CS_SERVERTOGGLES)) or 0
  local start = tonumber(et.trap_GetConfigstring(et.CS_LEVEL_START_TIME)) or 0
  if frames % 20 == 0 or (toggles & 16) ~= 0 then
    out("frame", levelTime, et.trap_Milliseconds(), os.time(), toggles & 16, levelTime - start,
        et.trap_Cvar_Get("gamestate"), et.gentity_get(0, "ps.pm_type"))
  end
end

function et_Print(text)
  if string.sub(text, 1, 5) == "Exit:" then
    out("exit", et.trap_Cvar_Get("g_currentRound"), et.trap_Cvar_Get("g_nextTimeLimit"),
        et.trap_GetConfigstring(et.CS_INTERMISSION), et.trap_GetConfigstring(et.CS_MULTI_MAPWINNER))
  end
end

function et_ClientConnect(n, first, bot)
  local ui = et.trap_GetUserinfo(n)
  out("connect", n, first, bot, et.Info_ValueForKey(ui, "cl_guid"),
      string.format("%q", et.gentity_get(n, "pers.netname")))
end

function et_ClientSpawn(n, revived, teamChange, restoreHealth)
  out("spawn", n, revived, teamChange, et.gentity_get(n, "pers.lastSpawnTime"))
end

function et_Obituary(victim, killer, mod)
  out("obituary", victim, killer, mod, et.gentity_get(victim, "health"))
end

function et_ClientCommand(n, command)
  out("command", n, command, et.trap_Argc(), et.trap_Argv(0), et.trap_Argv(1))
  return 0
end

function et_ShutdownGame(restart)
  out("shutdown", restart, et.trap_Cvar_Get("gamestate"))
end
