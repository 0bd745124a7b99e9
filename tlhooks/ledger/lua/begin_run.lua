-- BEGIN_RUN: claim the event for one worker run, unless it is settled or another run holds it.
-- KEYS[1] event, KEYS[2] lease
-- ARGV[1] run token, ARGV[2] lease ms, ARGV[3] settled statuses (comma-separated)
-- Returns {'claimed', status, crashes} or {'busy', status, lease ms left} or
-- {'settled', status, 0} or {'missing', '', 0}.
local event_key, lease_key = KEYS[1], KEYS[2]
local token, lease_ms, settled_statuses = ARGV[1], ARGV[2], ARGV[3]

local status = redis.call('HGET', event_key, 'status')
if not status then
  return {'missing', '', 0}
end
for settled in string.gmatch(settled_statuses, '[^,]+') do
  if settled == status then return {'settled', status, 0} end
end
if redis.call('EXISTS', lease_key) == 1 then
  return {'busy', status, redis.call('PTTL', lease_key)}
end
redis.call('SET', lease_key, token, 'PX', lease_ms)
local previous = redis.call('HGET', event_key, 'running')
local crashes = tonumber(redis.call('HGET', event_key, 'crashes') or '0') or 0
if previous and previous ~= '' then
  crashes = redis.call('HINCRBY', event_key, 'crashes', 1)
end
redis.call('HSET', event_key, 'running', token)
redis.call('HINCRBY', event_key, 'runs', 1)
return {'claimed', status, crashes}
