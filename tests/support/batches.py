"""A batch in the ledger with an item in every state, for the ops, admin and CLI tests."""

from __future__ import annotations

from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.status import EventStatus

BATCH_ID = "b" * 24
TASKS = [f"{n:024x}" for n in range(1, 7)]
PATHS = {
    EventStatus.HANDLED: [EventStatus.FETCHING, EventStatus.HANDLING, EventStatus.HANDLED],
    EventStatus.DEAD: [EventStatus.DEAD],
    EventStatus.INVALID: [EventStatus.FETCHING, EventStatus.HANDLING, EventStatus.INVALID],
    EventStatus.RECEIVED: [],
}


def arrive(
    ledger: EventLedger, task_id: str, status: EventStatus, *, reconciled: bool = False
) -> str:
    """An event for the task, moved along the state machine to ``status``."""
    event_id = f"rec_{task_id}" if reconciled else f"whe_{task_id}"
    fields = {"event_type": "analyze.task.ready", "task_id": task_id, "handlers": ["h"]}
    if reconciled:
        fields["reconciled"] = 1
    ledger.accept(event_id=event_id, kind="ready", requested=EventStatus.RECEIVED, fields=fields)
    for step in PATHS[status]:
        ledger.transition(event_id, step)
    return event_id


def a_batch_in_every_state(ledger: EventLedger, status: str = "processing") -> None:
    """Six items: webhook handled, reconciled dead, webhook invalid, canceled, expected, and
    a webhook whose event is still running."""
    items = [
        Expectation(
            task_id=task_id,
            custom_id=f"ads-{n}",
            batch_id=BATCH_ID,
            submitted_at=100.0,
            request_item={
                "video": {"type": "asset_id", "asset_id": "a" * 24},
                "custom_id": f"ads-{n}",
            },
        )
        for n, task_id in enumerate(TASKS)
    ]
    record = BatchRecord(
        batch_id=BATCH_ID,
        submitted_at=100.0,
        total=6,
        expires_at="2026-12-06T20:00:00Z",
        status=status,
        request={"model_name": "pegasus1.5", "analysis_mode": "general"},
    )
    ledger.expect(items, due=130.0, batch=record)
    arrive(ledger, TASKS[0], EventStatus.HANDLED)
    arrive(ledger, TASKS[1], EventStatus.DEAD, reconciled=True)
    arrive(ledger, TASKS[2], EventStatus.INVALID)
    ledger.settle_expectation(TASKS[3], "canceled", "")
    arrive(ledger, TASKS[5], EventStatus.RECEIVED)
