"""Submitter: create analysis tasks and batches, and record each created task as *expected*.

    from tlhooks.submission import Submitter

    submitter = Submitter.from_settings(load_settings())
    task = submitter.submit_task({"video": {...}, "prompt": "...", "custom_id": "ads-1"})
    batches = submitter.submit_batch({"model_name": "pegasus1.5", "analysis_mode": "general",
                                      "requests": [...]})

The bodies are the API's own (``POST /analyze/tasks``, ``POST /analyze/batches``). Every
submission carries an ``Idempotency-Key``: the caller's ``key``, or a digest of the body, so a
submit retried after a timeout creates nothing twice. A request list longer than the
platform's 1,000 becomes several batches (the same model, mode and defaults), each keyed by
its part; while the account's 5 batches are active the next one waits, polling the active
count through the rate budget, instead of failing. Each created task is recorded in the
ledger (tlhooks/ledger/expectations.py) with its custom_id, batch, submission time and the
handlers it will match, so reconciliation can tell a lost webhook from one still to come.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tlhooks.api.client import TwelveLabsClient
from tlhooks.errors import ActiveBatchLimit, SubmissionInvalid, SubmissionRejected
from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.rate_budget import RateBudget
from tlhooks.settings import Settings

MAX_BATCH_ITEMS = 1000
KINDS = ("ready", "failed")
# custom_id, kind ('ready'/'failed') -> names of the handlers that will run
Matcher = Callable[[str | None, str], list[str]]
_ITEM_ONLY = ("video", "custom_id")


def idempotency_key(body: dict[str, Any], key: str | None = None, part: int | None = None) -> str:
    """The caller's key (with ``-<part>`` for the parts of a split batch), else a body digest."""
    if key:
        return key if part is None else f"{key}-{part}"
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "tlhooks-" + hashlib.sha256(canonical.encode()).hexdigest()[:48]


@dataclass(frozen=True)
class SubmittedTask:
    task_id: str
    answer: dict[str, Any]


@dataclass(frozen=True)
class SubmittedBatch:
    batch_id: str
    task_ids: list[str]
    answer: dict[str, Any]


