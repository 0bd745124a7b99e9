-- Prelude of the scripts that move an event between states; scripts.py loads it before them.
-- Such a script receives every status index (one sorted set per state) as the last entries of
-- KEYS, in the order of its 'status names' ARGV entry (comma-separated names). status_indexes()
-- maps a state's name to its KEYS entry, so no index key is ever built inside a script.
local function status_indexes(names)
  local count = 0
  for _ in string.gmatch(names, '[^,]+') do count = count + 1 end
  local indexes = {}
  local slot = #KEYS - count
  for name in string.gmatch(names, '[^,]+') do
    slot = slot + 1
    indexes[name] = KEYS[slot]
  end
  return indexes
end
