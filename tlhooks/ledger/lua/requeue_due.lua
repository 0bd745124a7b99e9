-- REQUEUE_DUE: a scheduled retry that is due, as one decision: off the schedule and back to
-- queued, unless a run holds the event (then it is re-checked in a second) or it settled.
-- KEYS and ARGV[1..5] as in move.lua (its prelude, with status_index.lua, is loaded first);
-- ARGV[6] retryable statuses (comma-separated).
-- Returns {'queued', previous} or {'not-due' | 'settled' | 'running', status}.
local retryable_statuses = ARGV[6]

local due = redis.call('ZSCORE', schedule_key, event_id)
if not due or tonumber(due) > now then return {'not-due', ''} end
local status = redis.call('HGET', event_key, 'status')
local retryable = false
for candidate in string.gmatch(retryable_statuses, '[^,]+') do
  if candidate == status then retryable = true end
end
if not retryable then
  redis.call('ZREM', schedule_key, event_id)
  return {'settled', status or ''}
end
if redis.call('EXISTS', lease_key) == 1 then
  redis.call('ZADD', schedule_key, now + 1, event_id)
  return {'running', status}
end
return move(status, 'queued', requeue_note)
