"""The event state machine: one enum, one table of allowed transitions.

    received ──► queued ──► fetching ──► handling ──► handled | invalid | truncated
        │          ▲  │         │  ▲         │
        │          │  │         ▼  │         ▼
        │          └──┴────── failed ◄───────┘   (a retry is scheduled)
        └──────────────┴─────────┴──► dead        (attempts exhausted, permanent error, poison)

An event is created directly in ``received`` (to be processed) or in one of the settled intake
states ``ignored``, ``duplicate``, ``unmatched`` and ``conflict``. ``invalid`` (the result broke
its schema) and ``truncated`` (``finish_reason: length``) are quarantines: settled, not retried.

A replay is the one way out of a settled state: ``REPLAYABLE`` states go back to ``queued``.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """The webhook event types tlhooks acts on (``type`` in the envelope)."""

    READY = "analyze.task.ready"
    FAILED = "analyze.task.failed"

    @property
    def outcome(self) -> str:
        """``ready`` or ``failed``: the task outcome the event reports."""
        return self.value.rsplit(".", 1)[1]


class EventStatus(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    FETCHING = "fetching"
    HANDLING = "handling"
    HANDLED = "handled"
    FAILED = "failed"
    DEAD = "dead"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    UNMATCHED = "unmatched"
    CONFLICT = "conflict"
    INVALID = "invalid"
    TRUNCATED = "truncated"

    @property
    def settled(self) -> bool:
        """No further work will happen to an event in this state without a replay."""
        return self in SETTLED


SETTLED = frozenset(
    {
        EventStatus.HANDLED,
        EventStatus.DEAD,
        EventStatus.IGNORED,
        EventStatus.DUPLICATE,
        EventStatus.UNMATCHED,
        EventStatus.CONFLICT,
        EventStatus.INVALID,
        EventStatus.TRUNCATED,
    }
)

# The settled states ACCEPT puts an event in at once: no run ever holds it.
INTAKE_SETTLED = frozenset(
    {EventStatus.IGNORED, EventStatus.DUPLICATE, EventStatus.UNMATCHED, EventStatus.CONFLICT}
)
# The states in which an event is folded into its one record hash (tlhooks/ledger/compaction.py):
# done with for good, unless replayed. Dead, invalid and truncated events keep everything.
COMPACTABLE = INTAKE_SETTLED | {EventStatus.HANDLED}

REPLAYABLE = frozenset(
    {
        EventStatus.HANDLED,
        EventStatus.FAILED,
        EventStatus.DEAD,
        EventStatus.INVALID,
        EventStatus.TRUNCATED,
    }
)

_S = EventStatus

TRANSITIONS: dict[EventStatus, frozenset[EventStatus]] = {
    # queued -> queued and the like are re-queues by the sweeper; fetching -> fetching and
    # handling -> handling are a new run taking over after a worker died. fetching/handling ->
    # queued is the sweeper rescuing an unleased run; intake never uses it: its mark after a
    # publish is MARK_PUBLISHED, a compare-and-set from received only.
    _S.RECEIVED: frozenset({_S.QUEUED, _S.FETCHING, _S.DEAD}),
    _S.QUEUED: frozenset({_S.QUEUED, _S.FETCHING, _S.HANDLING, _S.DEAD}),
    _S.FETCHING: frozenset({_S.FETCHING, _S.QUEUED, _S.HANDLING, _S.FAILED, _S.DEAD}),
    _S.HANDLING: frozenset(
        {_S.HANDLING, _S.QUEUED, _S.HANDLED, _S.INVALID, _S.TRUNCATED, _S.FAILED, _S.DEAD}
    ),
    _S.FAILED: frozenset({_S.QUEUED, _S.FETCHING, _S.HANDLING, _S.DEAD}),
    _S.HANDLED: frozenset(),
    _S.DEAD: frozenset(),
    _S.IGNORED: frozenset(),
    _S.DUPLICATE: frozenset(),
    _S.UNMATCHED: frozenset(),
    _S.CONFLICT: frozenset(),
    _S.INVALID: frozenset(),
    _S.TRUNCATED: frozenset(),
}


def sources_of(target: EventStatus) -> frozenset[EventStatus]:
    """Every state from which ``target`` may be entered."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


# The words the replay protocol uses to pick the handlers it resets (REPLAY, in
# tlhooks/ledger/lua/replay.lua, called by EventLedger.replay_many); any other value names one
# handler. A handler may not be named after one of them, or replaying that handler would reset
# every handler.
RESET_ALL_HANDLERS = "all"
RESET_UNSUCCEEDED_HANDLERS = "unsucceeded"
RESERVED_HANDLER_NAMES = frozenset({RESET_ALL_HANDLERS, RESET_UNSUCCEEDED_HANDLERS})

# The type of the event tlhooks makes when a submitted batch is complete: its ``on="batch"``
# handlers run on it (workers/batch_completion.py). Not an EventKind: no webhook carries it.
BATCH_COMPLETED = "tlhooks.batch.completed"
