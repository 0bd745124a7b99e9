-- SAVE_OUTCOME: store one handler's outcome, but only for the run that owns the event, so a
-- run whose lease lapsed cannot overwrite what the run that took over recorded.
-- KEYS[1] outcomes, KEYS[2] lease, KEYS[3] event
-- ARGV[1] run token, ARGV[2] handler name, ARGV[3] outcome (JSON)
-- Returns 1 when stored, 0 when another run owns the event. The run owns it while the lease
-- holds its token, or (as RENEW_LEASE reads it) while the lease has lapsed but no other run
-- began since: the event's 'running' marker still names this run.
local outcomes_key, lease_key, event_key = KEYS[1], KEYS[2], KEYS[3]
local token, handler, outcome = ARGV[1], ARGV[2], ARGV[3]

local holder = redis.call('GET', lease_key)
if holder ~= token then
  if holder or redis.call('HGET', event_key, 'running') ~= token then
    return 0
  end
end
redis.call('HSET', outcomes_key, handler, outcome)
return 1
