-- END_RUN: the run gives up its lease and its 'running' marker, if they are still its own.
-- KEYS[1] event, KEYS[2] lease
-- ARGV[1] run token
local event_key, lease_key = KEYS[1], KEYS[2]
local token = ARGV[1]

if redis.call('GET', lease_key) == token then
  redis.call('DEL', lease_key)
end
if redis.call('HGET', event_key, 'running') == token then
  redis.call('HSET', event_key, 'running', '')
end
return 1
