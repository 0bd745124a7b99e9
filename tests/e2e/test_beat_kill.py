"""Beat SIGKILLed while retries are scheduled: a new beat carries on and nothing is lost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from tests.e2e.conftest import Stack
from tests.e2e.faults import deliver, wait_all_handled
from tests.support.processes import BIN, Managed, Worker, wait_until


class Beat(Managed):
    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        schedule = log_dir / f"beat-schedule-{time.monotonic_ns()}"
        # DEBUG: the sweep tick's "Sending due task" line is DEBUG (workers/sweeper.py).
        argv = [
            str(BIN / "celery"),
            "-A",
            "workers.app",
            "beat",
            "-l",
            "debug",
            "-s",
            str(schedule),
        ]
        super().__init__("beat", argv, env, log_dir)

    def start(self) -> Beat:
        super().start()
        wait_until(lambda: "Sending due task" in self.log, timeout=30)
        return self


def test_a_new_beat_carries_on_the_retries_a_killed_beat_left(stack: Stack) -> None:
    stack.start_receiver()
    worker = Worker(stack.env, stack.log_dir, beat=False).start()
    stack.workers.append(worker)
    tasks = deliver(stack, 100, "flaky")
    beat = Beat(stack.env, stack.log_dir).start()
    wait_until(lambda: any(c["attempt"] == 2 for c in stack.calls("flaky")), timeout=30)

    beat.kill()
    replacement = Beat(stack.env, stack.log_dir).start()
    try:
        records = wait_all_handled(stack, tasks, timeout=60)
    finally:
        replacement.stop()

    attempts = Counter(c["event_id"] for c in stack.calls("flaky"))
    assert all(attempts[e.event_id] == 3 for e in records), attempts
    ready = Counter(c["event_id"] for c in stack.calls("record_ready"))
    assert all(ready[e.event_id] == 1 for e in records), ready
