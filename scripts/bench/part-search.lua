-- wrk script: part searches with one or two words from a spare-parts vocabulary (scripts/bench-catalog).
local words = { "brake", "pads", "disc", "filter", "oil", "pump", "seal", "premium", "golf", "bosch", "heavy", "front" }
math.randomseed(7)
request = function()
  local q = words[math.random(#words)]
  if math.random() < 0.5 then q = q .. "%20" .. words[math.random(#words)] end
  return wrk.format("GET", "/api/v1/parts?limit=50&q=" .. q)
end
