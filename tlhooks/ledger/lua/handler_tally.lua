-- Prelude of the scripts that create, delete or change the handler outcomes of an event
-- (ACCEPT, SAVE_OUTCOME, REPLAY, DELETE, REINDEX, COMPACT); scripts.py loads it before them.
-- The handler_outcomes hash counts, for every event, each handler in its 'handlers' list under
-- '<state>:<handler>', the state being its outcome's (or 'pending' while it has none). An event
-- counts once its 'tallied' field is '1' (set by ACCEPT, or by REINDEX for an event stored
-- before the counters existed). A script takes handler_tally() before and after its writes and
-- applies the difference with apply_tally(), in the same atomic step, so the counts follow
-- every change and cannot drift. A compacted event (compaction.py) keeps a handler's state in
-- its record's 'o:<handler>' field; an entry in the outcomes hash, saved later, wins.
local function handler_tally(event_key, outcomes_key)
  local tally = {}
  if redis.call('HGET', event_key, 'tallied') ~= '1' then return tally end
  local raw = redis.call('HGET', event_key, 'handlers')
  if not raw or raw == '' then return tally end
  for _, handler in ipairs(cjson.decode(raw)) do
    local state = 'pending'
    local outcome = redis.call('HGET', outcomes_key, handler)
    if outcome then
      state = cjson.decode(outcome)['state'] or 'pending'
    else
      state = redis.call('HGET', event_key, 'o:' .. handler) or 'pending'
    end
    local field = state .. ':' .. handler
    tally[field] = (tally[field] or 0) + 1
  end
  return tally
end

local function apply_tally(counts_key, before, after)
  local changes = {}
  for field, number in pairs(before) do changes[field] = -number end
  for field, number in pairs(after) do changes[field] = (changes[field] or 0) + number end
  for field, change in pairs(changes) do
    if change ~= 0 and redis.call('HINCRBY', counts_key, field, change) == 0 then
      redis.call('HDEL', counts_key, field)
    end
  end
end
