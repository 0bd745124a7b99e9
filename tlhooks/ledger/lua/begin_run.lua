-- KEYS: event, lease
-- ARGV: token, lease_ms, settled statuses (comma-separated)
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return {'missing', '', 0}
end
for settled in string.gmatch(ARGV[3], '[^,]+') do
  if settled == status then return {'settled', status, 0} end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'busy', status, redis.call('PTTL', KEYS[2])}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local previous = redis.call('HGET', KEYS[1], 'running')
local crashes = tonumber(redis.call('HGET', KEYS[1], 'crashes') or '0') or 0
if previous and previous ~= '' then
  crashes = redis.call('HINCRBY', KEYS[1], 'crashes', 1)
end
redis.call('HSET', KEYS[1], 'running', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'runs', 1)
return {'claimed', status, crashes}
