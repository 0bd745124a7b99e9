-- A scheduled retry that is due, as one decision: off the schedule and back to queued, unless
-- a run holds the event (then it is re-checked in a second) or it settled meanwhile.
-- KEYS as _MOVE.  ARGV[6] retryable statuses (comma-separated)
-- Loaded after move.lua, whose move() function it calls.
local due = redis.call('ZSCORE', KEYS[5], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return {'not-due', ''} end
local status = redis.call('HGET', KEYS[1], 'status')
local retryable = false
for candidate in string.gmatch(ARGV[6], '[^,]+') do
  if candidate == status then retryable = true end
end
if not retryable then
  redis.call('ZREM', KEYS[5], ARGV[1])
  return {'settled', status or ''}
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('ZADD', KEYS[5], tonumber(ARGV[2]) + 1, ARGV[1])
  return {'running', status}
end
return move(status, 'queued', ARGV[3])
