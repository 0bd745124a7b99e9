-- PAUSE_API: the platform pushed back (a 429, or an answer saying no requests remain): no
-- slot of the shared budget is handed out before the pause ends, and slots already promised
-- inside it are taken anew (RESERVE_API_SLOT checks them against ``paused_until``).
-- KEYS[1] budget (hash: tat, paused_until in ms; counters)
-- ARGV[1] pause in ms, ARGV[2] 1 when a 429 caused it (counted in ``rate_limited``), else 0
-- Returns the ms until the pause (this one or a longer one already set) ends.
local budget_key = KEYS[1]
local pause, was_429 = tonumber(ARGV[1]), ARGV[2] == '1'

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local paused_until = math.max(now + pause, tonumber(redis.call('HGET', budget_key, 'paused_until') or '0'))
redis.call('HSET', budget_key, 'paused_until', paused_until)
if tonumber(redis.call('HGET', budget_key, 'tat') or '0') < paused_until then
  redis.call('HSET', budget_key, 'tat', paused_until)
end
redis.call('HINCRBY', budget_key, 'pauses', 1)
if was_429 then redis.call('HINCRBY', budget_key, 'rate_limited', 1) end
return paused_until - now
