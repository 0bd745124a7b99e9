-- CLAIM_BATCH_COMPLETION: compare-and-set on a batch record: the one caller that may admit
-- the batch's completion event. Several beats (or a retried tick) may see the batch finished
-- at once; only one gets 1.
-- KEYS[1] batch
-- ARGV[1] now, ARGV[2] event id of the completion, ARGV[3] seconds after which a claim whose
-- admission was never confirmed (its claimer died in between) may be taken again
-- Returns 1 when the caller now holds the claim, 0 when it is held or already admitted,
-- -1 when the batch is unknown.
local batch_key = KEYS[1]
local now, event_id, stale_after = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])

if redis.call('EXISTS', batch_key) == 0 then return -1 end
local state = redis.call('HGET', batch_key, 'completion')
if state == 'admitted' then return 0 end
if state == 'claimed' then
  local claimed_at = tonumber(redis.call('HGET', batch_key, 'completion_claimed_at') or '0') or 0
  if claimed_at + stale_after > now then return 0 end
end
redis.call('HSET', batch_key, 'completion', 'claimed', 'completion_claimed_at', ARGV[1],
  'completion_event', event_id)
return 1
