"""The Celery tasks. They carry only an event id; the ledger holds everything else."""

from __future__ import annotations

from typing import Any

from tlhooks.logs import log_context
from tlhooks.metrics import SWEEPER_DEAD, SWEEPER_PUBLISHED, SWEEPER_RESCUES
from tlhooks.queue.celery_config import PROCESS_TASK, RECONCILE_TASK, SWEEP_TASK
from workers.app import app, publisher
from workers.processor import RunOutcome
from workers.runtime import current_runtime


@app.task(name=PROCESS_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)  # type: ignore[untyped-decorator]
def process_event(event_id: str) -> RunOutcome:
    """Process one event: fetch its task, run its handlers, record every outcome."""
    with log_context(event_id=event_id):
        return current_runtime(publisher).processor.process(event_id)


@app.task(name=SWEEP_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def sweep() -> dict[str, Any]:
    """Publish due retries and rescue stuck events."""
    report = current_runtime(publisher).sweeper.sweep()
    SWEEPER_RESCUES.inc(report.rescued)
    SWEEPER_PUBLISHED.inc(report.published)
    SWEEPER_DEAD.inc(report.dead)
    return vars(report)


@app.task(name=RECONCILE_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def reconcile() -> dict[str, Any]:
    """Look up submitted work whose webhook has not come; make the events that are missing."""
    return vars(current_runtime(publisher).reconciler.reconcile())
