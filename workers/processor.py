"""EventProcessor: one run of one event: claim it, fetch the task, run its handlers, record all.

Stages and their failure modes:

- claim: a settled event is skipped; an event whose lease another live run holds is re-checked
  when that lease ends; a run that finds a dead predecessor counts a crash, and an event that
  has killed ``max_attempts`` runs is dead (a poison event).
- fetch (workers/fetching.py): ``GET /analyze/tasks/{id}`` once the shared API budget gives
  the run a slot (a far slot, or a 429, sends the event back to wait: workers/pacing.py);
  retryable errors are retried with backoff up to ``max_attempts``; permanent ones make the
  event dead at once. The task is stored, so a later run (a crash, a handler retry) never
  fetches again.
- handle: each matched handler that has not yet succeeded runs under its own policy (its
  options over the global one; see workers/invocation.py); each outcome is stored as soon as
  it is known. Failed handlers are retried alone, after the longest delay any of them needs
  (a ``Retry(delay=...)`` asks for its own); once one is given up and none can still be
  retried, the event is dead, naming it.

Retries are never Celery countdowns: the ledger schedules them and the sweeper publishes them
when due (see tlhooks/queue/celery_config.py for why).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from handlers.context import HandlerContext, idempotency_key
from handlers.registry import HandlerRegistry
from tlhooks.analysis import AnalyzeTask
from tlhooks.ledger import EventLedger, EventRecord, HandlerState
from tlhooks.ledger.fencing import fenced_by
from tlhooks.logs import bind_log_context
from tlhooks.metrics import HANDLED_LATENCY, HANDLER_OUTCOMES
from tlhooks.rate_budget import RateBudget
from tlhooks.status import BATCH_COMPLETED, EventKind, EventStatus
from workers.batch_completion import BatchHandlers
from workers.client import TwelveLabsClient
from workers.compaction import compact
from workers.fetching import TaskFetcher
from workers.invocation import HandlerRun, invoke
from workers.lease import LeaseKeeper
from workers.outcomes import record_outcome
from workers.pacing import Pacer
from workers.result_retention import SettledResults, settled_fields
from workers.retry import RetryPolicy
from workers.run_outcome import RunOutcome as RunOutcome
from workers.settling import Settler
from workers.validation_stage import Verdict, VerdictStatus, judge

logger = logging.getLogger("tlhooks.worker")


class EventProcessor:
    def __init__(
        self,
        ledger: EventLedger,
        client: TwelveLabsClient,
        registry: HandlerRegistry,
        policy: RetryPolicy,
        leases: LeaseKeeper,
        clock: Callable[[], float] = time.time,
        outcome_write_timeout: float = 30.0,
        pacer: Pacer | None = None,
        settled_results: SettledResults = "drop",
        compact_handled: bool = True,
    ) -> None:
        self.ledger = ledger
        self.client = client
        self.registry = registry
        self.policy = policy
        self.leases = leases
        self.clock = clock
        self.outcome_write_timeout = outcome_write_timeout
        self.settled_results: SettledResults = settled_results
        self.compact_handled = compact_handled
        self.settler = Settler(ledger, clock)
        # without a pacer, no pacing: only a 429 sends the event back to wait
        pacer = pacer or Pacer(ledger, RateBudget(ledger, per_minute=0), clock)
        self.fetcher = TaskFetcher(ledger, client, policy, pacer, self.settler)
        self.batch_handlers = BatchHandlers(ledger, registry, policy, outcome_write_timeout)

    def process(self, event_id: str) -> RunOutcome:
        """Run the event once; return what happened (for logs and tests)."""
        token = uuid.uuid4().hex
        claim = self.ledger.begin_run(event_id, token, self.leases.lease_seconds)
        if claim.outcome == "missing":
            logger.warning("event %s is not in the ledger; dropping its message", event_id)
            return RunOutcome.MISSING
        if claim.outcome == "settled":
            return RunOutcome.SETTLED
        if claim.outcome == "busy":
            self.ledger.schedule(event_id, self.clock() + claim.lease_remaining + 1)
            return RunOutcome.BUSY
        try:
            # every move of this run is refused once another run took the event over
            with self.leases.holding(event_id, token), fenced_by(token):
                if self.policy.exhausted(claim.crashes):
                    return self.settler.die(
                        event_id,
                        f"A worker died {claim.crashes} times while processing this event; it "
                        "is treated as poison and not retried. Fix the cause, then replay it.",
                    )
                outcome = self._run(self.ledger.require(event_id), token)
        finally:
            self.ledger.end_run(event_id, token)
        if outcome == RunOutcome.HANDLED and self.compact_handled:
            compact(self.ledger, event_id)
        return outcome

    def _run(self, record: EventRecord, token: str) -> RunOutcome:
        bind_log_context(task_id=record.task_id, custom_id=record.custom_id)
        if record.event_type == BATCH_COMPLETED:
            return self._run_batch_handlers(record, token)
        if record.task is None:
            fetched = self.fetcher.fetch(record)
            if isinstance(fetched, RunOutcome):
                return fetched
            task = fetched
        else:
            task = AnalyzeTask.model_validate(record.task)
            if record.status is EventStatus.RECEIVED:
                # stored with its task (reconciled) and picked up before its publish was marked
                self.ledger.transition(record.event_id, EventStatus.QUEUED, "picked up")
            self.ledger.transition(record.event_id, EventStatus.HANDLING, "resumed")
        return self._handle(record, task, token)

    def _run_batch_handlers(self, record: EventRecord, token: str) -> RunOutcome:
        runs = self.batch_handlers.run(record, token)
        if runs is None:
            return self.settler.die(
                record.event_id, f"Batch {record.batch_id} is no longer in the ledger."
            )
        return self._conclude(record, None, runs, list(record.handlers), EventStatus.HANDLED)

    # Handle -------------------------------------------------------------------------------

    def _handle(self, record: EventRecord, task: AnalyzeTask, token: str) -> RunOutcome:
        names = record.pending_handlers
        inputs: dict[str, dict[str, Any]] = {name: {} for name in names}
        success, judged = EventStatus.HANDLED, list(record.handlers)
        if record.event_type == EventKind.READY:
            specs = {name: self.registry.get(name) for name in record.handlers}
            verdict = judge(task, specs)
            if verdict.status is VerdictStatus.INVALID:
                return self._quarantine(record.event_id, EventStatus.INVALID, verdict)
            if verdict.status is VerdictStatus.TRUNCATED:
                if not verdict.inputs:
                    return self._quarantine(record.event_id, EventStatus.TRUNCATED, verdict)
                success, judged = EventStatus.TRUNCATED, list(verdict.inputs)
                names = [name for name in names if name in verdict.inputs]
            self.ledger.update(record.event_id, validation=verdict.record)
            inputs = {name: verdict.inputs.get(name, {}) for name in names}
        result = self._raw_result(task)
        error = task.error.message if task.error and record.event_type != EventKind.READY else None
        runs = [
            self._run_handler(record, task, name, result, error, inputs[name], token)
            for name in names
        ]
        return self._conclude(record, task, runs, judged, success)

    @staticmethod
    def _raw_result(task: AnalyzeTask) -> object:
        """``result.data`` parsed when it is JSON, else as sent (e.g. cut mid-JSON)."""
        try:
            return task.parsed_data()
        except ValueError:
            return task.result.data if task.result is not None else None

    def _quarantine(self, event_id: str, status: EventStatus, verdict: Verdict) -> RunOutcome:
        logger.warning("event %s is %s: %s", event_id, status.value, verdict.summary)
        self.ledger.transition(
            event_id, status, verdict.summary, validation=verdict.record, last_error=verdict.summary
        )
        return RunOutcome(status.value)

    def _run_handler(
        self,
        record: EventRecord,
        task: AnalyzeTask,
        name: str,
        result: object,
        error: str | None,
        inputs: dict[str, Any],
        token: str,
    ) -> HandlerRun:
        attempt = record.outcome(name).attempts + 1
        bind_log_context(handler=name, attempt=attempt)
        context = HandlerContext(
            task_id=task.task_id,
            custom_id=record.custom_id,
            event_type=record.event_type,
            event_id=record.event_id,
            handler=name,
            idempotency_key=idempotency_key(task.task_id, name),
            attempt=attempt,
            task=task,
            result=result,
            error=error,
            logger=logging.getLogger(f"tlhooks.handler.{name}"),
            **inputs,
        )
        spec = self.registry.get(name)
        policy = self.policy.for_handler(spec.options if spec is not None else None)
        run = invoke(spec, context, policy, self.clock)
        HANDLER_OUTCOMES.labels(name, run.outcome.state.value).inc()
        if run.outcome.state is not HandlerState.SUCCEEDED:
            logger.warning(
                "handler %s failed on event %s: %s", name, record.event_id, run.outcome.last_error
            )
        record_outcome(self.ledger, record.event_id, run.outcome, self.outcome_write_timeout, token)
        return run

    def _conclude(
        self,
        record: EventRecord,
        task: AnalyzeTask | None,
        runs: list[HandlerRun],
        judged: list[str],
        success: EventStatus,
    ) -> RunOutcome:
        """Judge the event on the latest outcome of every handler in ``judged`` (``task``:
        None for a batch's completion, which has no result to keep or drop)."""
        latest = {**record.outcomes, **{run.outcome.handler: run.outcome for run in runs}}
        states = [latest.get(name, record.outcome(name)) for name in judged]
        retryable = [o for o in states if o.state is HandlerState.FAILED]
        exhausted = [o for o in states if o.state is HandlerState.EXHAUSTED]
        if retryable:
            asked = {run.outcome.handler: run.retry_after for run in runs}
            delay = max(self.policy.delay(o.attempts, asked.get(o.handler)) for o in retryable)
            worst = retryable[0]
            return self.settler.retry_later(
                record.event_id,
                delay,
                f"Handler {worst.handler!r} failed: {worst.last_error}",
                worst.last_traceback,
            )
        if exhausted:
            names = ", ".join(repr(o.handler) for o in exhausted)
            first = exhausted[0]
            return self.settler.die(
                record.event_id,
                f"Handler {names} gave up after {first.attempts} attempt(s); last: "
                f"{first.last_error}",
                first.last_traceback,
            )
        kept = {} if task is None else settled_fields(self.settled_results, success, task)
        self.ledger.transition(record.event_id, success, **kept)
        HANDLED_LATENCY.labels(success.value).observe(max(self.clock() - record.received_at, 0))
        return RunOutcome(success.value)
