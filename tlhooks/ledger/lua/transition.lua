-- KEYS: event, history, unsettled
-- ARGV: event_id, target, now, note, status_prefix, allowed_sources (comma-separated),
--       target_is_settled ('1' or '0'), field, value, ...
local current = redis.call('HGET', KEYS[1], 'status')
if not current then
  return {'missing', ''}
end
local allowed = false
for source in string.gmatch(ARGV[6], '[^,]+') do
  if source == current then allowed = true end
end
if not allowed then
  return {'refused', current}
end
local now = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[3])
for i = 8, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if ARGV[7] == '1' then
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[3]) or now
  redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
end
redis.call('ZREM', ARGV[5] .. current, ARGV[1])
redis.call('ZADD', ARGV[5] .. ARGV[2], now, ARGV[1])
redis.call('RPUSH', KEYS[2], cjson.encode({status = ARGV[2], at = now, note = ARGV[4]}))
return {'ok', current}
