"""Lua scripts that make each ledger step atomic in Redis.

Each script is one decision that must not race: accepting a delivery (de-duplication and
conflict detection), changing state (the transition table is enforced server-side against the
state actually stored), and claiming, renewing and releasing a worker run's lease.
"""

from __future__ import annotations

# KEYS: event, history, task, task_events, all_events, unsettled, queue, publishing,
#       deliveries, redelivered, reused
# ARGV: event_id, kind ('' when not a task event), other_kind, now, status_prefix,
#       requested_status, history_note, message ('' to leave queueing to the caller),
#       publish token, publish claim ms, body sha256, field, value, field, value, ...
# Returns {outcome, status, related, claimed ('1' when the caller must publish), same body}.
# The claim (KEYS[8], SET NX with a TTL) makes exactly one delivery of a 'received' event
# publish it; the delivery log keeps the first 100 deliveries, the counters all of them.
ACCEPT = """
local now = tonumber(ARGV[4])
local function log_delivery(same)
  if redis.call('LLEN', KEYS[9]) < 100 then
    redis.call('RPUSH', KEYS[9], cjson.encode({at = now, body_sha256 = ARGV[11], same = same}))
  end
end
local function claim()
  if redis.call('SET', KEYS[8], ARGV[9], 'NX', 'PX', ARGV[10]) then return '1' end
  return '0'
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'deliveries', 1)
  local first = redis.call('HGET', KEYS[1], 'body_sha256')
  local same = (not first) or first == '' or first == ARGV[11]
  local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[4]) or now
  redis.call('ZADD', KEYS[10], 'NX', received, ARGV[1])
  if not same then
    redis.call('HINCRBY', KEYS[1], 'reused_deliveries', 1)
    redis.call('ZADD', KEYS[11], 'NX', received, ARGV[1])
  end
  log_delivery(same)
  local current = redis.call('HGET', KEYS[1], 'status')
  local claimed = '0'
  if current == 'received' then claimed = claim() end
  return {'redelivered', current, '', claimed, same and '1' or '0'}
end
local status = ARGV[6]
local related = ''
local kind = ARGV[2]
if kind ~= '' then
  local first = redis.call('HGET', KEYS[3], kind)
  if first then
    status = 'duplicate'
    related = first
    redis.call('HSET', KEYS[1], 'duplicate_of', first)
  else
    local other = redis.call('HGET', KEYS[3], ARGV[3])
    if other then
      status = 'conflict'
      related = other
      redis.call('HSET', KEYS[1], 'conflict_with', other)
    end
    redis.call('HSET', KEYS[3], kind, ARGV[1])
  end
end
for i = 12, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'body_sha256', ARGV[11])
log_delivery(true)
local claimed = '0'
if status == 'received' and ARGV[8] ~= '' then
  redis.call('LPUSH', KEYS[7], ARGV[8])
  redis.call('RPUSH', KEYS[2], cjson.encode({status = 'received', at = now, note = ARGV[7]}))
  status = 'queued'
  ARGV[7] = 'published'
elseif status == 'received' then
  claimed = claim()
end
redis.call('HSET', KEYS[1], 'status', status)
redis.call('ZADD', KEYS[5], now, ARGV[1])
if kind ~= '' or redis.call('HGET', KEYS[1], 'task_id') ~= '' then
  redis.call('ZADD', KEYS[4], now, ARGV[1])
end
redis.call('ZADD', ARGV[5] .. status, now, ARGV[1])
if status == 'received' or status == 'queued' then
  redis.call('ZADD', KEYS[6], now, ARGV[1])
end
redis.call('RPUSH', KEYS[2], cjson.encode({status = status, at = now, note = ARGV[7]}))
return {'created', status, related, claimed, '1'}
"""

# KEYS: event, history, unsettled, publishing   ARGV: event_id, token, now, status_prefix
# After a publish: 'received' -> 'queued' only (compare-and-set; a worker that already moved
# the event on keeps its state), and the caller's publish claim is released.
MARK_PUBLISHED = """
if redis.call('GET', KEYS[4]) == ARGV[2] then
  redis.call('DEL', KEYS[4])
end
local current = redis.call('HGET', KEYS[1], 'status')
if current ~= 'received' then
  return current or ''
end
local now = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'status', 'queued', 'updated_at', ARGV[3])
redis.call('ZREM', ARGV[4] .. 'received', ARGV[1])
redis.call('ZADD', ARGV[4] .. 'queued', now, ARGV[1])
local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[3]) or now
redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
redis.call('RPUSH', KEYS[2], cjson.encode({status = 'queued', at = now, note = 'published'}))
return 'received'
"""

