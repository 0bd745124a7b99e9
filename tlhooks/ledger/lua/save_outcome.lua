-- SAVE_OUTCOME: store one handler's outcome, but only for the run that owns the event, so a
-- run whose lease lapsed cannot overwrite what the run that took over recorded.
-- KEYS[1] outcomes, KEYS[2] lease, KEYS[3] event, KEYS[4] handler_outcomes
-- ARGV[1] run token, ARGV[2] handler name, ARGV[3] outcome (JSON)
-- Returns 1 when stored, 0 when another run owns the event (owns_event, run_owner.lua, loaded
-- first). The handler's count moves from its old outcome's state to the new one's
-- (handler_tally.lua, loaded first); the state a compaction kept in the record ('o#<n>',
-- 'o:<handler>') gives way to the saved outcome.
local outcomes_key, lease_key, event_key, handler_outcomes_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token, handler, outcome = ARGV[1], ARGV[2], ARGV[3]

if not owns_event(lease_key, event_key, token) then
  return 0
end
local before = handler_tally(event_key, outcomes_key)
redis.call('HSET', outcomes_key, handler, outcome)
clear_kept_states(event_key, function(name) return name == handler end)
apply_tally(handler_outcomes_key, before, handler_tally(event_key, outcomes_key))
return 1
