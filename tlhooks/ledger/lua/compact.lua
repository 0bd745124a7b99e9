-- COMPACT: fold a handled event's history, outcomes and delivery log into its record hash, as
-- the caller planned it from what it read (tlhooks/ledger/compaction.py), only if the event is
-- still handled, no run holds it, and nothing it read has changed since.
-- KEYS[1] event, KEYS[2] history, KEYS[3] outcomes, KEYS[4] deliveries, KEYS[5] lease,
--      KEYS[6] handler_outcomes
-- ARGV[1] history length read, ARGV[2] delivery log length read,
--      ARGV[3] number of fields to remove, ARGV[4] number of outcomes read,
--      then the fields to remove (field, value read) ..., the outcomes read (handler, JSON) ...,
--      then the fields to set (field, value) ...
-- Returns 'compacted', 'missing', 'skipped' (not handled, or a run holds it) or 'changed'
-- (read it again). The handler counts are taken before and after (handler_tally.lua, loaded
-- first): the outcome states move from the outcomes hash to 'o:<handler>' fields, so they do
-- not change, and a mistake could not make them drift either.
local event_key, history_key, outcomes_key = KEYS[1], KEYS[2], KEYS[3]
local deliveries_key, lease_key, handler_outcomes_key = KEYS[4], KEYS[5], KEYS[6]
local history_length, deliveries_length = tonumber(ARGV[1]), tonumber(ARGV[2])
local removed_count, outcome_count = tonumber(ARGV[3]), tonumber(ARGV[4])
local first_removed = 5
local first_outcome = first_removed + 2 * removed_count
local first_added = first_outcome + 2 * outcome_count

local status = redis.call('HGET', event_key, 'status')
if not status then return 'missing' end
local running = redis.call('HGET', event_key, 'running')
if status ~= 'handled' or redis.call('EXISTS', lease_key) == 1 or (running and running ~= '') then
  return 'skipped'
end
if redis.call('LLEN', history_key) ~= history_length
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
