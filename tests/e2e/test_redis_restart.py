"""A Redis SIGKILL and restart from its append-only file: the worker rides it out."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.faults import HANDLERS, deliver, wait_all_handled
from tests.support.processes import wait_until
from tlhooks.redis_server import RedisServerProcess
from tlhooks.status import EventStatus


@pytest.fixture
def aof_stack(tmp_path: Path, log_dir: Path, stack_broker: str) -> Iterator[Stack]:
    server = RedisServerProcess(tmp_path, persistent=True, log_path=log_dir / "redis-aof.log")
    server.start()
    built = Stack(server, log_dir, stack_broker)  # type: ignore[arg-type]
    built.env["TLHOOKS_HANDLERS"] = HANDLERS
    # leases outlast the outages here; an outage longer than the lease may re-run a handler
    built.env["TLHOOKS_LEASE_SECONDS"] = "8"
    built.env["TLHOOKS_VISIBILITY_TIMEOUT"] = "10"
    try:
        yield built
    finally:
        built.close()
        server.stop()


def _kill_and_restart(server: RedisServerProcess, down: float) -> None:
    server.signal(signal.SIGKILL)
    assert server.process is not None
    server.process.wait(10)
    time.sleep(down)  # the outage itself, not a wait for anything
    server.start()


def test_a_worker_rides_out_a_redis_restart_mid_handler_and_carries_on(aof_stack: Stack) -> None:
    stack = aof_stack
    stack.start()
    worker = stack.workers[0]
    task = stack.create_task("ready", custom_id="hold-1")
    wait_until(lambda: stack.calls("hold", task["task_id"]), timeout=20)

    _kill_and_restart(stack.redis_server, down=3)  # type: ignore[arg-type]

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=60)
    assert worker.alive(), worker.log
    assert len(stack.calls("hold", task["task_id"])) == 1
    assert event.outcomes["hold"].attempts == 1
    after = stack.create_task("ready", custom_id="after-1")
    stack.wait_for_status(after["task_id"], EventStatus.HANDLED, timeout=30)
    assert worker.alive(), worker.log


def test_after_a_redis_restart_a_restarted_worker_finishes_what_the_old_one_held(
    aof_stack: Stack,
) -> None:
    stack = aof_stack
    stack.start()
    task = stack.create_task("ready", custom_id="hold-2")
    wait_until(lambda: stack.calls("hold", task["task_id"]), timeout=20)

    stack.workers[0].kill()
    _kill_and_restart(stack.redis_server, down=2)  # type: ignore[arg-type]
    stack.start_worker()

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=60)
    assert event.crashes == 1
    assert len(stack.calls("hold", task["task_id"])) == 2  # cut off once, then run to the end
    assert event.outcomes["record_ready"].attempts == 1


def test_events_queued_before_a_redis_restart_are_all_handled_after_it(aof_stack: Stack) -> None:
    stack = aof_stack
    stack.start_receiver()
    tasks = deliver(stack, 200, "load")
    worker = stack.start_worker()
    wait_until(lambda: len(stack.calls("load")) >= 20, timeout=30)

    _kill_and_restart(stack.redis_server, down=3)  # type: ignore[arg-type]

    wait_all_handled(stack, tasks, timeout=60)
    assert worker.alive(), worker.log


def test_a_handler_that_succeeded_while_redis_was_away_runs_once(aof_stack: Stack) -> None:
    stack = aof_stack
    stack.start_receiver()
    stack.start_worker(TEST_HOLD_SECONDS="2")
    task = stack.create_task("ready", custom_id="hold-3")
    wait_until(lambda: stack.calls("hold", task["task_id"]), timeout=20)

    _kill_and_restart(stack.redis_server, down=4)  # the handler returns while Redis is away

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=60)
    assert len(stack.calls("hold", task["task_id"])) == 1
    assert event.outcomes["hold"].attempts == 1
    assert event.crashes == 0
