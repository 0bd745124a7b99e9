"""Stats and purge: how much is where, and removing what is done (retention is the
ledger's own: ``EventLedger.expire``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tlhooks.ledger import EventLedger
from tlhooks.ops.listing import select
from tlhooks.ops.selection import EventFilter

_PAGE = 500


def stats(ledger: EventLedger, now: float | None = None) -> dict[str, Any]:
    """Counts by state (the state indexes), by handler and outcome (the counts the ledger's
    scripts keep) and the oldest unsettled event: a few Redis reads, whatever the ledger's size."""
    current = time.time() if now is None else now
    counts = ledger.status_counts()
    oldest = ledger.oldest_unsettled()
    by_status = {status.value: n for status, n in counts.items()}
    return {
        "total": sum(by_status.values()),
        "by_status": {k: v for k, v in by_status.items() if v},
        "by_handler": ledger.handler_outcome_counts(),
        "oldest_unsettled": None
        if oldest is None
        else {"event_id": oldest[0], "age_seconds": round(current - oldest[1], 1)},
        "api": api_budget(ledger),
    }


def api_budget(ledger: EventLedger) -> dict[str, Any]:
    """The shared API budget's counters: 429s, pauses, deferred runs, and a pause in force."""
    state = ledger.budget_state()
    return {
        "rate_limited": state.rate_limited,
        "pauses": state.pauses,
        "deferrals": state.deferrals,
        "paused_until": state.paused_until,
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
        for start in range(0, len(doomed), _PAGE):
            deleted += ledger.delete_many(doomed[start : start + _PAGE])
    return PurgeResult(len(records), deleted, skipped, dry_run)
