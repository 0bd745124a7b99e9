"""Retention of what tlhooks submitted: expectations and batch records are forgotten once they
are done and older than ``TLHOOKS_RETENTION_DAYS``, as settled events are.

Mixed into EventLedger; the sweeper's retention step calls it. A lone task's expectation goes
once it is settled (``webhook``, ``reconciled`` or ``canceled``) and was submitted before the
cutoff; a batch goes with its items once it is no longer tracked (not in ``batches:open``: the
platform is done with it and its completion was handled). What is still open stays, however
old: that is a result tlhooks is still waiting for. States only move forward (an open
expectation settles; a tracked batch is let go), so deciding from a read and deleting after it
never removes anything still needed.
"""

from __future__ import annotations

import time
from typing import cast

import redis

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors


class SubmissionRetention:
    client: redis.Redis
    keys: LedgerKeys

    def expire_submissions(self, days: float, now: float | None = None, limit: int = 1000) -> int:
        """Forget done submissions older than ``days``; return how many records went (tasks
        and batches). 0 days keeps everything."""
        if days <= 0:
            return 0
        cutoff = (time.time() if now is None else now) - days * 86400
        with translate_redis_errors():
            return self._expire_lone_tasks(cutoff, limit) + self._expire_batches(cutoff, limit)

    def _expire_lone_tasks(self, cutoff: float, limit: int) -> int:
        keys = self.keys
        ids = [str(i) for i in self.client.zrangebyscore(keys.submitted, "-inf", cutoff, 0, limit)]
        if not ids:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for task_id in ids:
            pipe.hget(keys.expectation(task_id), "state")
        states = cast(list[str | None], pipe.execute())
        done = [t for t, state in zip(ids, states, strict=True) if state != "expected"]
        if done:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(*(keys.expectation(task_id) for task_id in done))
            pipe.zrem(keys.submitted, *done)
            pipe.execute()
        return len(done)

    def _expire_batches(self, cutoff: float, limit: int) -> int:
        keys = self.keys
        ids = [str(i) for i in self.client.zrangebyscore(keys.batches, "-inf", cutoff, 0, limit)]
        if not ids:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for batch_id in ids:
            pipe.zscore(keys.open_batches, batch_id)
            pipe.lrange(keys.batch_items(batch_id), 0, -1)
        replies = pipe.execute()
        expired = 0
        pipe = self.client.pipeline(transaction=True)
        for index, batch_id in enumerate(ids):
            tracked, items = replies[2 * index], cast(list[str], replies[2 * index + 1])
            if tracked is not None:
                continue
            pipe.delete(keys.batch(batch_id), keys.batch_items(batch_id))
            if items:
                pipe.delete(*(keys.expectation(task_id) for task_id in items))
            pipe.zrem(keys.batches, batch_id)
            expired += 1
        pipe.execute()
        return expired
