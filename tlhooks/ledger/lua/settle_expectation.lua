-- SETTLE_EXPECTATION: a submitted task's terminal event exists (a webhook, or one tlhooks
-- made itself): record how it came and stop looking it up.
-- KEYS[1] expectation, KEYS[2] expected
-- ARGV[1] task_id, ARGV[2] state ('webhook', 'reconciled' or 'canceled'), ARGV[3] event_id,
-- ARGV[4] now, ARGV[5..] field, value, field, value...
-- Returns 1 when the expectation was still open, 0 when already settled or unknown.
local expectation_key, expected_key = KEYS[1], KEYS[2]
local task_id, state, event_id, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local first_field = 5

redis.call('ZREM', expected_key, task_id)
if redis.call('EXISTS', expectation_key) == 0 then return 0 end
for i = first_field, #ARGV, 2 do
  redis.call('HSET', expectation_key, ARGV[i], ARGV[i + 1])
end
if redis.call('HGET', expectation_key, 'state') ~= 'expected' then return 0 end
redis.call('HSET', expectation_key, 'state', state, 'event_id', event_id, 'settled_at', now)
return 1
