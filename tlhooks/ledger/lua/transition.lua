-- TRANSITION: move an event to a target state if the state machine allows it from the state
-- actually stored, setting the given fields in the same step; a move made by a worker run is
-- refused once that run no longer owns the event (owns_event, run_owner.lua, loaded first).
-- KEYS[1] event, KEYS[2] history, KEYS[3] unsettled, KEYS[4] lease,
--      KEYS[5..] every status index, in the order of ARGV[5]
-- ARGV[1] event_id, ARGV[2] target, ARGV[3] now, ARGV[4] note,
--      ARGV[5] status names (comma-separated), ARGV[6] allowed sources (comma-separated),
--      ARGV[7] target_is_settled ('1' or '0'), ARGV[8] run token ('' outside a run),
--      ARGV[9..] field, value, field, value, ...
-- Returns {'ok', previous} or {'missing', ''} or {'refused', current} or {'lost', current}.
local event_key, history_key, unsettled_key, lease_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local event_id, target = ARGV[1], ARGV[2]
local now = tonumber(ARGV[3])
local note = ARGV[4]
local indexes = status_indexes(ARGV[5])
local allowed_sources, target_is_settled = ARGV[6], ARGV[7] == '1'
local token = ARGV[8]
local first_field = 9

local current = redis.call('HGET', event_key, 'status')
if not current then
  return {'missing', ''}
end
local allowed = false
for source in string.gmatch(allowed_sources, '[^,]+') do
  if source == current then allowed = true end
end
if not allowed then
  return {'refused', current}
end
if token ~= '' and not owns_event(lease_key, event_key, token) then
  return {'lost', current}
end
redis.call('HSET', event_key, 'status', target, 'updated_at', ARGV[3])
for i = first_field, #ARGV, 2 do
  redis.call('HSET', event_key, ARGV[i], ARGV[i + 1])
end
if target_is_settled then
  redis.call('ZREM', unsettled_key, event_id)
else
  local received = tonumber(redis.call('HGET', event_key, 'received_at') or ARGV[3]) or now
  redis.call('ZADD', unsettled_key, 'NX', received, event_id)
end
redis.call('ZREM', indexes[current], event_id)
redis.call('ZADD', indexes[target], now, event_id)
redis.call('RPUSH', history_key, cjson.encode({status = target, at = now, note = note}))
return {'ok', current}
