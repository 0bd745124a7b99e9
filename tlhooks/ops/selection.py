"""EventFilter: which events a list, count, replay or purge is about, judged on EventFacts."""

from __future__ import annotations

import fnmatch
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from tlhooks.ledger import EventRecord
from tlhooks.ledger.keys import CUSTOM_ID_SEPARATOR
from tlhooks.status import EventStatus

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


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
class EventFacts:
    """What a filter looks at in an event: read from a whole record, or from the few hash
    fields ``EventLedger.filter_fields`` returns, so both are judged by the same code."""

    status: str
    event_type: str
    custom_id: str
    task_id: str | None
    handlers: tuple[str, ...]
    received_at: float
    last_error: str
    deliveries: int
    reused_deliveries: int

    @classmethod
    def from_record(cls, record: EventRecord) -> EventFacts:
        return cls(
            record.status.value,
            record.event_type,
            record.custom_id or "",
            record.task_id,
            tuple(record.handlers),
            record.received_at,
            record.last_error or "",
            record.deliveries,
            record.reused_deliveries,
        )

    @classmethod
    def from_fields(cls, fields: Mapping[str, str | None]) -> EventFacts:
        """From hash values as stored ('' and absent both mean unset, as in EventRecord)."""

        def text(name: str) -> str:
            return fields.get(name) or ""

        return cls(
            text("status"),
            text("event_type"),
            text("custom_id"),
            text("task_id") or None,
            tuple(json.loads(text("handlers") or "[]")),
            float(text("received_at") or 0),
            text("last_error"),
            int(text("deliveries") or 1),
            int(text("reused_deliveries") or 0),
        )


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
        return self.admits(EventFacts.from_record(record))

    def admits(self, facts: EventFacts) -> bool:
        checks = (
            not self.statuses or facts.status in self.statuses,
            self.event_type is None or facts.event_type == self.event_type,
            self.custom_id is None or fnmatch.fnmatchcase(facts.custom_id, self.custom_id),
            self.task_id is None or facts.task_id == self.task_id,
            self.handler is None or self.handler in facts.handlers,
            self.since is None or facts.received_at >= self.since,
            self.until is None or facts.received_at <= self.until,
            self.error is None or self.error.lower() in facts.last_error.lower(),
            not self.redelivered or facts.deliveries > 1,
            not self.reused_id or facts.reused_deliveries > 0,
        )
        return all(checks)

    @property
    def custom_prefix(self) -> str:
        """The literal head of the custom_id glob, before its first wildcard."""
        pattern = self.custom_id or ""
        cut = min((pattern.index(c) for c in "*?[" if c in pattern), default=len(pattern))
        return pattern[:cut]

    @property
    def custom_is_prefix(self) -> bool:
        """True when the glob is ``<literal>*``: every custom_id under its prefix matches."""
        pattern = self.custom_id or ""
        prefix = self.custom_prefix
        return pattern == prefix + "*" and CUSTOM_ID_SEPARATOR not in prefix
