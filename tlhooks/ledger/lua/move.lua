-- The end of REQUEUE_STALE and REQUEUE_DUE: move the event from ``status`` to ``target``
-- (queued or dead) with its indexes and history, and push its message when one is given.
-- KEYS: event, history, unsettled, lease, schedule, queue
-- ARGV[1] event_id, ARGV[2] now, ARGV[3] note, ARGV[4] status_prefix, ARGV[5] message
local function move(status, target, note)
  local now = tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'status', target, 'updated_at', ARGV[2])
  if target == 'dead' then
    redis.call('HSET', KEYS[1], 'last_error', note)
    redis.call('ZREM', KEYS[3], ARGV[1])
  else
    local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[2]) or now
    redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
  end
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('ZREM', ARGV[4] .. status, ARGV[1])
  redis.call('ZADD', ARGV[4] .. target, now, ARGV[1])
  redis.call('RPUSH', KEYS[2], cjson.encode({status = target, at = now, note = note}))
  if target == 'queued' and ARGV[5] ~= '' then
    -- the consuming end (workers BRPOP), as kombu restores a message: a rescued or retried
    -- event is older than anything waiting, so it does not queue behind a backlog
    redis.call('RPUSH', KEYS[6], ARGV[5])
  end
  return {target, status}
end
