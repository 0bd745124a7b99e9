"""EventFilter and selection: which events a list, replay or purge is about."""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.status import EventStatus

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_CHUNK = 500


def parse_moment(text: str, now: float | None = None) -> float:
    """``2h`` (ago), ``30m``, ``7d``, a unix time, or an ISO 8601 date-time -> unix time."""
    current = time.time() if now is None else now
    value = text.strip()
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
        raise ValueError(
            f"{text!r} is not a time: use a duration ago like '2h' or '7d', a unix time, or an "
            "ISO 8601 date-time like 2026-11-20T09:00:00Z."
        ) from None


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
    with translate_redis_errors():
        yield from _index_chunks(ledger, selection)


def _index_chunks(ledger: EventLedger, selection: EventFilter) -> Iterator[list[str]]:
    client = ledger.client
    low = selection.since if selection.since is not None else "-inf"
    high = selection.until if selection.until is not None else "+inf"
    if selection.task_id is not None:
        yield [str(i) for i in client.zrevrange(ledger.keys.task_events(selection.task_id), 0, -1)]
        return
    if selection.reused_id or selection.redelivered:
        index = ledger.keys.reused if selection.reused_id else ledger.keys.redelivered
        found = [str(i) for i in client.zrevrangebyscore(index, high, low)]
        for start in range(0, len(found), _CHUNK):
            yield found[start : start + _CHUNK]
        return
    if selection.statuses:
        ids: list[str] = []
        for status in selection.statuses:
            ids += [str(i) for i in client.zrange(ledger.keys.by_status(status), 0, -1)]
        scores = client.zmscore(ledger.keys.all_events, ids) if ids else []
        ranked = sorted(zip(scores, ids, strict=True), key=lambda pair: -(pair[0] or 0))
        ordered = [event_id for _, event_id in ranked]
        for start in range(0, len(ordered), _CHUNK):
            yield ordered[start : start + _CHUNK]
        return
    offset = 0
    while True:
        chunk = client.zrevrangebyscore(ledger.keys.all_events, high, low, start=offset, num=_CHUNK)
        if not chunk:
            return
        yield [str(i) for i in chunk]
        offset += len(chunk)


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
