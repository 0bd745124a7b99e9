-- CLAIM_DUE: atomically take the events whose next attempt is due off the schedule.
-- KEYS[1] schedule
-- ARGV[1] now, ARGV[2] limit
-- Returns the ids taken. Only the schedule is touched: no per-event key.
local schedule_key = KEYS[1]
local now, limit = ARGV[1], tonumber(ARGV[2])

local due = redis.call('ZRANGEBYSCORE', schedule_key, '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(due) do
  redis.call('ZREM', schedule_key, id)
end
return due
