"""BatchResultsReader: a batch item's task from its batch's results, read once for many runs.

A webhook for an item of a batch tlhooks submitted would cost one ``GET /analyze/tasks/{id}``
per item. Instead the first run to need a line takes the batch's results lock (a short
``SET NX`` in the ledger; never released early, so one batch's results are read at most once
per ``spacing`` seconds however many webhooks arrive), reads
``GET /analyze/batches/{id}/results`` once and stores every finished item's line on its
expectation. Runs that find the lock held wait up to ``wait`` seconds for their line to
appear, then go back to wait for the lock's end (deferred through the pacer, no attempt
counted) and read the stored lines. A finished batch of 1,000 then costs a handful of calls
whether its webhooks came or not. An item the fresh results do not show finished, or a read
that fails, falls back to the task lookup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from tlhooks.errors import FetchFailed, RateLimited
from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import Expectation
from workers.client import TwelveLabsClient
from workers.pacing import Pacer

DEFERRED: Literal["deferred"] = "deferred"
Line = dict[str, Any]
_USABLE = ("ready", "failed")
_FINISHED = ("ready", "failed", "canceled")


def usable(line: Line | None) -> Line | None:
    return line if line is not None and line.get("status") in _USABLE else None


class BatchResultsReader:
    def __init__(
        self,
        ledger: EventLedger,
        client: TwelveLabsClient,
        pacer: Pacer,
        *,
        spacing: float = 2.0,
        wait: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ledger = ledger
        self.client = client
        self.pacer = pacer
        self.spacing = spacing
        self.wait = wait
        self.sleep = sleep
        self.clock = clock

    def line_for(self, item: Expectation, event_id: str) -> Line | Literal["deferred"] | None:
        """The item's finished line; None to look the task up instead; DEFERRED when the
        event went back to wait (for the budget, or for another run's read)."""
        batch_id = str(item.batch_id)
        if self.ledger.try_results_lock(batch_id, self.spacing) is not None:
            return self._read(batch_id, item.task_id, event_id)
        deadline = self.clock() + self.wait
        while self.clock() < deadline:
            self.sleep(0.1)
            stored = self.ledger.expectation(item.task_id)
            if stored is not None and usable(stored.result_line):
                return stored.result_line
        note = f"waiting {self.spacing:g} s for batch {batch_id}'s results, read by another run"
        self.pacer.defer(event_id, self.spacing, note)
        return DEFERRED

    def _read(
        self, batch_id: str, task_id: str, event_id: str
    ) -> Line | Literal["deferred"] | None:
        if not self.pacer.wait_turn(event_id):
            return DEFERRED
        try:
            results = self.client.batch_results(batch_id, admit=False)
        except RateLimited:
            self.pacer.after_rate_limited(event_id)
            return DEFERRED
        except FetchFailed:
            return None
        lines = {
            line_task: line
            for line_task, line in results.by_task().items()
            if line.get("status") in _FINISHED
        }
        self.ledger.store_result_lines(lines, time.time())
        return usable(lines.get(task_id))
