"""OpsService: the one implementation behind ``tlhooks events`` and the admin HTTP API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ops import housekeeping, listing
from tlhooks.ops.batches import BatchPage, BatchSummary, batch_page, summarize
from tlhooks.ops.listing import Count, Page, select
from tlhooks.ops.replay import Replayer, ReplayPlan, ReplayRequest, ReplayStage, ReplaySummary
from tlhooks.ops.selection import EventFilter, parse_moment
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import Settings
from tlhooks.status import EventStatus

# Event ids and task ids share one alphabet (receiver/envelope.py, tlhooks/analysis.py).
EVENT_OR_TASK_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def build_filter(
    *,
    status: Sequence[str] = (),
    event_type: str | None = None,
    custom_id: str | None = None,
    task_id: str | None = None,
    handler: str | None = None,
    since: str | None = None,
    until: str | None = None,
    error: str | None = None,
    redelivered: bool | None = None,
    reused_id: bool | None = None,
) -> EventFilter:
    """An EventFilter from user input; a ValueError says what is wrong and what is allowed."""
    statuses = set()
    for name in status:
        for part in name.split(","):
            try:
                statuses.add(EventStatus(part.strip()))
            except ValueError:
                allowed = ", ".join(s.value for s in EventStatus)
                raise ValueError(f"Unknown status {part!r}; use one of: {allowed}.") from None
    return EventFilter(
        statuses=frozenset(statuses),
        event_type=event_type,
        custom_id=custom_id,
        task_id=task_id,
        handler=handler,
        since=parse_moment(since) if since else None,
        until=parse_moment(until) if until else None,
        error=error,
        redelivered=bool(redelivered),
        reused_id=bool(reused_id),
    )


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def summary(record: EventRecord) -> dict[str, Any]:
    """One event as a row: what a list shows; a handled event shows no stale error."""
    stale = record.status is EventStatus.HANDLED or not record.last_error
    error = None if stale else (record.last_error or "").splitlines()[0][:200]
    return {
        "event_id": record.event_id,
        "received_at": iso(record.received_at),
        "status": record.status.value,
        "event_type": record.event_type,
        "task_id": record.task_id,
        "custom_id": record.custom_id,
        "handlers": record.handlers,
        "attempts": record.attempts,
        "deliveries": record.deliveries,
        "reused_deliveries": record.reused_deliveries,
        "last_error": error,
    }


def detail(record: EventRecord) -> dict[str, Any]:
    """Everything the ledger holds about one event."""
    data = record.model_dump(mode="json")
    data["history"] = [{**t, "at_iso": iso(t["at"])} for t in data["history"]]
    data["delivery_log"] = [{**d, "at_iso": iso(d["at"])} for d in data["delivery_log"]]
    return data


class OpsService:
    """Lists, counts, stats, replays and purges; a list or a count examines at most
    ``scan_cap`` candidate events (``TLHOOKS_OPS_SCAN_CAP``) and says when it stopped there."""

    def __init__(
        self,
        ledger: EventLedger,
        publisher: EventPublisher,
        scan_cap: int = listing.DEFAULT_SCAN_CAP,
    ) -> None:
        self.ledger = ledger
        self.replayer = Replayer(ledger, publisher)
        self.scan_cap = scan_cap

    @classmethod
    def from_settings(cls, settings: Settings) -> OpsService:
        ledger = EventLedger.from_settings(settings)
        return cls(ledger, EventPublisher.from_settings(settings), settings.ops_scan_cap)

    def page(self, selection: EventFilter, limit: int = 50, offset: int = 0) -> Page:
        """Matching events newest first, from the narrowest index; see tlhooks.ops.listing."""
        return listing.page(self.ledger, selection, limit=limit, offset=offset, cap=self.scan_cap)

    def find(self, selection: EventFilter, limit: int = 50, offset: int = 0) -> list[EventRecord]:
        return self.page(selection, limit, offset).records

    def count(self, selection: EventFilter) -> Count:
        return listing.count(self.ledger, selection, self.scan_cap)

    def show(self, key: str) -> list[EventRecord]:
        """An event by id, or every event of a task by task id; nothing for any other text.

        Ids never contain ':', so no key can address the ledger's internal keys.
        """
        if not EVENT_OR_TASK_ID.fullmatch(key):
            return []
        record = self.ledger.get(key)
        if record is not None:
            return [record]
        return self.ledger.events_for_task(key)

    def stats(self) -> dict[str, Any]:
        return housekeeping.stats(self.ledger)

    def batch(self, batch_id: str) -> BatchSummary | None:
        """A submitted batch with its items per state; None when tlhooks did not submit it."""
        return summarize(self.ledger, batch_id)

    def batch_page(self, limit: int = 20, offset: int = 0) -> BatchPage:
        """Submitted batches, newest first, each counted over its own items only."""
        return batch_page(self.ledger, limit, offset)

    def plan_replay(
        self,
        request: ReplayRequest,
        *,
        ids: Iterable[str] = (),
        selection: EventFilter | None = None,
    ) -> ReplayPlan:
        wanted = list(ids)
        records: list[EventRecord] = []
        if wanted:
            records = self.ledger.get_many(wanted)
            found = {r.event_id for r in records}
            missing = [i for i in wanted if i not in found]
            for task_id in missing:
                records += self.ledger.events_for_task(task_id)
        if selection is not None:
            records += list(select(self.ledger, selection))
        unique = list({r.event_id: r for r in records}.values())
        return self.replayer.plan(unique, request)

    def execute(
        self,
        plan: ReplayPlan,
        *,
        rate: float | None = None,
        progress: Callable[[int], object] = lambda _: None,
        stop: Callable[[], bool] = lambda: False,
    ) -> ReplaySummary:
        """Run the plan; the summary counts what the plan refused as well as what the run did."""
        result = self.replayer.execute(plan, rate=rate, progress=progress, stop=stop)
        result.refused = {**plan.refused, **result.refused}
        return result

    def purge(
        self, selection: EventFilter, *, force: bool = False, dry_run: bool = False
    ) -> housekeeping.PurgeResult:
        return housekeeping.purge(self.ledger, selection, force=force, dry_run=dry_run)


__all__ = ["OpsService", "ReplayRequest", "ReplayStage", "build_filter", "detail", "summary"]
