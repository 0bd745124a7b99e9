-- Prelude of REQUEUE_STALE and REQUEUE_DUE (loaded after status_index.lua, before them): a
-- move(status, target, note) function that moves the event from ``status`` to ``target``
-- (queued or dead) with its indexes and history, and pushes its message when one is given.
-- Both scripts share this KEYS/ARGV layout:
-- KEYS[1] event, KEYS[2] history, KEYS[3] unsettled, KEYS[4] lease, KEYS[5] schedule,
--      KEYS[6] queue (the broker's list), KEYS[7] publishing,
--      KEYS[8..] every status index, in the order of ARGV[4]
-- ARGV[1] event_id, ARGV[2] now, ARGV[3] note, ARGV[4] status names (comma-separated),
--      ARGV[5] message ('' to leave publishing to the caller), ARGV[6..] the script's own
local event_key, history_key, unsettled_key = KEYS[1], KEYS[2], KEYS[3]
local lease_key, schedule_key, queue_key, publishing_key = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local event_id = ARGV[1]
local now = tonumber(ARGV[2])
local requeue_note = ARGV[3]
local indexes = status_indexes(ARGV[4])
local message = ARGV[5]

local function move(status, target, note)
  redis.call('HSET', event_key, 'status', target, 'updated_at', ARGV[2])
  if target == 'dead' then
    redis.call('HSET', event_key, 'last_error', note)
    redis.call('ZREM', unsettled_key, event_id)
  else
    local received = tonumber(redis.call('HGET', event_key, 'received_at') or ARGV[2]) or now
    redis.call('ZADD', unsettled_key, 'NX', received, event_id)
  end
  redis.call('ZREM', schedule_key, event_id)
  redis.call('ZREM', indexes[status], event_id)
  redis.call('ZADD', indexes[target], now, event_id)
  redis.call('RPUSH', history_key, cjson.encode({status = target, at = now, note = note}))
  if target == 'queued' and message ~= '' then
    -- the consuming end (workers BRPOP), as kombu restores a message: a rescued or retried
    -- event is older than anything waiting, so it does not queue behind a backlog
    redis.call('RPUSH', queue_key, message)
  end
  return {target, status}
end
