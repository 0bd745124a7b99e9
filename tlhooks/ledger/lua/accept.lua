-- ACCEPT: store a new delivery, or count a redelivery of a known event id.
-- KEYS[1] event, KEYS[2] history, KEYS[3] task, KEYS[4] task_events, KEYS[5] all_events,
--      KEYS[6] unsettled, KEYS[7] queue (the broker's list), KEYS[8] publishing,
--      KEYS[9] deliveries, KEYS[10] redelivered, KEYS[11] reused, KEYS[12] the type's index,
--      KEYS[13] custom_ids, KEYS[14] handler_outcomes, KEYS[15] outcomes,
--      KEYS[16..15+ARGV[12]] the index of each handler in the 'handlers' field, in its order,
--      then every status index, in the order of ARGV[5]
-- ARGV[1] event_id, ARGV[2] kind ('' when not a task event), ARGV[3] other_kind, ARGV[4] now,
--      ARGV[5] status names (comma-separated), ARGV[6] requested_status, ARGV[7] history_note,
--      ARGV[8] message ('' to leave queueing to the caller), ARGV[9] publish token,
--      ARGV[10] publish claim ms, ARGV[11] body sha256, ARGV[12] number of handlers,
--      ARGV[13..] field, value, field, value...
-- Returns {outcome, status, related, claimed ('1' when the caller must publish), same body}.
-- The claim (SET NX with a TTL) makes exactly one delivery of a 'received' event publish it;
-- the delivery log keeps the first 100 deliveries, the counters all of them. A new event joins
-- the arrival, type, custom_id and handler indexes and is counted in handler_outcomes
-- (handler_tally.lua, loaded first with status_index.lua).
local event_key, history_key, task_key, task_events_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local all_events_key, unsettled_key, queue_key = KEYS[5], KEYS[6], KEYS[7]
local publishing_key, deliveries_key = KEYS[8], KEYS[9]
local redelivered_key, reused_key, type_key, custom_ids_key = KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local handler_outcomes_key, outcomes_key = KEYS[14], KEYS[15]
local event_id, kind, other_kind = ARGV[1], ARGV[2], ARGV[3]
local now = tonumber(ARGV[4])
local indexes = status_indexes(ARGV[5])
local requested, note, message = ARGV[6], ARGV[7], ARGV[8]
local publish_token, claim_ms, body_sha256 = ARGV[9], ARGV[10], ARGV[11]
local handler_count = tonumber(ARGV[12])
local first_field = 13
local handler_keys = {}
for i = 1, handler_count do handler_keys[i] = KEYS[15 + i] end

local handlers = {}
for i = first_field, #ARGV, 2 do
  if ARGV[i] == 'handlers' and ARGV[i + 1] ~= '' then handlers = cjson.decode(ARGV[i + 1]) end
end
if #handlers ~= handler_count then
  return redis.error_reply('ACCEPT: the handlers field names ' .. #handlers ..
    ' handlers but ' .. handler_count .. ' handler indexes were passed')
end

local function log_delivery(same)
  -- a compacted event's earlier deliveries are in its archive: its counter says how many
  local logged = redis.call('LLEN', deliveries_key)
  if redis.call('HEXISTS', event_key, 'z0') == 1 then
    logged = tonumber(redis.call('HGET', event_key, 'deliveries') or '1') - 1
  end
  if logged < 100 then
    local entry = cjson.encode({at = now, body_sha256 = body_sha256, same = same})
    redis.call('RPUSH', deliveries_key, entry)
  end
end
local function claim()
  if redis.call('SET', publishing_key, publish_token, 'NX', 'PX', claim_ms) then return '1' end
  return '0'
end

if redis.call('EXISTS', event_key) == 1 then
  redis.call('HINCRBY', event_key, 'deliveries', 1)
  local first = redis.call('HGET', event_key, 'body_sha256')
  -- a compacted record keeps the first 128 bits of the hash (compaction.py)
  local same = (not first) or first == '' or first == string.sub(body_sha256, 1, #first)
  local received = tonumber(redis.call('HGET', event_key, 'received_at') or ARGV[4]) or now
  redis.call('ZADD', redelivered_key, 'NX', received, event_id)
  if not same then
    redis.call('HINCRBY', event_key, 'reused_deliveries', 1)
    redis.call('ZADD', reused_key, 'NX', received, event_id)
  end
  log_delivery(same)
  local current = redis.call('HGET', event_key, 'status')
  local claimed = '0'
  if current == 'received' then claimed = claim() end
  return {'redelivered', current, '', claimed, same and '1' or '0'}
end

local status = requested
local related = ''
if kind ~= '' then
  local first = redis.call('HGET', task_key, kind)
  if first then
    status = 'duplicate'
    related = first
    redis.call('HSET', event_key, 'duplicate_of', first)
  else
    local other = redis.call('HGET', task_key, other_kind)
    if other then
      status = 'conflict'
      related = other
      redis.call('HSET', event_key, 'conflict_with', other)
    end
    redis.call('HSET', task_key, kind, event_id)
  end
end
for i = first_field, #ARGV, 2 do
  redis.call('HSET', event_key, ARGV[i], ARGV[i + 1])
end
redis.call('HSET', event_key, 'body_sha256', body_sha256)
log_delivery(true)
local claimed = '0'
if status == 'received' and message ~= '' then
  redis.call('LPUSH', queue_key, message)
  redis.call('RPUSH', history_key, cjson.encode({status = 'received', at = now, note = note}))
  status = 'queued'
  note = 'published'
elseif status == 'received' then
  claimed = claim()
end
redis.call('HSET', event_key, 'status', status)
redis.call('ZADD', all_events_key, now, event_id)
if kind ~= '' or redis.call('HGET', event_key, 'task_id') ~= '' then
  redis.call('ZADD', task_events_key, now, event_id)
end
redis.call('ZADD', indexes[status], now, event_id)
redis.call('ZADD', type_key, now, event_id)
local custom_id = redis.call('HGET', event_key, 'custom_id') or ''
redis.call('ZADD', custom_ids_key, 0, custom_id .. '\0' .. event_id)
for _, handler_key in ipairs(handler_keys) do
  redis.call('ZADD', handler_key, now, event_id)
end
redis.call('HSET', event_key, 'tallied', '1')
apply_tally(handler_outcomes_key, {}, handler_tally(event_key, outcomes_key))
if status == 'received' or status == 'queued' then
  redis.call('ZADD', unsettled_key, now, event_id)
end
redis.call('RPUSH', history_key, cjson.encode({status = status, at = now, note = note}))
return {'created', status, related, claimed, '1'}
