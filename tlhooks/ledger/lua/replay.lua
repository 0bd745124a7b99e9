-- REPLAY: send one settled (or failed) event back to queued, resetting what the replay's stage
-- re-does, unless a run holds it or its state may not be replayed. The caller passes one event
-- per call (pipelined for a batch) with that event's own keys.
-- KEYS[1] event, KEYS[2] history, KEYS[3] unsettled, KEYS[4] lease, KEYS[5] outcomes,
--      KEYS[6] schedule, KEYS[7] handler_outcomes, KEYS[8..] every status index, in the order
--      of ARGV[4]
-- ARGV[1] event_id, ARGV[2] now, ARGV[3] note, ARGV[4] status names (comma-separated),
--      ARGV[5] replayable statuses (comma-separated), ARGV[6] replay_id,
--      ARGV[7] clear_task ('1'/'0'), ARGV[8] clear_validation ('1'/'0'),
--      ARGV[9] reset: 'all' | 'unsucceeded' | one handler's name
-- Returns {'ok', previous} or {'missing', ''} or {'running' | 'refused', status}.
-- The outcomes it clears go back to 'pending' in handler_outcomes (handler_tally.lua, loaded
-- first with status_index.lua).
local event_key, history_key, unsettled_key = KEYS[1], KEYS[2], KEYS[3]
local lease_key, outcomes_key, schedule_key = KEYS[4], KEYS[5], KEYS[6]
local handler_outcomes_key = KEYS[7]
local event_id = ARGV[1]
local now = tonumber(ARGV[2])
local note = ARGV[3]
local indexes = status_indexes(ARGV[4])
local replayable_statuses, replay_id = ARGV[5], ARGV[6]
local clear_task, clear_validation = ARGV[7] == '1', ARGV[8] == '1'
local reset = ARGV[9]

local status = redis.call('HGET', event_key, 'status')
if not status then
  return {'missing', ''}
end
if redis.call('EXISTS', lease_key) == 1 then
  return {'running', status}
end
local replayable = false
for candidate in string.gmatch(replayable_statuses, '[^,]+') do
  if candidate == status then replayable = true end
end
if not replayable then
  return {'refused', status}
end
redis.call('HSET', event_key, 'status', 'queued', 'updated_at', ARGV[2], 'replay_id', replay_id,
  'crashes', 0, 'requeues', 0, 'running', '', 'next_attempt_at', '')
redis.call('HINCRBY', event_key, 'replays', 1)
if clear_task then
  redis.call('HSET', event_key, 'task', '', 'attempts', 0)
end
if clear_validation then
  redis.call('HSET', event_key, 'validation', '')
end
local before = handler_tally(event_key, outcomes_key)
if reset == 'all' then
  redis.call('DEL', outcomes_key)
  clear_kept_states(event_key, function() return true end)
elseif reset == 'unsucceeded' then
  local outcomes = redis.call('HGETALL', outcomes_key)
  for i = 1, #outcomes, 2 do
    if cjson.decode(outcomes[i + 1])['state'] ~= 'succeeded' then
      redis.call('HDEL', outcomes_key, outcomes[i])
    end
  end
  clear_kept_states(event_key, function(_, state) return state ~= 'succeeded' end)
else
  redis.call('HDEL', outcomes_key, reset)
  clear_kept_states(event_key, function(name) return name == reset end)
end
apply_tally(handler_outcomes_key, before, handler_tally(event_key, outcomes_key))
redis.call('ZREM', schedule_key, event_id)
redis.call('ZREM', indexes[status], event_id)
redis.call('ZADD', indexes['queued'], now, event_id)
local received = tonumber(redis.call('HGET', event_key, 'received_at') or ARGV[2]) or now
redis.call('ZADD', unsettled_key, 'NX', received, event_id)
redis.call('RPUSH', history_key, cjson.encode({status = 'queued', at = now, note = note}))
return {'ok', status}
