"""Sweeper: the ledger is the outbox; this publishes what is due and rescues what is stuck.

Run periodically by Celery beat (``tlhooks.sweep``), it

1. publishes events whose scheduled retry is due (the only way retries reach the queue);
2. re-queues runs that died: an event in ``fetching`` or ``handling`` whose lease has lapsed
   (a live run renews it every third of ``TLHOOKS_LEASE_SECONDS``), at the first sweep after
   the lapse, so a killed worker's started events come back within seconds;
3. re-queues events stuck in ``received``, ``queued`` or ``failed`` for longer than
   ``stale_after`` with no run holding them and no retry scheduled: a message Redis lost, a
   publish to a separate broker that failed after the event was stored. A ``received`` or
   ``queued`` one is left alone while the broker's queue holds messages (its own may be among
   them: a backlog while workers were down is not a loss) or the broker cannot say; when the
   broker is the ledger's Redis the script checks this in the same step. Once the queue is
   empty such an event's message is nowhere to wait: it is in a live worker's hands (its run
   takes the lease within moments), in a dead worker's unacknowledged set (restored after the
   visibility timeout on Redis, at once on RabbitMQ), or lost (a worker killed between taking
   it and recording it as unacknowledged, kombu's own window). So it is rescued after
   ``orphaned_after`` (the visibility timeout, one restore interval and two sweeps: 15 s by
   default) rather than ``stale_after``; a message restored meanwhile finds the event done;
4. expires settled events older than ``TLHOOKS_RETENTION_DAYS`` (retention), keeping dead,
   invalid and truncated ones until they are replayed or purged, and the records of submitted
   tasks and batches that are done (tlhooks/ledger/submission_retention.py).

Each move is one Lua script (tlhooks/ledger/sweeping.py) that re-checks the state, the lease
and the schedule, so a run that starts meanwhile is never flipped; when the broker is the
ledger's Redis the message is pushed in the same script. Each rescue counts in ``requeues``;
an event rescued more than ``max_attempts`` times is dead, so nothing loops forever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.ledger.sweeping import SweepOps
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import Settings
from tlhooks.status import EventStatus
from workers.retry import RetryPolicy

logger = logging.getLogger("tlhooks.sweeper")

# Celery announces every beat tick at INFO: sent by beat, received and succeeded by a worker.
CELERY_TICK_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


class SweepTickFilter(logging.Filter):
    """Celery's three lines per sweep tick go out at DEBUG; the sweeper itself says at INFO
    what a sweep did, and stays quiet when it did nothing."""

    def __init__(self, task_name: str) -> None:
        super().__init__()
        self.task_name = task_name

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or self.task_name not in record.getMessage():
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def quiet_sweep_ticks(task_name: str) -> None:
    tick_filter = SweepTickFilter(task_name)
    for name in CELERY_TICK_LOGGERS:
        logging.getLogger(name).addFilter(tick_filter)


# Runs: no live run is in one of these states without holding the event's lease.
RUN_STATES = (EventStatus.FETCHING, EventStatus.HANDLING)
WAITING_STATES = (EventStatus.RECEIVED, EventStatus.QUEUED, EventStatus.FAILED)
# Waiting states whose message may be in the broker's queue (a failed event waits for its retry).
AWAITING_MESSAGE = (EventStatus.RECEIVED, EventStatus.QUEUED)


def orphaned_after(settings: Settings) -> float:
    """How long a received or queued event may wait with the broker's queue empty: by the end of
    the visibility timeout and one restore interval a dead worker's message is back in the queue
    (on RabbitMQ at once), and two sweeps later one that is still missing was lost."""
    restored = settings.visibility_timeout + settings.unacked_restore_interval
    return restored + 2 * settings.sweep_interval


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
        orphaned_after: float | None = None,
    ) -> None:
        self.ledger = ledger
        self.publisher = publisher
        self.policy = policy
        self.stale_after = stale_after
        # a received or queued event with the broker's queue empty: see 3. above
        self.orphaned_after = min(stale_after, orphaned_after or stale_after)
        self.clock = clock
        self.batch = batch
        self.retention_days = retention_days
        self.ops = SweepOps(ledger)

    def sweep(self) -> SweepReport:
        report = SweepReport()
        lock = self.ledger.keys.sweep_lock
        token = self.ops.try_lock(lock, max(self.stale_after, 30.0))
        if token is None:
            report.skipped = True
            return report
        try:
            self._publish_due(report)
            self._rescue(report)
            report.expired = self.ledger.expire(self.retention_days, self.clock(), self.batch)
            report.expired += self.ledger.expire_submissions(
                self.retention_days, self.clock(), self.batch
            )
        finally:
            self.ops.unlock(lock, token)
        if report.published or report.rescued or report.dead or report.expired:
            logger.info("sweep: %s", report)
        return report

    def _publish_due(self, report: SweepReport) -> None:
        for event_id in self.ledger.due_ids(self.clock(), self.batch):
            outcome = self.ops.requeue_due(event_id, note="retry due", **self._message(event_id))
            if outcome == "queued":
                self._publish_separately(event_id)
                report.published += 1

    def _rescue(self, report: SweepReport) -> None:
        now = self.clock()
        queue_not_empty = self._queue_may_hold_messages()
        for status in (*RUN_STATES, *WAITING_STATES):
            if status in AWAITING_MESSAGE and queue_not_empty:
                continue  # their messages may still be waiting: no second copies
            waited = self._patience(status)
            cutoff = now - waited
            for event_id in self.ledger.ids_in_status(
                status, entered_before=cutoff, limit=self.batch
            ):
                outcome = self.ops.requeue_stale(
                    event_id,
                    status,
                    cutoff,
                    self.policy.max_attempts,
                    note=f"rescued from {status}: no live run held it",
                    dead_note=self._dead_note(),
                    **self._message(event_id),
                )
                if outcome == "queued":
                    self._publish_separately(event_id)
                    report.rescued += 1
                elif outcome == "dead":
                    report.dead += 1

    def _patience(self, status: EventStatus) -> float:
        """How long an event may sit in ``status`` with no run and no retry before a rescue (a
        received or queued one only while the broker's queue is empty, checked apart)."""
        if status in RUN_STATES:
            return 0.0
        return self.orphaned_after if status in AWAITING_MESSAGE else self.stale_after

    def _queue_may_hold_messages(self) -> bool:
        """Whether a separate broker's queue holds messages, or cannot say (then nothing could
        be published anyway). The ledger's own Redis is asked inside REQUEUE_STALE instead."""
        if self.publisher.inline:
            return False
        try:
            return self.publisher.backlog() > 0
        except StorageUnavailable as exc:
            logger.warning("sweep: waiting events are not rescued this time: %s", exc)
            return True

    def _message(self, event_id: str) -> dict[str, str]:
        """The message to push inside the ledger's script, when the broker is the ledger."""
        if not self.publisher.inline:
            return {}
        return {"queue": self.publisher.queue, "message": self.publisher.wire_message(event_id)}

    def _publish_separately(self, event_id: str) -> None:
        if not self.publisher.inline:
            self.publisher.publish(event_id)  # a failure leaves it queued: rescued when stale

    def _dead_note(self) -> str:
        return (
            f"The sweeper re-queued this event {self.policy.max_attempts} times and it never "
            "completed; it is dead so it cannot loop. Find the cause in the worker logs, then "
            "replay it."
        )
