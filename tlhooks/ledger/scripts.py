"""Lua scripts that make each ledger step atomic in Redis.

Each script is one decision that must not race: accepting a delivery (de-duplication and
conflict detection), changing state (the transition table is enforced server-side against the
state actually stored), claiming, renewing and releasing a worker run's lease, writing a
handler's outcome only for the run that owns the event, a replay, compacting a handled event,
the shared API budget's slots and pauses, and the record of what tlhooks submitted.

The scripts live in ``tlhooks/ledger/lua/*.lua`` (shipped as package data), each opening with
its KEYS/ARGV contract and naming its arguments; they are read once, at import, with
``importlib.resources``. Every key a script touches is passed in KEYS (none is built inside a
script) and carries the deployment's hash tag (``keys.py``), so a call stays in one slot. A
script that moves an event between states receives every status index in KEYS, in
``keys.STATUS_ORDER``, with the names in one ARGV entry; the prelude ``status_index.lua`` maps
a state to its index. A script that creates, deletes or changes the handler outcomes of an
event keeps the ``handler_outcomes`` counts with the prelude ``handler_tally.lua``. Only the
EventLedger (and its mixins) registers and calls them.
"""

from __future__ import annotations

from importlib import resources


def load(name: str) -> str:
    """The text of ``tlhooks/ledger/lua/<name>.lua``."""
    return resources.files("tlhooks.ledger").joinpath("lua", f"{name}.lua").read_text("utf-8")


# Preludes: ``status_indexes(names)``, ``handler_tally``/``apply_tally``, ``owns_event`` (whether
# a worker run still owns its event), and the ``move(status, target, note)`` of the requeues.
_STATUS_INDEX = load("status_index")
_TALLY = load("handler_tally")
_RUN_OWNER = load("run_owner")
_MOVE = _STATUS_INDEX + load("move")

ACCEPT = _STATUS_INDEX + _TALLY + load("accept")
MARK_PUBLISHED = _STATUS_INDEX + load("mark_published")
RELEASE_PUBLISH = load("release_publish")
TRANSITION = _STATUS_INDEX + _RUN_OWNER + load("transition")
BEGIN_RUN = load("begin_run")
RENEW_LEASE = load("renew_lease")
SAVE_OUTCOME = _RUN_OWNER + _TALLY + load("save_outcome")
UPDATE = load("update")
INCREMENT = load("increment")
UNLOCK = load("unlock")
REQUEUE_STALE = _MOVE + load("requeue_stale")
REQUEUE_DUE = _MOVE + load("requeue_due")
END_RUN = load("end_run")
CLAIM_DUE = load("claim_due")
RESERVE_API_SLOT = load("reserve_api_slot")
PAUSE_API = load("pause_api")
REPLAY = _STATUS_INDEX + _TALLY + load("replay")
DELETE = _STATUS_INDEX + _TALLY + load("delete")
REINDEX = _TALLY + load("reindex")
COMPACT = _TALLY + load("compact")
READ_FIELDS = load("read_fields")
EXPECT = load("expect")
SETTLE_EXPECTATION = load("settle_expectation")
CLAIM_BATCH_COMPLETION = load("claim_batch_completion")
