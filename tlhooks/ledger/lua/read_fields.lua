-- READ_FIELDS: a few fields of many events in one call, for filters no index answers (one
-- reply instead of one per event: the client's cost per event is what bounds a list).
-- KEYS[1..] event hashes
-- ARGV[1..] field names
-- Returns, per event, its values in the order of ARGV (an empty list when it is not stored).
local found = {}
for i, event_key in ipairs(KEYS) do
  if redis.call('EXISTS', event_key) == 1 then
    found[i] = redis.call('HMGET', event_key, unpack(ARGV))
  else
    found[i] = {}
  end
end
return found
