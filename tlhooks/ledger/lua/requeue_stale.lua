-- REQUEUE_STALE: the sweeper's rescue, as one decision: the event is still in the state it was
-- found in, has been there since before the cutoff, no run holds its lease and no retry is
-- scheduled. Then it counts a requeue and goes back to queued, or to dead past the attempt
-- limit. A waiting event (received, queued) is left alone while the broker's queue is not empty
-- (when the broker is this Redis): its message may be waiting there, behind a backlog, and
-- needs no second copy.
-- KEYS and ARGV[1..5] as in move.lua (its prelude, with status_index.lua, is loaded first);
-- ARGV[6] expected status, ARGV[7] cutoff, ARGV[8] max requeues, ARGV[9] note when dead.
-- Returns {'queued' | 'dead', previous} or {why not, status}.
local expected_status = ARGV[6]
local cutoff = tonumber(ARGV[7])
local max_requeues = tonumber(ARGV[8])
local dead_note = ARGV[9]

local status = redis.call('HGET', event_key, 'status')
if not status then return {'missing', ''} end
if status ~= expected_status then return {'moved', status} end
local entered = tonumber(redis.call('ZSCORE', indexes[status], event_id) or ARGV[2])
if entered > cutoff then return {'moved', status} end
if redis.call('EXISTS', lease_key) == 1 then return {'running', status} end
if redis.call('ZSCORE', schedule_key, event_id) then return {'scheduled', status} end
if message ~= '' and (status == 'queued' or status == 'received')
    and redis.call('LLEN', queue_key) > 0 then
  return {'waiting', status}  -- its message may still be in the queue: no second copy
end
if status == 'received' and redis.call('EXISTS', publishing_key) == 1 then
  return {'publishing', status}  -- a receiver holds the publish claim: it publishes, not us
end
local requeues = redis.call('HINCRBY', event_key, 'requeues', 1)
if requeues > max_requeues then
  return move(status, 'dead', dead_note)
end
return move(status, 'queued', requeue_note)
