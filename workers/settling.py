"""Settler: the two ways a run ends an event without success: a retry scheduled in the ledger
(never a Celery countdown: the sweeper publishes it when due), or death with the reason."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tlhooks.ledger import EventLedger
from tlhooks.metrics import EVENTS_DEAD, RETRIES_SCHEDULED
from tlhooks.status import EventStatus
from workers.run_outcome import RunOutcome

logger = logging.getLogger("tlhooks.worker")


class Settler:
    def __init__(self, ledger: EventLedger, clock: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self.clock = clock

    def retry_later(
        self, event_id: str, delay: float, error: str, trace: str | None = None
    ) -> RunOutcome:
        due = self.clock() + delay
        # scheduled first: a crash between the two leaves a due retry, not an unscheduled event
        self.ledger.schedule(event_id, due)
        self.ledger.transition(
            event_id,
            EventStatus.FAILED,
            f"retry in {delay:.1f} s",
            last_error=error,
            last_traceback=trace,
            next_attempt_at=due,
        )
        RETRIES_SCHEDULED.inc()
        return RunOutcome.FAILED

    def die(self, event_id: str, reason: str, trace: str | None = None) -> RunOutcome:
        logger.error("event %s is dead: %s", event_id, reason)
        self.ledger.transition(
            event_id, EventStatus.DEAD, reason, last_error=reason, last_traceback=trace
        )
        EVENTS_DEAD.inc()
        return RunOutcome.DEAD
