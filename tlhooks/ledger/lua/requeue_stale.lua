-- The sweeper's rescue, as one decision: the event is still in the state it was found in, has
-- been there since before the cutoff, no run holds its lease and no retry is scheduled. Then it
-- counts a requeue and goes back to queued, or to dead past the attempt limit. A waiting event
-- (received, queued) is left alone while the broker's queue is not empty (when the broker is
-- this Redis): its message may be waiting there, behind a backlog, and needs no second copy.
-- KEYS as _MOVE, then KEYS[7] the publish claim.  ARGV[6] expected status, ARGV[7] cutoff,
-- ARGV[8] max requeues, ARGV[9] note when dead
-- Loaded after move.lua, whose move() function it calls.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing', ''} end
if status ~= ARGV[6] then return {'moved', status} end
local entered = tonumber(redis.call('ZSCORE', ARGV[4] .. status, ARGV[1]) or ARGV[2])
if entered > tonumber(ARGV[7]) then return {'moved', status} end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'running', status} end
if redis.call('ZSCORE', KEYS[5], ARGV[1]) then return {'scheduled', status} end
if ARGV[5] ~= '' and (status == 'queued' or status == 'received')
    and redis.call('LLEN', KEYS[6]) > 0 then
  return {'waiting', status}  -- its message may still be in the queue: no second copy
end
if status == 'received' and redis.call('EXISTS', KEYS[7]) == 1 then
  return {'publishing', status}  -- a receiver holds the publish claim: it publishes, not us
end
local requeues = redis.call('HINCRBY', KEYS[1], 'requeues', 1)
if requeues > tonumber(ARGV[8]) then
  return move(status, 'dead', ARGV[9])
end
return move(status, 'queued', ARGV[3])
