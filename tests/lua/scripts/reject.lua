-- Returns a number from et_ClientConnect: the engine rejects every client.
function et_ClientConnect(clientNum, firstTime, isBot)
  return 0
end
