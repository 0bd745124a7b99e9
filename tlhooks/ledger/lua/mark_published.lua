-- MARK_PUBLISHED: after a publish, 'received' -> 'queued' only (compare-and-set: a worker that
-- already moved the event on keeps its state), and the caller's publish claim is released.
-- KEYS[1] event, KEYS[2] history, KEYS[3] unsettled, KEYS[4] publishing,
--      KEYS[5..] every status index, in the order of ARGV[4]
-- ARGV[1] event_id, ARGV[2] publish token, ARGV[3] now, ARGV[4] status names (comma-separated)
-- Returns the state found ('' when the event does not exist).
local event_key, history_key, unsettled_key, publishing_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local event_id, publish_token = ARGV[1], ARGV[2]
local now = tonumber(ARGV[3])
local indexes = status_indexes(ARGV[4])

if redis.call('GET', publishing_key) == publish_token then
  redis.call('DEL', publishing_key)
end
local current = redis.call('HGET', event_key, 'status')
if current ~= 'received' then
  return current or ''
end
redis.call('HSET', event_key, 'status', 'queued', 'updated_at', ARGV[3])
redis.call('ZREM', indexes['received'], event_id)
redis.call('ZADD', indexes['queued'], now, event_id)
local received = tonumber(redis.call('HGET', event_key, 'received_at') or ARGV[3]) or now
redis.call('ZADD', unsettled_key, 'NX', received, event_id)
redis.call('RPUSH', history_key, cjson.encode({status = 'queued', at = now, note = 'published'}))
return 'received'