# KEYS: publishing   ARGV: token   (a failed publish gives the claim back to a redelivery)
RELEASE_PUBLISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: event, history, unsettled
# ARGV: event_id, target, now, note, status_prefix, allowed_sources (comma-separated),
#       target_is_settled ('1' or '0'), field, value, ...
TRANSITION = """
local current = redis.call('HGET', KEYS[1], 'status')
if not current then
  return {'missing', ''}
end
local allowed = false
for source in string.gmatch(ARGV[6], '[^,]+') do
  if source == current then allowed = true end
end
if not allowed then
  return {'refused', current}
end
local now = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[3])
for i = 8, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if ARGV[7] == '1' then
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[3]) or now
  redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
end
redis.call('ZREM', ARGV[5] .. current, ARGV[1])
redis.call('ZADD', ARGV[5] .. ARGV[2], now, ARGV[1])
redis.call('RPUSH', KEYS[2], cjson.encode({status = ARGV[2], at = now, note = ARGV[4]}))
return {'ok', current}
"""

# KEYS: event, lease
# ARGV: token, lease_ms, settled statuses (comma-separated)
BEGIN_RUN = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return {'missing', '', 0}
end
for settled in string.gmatch(ARGV[3], '[^,]+') do
  if settled == status then return {'settled', status, 0} end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'busy', status, redis.call('PTTL', KEYS[2])}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local previous = redis.call('HGET', KEYS[1], 'running')
local crashes = tonumber(redis.call('HGET', KEYS[1], 'crashes') or '0') or 0
if previous and previous ~= '' then
  crashes = redis.call('HINCRBY', KEYS[1], 'crashes', 1)
end
redis.call('HSET', KEYS[1], 'running', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'runs', 1)
return {'claimed', status, crashes}
"""

# KEYS: lease, event   ARGV: token, lease_ms
# 1: renewed; 2: the lease had lapsed (Redis away longer than the lease) and no other run took
# the event, so the run takes its lease back; 0: another run holds the event now.
RENEW_LEASE = """
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
"""

# KEYS: lock   ARGV: token.  Deletes the lock only if this owner still holds it.
UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# The end of REQUEUE_STALE and REQUEUE_DUE: move the event from ``status`` to ``target``
# (queued or dead) with its indexes and history, and push its message when one is given.
# KEYS: event, history, unsettled, lease, schedule, queue
# ARGV[1] event_id, ARGV[2] now, ARGV[3] note, ARGV[4] status_prefix, ARGV[5] message
_MOVE = """
local function move(status, target, note)
  local now = tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'status', target, 'updated_at', ARGV[2])
  if target == 'dead' then
    redis.call('HSET', KEYS[1], 'last_error', note)
    redis.call('ZREM', KEYS[3], ARGV[1])
  else
    local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[2]) or now
    redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
  end
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('ZREM', ARGV[4] .. status, ARGV[1])
  redis.call('ZADD', ARGV[4] .. target, now, ARGV[1])
  redis.call('RPUSH', KEYS[2], cjson.encode({status = target, at = now, note = note}))
  if target == 'queued' and ARGV[5] ~= '' then
    -- the consuming end (workers BRPOP), as kombu restores a message: a rescued or retried
    -- event is older than anything waiting, so it does not queue behind a backlog
    redis.call('RPUSH', KEYS[6], ARGV[5])
  end
  return {target, status}
