-- Raises in et_RunFrame on every frame but still counts them (the VM keeps being called).
local frames = 0
function et_RunFrame(levelTime)
  frames = frames + 1
  if frames % 2 == 0 then
    et.G_Print("frames " .. frames .. "\n")
  end
  error("boom at " .. levelTime)
end
