"""Celery's lines for each idle sweep tick stay out of an INFO log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tlhooks.queue.celery_config import SWEEP_TASK
from workers.sweeper import CELERY_TICK_LOGGERS, quiet_sweep_ticks


@pytest.fixture(autouse=True)
def _quiet_ticks() -> Iterator[None]:
    """What workers/app.py does at start-up, undone afterwards."""
    before = {name: list(logging.getLogger(name).filters) for name in CELERY_TICK_LOGGERS}
    quiet_sweep_ticks(SWEEP_TASK)
    yield
    for name, filters in before.items():
        logging.getLogger(name).filters[:] = filters


@pytest.mark.parametrize("name", ["celery.beat", "celery.worker.strategy", "celery.app.trace"])
def test_celery_sweep_tick_lines_are_debug_not_info(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=name):
        logging.getLogger(name).info("Task %s[abc] received", SWEEP_TASK)
        logging.getLogger(name).info("Task tlhooks.process[abc] received")
    with caplog.at_level(logging.DEBUG, logger=name):
        logging.getLogger(name).info("Scheduler: Sending due task %s", SWEEP_TASK)

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "Task tlhooks.process[abc] received"),
        ("DEBUG", f"Scheduler: Sending due task {SWEEP_TASK}"),
    ]
