-- KEYS: event, history, unsettled, publishing   ARGV: event_id, token, now, status_prefix
-- After a publish: 'received' -> 'queued' only (compare-and-set; a worker that already moved
-- the event on keeps its state), and the caller's publish claim is released.
if redis.call('GET', KEYS[4]) == ARGV[2] then
  redis.call('DEL', KEYS[4])
end
local current = redis.call('HGET', KEYS[1], 'status')
if current ~= 'received' then
  return current or ''
end
local now = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'status', 'queued', 'updated_at', ARGV[3])
redis.call('ZREM', ARGV[4] .. 'received', ARGV[1])
redis.call('ZADD', ARGV[4] .. 'queued', now, ARGV[1])
local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[3]) or now
redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
redis.call('RPUSH', KEYS[2], cjson.encode({status = 'queued', at = now, note = 'published'}))
return 'received'
