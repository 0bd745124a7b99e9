"""ReconciledEvents: the event tlhooks makes for a submitted task whose webhook never came.

It goes through the ledger's intake exactly as a webhook does (tlhooks/ledger/intake.py):
de-duplicated on (task, kind), so a real webhook arriving later is a ``duplicate`` that runs
no handler (and a reconciled event after a real one is the duplicate); matched to handlers;
then processed by the usual pipeline, retries and replay included. Its id is ``rec_<task id>``,
so making it twice only counts a redelivery. The task is stored on the event (from the task
lookup, or built from the batch's results line), so the worker does not fetch it again.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

from handlers.registry import HandlerRegistry
from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import Expectation
from tlhooks.metrics import RECONCILED_EVENTS
from tlhooks.queue.outbox import store_and_queue
from tlhooks.queue.publisher import EventPublisher
from tlhooks.status import EventKind, EventStatus

KINDS = {"ready": EventKind.READY, "failed": EventKind.FAILED}


def reconciled_event_id(task_id: str) -> str:
    return f"rec_{task_id}"


def task_from_line(line: dict[str, Any], expectation: Expectation) -> dict[str, Any]:
    """A task document from a batch results line and what tlhooks submitted for it."""
    task: dict[str, Any] = {
        "task_id": line["task_id"],
        "custom_id": line.get("custom_id", expectation.custom_id),
        "status": line["status"],
        "request_params": expectation.request_params,
    }
    if isinstance(line.get("data"), dict):
        task["result"] = line["data"]
    if isinstance(line.get("error"), dict):
        task["error"] = {"message": str(line["error"].get("message") or "The analysis failed.")}
    return task


class ReconciledEvents:
    def __init__(
        self, ledger: EventLedger, publisher: EventPublisher, registry: HandlerRegistry
    ) -> None:
        self.ledger = ledger
        self.publisher = publisher
        self.registry = registry

    def admit(
        self, task: dict[str, Any], expectation: Expectation, source: str, note: str
    ) -> tuple[str, EventStatus]:
        """Store (and queue) the task's event; return its id and the state intake gave it."""
        task_id = str(task["task_id"])
        kind = str(task["status"])
        event_type = KINDS[kind]
        event_id = reconciled_event_id(task_id)
        custom_id = task.get("custom_id")
        names = [spec.name for spec in self.registry.match(custom_id, kind)]
        requested = EventStatus.RECEIVED if names else EventStatus.UNMATCHED
        now = time.time()
        body = json.dumps(
            {
                "id": event_id,
                "created_at": datetime.fromtimestamp(now, UTC).isoformat(),
                "type": event_type.value,
                "data": {"id": task_id, "custom_id": custom_id, "status": kind},
            },
            separators=(",", ":"),
        )
        result = store_and_queue(
            self.ledger,
            self.publisher,
            event_id=event_id,
            kind=kind,
            requested=requested,
            body_sha256=hashlib.sha256(body.encode()).hexdigest(),
            note=note,
            fields={
                "event_type": event_type.value,
                "task_id": task_id,
                "custom_id": custom_id,
                "body": body,
                "handlers": names,
                "task": task,
                "reconciled": 1,
                "batch_id": expectation.batch_id,
                "platform_webhooks": task.get("webhooks") or expectation.webhooks,
            },
        )
        if result.created and result.status is not EventStatus.DUPLICATE:
            RECONCILED_EVENTS.labels(source).inc()
        status = result.status if result.created else EventStatus.DUPLICATE
        return event_id, status
