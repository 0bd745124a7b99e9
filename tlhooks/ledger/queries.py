"""Index reads for ops: which ids an index holds, how many, and the oldest unsettled event.

Mixed into EventLedger, so selection, stats and benchmarks read the indexes through the ledger
(errors translated like every ledger call) and never through a raw Redis client.
"""

from __future__ import annotations

from typing import Literal, cast

import redis

from tlhooks.ledger.keys import STATUS_ORDER, LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.status import EventStatus

Bound = float | str  # a score, or '-inf' / '+inf'


class IndexQueries:
    client: redis.Redis
    keys: LedgerKeys

    def task_event_ids(self, task_id: str) -> list[str]:
        """Every event id recorded for one task, newest first."""
        with translate_redis_errors():
            ids = self.client.zrevrange(self.keys.task_events(task_id), 0, -1)
        return [str(event_id) for event_id in ids]

    def arrival_ids(
        self,
        *,
        index: Literal["all", "redelivered", "reused"] = "all",
        since: Bound = "-inf",
        until: Bound = "+inf",
        offset: int = 0,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[str]:
        """Ids in an arrival-time index (every event, the redelivered or the reused ones)."""
        key = {
            "all": self.keys.all_events,
            "redelivered": self.keys.redelivered,
            "reused": self.keys.reused,
        }[index]
        page = {} if limit is None else {"start": offset, "num": limit}
        with translate_redis_errors():
            if newest_first:
                ids = self.client.zrevrangebyscore(key, until, since, **page)  # type: ignore[arg-type]
            else:
                ids = self.client.zrangebyscore(key, since, until, **page)  # type: ignore[arg-type]
        return [str(event_id) for event_id in ids]

    def ids_in_statuses(self, statuses: frozenset[EventStatus]) -> list[str]:
        """Every id in any of ``statuses``, newest arrival first."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for status in statuses:
                pipe.zrange(self.keys.by_status(status), 0, -1)
            ids = [str(i) for found in pipe.execute() for i in found]
            scores = self.client.zmscore(self.keys.all_events, ids) if ids else []
        ranked = sorted(zip(scores, ids, strict=True), key=lambda pair: -(pair[0] or 0))
        return [event_id for _, event_id in ranked]

    def status_counts(self) -> dict[EventStatus, int]:
        """How many events are in each state, from the status indexes' cardinalities."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for status in STATUS_ORDER:
                pipe.zcard(self.keys.by_status(status))
            counts = pipe.execute()
        return {status: int(n) for status, n in zip(STATUS_ORDER, counts, strict=True)}

    def oldest_unsettled(self) -> tuple[str, float] | None:
        """The unsettled event that arrived first, and its arrival time; None when none is."""
        with translate_redis_errors():
            oldest = self.client.zrange(self.keys.unsettled, 0, 0, withscores=True)
        if not oldest:
            return None
        entry = cast(tuple[str, float], oldest[0])
        return str(entry[0]), float(entry[1])

    def queue_length(self, queue: str) -> int:
        """How many messages wait in the broker's list ``queue`` (when the broker is this Redis)."""
        with translate_redis_errors():
            return int(self.client.llen(queue))
