-- COMPACT: fold a handled or intake-settled event's history, outcomes and delivery log into its
-- record hash, as the caller planned it from what it read (tlhooks/ledger/compaction.py), only
-- if the event is still in one of those states, no run holds it, and nothing it read has
-- changed since.
-- KEYS[1] event, KEYS[2] history, KEYS[3] outcomes, KEYS[4] deliveries, KEYS[5] lease,
--      KEYS[6] handler_outcomes
-- ARGV[1] the compactable statuses (comma-separated; status.py's COMPACTABLE),
--      ARGV[2] status read, ARGV[3] history length read, ARGV[4] delivery log length read,
--      ARGV[5] number of fields to remove, ARGV[6] number of outcomes read,
--      then the fields to remove (field, value read) ..., the outcomes read (handler, JSON) ...,
--      then the fields to set (field, value) ...
-- Returns 'compacted', 'missing', 'skipped' (not in a compactable state, or a run holds it) or
-- 'changed' (read it again: its status, or anything else read, is not what the plan saw).
-- The handler counts are taken before and after (handler_tally.lua, loaded first): the outcome
-- states move from the outcomes hash to 'o:<handler>' fields, so they do not change, and a
-- mistake could not make them drift either.
local event_key, history_key, outcomes_key = KEYS[1], KEYS[2], KEYS[3]
local deliveries_key, lease_key, handler_outcomes_key = KEYS[4], KEYS[5], KEYS[6]
local compactable_statuses, status_read = ARGV[1], ARGV[2]
local history_length, deliveries_length = tonumber(ARGV[3]), tonumber(ARGV[4])
local removed_count, outcome_count = tonumber(ARGV[5]), tonumber(ARGV[6])
local first_removed = 7
local first_outcome = first_removed + 2 * removed_count
local first_added = first_outcome + 2 * outcome_count

local status = redis.call('HGET', event_key, 'status')
if not status then return 'missing' end
local running = redis.call('HGET', event_key, 'running')
local compactable = false
for candidate in string.gmatch(compactable_statuses, '[^,]+') do
  if candidate == status then compactable = true end
end
if not compactable or redis.call('EXISTS', lease_key) == 1 or (running and running ~= '') then
  return 'skipped'
end
if status ~= status_read
    or redis.call('LLEN', history_key) ~= history_length
    or redis.call('LLEN', deliveries_key) ~= deliveries_length
    or redis.call('HLEN', outcomes_key) ~= outcome_count then
  return 'changed'
end
for i = first_removed, first_outcome - 1, 2 do
  if redis.call('HGET', event_key, ARGV[i]) ~= ARGV[i + 1] then return 'changed' end
end
for i = first_outcome, first_added - 1, 2 do
  if redis.call('HGET', outcomes_key, ARGV[i]) ~= ARGV[i + 1] then return 'changed' end
end
local before = handler_tally(event_key, outcomes_key)
for i = first_removed, first_outcome - 1, 2 do
  redis.call('HDEL', event_key, ARGV[i])
end
-- written afresh: a hash that once held a long value stays a hashtable, however small it gets,
-- while a new one of short values is a listpack (a third of the size)
local kept = redis.call('HGETALL', event_key)
for i = first_added, #ARGV do kept[#kept + 1] = ARGV[i] end
redis.call('DEL', event_key, history_key, outcomes_key, deliveries_key)
redis.call('HSET', event_key, unpack(kept))
apply_tally(handler_outcomes_key, before, handler_tally(event_key, outcomes_key))
return 'compacted'
