-- KEYS: lease, event   ARGV: token, lease_ms
-- 1: renewed; 2: the lease had lapsed (Redis away longer than the lease) and no other run took
-- the event, so the run takes its lease back; 0: another run holds the event now.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder and redis.call('HGET', KEYS[2], 'running') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
