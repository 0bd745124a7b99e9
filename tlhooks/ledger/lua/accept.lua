-- KEYS: event, history, task, task_events, all_events, unsettled, queue, publishing,
--       deliveries, redelivered, reused
-- ARGV: event_id, kind ('' when not a task event), other_kind, now, status_prefix,
--       requested_status, history_note, message ('' to leave queueing to the caller),
--       publish token, publish claim ms, body sha256, field, value, field, value, ...
-- Returns {outcome, status, related, claimed ('1' when the caller must publish), same body}.
-- The claim (KEYS[8], SET NX with a TTL) makes exactly one delivery of a 'received' event
-- publish it; the delivery log keeps the first 100 deliveries, the counters all of them.
local now = tonumber(ARGV[4])
local function log_delivery(same)
  if redis.call('LLEN', KEYS[9]) < 100 then
    redis.call('RPUSH', KEYS[9], cjson.encode({at = now, body_sha256 = ARGV[11], same = same}))
  end
end
local function claim()
  if redis.call('SET', KEYS[8], ARGV[9], 'NX', 'PX', ARGV[10]) then return '1' end
  return '0'
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'deliveries', 1)
  local first = redis.call('HGET', KEYS[1], 'body_sha256')
  local same = (not first) or first == '' or first == ARGV[11]
  local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[4]) or now
  redis.call('ZADD', KEYS[10], 'NX', received, ARGV[1])
  if not same then
    redis.call('HINCRBY', KEYS[1], 'reused_deliveries', 1)
    redis.call('ZADD', KEYS[11], 'NX', received, ARGV[1])
  end
  log_delivery(same)
  local current = redis.call('HGET', KEYS[1], 'status')
  local claimed = '0'
  if current == 'received' then claimed = claim() end
  return {'redelivered', current, '', claimed, same and '1' or '0'}
end
local status = ARGV[6]
local related = ''
local kind = ARGV[2]
if kind ~= '' then
  local first = redis.call('HGET', KEYS[3], kind)
  if first then
    status = 'duplicate'
    related = first
    redis.call('HSET', KEYS[1], 'duplicate_of', first)
  else
    local other = redis.call('HGET', KEYS[3], ARGV[3])
    if other then
      status = 'conflict'
      related = other
      redis.call('HSET', KEYS[1], 'conflict_with', other)
    end
    redis.call('HSET', KEYS[3], kind, ARGV[1])
  end
end
for i = 12, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'body_sha256', ARGV[11])
log_delivery(true)
local claimed = '0'
if status == 'received' and ARGV[8] ~= '' then
  redis.call('LPUSH', KEYS[7], ARGV[8])
  redis.call('RPUSH', KEYS[2], cjson.encode({status = 'received', at = now, note = ARGV[7]}))
  status = 'queued'
  ARGV[7] = 'published'
elseif status == 'received' then
  claimed = claim()
end
redis.call('HSET', KEYS[1], 'status', status)
redis.call('ZADD', KEYS[5], now, ARGV[1])
if kind ~= '' or redis.call('HGET', KEYS[1], 'task_id') ~= '' then
  redis.call('ZADD', KEYS[4], now, ARGV[1])
end
redis.call('ZADD', ARGV[5] .. status, now, ARGV[1])
if status == 'received' or status == 'queued' then
  redis.call('ZADD', KEYS[6], now, ARGV[1])
end
redis.call('RPUSH', KEYS[2], cjson.encode({status = status, at = now, note = ARGV[7]}))
return {'created', status, related, claimed, '1'}
