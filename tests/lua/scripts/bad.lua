-- A deliberately bad gametimes script: every mistake lua-check must catch.
leaked_state = 0 -- a global created at load time

function et_RunFrame(levelTime)
  -- LuaJIT/5.1 'bit' library: does not exist on the server's Lua 5.4
  if bit.band(levelTime, 16) ~= 0 then
    leaked_state = leaked_state + 1
  end
end

function et_Obituary(victim, killer, mod)
  counter = (counter or 0) + 1 -- a global created at run time
  return 0 -- a number stops the engine's walk: later modules starve
end
