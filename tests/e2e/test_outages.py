"""Redis outages and worker crashes lose nothing and run no succeeded handler twice."""

from __future__ import annotations

import signal
import time

from tests.e2e.conftest import Stack
from tests.e2e.test_pipeline import envelope
from tests.support.processes import wait_until
from tlhooks.ledger import HandlerState
from tlhooks.status import EventStatus


def test_with_redis_stopped_the_receiver_answers_503_and_the_retry_is_processed(
    stack: Stack,
) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="outage-1", send_webhook=False)
    body = envelope(task["task_id"], "outage-1")
    stack.redis_server.stop()

    started = time.monotonic()
    refused = stack.post_webhook(body)
    elapsed = time.monotonic() - started

    assert refused.status_code == 503
    assert elapsed < 5
    stack.redis_server.start()
    accepted = stack.post_webhook(body)
    assert accepted.status_code == 202
    assert accepted.json()["status"] == "queued"
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=60)
    assert len(stack.calls("record_ready", task["task_id"])) == 1


def test_with_redis_paused_the_receiver_answers_503_within_its_budget(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="outage-2", send_webhook=False)
    body = envelope(task["task_id"], "outage-2")
    stack.redis_server.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        refused = stack.post_webhook(body)
        elapsed = time.monotonic() - started
    finally:
        stack.redis_server.signal(signal.SIGCONT)

    assert refused.status_code == 503
    assert elapsed < 5  # intake budget is 2 s in this stack
    answer = stack.post_webhook(body)
    assert answer.status_code == 202
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=30)
    assert len(stack.calls("record_ready", task["task_id"])) == 1


def test_a_worker_killed_mid_handler_leaves_the_event_to_be_finished_once(stack: Stack) -> None:
    stack.start()
    worker = stack.workers[0]
    task = stack.create_task("ready", custom_id="slow-1")
    wait_until(lambda: stack.calls("slow", task["task_id"]), timeout=20)

    worker.kill()
    stack.start_worker()

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=60)
    assert len(stack.calls("record_ready", task["task_id"])) == 1
    assert len(stack.calls("slow", task["task_id"])) == 2
    assert event.crashes == 1
    assert event.outcomes["record_ready"].attempts == 1
    assert event.outcomes["slow"].state is HandlerState.SUCCEEDED


def test_a_poison_event_that_kills_its_worker_every_time_ends_dead(stack: Stack) -> None:
    stack.start_receiver()
    stack.start_worker(pool="prefork")
    task = stack.create_task("ready", custom_id="poison-1")

    event = stack.wait_for_status(task["task_id"], EventStatus.DEAD, timeout=90)

    assert "poison" in (event.last_error or "")
    assert event.crashes == 3
