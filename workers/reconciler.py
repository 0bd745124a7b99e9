"""Reconciler: finds the results of submitted work whose webhook never came.

Twelve Labs delivers webhooks best-effort, so tlhooks reconciles what it submitted
(tlhooks/submission.py) against the API, from Celery beat (``tlhooks.reconcile``, every
``TLHOOKS_RECONCILE_INTERVAL`` seconds), each call within the shared rate budget:

- A lone task still without a terminal event ``TLHOOKS_RECONCILE_AFTER`` seconds after its
  submission is looked up (``GET /analyze/tasks/{id}``). Ready or failed for longer than that
  grace, its event is made (workers/reconciled_events.py), marked reconciled; still running,
  it is looked up again one grace later.
- A batch is polled (``GET /analyze/batches/{id}``). Only when it reports more finished items
  than tlhooks knows of are its results read (``GET .../results``, one JSON Lines answer for
  every item); an item finished with no event after the grace gets its event from its results
  line. A finished batch of 1,000 costs a handful of calls, whether its webhooks came or not.

The platform's ``webhooks[]`` (delivered, attempts, last_error) is kept on the expectation and
the event, so ops can tell "we lost it" (delivered, yet no event) from "the platform could not
reach us". A real webhook arriving after a reconciled event is a duplicate: nothing runs twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tlhooks.api.client import TwelveLabsClient
from tlhooks.errors import FetchFailed, RateLimited
from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import Expectation
from tlhooks.ledger.sweeping import SweepOps
from tlhooks.ops.batches import summarize
from workers.batch_completion import BatchCompletions
from workers.reconciled_events import ReconciledEvents, task_from_line

logger = logging.getLogger("tlhooks.reconciler")

TERMINAL = ("ready", "failed")
BATCH_ENDED = ("completed", "canceled", "expired")


@dataclass
class ReconcileReport:
    looked_up: int = 0  # tasks looked up one by one
    batches_polled: int = 0
    results_read: int = 0  # batch results answers read
    reconciled: int = 0  # events made because no webhook came
    webhooks: int = 0  # expectations closed by a webhook's event
    canceled: int = 0  # batch items the platform canceled
    completed: int = 0  # batches found complete (their on="batch" handlers' event admitted)
    skipped: bool = False


def _unix(stamp: object) -> float | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class Reconciler:
    def __init__(
        self,
        ledger: EventLedger,
        client: TwelveLabsClient,
        events: ReconciledEvents,
        reconcile_after: float,
        poll_interval: float,
        clock: Callable[[], float] = time.time,
        limit: int = 100,
        completions: BatchCompletions | None = None,
    ) -> None:
        self.ledger = ledger
        self.client = client
        self.events = events
        self.reconcile_after = reconcile_after
        self.poll_interval = poll_interval
        self.clock = clock
        self.limit = limit
        self.completions = completions
        self.ops = SweepOps(ledger)

    def reconcile(self) -> ReconcileReport:
        report = ReconcileReport()
        lock = self.ledger.keys.reconcile_lock
        token = self.ops.try_lock(lock, max(self.poll_interval * 10, 60.0))
        if token is None:
            report.skipped = True
            return report
        try:
            self._tasks(report)
            self._batches(report)
        except RateLimited:
            logger.info("reconciliation paused by the API's rate limit; next tick resumes")
        finally:
            self.ops.unlock(lock, token)
        if report.reconciled or report.canceled:
            logger.info("reconcile: %s", report)
        return report

    # Lone tasks ---------------------------------------------------------------------------

    def _tasks(self, report: ReconcileReport) -> None:
        due = self.ledger.due_expectations(self.clock(), self.limit)
        events = self.ledger.terminal_events(due)
        for expectation in self.ledger.expectations(due):
            task_id = expectation.task_id
            if task_id in events:
                self.ledger.settle_expectation(task_id, "webhook", events[task_id])
                report.webhooks += 1
                continue
            try:
                task = self.client.get_task(task_id, admit=True)
            except RateLimited:
                raise
            except FetchFailed as exc:
                logger.warning("reconciling task %s: %s; trying again later", task_id, exc)
                self.ledger.postpone_expectation(task_id, self.clock() + self.reconcile_after)
                continue
            report.looked_up += 1
            self._judge_task(expectation, task, report)

    def _judge_task(
        self, expectation: Expectation, task: dict[str, Any], report: ReconcileReport
    ) -> None:
        task_id = expectation.task_id
        now = self.clock()
        webhooks = task.get("webhooks")
        self.ledger.update_expectation(task_id, webhooks=webhooks, lookups=expectation.lookups + 1)
        completed = _unix(task.get("completed_at"))
        if task.get("status") not in TERMINAL:
            self.ledger.postpone_expectation(task_id, now + self.reconcile_after)
            return
        if completed is not None and completed + self.reconcile_after > now:
            # finished a moment ago: its webhook may still be on its way
            self.ledger.postpone_expectation(task_id, completed + self.reconcile_after)
            return
        self._reconcile(task, expectation, "task", report)

    # Batches ------------------------------------------------------------------------------

    def _batches(self, report: ReconcileReport) -> None:
        for batch_id in self.ledger.due_batches(self.clock(), self.limit):
            record = self.ledger.batch_record(batch_id)
            if record is not None and record.done_at is not None:
                self._await_settled(batch_id, report)  # no call: the platform is done
                continue
            try:
                batch = self.client.get_batch(batch_id)
            except RateLimited:
                raise
            except FetchFailed as exc:
                logger.warning("polling batch %s: %s; trying again later", batch_id, exc)
                self.ledger.schedule_batch_poll(batch_id, self.clock() + self.poll_interval)
                continue
            report.batches_polled += 1
            self._poll_batch(batch_id, batch, report)

    def _poll_batch(self, batch_id: str, batch: dict[str, Any], report: ReconcileReport) -> None:
        now = self.clock()
        status = str(batch.get("status") or "")
        self.ledger.update_batch(
            batch_id,
            status=status,
            polled_at=now,
            expires_at=batch.get("expires_at"),
            webhooks=batch.get("webhooks"),
        )
        items = self.ledger.expectations(self.ledger.batch_task_ids(batch_id))
        open_items = [item for item in items if item.state == "expected"]
        events = self.ledger.terminal_events([item.task_id for item in open_items])
        for item in open_items:
            if item.task_id in events:
                self.ledger.settle_expectation(item.task_id, "webhook", events[item.task_id])
                report.webhooks += 1
        waiting = [item for item in open_items if item.task_id not in events]
        finished = sum(int(batch.get(f"{s}_items") or 0) for s in ("ready", "failed", "canceled"))
        known = len(items) - len(waiting) + sum(1 for i in waiting if i.result_line)
        if waiting and finished > known:
            self._read_results(batch_id, waiting, report)
            waiting = [item for item in self.ledger.expectations([i.task_id for i in waiting])]
        for item in waiting:
            self._judge_item(item, report)
        still_open = [i for i in self.ledger.expectations([i.task_id for i in waiting])]
        if status in BATCH_ENDED and all(i.state != "expected" for i in still_open):
            self.ledger.update_batch(batch_id, done_at=now)
            self._await_settled(batch_id, report)
        else:
            self.ledger.schedule_batch_poll(batch_id, now + self.poll_interval)

    def _await_settled(self, batch_id: str, report: ReconcileReport) -> None:
        """The platform is done with the batch: once every item's event is settled too, the
        batch is complete and its on="batch" handlers get their event; until then, look again
        (from the ledger alone) one interval later."""
        summary = summarize(self.ledger, batch_id)
        if summary is not None and not summary.complete:
            self.ledger.schedule_batch_poll(batch_id, self.clock() + self.poll_interval)
            return
        if summary is not None and self.completions is not None:
            self.completions.admit(summary)
            report.completed += 1
        self.ledger.schedule_batch_poll(batch_id, None)

    def _read_results(
        self, batch_id: str, waiting: list[Expectation], report: ReconcileReport
    ) -> None:
        results = self.client.batch_results(batch_id)
        report.results_read += 1
        if results.skipped:
            logger.warning(
                "batch %s: %d garbled results line(s) skipped", batch_id, results.skipped
            )
        lines = results.by_task()
        now = self.clock()
        for item in waiting:
            line = lines.get(item.task_id)
            if line is None or item.result_line:
                continue
            if line.get("status") in (*TERMINAL, "canceled"):
                self.ledger.update_expectation(item.task_id, result_line=line, terminal_seen_at=now)

    def _judge_item(self, item: Expectation, report: ReconcileReport) -> None:
        line = item.result_line
        if not line:
            return
        if line.get("status") == "canceled":
            self.ledger.settle_expectation(item.task_id, "canceled", "")
            self.ledger.drop_result_line(item.task_id)
            report.canceled += 1
            return
        seen = item.terminal_seen_at or self.clock()
        if seen + self.reconcile_after <= self.clock():
            self._reconcile(task_from_line(line, item), item, "batch", report)

    # Both ---------------------------------------------------------------------------------

    def _reconcile(
        self, task: dict[str, Any], expectation: Expectation, source: str, report: ReconcileReport
    ) -> None:
        note = (
            f"reconciled: no webhook came within {self.reconcile_after:g} s; made from the "
            f"API's {'task' if source == 'task' else 'batch results'}"
        )
        event_id, status = self.events.admit(task, expectation, source, note)
        webhooks = task.get("webhooks") or expectation.webhooks
        state = "webhook" if status.value == "duplicate" else "reconciled"
        if self.ledger.settle_expectation(expectation.task_id, state, event_id, webhooks=webhooks):
            report.reconciled += state == "reconciled"
        if source == "batch":
            self.ledger.drop_result_line(expectation.task_id)  # the event holds the task
        logger.info("task %s: %s event %s (%s)", expectation.task_id, state, event_id, status.value)
