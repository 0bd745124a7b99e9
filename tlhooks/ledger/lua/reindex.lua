-- REINDEX: put one event stored before the type, custom_id and handler indexes existed into
-- them, and count it in handler_outcomes unless it already counts ('tallied'). Idempotent, and
-- safe while workers run: an event counts exactly once, and every later change to its
-- outcomes moves its counts (handler_tally.lua, loaded first).
-- KEYS[1] event, KEYS[2] outcomes, KEYS[3] all_events, KEYS[4] the type's index,
--      KEYS[5] custom_ids, KEYS[6] handler_outcomes,
--      KEYS[7..] the index of each handler in the 'handlers' field, in its order
-- ARGV[1] event_id, ARGV[2] the 'handlers' field as read, ARGV[3] event_type as read
-- Returns 'tallied' (counted now), 'indexed' (it counted already), 'missing' or 'changed'.
local event_key, outcomes_key, all_events_key = KEYS[1], KEYS[2], KEYS[3]
local type_key, custom_ids_key, handler_outcomes_key = KEYS[4], KEYS[5], KEYS[6]
local event_id, read_handlers, read_type = ARGV[1], ARGV[2], ARGV[3]
local handler_keys = {}
for i = 7, #KEYS do handler_keys[#handler_keys + 1] = KEYS[i] end

local stored = redis.call('HMGET', event_key, 'status', 'handlers', 'event_type', 'custom_id',
  'received_at', 'tallied')
if not stored[1] then return 'missing' end
if (stored[2] or '') ~= read_handlers or (stored[3] or '') ~= read_type then
  return 'changed'
end
local arrived = redis.call('ZSCORE', all_events_key, event_id)
if not arrived then
  arrived = tonumber(stored[5]) or 0
  redis.call('ZADD', all_events_key, arrived, event_id)
end
redis.call('ZADD', type_key, arrived, event_id)
redis.call('ZADD', custom_ids_key, 0, (stored[4] or '') .. '\0' .. event_id)
for _, handler_key in ipairs(handler_keys) do redis.call('ZADD', handler_key, arrived, event_id) end
if stored[6] == '1' then return 'indexed' end
redis.call('HSET', event_key, 'tallied', '1')
apply_tally(handler_outcomes_key, {}, handler_tally(event_key, outcomes_key))
return 'tallied'
