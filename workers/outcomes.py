"""Recording a handler's outcome through a Redis outage (issue 8, fault 4).

A handler that succeeded but whose outcome was not stored runs again when its event is
retried, so a known outcome is worth waiting for: the write is retried with backoff for up to
``TLHOOKS_OUTCOME_WRITE_TIMEOUT`` seconds while the run keeps its lease (the LeaseKeeper takes
a lapsed lease back once Redis answers). Past that bound the error propagates and the run ends
as if it had crashed: the handler may run again, which is what ``idempotency_key`` is for.
The write names the run (``token``): once another run owns the event it raises LeaseLost.
"""

from __future__ import annotations

import logging
import time

from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger, HandlerOutcome

logger = logging.getLogger("tlhooks.worker")


def record_outcome(
    ledger: EventLedger, event_id: str, outcome: HandlerOutcome, timeout: float, token: str
) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.1
    while True:
        try:
            ledger.save_outcome(event_id, outcome, token)
            return
        except StorageUnavailable as exc:
            if time.monotonic() + pause > deadline:
                raise
            logger.warning(
                "could not record %s's outcome on event %s (%s); retrying in %.1f s",
                outcome.handler,
                event_id,
                exc,
                pause,
            )
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
