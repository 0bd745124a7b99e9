-- RELEASE_PUBLISH: a failed publish gives the claim back, so a redelivery may publish.
-- KEYS[1] publishing
-- ARGV[1] publish token
-- Returns 1 when released, 0 when the claim was not (or no longer) this delivery's.
local publishing_key = KEYS[1]
local publish_token = ARGV[1]

if redis.call('GET', publishing_key) == publish_token then
  return redis.call('DEL', publishing_key)
end
return 0
