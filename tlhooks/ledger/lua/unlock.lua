-- UNLOCK: delete a lock only if this owner still holds it (once expired it may be another's).
-- KEYS[1] lock
-- ARGV[1] owner token
-- Returns 1 when deleted, 0 otherwise.
local lock_key = KEYS[1]
local token = ARGV[1]

if redis.call('GET', lock_key) == token then
  return redis.call('DEL', lock_key)
end
return 0
