-- DELETE: forget one event with every index entry that names it and its handler counts, as one
-- step (retention, purges). The caller read the event's handlers, type and task first, to pass
-- their keys; they never change after intake, and a record that differs is left alone.
-- KEYS[1] event, KEYS[2] history, KEYS[3] outcomes, KEYS[4] lease, KEYS[5] publishing,
--      KEYS[6] deliveries, KEYS[7] all_events, KEYS[8] unsettled, KEYS[9] schedule,
--      KEYS[10] redelivered, KEYS[11] reused, KEYS[12] task, KEYS[13] task_events,
--      KEYS[14] the type's index, KEYS[15] custom_ids, KEYS[16] handler_outcomes,
--      KEYS[17..16+ARGV[3]] the index of each handler in the 'handlers' field, in its order,
--      then every status index, in the order of ARGV[2]
-- ARGV[1] event_id, ARGV[2] status names (comma-separated), ARGV[3] number of handlers,
--      ARGV[4] the 'handlers' field as read, ARGV[5] event_type as read, ARGV[6] task_id as read
-- Returns 'deleted', 'missing', or 'changed' (the record is not the one read: read it again).
-- Loaded after status_index.lua and handler_tally.lua.
local event_key, history_key, outcomes_key = KEYS[1], KEYS[2], KEYS[3]
local lease_key, publishing_key, deliveries_key = KEYS[4], KEYS[5], KEYS[6]
local all_events_key, unsettled_key, schedule_key = KEYS[7], KEYS[8], KEYS[9]
local redelivered_key, reused_key, task_key, task_events_key = KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local type_key, custom_ids_key, handler_outcomes_key = KEYS[14], KEYS[15], KEYS[16]
local event_id = ARGV[1]
local indexes = status_indexes(ARGV[2])
local handler_count = tonumber(ARGV[3])
local read_handlers, read_type, read_task = ARGV[4], ARGV[5], ARGV[6]
local handler_keys = {}
for i = 1, handler_count do handler_keys[i] = KEYS[16 + i] end

local stored = redis.call('HMGET', event_key, 'status', 'handlers', 'event_type', 'task_id',
  'custom_id')
if not stored[1] then return 'missing' end
if (stored[2] or '') ~= read_handlers or (stored[3] or '') ~= read_type
    or (stored[4] or '') ~= read_task then
  return 'changed'
end
apply_tally(handler_outcomes_key, handler_tally(event_key, outcomes_key), {})
local firsts = redis.call('HGETALL', task_key)
for i = 1, #firsts, 2 do
  if firsts[i + 1] == event_id then redis.call('HDEL', task_key, firsts[i]) end
end
for _, index in ipairs({task_events_key, all_events_key, unsettled_key, schedule_key,
    redelivered_key, reused_key, type_key}) do
  redis.call('ZREM', index, event_id)
end
for _, handler_key in ipairs(handler_keys) do redis.call('ZREM', handler_key, event_id) end
for _, status_key in pairs(indexes) do redis.call('ZREM', status_key, event_id) end
local custom_member = (stored[5] or '') .. '\0' .. event_id
redis.call('ZREM', custom_ids_key, custom_member)
redis.call('DEL', event_key, history_key, outcomes_key, lease_key, publishing_key, deliveries_key)
return 'deleted'
