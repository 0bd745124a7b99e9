-- INCREMENT: add to a counter of an event that exists (never create a record without a state).
-- KEYS[1] event
-- ARGV[1] field, ARGV[2] amount
-- Returns {1, new value}, or {0, 0} when the event is not in the ledger.
local event_key = KEYS[1]
local field, amount = ARGV[1], tonumber(ARGV[2])

if redis.call('EXISTS', event_key) == 0 then return {0, 0} end
return {1, redis.call('HINCRBY', event_key, field, amount)}
