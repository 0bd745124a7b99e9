"""After the load: every accepted event must be in the ledger as ``queued`` and on the queue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import redis

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.status import EventStatus

BATCH = 1000


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool


def ledger_checks(
    client: redis.Redis, ids_file: Path, keys: LedgerKeys, queue: str, errors: int
) -> list[Check]:
    ids = ids_file.read_text().split() if ids_file.exists() else []
    statuses: list[str | None] = []
    for first in range(0, len(ids), BATCH):
        pipe = client.pipeline(transaction=False)
        for event_id in ids[first : first + BATCH]:
            pipe.hget(keys.event(event_id), "status")
        statuses += pipe.execute()
    stored = sum(status is not None for status in statuses)
    queued = sum(status == EventStatus.QUEUED.value for status in statuses)
    length = int(client.llen(queue))
    accepted = len(ids)
    return [
        Check(f"errors (non-2xx, transport, timeouts, non-queued 202s): {errors}", errors == 0),
        Check(f"accepted events have a ledger hash: {stored}/{accepted}", stored == accepted),
        Check(f"accepted events have status 'queued': {queued}/{accepted}", queued == accepted),
        Check(
            f"queue {queue!r} length equals accepted: {length} == {accepted}",
            length == accepted and accepted > 0,
        ),
    ]
