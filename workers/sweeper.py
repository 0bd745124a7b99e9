"""Sweeper: the ledger is the outbox; this publishes what is due and rescues what is stuck.

Run periodically by Celery beat (``tlhooks.sweep``), it

1. publishes events whose scheduled retry is due (the only way retries reach the queue);
2. re-queues events stuck in an unsettled state for longer than ``stale_after`` with no run
   holding them and no retry scheduled: a message Redis lost, a publish that failed after the
   event was stored, a run that died after its message was acknowledged;
3. expires settled events older than ``TLHOOKS_RETENTION_DAYS`` (retention), keeping dead,
   invalid and truncated ones until they are replayed or purged.

Each rescue counts in ``requeues``; an event rescued more than ``max_attempts`` times is dead,
so nothing loops forever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from tlhooks.errors import InvalidTransition
from tlhooks.ledger import EventLedger
from tlhooks.ops.housekeeping import expire
from tlhooks.status import EventStatus
from workers.publisher import EventPublisher
from workers.retry import RetryPolicy

logger = logging.getLogger("tlhooks.sweeper")

UNSETTLED = (
    EventStatus.RECEIVED,
    EventStatus.QUEUED,
    EventStatus.FETCHING,
    EventStatus.HANDLING,
    EventStatus.FAILED,
)


@dataclass
class SweepReport:
    published: int = 0
    rescued: int = 0
    dead: int = 0
    expired: int = 0
    skipped: bool = False


class Sweeper:
    def __init__(
        self,
        ledger: EventLedger,
        publisher: EventPublisher,
        policy: RetryPolicy,
        stale_after: float,
        clock: Callable[[], float] = time.time,
        batch: int = 500,
        retention_days: float = 0.0,
    ) -> None:
        self.ledger = ledger
        self.publisher = publisher
        self.policy = policy
        self.stale_after = stale_after
        self.clock = clock
        self.batch = batch
        self.retention_days = retention_days

    def sweep(self) -> SweepReport:
        report = SweepReport()
        lock = self.ledger.keys.sweep_lock
        if not self.ledger.try_lock(lock, max(self.stale_after, 30.0)):
            report.skipped = True
            return report
        try:
            self._publish_due(report)
            self._rescue_stale(report)
            report.expired = expire(self.ledger, self.retention_days, self.clock(), self.batch)
        finally:
            self.ledger.unlock(lock)
        if report.published or report.rescued or report.dead or report.expired:
            logger.info("sweep: %s", report)
        return report

    def _publish_due(self, report: SweepReport) -> None:
        for event_id in self.ledger.claim_due(self.clock(), self.batch):
            if self.ledger.has_lease(event_id):
                self.ledger.schedule(event_id, self.clock() + 1)
                continue
            if self._queue(event_id, "retry due"):
                report.published += 1

    def _rescue_stale(self, report: SweepReport) -> None:
        cutoff = self.clock() - self.stale_after
        for status in UNSETTLED:
            for event_id in self.ledger.ids_in_status(
                status, entered_before=cutoff, limit=self.batch
            ):
                if self.ledger.has_lease(event_id) or self.ledger.is_scheduled(event_id):
                    continue
                requeues = self.ledger.increment(event_id, "requeues")
                if requeues > self.policy.max_attempts:
                    self._bury(event_id, requeues)
                    report.dead += 1
                elif self._queue(event_id, f"rescued after {self.stale_after:.0f} s in {status}"):
                    report.rescued += 1

    def _queue(self, event_id: str, note: str) -> bool:
        try:
            self.ledger.transition(event_id, EventStatus.QUEUED, note)
        except InvalidTransition:
            return False  # settled meanwhile
        self.publisher.publish(event_id)
        return True

    def _bury(self, event_id: str, requeues: int) -> None:
        reason = (
            f"The sweeper re-queued this event {requeues - 1} times and it never completed; "
            "it is dead so it cannot loop. Find the cause in the worker logs, then replay it."
        )
        try:
            self.ledger.transition(event_id, EventStatus.DEAD, reason, last_error=reason)
        except InvalidTransition:
            return
