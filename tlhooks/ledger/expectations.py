"""What tlhooks submitted and therefore expects: one record per task, one per batch.

Each task tlhooks creates (``tlhooks submit``, ``Submitter``) is an *expectation* until its
terminal event exists: ``expected`` -> ``webhook`` (the platform's webhook came) |
``reconciled`` (none came in time; tlhooks made the event from the API's answer) |
``canceled`` (a batch expired or was canceled before the item ran). A lone task waits in the
``expected`` index, scored by when to look it up; a batch's items are looked after by polling
the batch (``open_batches``), a handful of calls for a thousand items. Mixed into EventLedger.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import redis
from pydantic import BaseModel, Field
from redis.commands.core import Script

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.record import encode_fields
from tlhooks.ledger.translation import translate_redis_errors

_JSON = ("handlers", "request_params", "request_item", "webhooks", "result_line")


class Expectation(BaseModel):
    """A task tlhooks submitted, and how its result came (or has not yet)."""

    task_id: str
    custom_id: str | None = None
    batch_id: str | None = None
    submitted_at: float
    state: str = "expected"  # expected | webhook | reconciled | canceled
    handlers: dict[str, list[str]] = Field(default_factory=dict)  # kind -> handler names
    request_params: dict[str, Any] | None = None
    request_item: dict[str, Any] | None = None  # the item as submitted, for a resubmit
    event_id: str | None = None
    settled_at: float | None = None
    terminal_seen_at: float | None = None  # a batch poll first saw the item finished
    lookups: int = 0
    webhooks: list[dict[str, Any]] | None = None  # the platform's delivery bookkeeping
    result_line: dict[str, Any] | None = None  # the batch results line, once finished
    event_task: bool | None = None  # its event holds the task: the line was dropped

    @classmethod
    def from_redis(cls, fields: dict[str, str]) -> Expectation:
        data: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
        for name in _JSON:
            if name in data:
                data[name] = json.loads(data[name])
        return cls.model_validate(data)


class BatchRecord(BaseModel):
    """A batch tlhooks submitted, with what the last poll of it said."""

    batch_id: str
    submitted_at: float
    total: int
    created_at: str | None = None
    expires_at: str | None = None
    status: str = "pending"
    polled_at: float | None = None
    done_at: float | None = None
    webhooks: list[dict[str, Any]] | None = None
    request: dict[str, Any] | None = None  # the body as submitted, without its requests
    completion: str | None = None  # claimed | admitted: the batch handlers' event exists
    completion_event: str | None = None
    resubmitted_as: str | None = None  # the batch its canceled items were sent again in
    resubmit_of: str | None = None

    @classmethod
    def from_redis(cls, fields: dict[str, str]) -> BatchRecord:
        data: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
        for name in ("webhooks", "request"):
            if name in data:
                data[name] = json.loads(data[name])
        return cls.model_validate(data)


class ExpectationSteps:
    client: redis.Redis
    keys: LedgerKeys
    _expect: Script  # EXPECT and SETTLE_EXPECTATION, registered by EventLedger
    _settle_expectation: Script

    def expect(
        self, tasks: Sequence[Expectation], due: float, batch: BatchRecord | None = None
    ) -> int:
        """Record a submission (a lone task, or a batch and its items); return how many new."""
        batch_id = batch.batch_id if batch else ""
        batch_fields = encode_fields(batch.model_dump(exclude_none=True)) if batch else {}
        keys = [
            self.keys.expected,
            self.keys.batches,
            self.keys.open_batches,
            self.keys.batch(batch_id),
            self.keys.batch_items(batch_id),
            self.keys.submitted,
            *(self.keys.expectation(task.task_id) for task in tasks),
        ]
        args: list[Any] = [time.time(), due, batch_id, json.dumps(batch_fields)]
        args += [json.dumps(encode_fields(task.model_dump(exclude_none=True))) for task in tasks]
        with translate_redis_errors():
            return int(self._expect(keys=keys, args=args))

    def settle_expectation(self, task_id: str, state: str, event_id: str, **fields: Any) -> bool:
        """Close an open expectation (``webhook``, ``reconciled`` or ``canceled``)."""
        args: list[Any] = [task_id, state, event_id, time.time()]
        for name, value in encode_fields(fields).items():
            args += [name, value]
        keys = [self.keys.expectation(task_id), self.keys.expected]
        with translate_redis_errors():
            return bool(self._settle_expectation(keys=keys, args=args))

    def expectations(self, task_ids: Sequence[str]) -> list[Expectation]:
        """The records of ``task_ids`` in order, in one pipeline; unknown ids are skipped."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for task_id in task_ids:
                pipe.hgetall(self.keys.expectation(task_id))
            replies: list[dict[str, str]] = pipe.execute()
        return [Expectation.from_redis(fields) for fields in replies if fields]

    def expectation(self, task_id: str) -> Expectation | None:
        found = self.expectations([task_id])
        return found[0] if found else None

    def update_expectation(self, task_id: str, **fields: Any) -> None:
        with translate_redis_errors():
            self.client.hset(
                self.keys.expectation(task_id), mapping=dict[Any, Any](encode_fields(fields))
            )

    def due_expectations(self, now: float, limit: int = 100) -> list[str]:
        """Ids of lone tasks whose lookup is due."""
        with translate_redis_errors():
            ids = self.client.zrangebyscore(self.keys.expected, "-inf", now, start=0, num=limit)
        return [str(task_id) for task_id in ids]

    def postpone_expectation(self, task_id: str, due: float) -> None:
        with translate_redis_errors():
            self.client.zadd(self.keys.expected, {task_id: due}, xx=True)

    def terminal_events(self, task_ids: Sequence[str]) -> dict[str, str]:
        """task id -> id of its first terminal event (ready or failed), for those that have one."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for task_id in task_ids:
                pipe.hmget(self.keys.task(task_id), ["ready", "failed"])
            replies: list[list[str | None]] = pipe.execute()
        found: dict[str, str] = {}
        for task_id, (ready, failed) in zip(task_ids, replies, strict=True):
            if ready or failed:
                found[task_id] = str(ready or failed)
        return found

    # Batches ------------------------------------------------------------------------------

    def batch_record(self, batch_id: str) -> BatchRecord | None:
        with translate_redis_errors():
            fields: dict[str, str] = self.client.hgetall(self.keys.batch(batch_id))  # type: ignore[assignment]
        return BatchRecord.from_redis(fields) if fields else None

    def update_batch(self, batch_id: str, **fields: Any) -> None:
        with translate_redis_errors():
            self.client.hset(
                self.keys.batch(batch_id), mapping=dict[Any, Any](encode_fields(fields))
            )

    def batch_task_ids(self, batch_id: str) -> list[str]:
        with translate_redis_errors():
            return [
                str(task_id)
                for task_id in self.client.lrange(self.keys.batch_items(batch_id), 0, -1)
            ]

    def batch_ids(self, offset: int = 0, limit: int = 50) -> list[str]:
        """Submitted batches, newest first."""
        with translate_redis_errors():
            ids = self.client.zrevrange(self.keys.batches, offset, offset + limit - 1)
        return [str(batch_id) for batch_id in ids]

    def due_batches(self, now: float, limit: int = 20) -> list[str]:
        with translate_redis_errors():
            ids = self.client.zrangebyscore(self.keys.open_batches, "-inf", now, start=0, num=limit)
        return [str(batch_id) for batch_id in ids]

    def schedule_batch_poll(self, batch_id: str, due: float | None) -> None:
        """Poll the batch again at ``due``; None: it is done, stop tracking it."""
        with translate_redis_errors():
            if due is None:
                self.client.zrem(self.keys.open_batches, batch_id)
            else:
                self.client.zadd(self.keys.open_batches, {batch_id: due}, xx=True)
