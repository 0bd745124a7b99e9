-- RENEW_LEASE: extend a run's lease, or take a lapsed one back if no other run took over.
-- KEYS[1] lease, KEYS[2] event
-- ARGV[1] run token, ARGV[2] lease ms
-- Returns 1: renewed; 2: the lease had lapsed (Redis away longer than the lease) and no other
-- run took the event, so the run takes its lease back; 0: another run holds the event now.
local lease_key, event_key = KEYS[1], KEYS[2]
local token, lease_ms = ARGV[1], ARGV[2]

local holder = redis.call('GET', lease_key)
if holder == token then
  redis.call('PEXPIRE', lease_key, lease_ms)
  return 1
end
if not holder and redis.call('HGET', event_key, 'running') == token then
  redis.call('SET', lease_key, token, 'PX', lease_ms)
  return 2
end
return 0
