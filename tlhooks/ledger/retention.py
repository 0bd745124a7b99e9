"""Retention and bulk deletes: forgetting events, with every index entry and count that names
them.

Mixed into EventLedger. ``expire`` is the sweeper's retention step; ``delete_many`` also serves
ops purges and intake roll-back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, cast

import redis
from redis.commands.core import Script

from tlhooks.ledger.keys import STATUS_NAMES, LedgerKeys
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


# Reads and deletes of one event a delete may take when the event changes in between.
_ATTEMPTS = 3


class RetentionSteps:
    """Mixed into EventLedger, which registers the DELETE script."""

    client: redis.Redis
    keys: LedgerKeys
    _delete: Script

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
        """Remove events and every index entry that names them; return how many existed.

        Each event goes in one DELETE script (pipelined), which also takes its handlers out of
        the handler counts. Its handlers, type and task name keys the script needs, so they are
        read first; should a record change in between (deleted and stored again), it is read
        again.
        """
        pending = list(dict.fromkeys(ids))
        deleted = 0
        for _ in range(_ATTEMPTS):
            if not pending:
                break
            answers = self._delete_once(pending)
            deleted += sum(1 for answer in answers if answer == "deleted")
            pending = [i for i, answer in zip(pending, answers, strict=True) if answer == "changed"]
        return deleted

    def _delete_once(self, ids: list[str]) -> list[str]:
        keys = self.keys
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for event_id in ids:
                pipe.hmget(keys.event(event_id), ["handlers", "event_type", "task_id"])
            found = cast(list[list[str | None]], pipe.execute())
            pipe = self.client.pipeline(transaction=False)
            for event_id, (handlers, event_type, task_id) in zip(ids, found, strict=True):
                names = [str(name) for name in json.loads(handlers or "[]")]
                event_keys = [
                    *(keys.event(event_id), keys.history(event_id), keys.outcomes(event_id)),
                    *(keys.lease(event_id), keys.publishing(event_id), keys.deliveries(event_id)),
                    *(keys.all_events, keys.unsettled, keys.schedule),
                    *(keys.redelivered, keys.reused),
                    *(keys.task(task_id or ""), keys.task_events(task_id or "")),
                    *(keys.by_type(event_type or ""), keys.custom_ids, keys.handler_outcomes),
                    *keys.handler_indexes(names),
                    *keys.status_indexes,
                ]
                args: list[Any] = [event_id, STATUS_NAMES, len(names), handlers or ""]
                args += [event_type or "", task_id or ""]
                self._delete(keys=event_keys, args=args, client=pipe)
            return [str(answer) for answer in pipe.execute()]
