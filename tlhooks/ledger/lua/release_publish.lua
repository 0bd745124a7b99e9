-- KEYS: publishing   ARGV: token   (a failed publish gives the claim back to a redelivery)
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