end
"""

# The sweeper's rescue, as one decision: the event is still in the state it was found in, has
# been there since before the cutoff, no run holds its lease and no retry is scheduled. Then it
# counts a requeue and goes back to queued, or to dead past the attempt limit. A waiting event
# (received, queued) is left alone while the broker's queue is not empty (when the broker is
# this Redis): its message may be waiting there, behind a backlog, and needs no second copy.
# KEYS as _MOVE, then KEYS[7] the publish claim.  ARGV[6] expected status, ARGV[7] cutoff,
# ARGV[8] max requeues, ARGV[9] note when dead
REQUEUE_STALE = (
    _MOVE
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing', ''} end
if status ~= ARGV[6] then return {'moved', status} end
local entered = tonumber(redis.call('ZSCORE', ARGV[4] .. status, ARGV[1]) or ARGV[2])
if entered > tonumber(ARGV[7]) then return {'moved', status} end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'running', status} end
if redis.call('ZSCORE', KEYS[5], ARGV[1]) then return {'scheduled', status} end
if ARGV[5] ~= '' and (status == 'queued' or status == 'received')
    and redis.call('LLEN', KEYS[6]) > 0 then
  return {'waiting', status}  -- its message may still be in the queue: no second copy
end
if status == 'received' and redis.call('EXISTS', KEYS[7]) == 1 then
  return {'publishing', status}  -- a receiver holds the publish claim: it publishes, not us
end
local requeues = redis.call('HINCRBY', KEYS[1], 'requeues', 1)
if requeues > tonumber(ARGV[8]) then
  return move(status, 'dead', ARGV[9])
end
return move(status, 'queued', ARGV[3])
"""
)

# A scheduled retry that is due, as one decision: off the schedule and back to queued, unless
# a run holds the event (then it is re-checked in a second) or it settled meanwhile.
# KEYS as _MOVE.  ARGV[6] retryable statuses (comma-separated)
REQUEUE_DUE = (
    _MOVE
    + """
local due = redis.call('ZSCORE', KEYS[5], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return {'not-due', ''} end
local status = redis.call('HGET', KEYS[1], 'status')
local retryable = false
for candidate in string.gmatch(ARGV[6], '[^,]+') do
  if candidate == status then retryable = true end
end
if not retryable then
  redis.call('ZREM', KEYS[5], ARGV[1])
  return {'settled', status or ''}
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('ZADD', KEYS[5], tonumber(ARGV[2]) + 1, ARGV[1])
  return {'running', status}
end
return move(status, 'queued', ARGV[3])
"""
)

# KEYS: event, lease   ARGV: token
END_RUN = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
if redis.call('HGET', KEYS[1], 'running') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'running', '')
end
return 1
"""

# KEYS: schedule   ARGV: now, limit
CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
end
return due
"""

# KEYS: event, history, unsettled, lease, outcomes, schedule
# ARGV: event_id, now, note, status_prefix, replayable (comma-separated), replay_id,
#       clear_task ('1'/'0'), clear_validation ('1'/'0'), reset ('all' | 'unsucceeded' | name)
REPLAY = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return {'missing', ''}
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  return {'running', status}
end
local replayable = false
for candidate in string.gmatch(ARGV[5], '[^,]+') do
  if candidate == status then replayable = true end
end
if not replayable then
  return {'refused', status}
end
local now = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'status', 'queued', 'updated_at', ARGV[2], 'replay_id', ARGV[6],
  'crashes', 0, 'requeues', 0, 'running', '', 'next_attempt_at', '')
redis.call('HINCRBY', KEYS[1], 'replays', 1)
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[1], 'task', '', 'attempts', 0)
end
if ARGV[8] == '1' then
  redis.call('HSET', KEYS[1], 'validation', '')
end
if ARGV[9] == 'all' then
  redis.call('DEL', KEYS[5])
elseif ARGV[9] == 'unsucceeded' then
  local outcomes = redis.call('HGETALL', KEYS[5])
  for i = 1, #outcomes, 2 do
    if cjson.decode(outcomes[i + 1])['state'] ~= 'succeeded' then
      redis.call('HDEL', KEYS[5], outcomes[i])
    end
  end
else
  redis.call('HDEL', KEYS[5], ARGV[9])
end
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', ARGV[4] .. status, ARGV[1])
redis.call('ZADD', ARGV[4] .. 'queued', now, ARGV[1])
local received = tonumber(redis.call('HGET', KEYS[1], 'received_at') or ARGV[2]) or now
redis.call('ZADD', KEYS[3], 'NX', received, ARGV[1])
redis.call('RPUSH', KEYS[2], cjson.encode({status = 'queued', at = now, note = ARGV[3]}))
return {'ok', status}
"""
