"""Retention and bulk deletes: forgetting events, with every index entry that names them.

Mixed into EventLedger. ``expire`` is the sweeper's retention step; ``delete_many`` also serves
ops purges and intake roll-back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import cast

import redis

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors
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


class RetentionSteps:
    client: redis.Redis
    keys: LedgerKeys

    def ids_in_status(
        self, status: EventStatus, *, entered_before: float = float("inf"), limit: int = 1000
    ) -> list[str]:
        with translate_redis_errors():
            ids = self.client.zrangebyscore(
                self.keys.by_status(status), "-inf", entered_before, start=0, num=limit
            )
        return [str(event_id) for event_id in ids]

    def expire(self, days: float, now: float | None = None, limit: int = 1000) -> int:
        """Delete expirable settled events that settled more than ``days`` ago; 0 days keeps all."""
        if days <= 0:
            return 0
        cutoff = (time.time() if now is None else now) - days * 86400
        deleted = 0
        for status in EXPIRABLE:
            deleted += self.delete_many(
                self.ids_in_status(status, entered_before=cutoff, limit=limit)
            )
        return deleted

    def delete_many(self, ids: Sequence[str]) -> int:
        """Remove events and every index entry that names them; return how many existed."""
        if not ids:
            return 0
        keys = self.keys
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for event_id in ids:
                pipe.hmget(keys.event(event_id), ["task_id", "status", "event_type"])
            found = cast(list[list[str | None]], pipe.execute())
            first_of_kind = self.client.pipeline(transaction=False)
            for task_id, _status, _type in found:
                first_of_kind.hgetall(keys.task(task_id or ""))
            firsts = cast(list[dict[str, str]], first_of_kind.execute())
            pipe = self.client.pipeline(transaction=True)
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
                for index in (keys.all_events, keys.unsettled, keys.by_status(status)):
                    pipe.zrem(index, event_id)
                for index in (keys.schedule, keys.redelivered, keys.reused):
                    pipe.zrem(index, event_id)
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
