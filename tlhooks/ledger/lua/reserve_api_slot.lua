-- RESERVE_API_SLOT: take the next slot of the deployment's shared API request budget, a GCRA
-- in its virtual-scheduling form: slots are spaced ``interval`` apart, never inside a pause
-- the platform asked for, and handed out in order, so the k-th caller waiting learns exactly
-- when its request may go. Times are Redis's own clock (TIME), so hosts' clocks never matter.
-- An event run that would wait longer than ``max_sleep`` keeps its slot on the event
-- (``api_slot_at``) and comes back for it later; the slot it holds is used (and cleared) when
-- it comes back, unless a pause has since covered it or it is older than ``grace``: then it
-- takes a new one.
-- KEYS[1] budget (hash: tat, paused_until, both in ms; counters), KEYS[2] event (optional)
-- ARGV[1] interval in ms (0: no pacing, pauses only), ARGV[2] max_sleep in ms (negative: always
--      keep the slot on the event), ARGV[3] grace in ms
-- Returns {'now' | 'held', wait ms, slot ms}: 'now' means sleep the wait, then send; 'held'
-- means the slot is stored on the event, to be used after the wait.
local budget_key, event_key = KEYS[1], KEYS[2]
local interval, max_sleep, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local paused_until = tonumber(redis.call('HGET', budget_key, 'paused_until') or '0')

local function hold(slot)
  if redis.call('EXISTS', event_key) == 1 then  -- never a record without a state (a purge)
    redis.call('HSET', event_key, 'api_slot_at', string.format('%.3f', slot / 1000))
  end
  return {'held', slot - now, slot}
end

if event_key then
  local held = redis.call('HGET', event_key, 'api_slot_at')
  if held and held ~= '' then
    redis.call('HDEL', event_key, 'api_slot_at')
    local slot = math.floor(tonumber(held) * 1000 + 0.5)
    if slot >= paused_until and slot >= now - grace then
      local wait = math.max(slot - now, 0)
      if wait <= max_sleep then return {'now', wait, slot} end
      return hold(slot)  -- back too early (a replay, a rescue): keep waiting for it
    end
  end
end

local slot = math.max(now, paused_until)
if interval > 0 then
  slot = math.max(slot, tonumber(redis.call('HGET', budget_key, 'tat') or '0'))
  redis.call('HSET', budget_key, 'tat', slot + interval)
end
local wait = slot - now
if not event_key or wait <= max_sleep then return {'now', wait, slot} end
redis.call('HINCRBY', budget_key, 'deferrals', 1)
return hold(slot)
