-- UPDATE: set fields of an event that exists (never create a record without a state).
-- KEYS[1] event
-- ARGV[1..] field, value, field, value, ...
-- Returns 1 when set, 0 when the event is not in the ledger.
local event_key = KEYS[1]

if redis.call('EXISTS', event_key) == 0 then return 0 end
for i = 1, #ARGV, 2 do
  redis.call('HSET', event_key, ARGV[i], ARGV[i + 1])
end
return 1
