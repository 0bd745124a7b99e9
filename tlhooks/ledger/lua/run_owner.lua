-- Prelude: owns_event(lease_key, event_key, token) says whether the run `token` owns an event:
-- its lease holds the token, or the lease has lapsed (Redis away, or the run stalled, longer than
-- the lease) and no other run began since, so the event's 'running' marker still names it (as
-- RENEW_LEASE reads it). A run that does not own its event may not write to it.
local function owns_event(lease_key, event_key, token)
  local holder = redis.call('GET', lease_key)
  if holder == token then
    return true
  end
  return (not holder) and redis.call('HGET', event_key, 'running') == token
end
