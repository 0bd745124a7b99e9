"""Celery's lines for each idle sweep tick stay out of an INFO log."""

from __future__ import annotations

import logging

import pytest

from tlhooks.queue.celery_config import SWEEP_TASK
from workers import sweeper  # noqa: F401  (importing it installs the filter)


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
