"""Batch completion: the ``on="batch"`` handlers of a submitted batch, run once it is complete.

The reconciler (workers/reconciler.py) finds a batch complete (ended on the platform, every
item settled: tlhooks/ops/batches.py). ``BatchCompletions.admit`` then takes the batch
record's completion claim (a Lua compare-and-set: one caller wins however many beats see the
batch at once) and stores one event, ``bat_<batch id>`` of type ``tlhooks.batch.completed``,
routed to the batch's handlers, through the ledger's intake (a second admission of the same
id is only a redelivery). From there it is an event like any other: each handler's outcome
recorded, failures retried under the same policy, dead after the last attempt, replayable.
``BatchHandlers`` is the handle stage for that event: it builds each handler's BatchContext
from the ledger at run time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

from handlers.batch_context import BatchContext
from handlers.registry import HandlerRegistry
from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ops.batches import BatchSummary, summarize
from tlhooks.queue.outbox import store_and_queue
from tlhooks.queue.publisher import EventPublisher
from tlhooks.status import BATCH_COMPLETED, EventStatus
from workers.invocation import HandlerRun, invoke
from workers.outcomes import record_outcome
from workers.retry import RetryPolicy

logger = logging.getLogger("tlhooks.batches")
CLAIM_STALE_AFTER = 300.0  # a claimer that died before admitting: another may admit then


def completion_event_id(batch_id: str) -> str:
    return f"bat_{batch_id}"


class BatchCompletions:
    def __init__(
        self, ledger: EventLedger, publisher: EventPublisher, registry: HandlerRegistry
    ) -> None:
        self.ledger = ledger
        self.publisher = publisher
        self.registry = registry

    def admit(self, summary: BatchSummary) -> str | None:
        """Store the batch's completion event (once); its id, or None when no handler wants it
        or another caller holds the claim."""
        batch_id = summary.record.batch_id
        event_id = completion_event_id(batch_id)
        names = [s.name for s in self.registry.match_batch(i.custom_id for i in summary.items)]
        if not self.ledger.claim_batch_completion(batch_id, event_id, CLAIM_STALE_AFTER):
            return None
        if not names:
            self.ledger.update_batch(batch_id, completion="admitted", completion_event="")
            return None
        body = json.dumps({"id": event_id, "type": BATCH_COMPLETED, "batch_id": batch_id})
        store_and_queue(
            self.ledger,
            self.publisher,
            event_id=event_id,
            kind=None,
            requested=EventStatus.RECEIVED,
            body_sha256=hashlib.sha256(body.encode()).hexdigest(),
            note=f"batch {batch_id} is {summary.record.status} and every item is settled",
            fields={
                "event_type": BATCH_COMPLETED,
                "task_id": "",
                "custom_id": None,
                "body": body,
                "handlers": names,
                "batch_id": batch_id,
            },
        )
        self.ledger.update_batch(batch_id, completion="admitted")
        logger.info("batch %s complete: %s queued for %s", batch_id, event_id, ", ".join(names))
        return event_id


class BatchHandlers:
    """The handle stage of a ``tlhooks.batch.completed`` event."""

    def __init__(
        self,
        ledger: EventLedger,
        registry: HandlerRegistry,
        policy: RetryPolicy,
        outcome_write_timeout: float,
    ) -> None:
        self.ledger = ledger
        self.registry = registry
        self.policy = policy
        self.outcome_write_timeout = outcome_write_timeout

    def run(self, record: EventRecord, token: str) -> list[HandlerRun] | None:
        """Run each pending handler once; None when the batch is no longer in the ledger."""
        summary = summarize(self.ledger, str(record.batch_id or ""))
        if summary is None:
            return None
        if record.status is EventStatus.RECEIVED:  # run before its publish was marked
            self.ledger.transition(record.event_id, EventStatus.QUEUED, "picked up")
        self.ledger.transition(record.event_id, EventStatus.HANDLING, "batch handlers")
        return [self._run_one(record, summary, name, token) for name in record.pending_handlers]

    def _run_one(
        self, record: EventRecord, summary: BatchSummary, name: str, token: str
    ) -> HandlerRun:
        context = BatchContext(
            batch_id=summary.record.batch_id,
            status=summary.record.status,
            event_id=record.event_id,
            handler=name,
            idempotency_key=f"{summary.record.batch_id}:{name}",
            attempt=record.outcome(name).attempts + 1,
            counts=summary.counts,
            items=tuple(summary.items),
            logger=logging.getLogger(f"tlhooks.handler.{name}"),
        )
        spec = self.registry.get(name)
        policy = self.policy.for_handler(spec.options if spec is not None else None)
        run = invoke(spec, context, policy, time.time)
        if run.outcome.state.value != "succeeded":
            logger.warning("batch handler %s failed on %s: %s", name, summary.record.batch_id,
                           run.outcome.last_error)  # fmt: skip
        record_outcome(self.ledger, record.event_id, run.outcome, self.outcome_write_timeout, token)
        return run