@dataclass
class Submitter:
    """Submits work and records what it expects; ``matcher`` names the handlers per task."""

    client: TwelveLabsClient
    ledger: EventLedger
    reconcile_after: float = 900.0
    batch_poll_interval: float = 30.0
    active_poll_interval: float = 10.0
    matcher: Matcher | None = None
    clock: Callable[[], float] = field(default=time.time, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings, matcher: Matcher | None = None) -> Submitter:
        ledger = EventLedger.from_settings(settings)
        budget = RateBudget.from_settings(ledger, settings)
        return cls(
            TwelveLabsClient.from_settings(settings, budget),
            ledger,
            reconcile_after=settings.reconcile_after,
            batch_poll_interval=settings.reconcile_interval,
            # waiting for a free batch slot polls no more often than reconciliation does
            active_poll_interval=min(10.0, settings.reconcile_interval),
            matcher=matcher,
        )

    def submit_task(self, body: object, *, key: str | None = None) -> SubmittedTask:
        """Create one analysis task (``POST /analyze/tasks``) and record it as expected."""
        request = _json_object(body, "The task request")
        answer = self.client.create_task(request, idempotency_key(request, key))
        task_id = str(answer["task_id"])
        now = self.clock()
        custom_id = request.get("custom_id")
        params = {k: v for k, v in request.items() if k not in _ITEM_ONLY}
        expectation = self._expectation(task_id, custom_id, now, params)
        self.ledger.expect([expectation], due=now + self.reconcile_after)
        return SubmittedTask(task_id, answer)

    def submit_batch(self, body: object, *, key: str | None = None) -> list[SubmittedBatch]:
        """Create one batch per 1,000 requests, each recorded with its items as expected.

        A part the API rejects stops the run: the parts created before it are recorded and
        named in the error, so nothing created is lost and nothing is sent twice on a retry.
        """
        request = _json_object(body, "The batch request")
        items = request.get("requests")
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise SubmissionInvalid(
                "The batch request needs 'requests': a non-empty list of objects, one per video."
            )
        parts = [items[i : i + MAX_BATCH_ITEMS] for i in range(0, len(items), MAX_BATCH_ITEMS)]
        created: list[SubmittedBatch] = []
        for number, part in enumerate(parts, start=1):
            part_body = {**request, "requests": part}
            label = None if len(parts) == 1 else number
            try:
                created.append(
                    self._create_batch(part_body, idempotency_key(part_body, key, label))
                )
            except SubmissionRejected as exc:
                done = ", ".join(batch.batch_id for batch in created) or "none"
                raise SubmissionRejected(
                    f"Part {number} of {len(parts)} (requests {(number - 1) * MAX_BATCH_ITEMS} to "
                    f"{(number - 1) * MAX_BATCH_ITEMS + len(part) - 1}) was refused: {exc} "
                    f"Batches already created and recorded: {done}.",
                    status=exc.status,
                    code=exc.code,
                ) from exc
        return created

    def resubmit_canceled(self, batch_id: str) -> SubmittedBatch:
        """Submit a batch's canceled items (an expired or canceled batch) again, in one new
        batch, as the platform advises; the new batch is recorded like any other.

        Idempotent: the key is derived from the batch and its canceled items, and a batch
        already resubmitted answers the batch it was resubmitted as.
        """
        record = self.ledger.batch_record(batch_id)
        if record is None:
            raise SubmissionInvalid(
                f"No batch {batch_id!r} was submitted by tlhooks; see tlhooks batches list."
            )
        items = self.ledger.expectations(self.ledger.batch_task_ids(batch_id))
        canceled = [item for item in items if item.state == "canceled"]
        if record.resubmitted_as:
            task_ids = self.ledger.batch_task_ids(record.resubmitted_as)
            return SubmittedBatch(
                record.resubmitted_as, task_ids, {"batch_id": record.resubmitted_as}
            )
        if not canceled:
            raise SubmissionInvalid(
                f"Batch {batch_id} has no canceled items to resubmit (it is {record.status}); "
                "items are canceled when the batch expires or is canceled."
            )
        if record.request is None or any(item.request_item is None for item in canceled):
            raise SubmissionInvalid(
                f"Batch {batch_id} was recorded without its request (submitted by an older "
                "tlhooks); submit its canceled items again with tlhooks submit batch."
            )
        body = {**record.request, "requests": [item.request_item for item in canceled]}
        digest = hashlib.sha256(",".join(sorted(i.task_id for i in canceled)).encode())
        key = f"tlhooks-resubmit-{batch_id}-{digest.hexdigest()[:16]}"
        created = self._create_batch(body, key, resubmit_of=batch_id)
        self.ledger.update_batch(batch_id, resubmitted_as=created.batch_id)
        return created

    def _create_batch(
        self, body: dict[str, Any], key: str, resubmit_of: str | None = None
    ) -> SubmittedBatch:
        answer = self._create_when_a_batch_is_free(body, key)
        batch_id = str(answer["batch_id"])
        now = self.clock()
        defaults = body.get("defaults") or {}
        mode = {"analysis_mode": body.get("analysis_mode")}
        expectations = []
        for item, created in zip(body["requests"], answer.get("items") or [], strict=False):
            overrides = {k: v for k, v in item.items() if k not in _ITEM_ONLY}
            params = {**mode, **defaults, **overrides}
            task_id = str(created["task_id"])
            expectation = self._expectation(task_id, item.get("custom_id"), now, params)
            expectation.batch_id, expectation.request_item = batch_id, item
            expectations.append(expectation)
        record = BatchRecord(
            batch_id=batch_id,
            submitted_at=now,
            total=int(answer.get("total_items") or len(expectations)),
            created_at=answer.get("created_at"),
            expires_at=answer.get("expires_at"),
            status=str(answer.get("status") or "pending"),
            request={k: v for k, v in body.items() if k != "requests"},
            resubmit_of=resubmit_of,
        )
        self.ledger.expect(expectations, due=now + self.batch_poll_interval, batch=record)
        return SubmittedBatch(batch_id, [e.task_id for e in expectations], answer)

    def _create_when_a_batch_is_free(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        """Create the batch; while 5 are active, poll the active count, then try again."""
        while True:
            try:
                return self.client.create_batch(body, key)
            except ActiveBatchLimit:
                self.sleep(self.active_poll_interval)
                while self.client.active_batches() >= 5:
                    self.sleep(self.active_poll_interval)

    def _expectation(
        self, task_id: str, custom_id: object, now: float, params: dict[str, Any]
    ) -> Expectation:
        cid = custom_id if isinstance(custom_id, str) else None
        handlers = {kind: self.matcher(cid, kind) for kind in KINDS} if self.matcher else {}
        return Expectation(
            task_id=task_id,
            custom_id=cid,
            submitted_at=now,
            handlers=handlers,
            request_params=params,
        )


def _json_object(body: object, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise SubmissionInvalid(
            f"{what} must be a JSON object (the API's own request body), not {type(body).__name__}."
        )
    return body
