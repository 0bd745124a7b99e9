"""The ledger's batch steps beyond submission: what ops and the batch handlers read, the
completion claim, and the single-flight read of a batch's results by workers.

Every read here is bounded by one batch's own items (at most 1,000): a batch's counts never
scan the ledger. Mixed into EventLedger, which registers CLAIM_BATCH_COMPLETION.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.commands.core import Script

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.record import encode_fields
from tlhooks.ledger.translation import translate_redis_errors


@dataclass(frozen=True)
class ItemEvent:
    """The terminal event of one batch item, as the ledger holds it."""

    event_id: str
    status: str
    reconciled: bool


class BatchSteps:
    client: redis.Redis
    keys: LedgerKeys
    _claim_batch_completion: Script

    def batch_count(self) -> int:
        with translate_redis_errors():
            return int(self.client.zcard(self.keys.batches))

    def item_events(self, task_ids: Sequence[str]) -> dict[str, ItemEvent]:
        """task id -> its first terminal event (state, reconciled or not), in two pipelines."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for task_id in task_ids:
                pipe.hmget(self.keys.task(task_id), ["ready", "failed"])
            firsts: list[list[str | None]] = pipe.execute()
            found = {
                task_id: str(ready or failed)
                for task_id, (ready, failed) in zip(task_ids, firsts, strict=True)
                if ready or failed
            }
            pipe = self.client.pipeline(transaction=False)
            for event_id in found.values():
                pipe.hmget(self.keys.event(event_id), ["status", "reconciled"])
            fields: list[list[str | None]] = pipe.execute()
        return {
            task_id: ItemEvent(event_id, str(status or ""), reconciled == "1")
            for (task_id, event_id), (status, reconciled) in zip(found.items(), fields, strict=True)
            if status
        }

    def claim_batch_completion(self, batch_id: str, event_id: str, stale_after: float) -> bool:
        """True for the one caller that may admit the batch's completion event (a Lua
        compare-and-set on the batch record); a claim never confirmed is free again after
        ``stale_after`` seconds."""
        keys = [self.keys.batch(batch_id)]
        with translate_redis_errors():
            taken = self._claim_batch_completion(
                keys=keys, args=[time.time(), event_id, stale_after]
            )
        return int(taken) == 1

    # Results, read once for many workers ---------------------------------------------------

    def try_results_lock(self, batch_id: str, seconds: float) -> str | None:
        """Take the batch's results lock for ``seconds`` (never released early: it also spaces
        the reads of one batch); the token, or None when another worker holds it."""
        token = uuid.uuid4().hex
        with translate_redis_errors():
            taken = self.client.set(
                self.keys.batch_results_lock(batch_id), token, nx=True, px=int(seconds * 1000)
            )
        return token if taken else None

    def store_result_lines(self, lines: Mapping[str, dict[str, Any]], seen_at: float) -> int:
        """Keep each finished item's results line on its expectation (only on items recorded
        and without a line yet: a line is dropped once its event holds the task)."""
        task_ids = list(lines)
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for task_id in task_ids:
                pipe.hmget(self.keys.expectation(task_id), ["state", "result_line", "event_task"])
            current: list[list[str | None]] = pipe.execute()
            pipe = self.client.pipeline(transaction=False)
            stored = 0
            for task_id, (state, line, taken) in zip(task_ids, current, strict=True):
                if state is None or line or taken == "1":
                    continue
                fields = encode_fields({"result_line": lines[task_id], "terminal_seen_at": seen_at})
                pipe.hset(self.keys.expectation(task_id), mapping=dict[Any, Any](fields))
                stored += 1
            pipe.execute()
        return stored

    def drop_result_line(self, task_id: str) -> None:
        """The item's event holds its task now: its stored results line is no longer needed."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            pipe.hdel(self.keys.expectation(task_id), "result_line")
            pipe.hset(self.keys.expectation(task_id), "event_task", "1")
            pipe.execute()
