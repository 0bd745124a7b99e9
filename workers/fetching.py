"""TaskFetcher: the fetch stage of a run: ``GET /analyze/tasks/{id}`` within the API budget.

The run first takes a slot of the deployment's shared budget (workers/pacing.py): a far slot,
or a 429, sends the event back to wait without counting an attempt. A task of a batch tlhooks
submitted is taken from its batch's results line: one stored by the reconciler or by another
run, else one results read shared by every run of the batch (workers/batch_results.py); the
line is dropped once the event holds the task. Any other failure counts
one: retryable errors (5xx, transport errors, a task not yet terminal) are retried with backoff
up to ``max_attempts``; permanent ones (404, other 4xx, a task that is not valid or contradicts
the event) make the event dead at once.
"""

from __future__ import annotations

from pydantic import ValidationError

from tlhooks.analysis import AnalyzeTask, TaskStatus
from tlhooks.errors import FetchFailed, PermanentFetchError, RateLimited, RetryableFetchError
from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ledger.expectations import Expectation
from tlhooks.status import EventKind, EventStatus
from workers.batch_results import DEFERRED, BatchResultsReader, usable
from workers.client import TwelveLabsClient
from workers.pacing import Pacer
from workers.reconciled_events import task_from_line
from workers.retry import RetryPolicy
from workers.run_outcome import RunOutcome
from workers.settling import Settler

_TERMINAL = {TaskStatus.READY: EventKind.READY, TaskStatus.FAILED: EventKind.FAILED}


class TaskFetcher:
    def __init__(
        self,
        ledger: EventLedger,
        client: TwelveLabsClient,
        policy: RetryPolicy,
        pacer: Pacer,
        settler: Settler,
    ) -> None:
        self.ledger = ledger
        self.client = client
        self.policy = policy
        self.pacer = pacer
        self.settler = settler
        self.batch_reader = BatchResultsReader(ledger, client, pacer)

    def fetch(self, record: EventRecord) -> AnalyzeTask | RunOutcome:
        event_id = record.event_id
        self.ledger.transition(event_id, EventStatus.FETCHING)
        item = self.ledger.expectation(record.task_id) if record.task_id else None
        raw = self._from_batch_results(record, item)
        if raw == DEFERRED:
            return RunOutcome.PACED
        if not isinstance(raw, dict):
            if not self.pacer.wait_turn(event_id):
                return RunOutcome.PACED
            try:
                raw = self.client.get_task(str(record.task_id))
            except RateLimited:
                self.pacer.after_rate_limited(event_id)
                return RunOutcome.PACED
            except FetchFailed as exc:
                return self._fetch_failed(event_id, exc)
        try:
            task = self._check_task(record, raw)
        except FetchFailed as exc:
            return self._fetch_failed(event_id, exc)
        self.ledger.increment(event_id, "attempts")
        self.ledger.transition(event_id, EventStatus.HANDLING, "task retrieved", task=raw)
        if item is not None and item.batch_id:
            self.ledger.drop_result_line(item.task_id)  # the event holds the task now
        return task

    def _from_batch_results(
        self, record: EventRecord, item: Expectation | None
    ) -> dict[str, object] | str | None:
        """The task of a batch item tlhooks submitted, from its batch's results line: the one
        stored, else one read for many runs (DEFERRED: the event went back to wait)."""
        if item is None or not item.batch_id:
            return None
        line = usable(item.result_line)
        if line is None and not item.event_task:
            found = self.batch_reader.line_for(item, record.event_id)
            if found == DEFERRED:
                return DEFERRED
            line = usable(found) if isinstance(found, dict) else None
        return task_from_line(line, item) if line is not None else None

    def _fetch_failed(self, event_id: str, exc: FetchFailed) -> RunOutcome:
        """Count the attempt (a 429 is none: see workers/pacing.py), then retry or give up."""
        attempt = self.ledger.increment(event_id, "attempts")
        if isinstance(exc, PermanentFetchError):
            self.settler.die(event_id, f"Fetching the task failed permanently: {exc}")
        elif self.policy.exhausted(attempt):
            self.settler.die(event_id, f"Fetching the task failed {attempt} times; last: {exc}")
        else:
            retry_after = exc.retry_after if isinstance(exc, RetryableFetchError) else None
            self.settler.retry_later(event_id, self.policy.delay(attempt, retry_after), str(exc))
        return RunOutcome.FETCH_FAILED

    def _check_task(self, record: EventRecord, raw: dict[str, object]) -> AnalyzeTask:
        try:
            task = AnalyzeTask.model_validate(raw)
        except ValidationError as exc:
            raise PermanentFetchError(f"The API's task is not a valid task: {exc}") from exc
        event_type = _TERMINAL.get(task.status)
        if event_type is None:
            raise RetryableFetchError(f"Task {task.task_id} is still {task.status.value}.")
        if event_type != record.event_type:
            raise PermanentFetchError(
                f"Task {task.task_id} is {task.status.value} but the event is {record.event_type}."
            )
        return task
