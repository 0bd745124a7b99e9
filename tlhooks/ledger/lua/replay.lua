-- KEYS: event, history, unsettled, lease, outcomes, schedule
-- ARGV: event_id, now, note, status_prefix, replayable (comma-separated), replay_id,
--       clear_task ('1'/'0'), clear_validation ('1'/'0'), reset ('all' | 'unsucceeded' | name)
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return {'missing', ''}
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  return {'running', status}
end
local replayable = false
for candidate in string.gmatch(ARGV[5], '[^,]+') do
  if candidate == status then replayable = true end
end
if not replayable then
  return {'refused', status}
end
local now = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'status', 'queued', 'updated_at', ARGV[2], 'replay_id', ARGV[6],
  'crashes', 0, 'requeues', 0, 'running', '', 'next_attempt_at', '')
redis.call('HINCRBY', KEYS[1], 'replays', 1)
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[1], 'task', '', 'attempts', 0)
end
if ARGV[8] == '1' then
  redis.call('HSET', KEYS[1], 'validation', '')
end
if ARGV[9] == 'all' then
  redis.call('DEL', KEYS[5])
elseif ARGV[9] == 'unsucceeded' then
  local outcomes = redis.call('HGETALL', KEYS[5])
  for i = 1, #outcomes, 2 do
    if cjson.decode(outcomes[i + 1])['state'] ~= 'succeeded' then
      redis.call('HDEL', KEYS[5], outcomes[i])
    end
  end
else
  redis.call('HDEL', KEYS[5], ARGV[9])
end
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', ARGV[4] .. status, ARGV[1])
redis.call('ZADD', ARGV[4] .. 'queued', now, ARGV[1])
local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[2]) or now
redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
redis.call('RPUSH', KEYS[2], cjson.encode({status = 'queued', at = now, note = ARGV[3]}))
return {'ok', status}
