"""EventFilter and selection: which events a list, replay or purge is about."""

from __future__ import annotations

import fnmatch
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.status import EventStatus

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_CHUNK = 500


def parse_moment(text: str, now: float | None = None) -> float:
    """``2h`` (ago), ``30m``, ``7d``, a unix time, or an ISO 8601 date-time -> unix time."""
    current = time.time() if now is None else now
    moment = _moment(text.strip(), current)
    if moment is None or not math.isfinite(moment):  # 'nan', 'inf', '1e999' are no times
        raise ValueError(
            f"{text!r} is not a time: use a duration ago like '2h' or '7d', a unix time, or an "
            "ISO 8601 date-time like 2026-11-20T09:00:00Z."
        )
    return moment


def _moment(value: str, current: float) -> float | None:
    match = _DURATION.match(value)
    if match:
        return current - float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class EventFilter:
    """Every criterion is optional; an empty filter selects every event."""

    statuses: frozenset[EventStatus] = field(default_factory=frozenset)
    event_type: str | None = None
    custom_id: str | None = None
    task_id: str | None = None
    handler: str | None = None
    since: float | None = None
    until: float | None = None
    error: str | None = None
    redelivered: bool = False
    reused_id: bool = False

    def matches(self, record: EventRecord) -> bool:
        checks = (
            not self.statuses or record.status in self.statuses,
            self.event_type is None or record.event_type == self.event_type,
            self.custom_id is None or fnmatch.fnmatchcase(record.custom_id or "", self.custom_id),
            self.task_id is None or record.task_id == self.task_id,
            self.handler is None or self.handler in record.handlers,
            self.since is None or record.received_at >= self.since,
            self.until is None or record.received_at <= self.until,
            self.error is None or self.error.lower() in (record.last_error or "").lower(),
            not self.redelivered or record.deliveries > 1,
            not self.reused_id or record.reused_deliveries > 0,
        )
        return all(checks)


def _candidate_ids(ledger: EventLedger, selection: EventFilter) -> Iterator[list[str]]:
    """Chunks of ids, newest first, from the narrowest index the filter allows."""
    since = selection.since if selection.since is not None else "-inf"
    until = selection.until if selection.until is not None else "+inf"
    if selection.task_id is not None:
        yield ledger.task_event_ids(selection.task_id)
        return
    if selection.reused_id or selection.redelivered:
        index: Literal["reused", "redelivered"] = "reused" if selection.reused_id else "redelivered"
        yield from _chunks(ledger.arrival_ids(index=index, since=since, until=until))
        return
    if selection.statuses:
        yield from _chunks(ledger.ids_in_statuses(selection.statuses))
        return
    offset = 0
    while chunk := ledger.arrival_ids(since=since, until=until, offset=offset, limit=_CHUNK):
        yield chunk
        offset += len(chunk)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def select(
    ledger: EventLedger, selection: EventFilter, *, limit: int | None = None, offset: int = 0
) -> Iterator[EventRecord]:
    """Matching records, newest first, skipping ``offset`` and stopping after ``limit``."""
    skipped = produced = 0
    for ids in _candidate_ids(ledger, selection):
        for record in ledger.get_many(ids):
            if not selection.matches(record):
                continue
            if skipped < offset:
                skipped += 1
                continue
            yield record
            produced += 1
            if limit is not None and produced >= limit:
                return


def count(ledger: EventLedger, selection: EventFilter) -> int:
    return sum(1 for _ in select(ledger, selection))
