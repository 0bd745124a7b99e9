"""Pipelined deletes of many events at once, for ops, retention and intake roll-back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from tlhooks.ledger.store import EventLedger
from tlhooks.ledger.translation import translate_redis_errors


def delete_many(ledger: EventLedger, ids: Sequence[str]) -> int:
    """Remove events and every index entry that names them; return how many existed."""
    if not ids:
        return 0
    keys = ledger.keys
    with translate_redis_errors():
        pipe = ledger.client.pipeline(transaction=False)
        for event_id in ids:
            pipe.hmget(keys.event(event_id), ["task_id", "status", "event_type"])
        found = cast(list[list[str | None]], pipe.execute())
        first_of_kind = ledger.client.pipeline(transaction=False)
        for task_id, _status, _type in found:
            first_of_kind.hgetall(keys.task(task_id or ""))
        firsts = cast(list[dict[str, str]], first_of_kind.execute())
        pipe = ledger.client.pipeline(transaction=True)
        existed = 0
        for event_id, (task_id, status, _type), first in zip(ids, found, firsts, strict=True):
            if status is None:
                continue
            existed += 1
            task = task_id or ""
            for kind, owner in first.items():
                if owner == event_id:
                    pipe.hdel(keys.task(task), kind)
            pipe.zrem(keys.task_events(task), event_id)
            pipe.zrem(keys.all_events, event_id)
            pipe.zrem(keys.unsettled, event_id)
            pipe.zrem(keys.by_status(status), event_id)
            pipe.zrem(keys.schedule, event_id)
            pipe.zrem(keys.redelivered, event_id)
            pipe.zrem(keys.reused, event_id)
            pipe.delete(
                keys.event(event_id),
                keys.history(event_id),
                keys.outcomes(event_id),
                keys.lease(event_id),
                keys.publishing(event_id),
                keys.deliveries(event_id),
            )
        pipe.execute()
    return existed
