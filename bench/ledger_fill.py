"""A realistic ledger for the ops benchmark, written fast through the ledger's own ACCEPT.

Event ``n`` arrives ``n`` x 2.5 s after the first (a million events span 29 days) with a small
body, custom_id ``bench-<n mod 10,000>`` and a state, type and handlers drawn from a fixed mix
(``mix``), so every run builds the same ledger. ``accept_many`` pipelines one ACCEPT per event,
which stores the record and every index and count entry as intake does; one event in 50 also
gets its handlers' outcomes through a run (BEGIN_RUN, SAVE_OUTCOME, END_RUN), as a worker
leaves them (stored ``failed``, then moved on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.ledger.intake import Arrival
from tlhooks.status import EventKind, EventStatus

START = 1_700_000_000.0
SPACING = 2.5
BATCH = 2000
HANDLERS = ("bench.index", "bench.notify", "bench.archive")
ERRORS = {
    EventStatus.DEAD: "handler 'bench.notify' exhausted: TimeoutError: upstream timeout",
    EventStatus.FAILED: "HTTP 503 from the API; retrying",
    EventStatus.INVALID: "result.data: field 'segments' is required",
}

# Per 1,000 events: (share, state, kind). Unmatched events have no handler; ignored ones are
# another event type.
_MIX: list[tuple[int, EventStatus, EventKind | None]] = [
    (800, EventStatus.HANDLED, EventKind.READY),
    (20, EventStatus.DEAD, EventKind.READY),
    (10, EventStatus.FAILED, EventKind.FAILED),
    (10, EventStatus.INVALID, EventKind.READY),
    (5, EventStatus.QUEUED, EventKind.READY),
    (5, EventStatus.RECEIVED, EventKind.READY),
    (50, EventStatus.IGNORED, None),
    (60, EventStatus.UNMATCHED, EventKind.FAILED),
    (40, EventStatus.DUPLICATE, EventKind.READY),
]
_RUN_ENDS = {
    EventStatus.HANDLED: HandlerState.SUCCEEDED,
    EventStatus.DEAD: HandlerState.EXHAUSTED,
    EventStatus.FAILED: HandlerState.FAILED,
}
_TABLE = [(state, kind) for share, state, kind in _MIX for _ in range(share)]


def mix(n: int) -> tuple[EventStatus, EventKind | None]:
    """The state and kind of event ``n`` (spread by a multiplicative hash, not in runs)."""
    return _TABLE[(n * 2_654_435_761) % 1000]


def with_outcomes(n: int) -> bool:
    """One event in 50 that ends handled, dead or failed is taken through a worker's run."""
    return n % 50 == 0 and mix(n)[0] in _RUN_ENDS


def arrival(n: int) -> Arrival:
    status, kind = mix(n)
    handlers: list[str] = []
    if status not in (EventStatus.IGNORED, EventStatus.UNMATCHED):
        handlers = list(HANDLERS[: 1 + n % 3])
    event_type = kind.value if kind else "analyze.task.progress"
    fields: dict[str, Any] = {
        "event_type": event_type,
        "task_id": f"{n:024x}",
        "custom_id": f"bench-{n % 10_000}",
        "body": f'{{"id":"whe_{n}"}}',
        "handlers": handlers,
        "last_error": ERRORS.get(status),
    }
    return Arrival(
        event_id=f"whe_{n:010d}",
        kind=None,  # no first-of-kind bookkeeping: the mix sets duplicates itself
        requested=EventStatus.FAILED if with_outcomes(n) else status,
        fields=fields,
        now=START + n * SPACING,
    )


def outcomes(ledger: EventLedger, n: int) -> None:
    """A worker's run over event ``n`` (stored ``failed``): its handlers' outcomes, then the
    state its mix says."""
    event_id = f"whe_{n:010d}"
    status, _ = mix(n)
    state = _RUN_ENDS[status]
    ledger.begin_run(event_id, "bench", 60)
    for handler in HANDLERS[: 1 + n % 3]:
        outcome = HandlerOutcome(handler=handler, state=state, attempts=1)
        ledger.save_outcome(event_id, outcome, "bench")
    if status is EventStatus.HANDLED:
        ledger.transition(event_id, EventStatus.HANDLING)
    if status is not EventStatus.FAILED:
        ledger.transition(event_id, status)
    ledger.end_run(event_id, "bench")


def fill(
    ledger: EventLedger, first: int, last: int, progress: Callable[[int], None] = print
) -> None:
    """Events ``first`` to ``last - 1``."""
    for start in range(first, last, BATCH):
        stop = min(start + BATCH, last)
        ledger.accept_many([arrival(n) for n in range(start, stop)])
        for n in range(start, stop):
            if with_outcomes(n):
                outcomes(ledger, n)
        if stop % 100_000 == 0:
            progress(stop)
