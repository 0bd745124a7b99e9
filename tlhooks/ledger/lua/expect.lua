-- EXPECT: record what one submission created: a task, or a batch and its items.
-- KEYS[1] expected, KEYS[2] batches, KEYS[3] open_batches, KEYS[4] batch, KEYS[5] batch_items,
--      KEYS[6] submitted (every lone task, by submission time: retention walks it),
--      KEYS[7..] one expectation hash per task, in the order of ARGV[5..]
-- ARGV[1] now, ARGV[2] due (when to look up a lone task, or poll the batch),
-- ARGV[3] batch_id ('' for a lone task), ARGV[4] the batch's fields (a JSON object of strings),
-- ARGV[5..] each task's fields (a JSON object of strings; task_id among them)
-- Returns the number of tasks recorded. A task already recorded keeps its state (a submit
-- replayed under the same Idempotency-Key answers the same ids).
local expected_key, batches_key, open_key = KEYS[1], KEYS[2], KEYS[3]
local batch_key, items_key, submitted_key = KEYS[4], KEYS[5], KEYS[6]
local now, due, batch_id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local batch_fields = cjson.decode(ARGV[4])
local first_task = 5

local recorded = 0
for i = first_task, #ARGV do
  local expectation_key = KEYS[i + 2]
  local fields = cjson.decode(ARGV[i])
  if redis.call('EXISTS', expectation_key) == 0 then
    for name, value in pairs(fields) do
      redis.call('HSET', expectation_key, name, value)
    end
    redis.call('HSET', expectation_key, 'state', 'expected')
    if batch_id == '' then
      redis.call('ZADD', expected_key, due, fields['task_id'])
      redis.call('ZADD', submitted_key, now, fields['task_id'])
    else
      redis.call('RPUSH', items_key, fields['task_id'])
    end
    recorded = recorded + 1
  end
end
if batch_id ~= '' and redis.call('EXISTS', batch_key) == 0 then
  for name, value in pairs(batch_fields) do
    redis.call('HSET', batch_key, name, value)
  end
  redis.call('ZADD', batches_key, now, batch_id)
  redis.call('ZADD', open_key, due, batch_id)
end
return recorded
