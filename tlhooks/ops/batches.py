"""What ops sees of a submitted batch: its items per state, expiry and progress.

An item *arrived* one of four ways: ``expected`` (no event yet), ``webhook`` (the platform's
webhook made its event), ``reconciled`` (tlhooks made it: no webhook came in time) or
``canceled`` (the batch expired or was canceled before the item ran). Its event is then
``handled``, ``dead``, ``invalid``, ``truncated``, ``unmatched`` (no handler) or still
``running``. An item is settled when canceled or when its event is settled; the batch is
complete when it has ended on the platform and every item is settled. Every count reads the
batch's own items only (at most 1,000), never the rest of the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tlhooks.ledger import EventLedger
from tlhooks.ledger.batch_steps import ItemEvent
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.status import EventStatus

ARRIVALS = ("expected", "webhook", "reconciled", "canceled")
OUTCOMES = ("handled", "dead", "invalid", "truncated", "unmatched", "running")
BATCH_ENDED = frozenset({"completed", "canceled", "expired"})
_SETTLED = frozenset(status.value for status in EventStatus if status.settled)


@dataclass(frozen=True)
class BatchItem:
    """One item of a batch: how its result came, and what became of its event."""

    task_id: str
    custom_id: str | None
    state: str  # one of ARRIVALS
    event_id: str | None = None
    event_status: str | None = None

    @property
    def settled(self) -> bool:
        return self.state == "canceled" or self.event_status in _SETTLED

    @property
    def outcome(self) -> str | None:
        """The event's state in OUTCOMES terms; None without an event."""
        if self.event_status is None:
            return None
        return self.event_status if self.event_status in OUTCOMES else "running"

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "custom_id": self.custom_id,
            "state": self.state,
            "event_id": self.event_id,
            "event_status": self.event_status,
            "settled": self.settled,
        }


def item_of(expectation: Expectation, event: ItemEvent | None) -> BatchItem:
    if event is None:
        state = "canceled" if expectation.state == "canceled" else "expected"
        return BatchItem(expectation.task_id, expectation.custom_id, state)
    state = "reconciled" if event.reconciled else "webhook"
    return BatchItem(
        expectation.task_id, expectation.custom_id, state, event.event_id, event.status
    )


@dataclass(frozen=True)
class BatchSummary:
    """A batch record with its items and their counts."""

    record: BatchRecord
    items: list[BatchItem]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((*ARRIVALS, *OUTCOMES), 0)
        for item in self.items:
            counts[item.state] += 1
            if item.outcome is not None:
                counts[item.outcome] += 1
        return counts

    @property
    def settled(self) -> int:
        return sum(item.settled for item in self.items)

    @property
    def progress(self) -> float:
        """The settled share of the items, 0.0 to 1.0."""
        return self.settled / len(self.items) if self.items else 0.0

    @property
    def complete(self) -> bool:
        """Ended on the platform, and every item settled."""
        return self.record.status in BATCH_ENDED and self.settled == len(self.items)

    @property
    def canceled(self) -> list[BatchItem]:
        return [item for item in self.items if item.state == "canceled"]

    def to_dict(self, *, items: bool = True) -> dict[str, Any]:
        record = self.record
        body: dict[str, Any] = {
            "batch_id": record.batch_id,
            "status": record.status,
            "total": len(self.items),
            "submitted_at": record.submitted_at,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
            "polled_at": record.polled_at,
            "counts": self.counts,
            "settled": self.settled,
            "progress": round(self.progress, 4),
            "complete": self.complete,
            "completion_event": record.completion_event,
            "resubmitted_as": record.resubmitted_as,
            "resubmit_of": record.resubmit_of,
            "webhooks": record.webhooks,
        }
        if items:
            body["items"] = [item.to_dict() for item in self.items]
        return body


def summarize(ledger: EventLedger, batch_id: str) -> BatchSummary | None:
    """The batch's record and items, or None when tlhooks did not submit it."""
    record = ledger.batch_record(batch_id)
    if record is None:
        return None
    expectations = ledger.expectations(ledger.batch_task_ids(batch_id))
    events = ledger.item_events([e.task_id for e in expectations])
    items = [item_of(e, events.get(e.task_id)) for e in expectations]
    return BatchSummary(record, items)


@dataclass(frozen=True)
class BatchPage:
    batches: list[BatchSummary]
    total: int


def batch_page(ledger: EventLedger, limit: int = 20, offset: int = 0) -> BatchPage:
    """Submitted batches, newest first: ``limit`` of them from ``offset``, and how many in all."""
    found = [summarize(ledger, batch_id) for batch_id in ledger.batch_ids(offset, limit)]
    return BatchPage([summary for summary in found if summary], ledger.batch_count())
