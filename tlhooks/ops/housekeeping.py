"""Stats, purge and retention: how much is where, and removing what is done."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from tlhooks.ledger import EventLedger
from tlhooks.ledger.bulk import delete_many
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.ops.selection import EventFilter, select
from tlhooks.status import EventStatus

# Settled events that retention expires; dead, invalid and truncated ones (and anything
# unsettled) stay until they are replayed or purged.
EXPIRABLE = (
    EventStatus.HANDLED,
    EventStatus.IGNORED,
    EventStatus.DUPLICATE,
    EventStatus.UNMATCHED,
    EventStatus.CONFLICT,
)


def stats(ledger: EventLedger, now: float | None = None) -> dict[str, Any]:
    current = time.time() if now is None else now
    client = ledger.client
    by_handler: dict[str, Counter[str]] = defaultdict(Counter)
    with translate_redis_errors():
        pipe = client.pipeline(transaction=False)
        for status in EventStatus:
            pipe.zcard(ledger.keys.by_status(status))
        pipe.zrange(ledger.keys.unsettled, 0, 0, withscores=True)
        replies = pipe.execute()
        offset = 0
        while ids := [str(i) for i in client.zrange(ledger.keys.all_events, offset, offset + 499)]:
            offset += len(ids)
            for record in ledger.get_many(ids):
                for name in record.handlers:
                    by_handler[name][record.outcome(name).state.value] += 1
    by_status = {s.value: int(n) for s, n in zip(EventStatus, replies[:-1], strict=True)}
    oldest = replies[-1]
    return {
        "total": sum(by_status.values()),
        "by_status": {k: v for k, v in by_status.items() if v},
        "by_handler": {name: dict(counts) for name, counts in sorted(by_handler.items())},
        "oldest_unsettled": None
        if not oldest
        else {"event_id": oldest[0][0], "age_seconds": round(current - oldest[0][1], 1)},
    }


@dataclass
class PurgeResult:
    matched: int
    deleted: int
    skipped_unsettled: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return vars(self)


def purge(
    ledger: EventLedger, selection: EventFilter, *, force: bool = False, dry_run: bool = False
) -> PurgeResult:
    """Delete matching events; unsettled ones are skipped unless ``force``."""
    records = list(select(ledger, selection))
    doomed = [r.event_id for r in records if force or r.status.settled]
    skipped = len(records) - len(doomed)
    deleted = 0
    if not dry_run:
        for start in range(0, len(doomed), 500):
            deleted += delete_many(ledger, doomed[start : start + 500])
    return PurgeResult(len(records), deleted, skipped, dry_run)


def expire(ledger: EventLedger, days: float, now: float | None = None, limit: int = 1000) -> int:
    """Retention: delete expirable settled events that settled more than ``days`` ago."""
    if days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - days * 86400
    deleted = 0
    for status in EXPIRABLE:
        ids = ledger.ids_in_status(status, entered_before=cutoff, limit=limit)
        deleted += delete_many(ledger, ids)
    return deleted
