-- Prelude of the scripts that create, delete or change the handler outcomes of an event
-- (ACCEPT, SAVE_OUTCOME, REPLAY, DELETE, REINDEX, COMPACT); scripts.py loads it before them.
-- The handler_outcomes hash counts, for every event, each handler in its 'handlers' list under
-- '<state>:<handler>', the state being its outcome's (or 'pending' while it has none). An event
-- counts once its 'tallied' field is '1' (set by ACCEPT, or by REINDEX for an event stored
-- before the counters existed). A script takes handler_tally() before and after its writes and
-- applies the difference with apply_tally(), in the same atomic step, so the counts follow
-- every change and cannot drift. A compacted event (compaction.py) keeps a handler's state in
-- its record, as 'o#<position in handlers, from 0>' (or 'o:<handler>' for one not listed) set
-- to the state's first letter; an entry in the outcomes hash, saved later, wins.

-- Remove the states a compaction kept in the record for the handlers ``wanted(handler, state)``
-- picks (a replay clearing outcomes, a saved outcome replacing one).
local kept_state_names = {p = 'pending', s = 'succeeded', f = 'failed', e = 'exhausted'}

local function clear_kept_states(event_key, wanted)
  local raw = redis.call('HGET', event_key, 'handlers')
  local listed = {}
  if raw and raw ~= '' then listed = cjson.decode(raw) end
  local fields = redis.call('HGETALL', event_key)
  for i = 1, #fields, 2 do
    local name, handler = fields[i], nil
    if string.sub(name, 1, 2) == 'o:' then
      handler = string.sub(name, 3)
    elseif string.sub(name, 1, 2) == 'o#' then
      handler = listed[(tonumber(string.sub(name, 3)) or -1) + 1]
    end
    local state = kept_state_names[fields[i + 1]] or fields[i + 1]
    if handler and wanted(handler, state) then redis.call('HDEL', event_key, name) end
  end
end

local function handler_tally(event_key, outcomes_key)
  local tally = {}
  if redis.call('HGET', event_key, 'tallied') ~= '1' then return tally end
  local raw = redis.call('HGET', event_key, 'handlers')
  if not raw or raw == '' then return tally end
  for position, handler in ipairs(cjson.decode(raw)) do
    local state = 'pending'
    local outcome = redis.call('HGET', outcomes_key, handler)
    if outcome then
      state = cjson.decode(outcome)['state'] or 'pending'
    else
      local code = redis.call('HGET', event_key, 'o#' .. (position - 1))
        or redis.call('HGET', event_key, 'o:' .. handler)
      if code then state = kept_state_names[code] or code end
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
