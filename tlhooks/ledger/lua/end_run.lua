-- KEYS: event, lease   ARGV: token
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
if redis.call('HGET', KEYS[1], 'running') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'running', '')
end
return 1
