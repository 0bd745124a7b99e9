"""The broker SIGKILLed under load and started again, with Redis and with RabbitMQ as the broker.

The ledger's Redis stays up: the broker here is a server of the test's own (a redis-server with
no persistence, or a private RabbitMQ node), so the test can kill it while two workers run.
While it is down the receiver answers 503 and keeps what it stored, and the platform retries.
Once it is back, what the broker lost (a Redis broker without persistence loses its whole
queue) and what was stored but never queued is queued again from the ledger by the sweeper;
RabbitMQ's durable quorum queue keeps its messages and hands back the unacknowledged ones when
the connection dies (the double execution of Celery's #4671), which the event's state stops.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.faults import HANDLERS, assert_each_succeeded_handler_ran_once, wait_all_handled
from tests.e2e.test_pipeline import envelope
from tests.support.processes import RedisServer, wait_until
from tests.support.rabbitmq import RabbitMQNode, rabbitmq_installed

EVENTS = 160


class Broker(Protocol):
    @property
    def url(self) -> str: ...

    def start(self) -> object: ...

    def kill(self) -> None: ...


@pytest.fixture(params=["redis", "rabbitmq"])
def private_broker(
    request: pytest.FixtureRequest, log_dir: Path, tmp_path: Path
) -> Iterator[Broker]:
    broker: RedisServer | RabbitMQNode
    if request.param == "redis":
        broker = RedisServer(log_dir)
    else:
        if not rabbitmq_installed():
            pytest.skip("rabbitmq-server is not installed: no private RabbitMQ node to kill")
        broker = RabbitMQNode(tmp_path, log_dir)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


def post_until_accepted(stack: Stack, bodies: list[bytes], tries: int) -> list[int]:
    """Post each body, 16 at a time, again after a 503 as the platform would, up to ``tries``
    times; the last answer of each (0 for none)."""

    def post(body: bytes) -> int:
        code = 0
        for _ in range(tries):
            try:
                code = stack.post_webhook(body).status_code
            except OSError:
                code = 0
            if code == 202:
                break
        return code

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(post, bodies))


@pytest.mark.own_broker
def test_a_broker_killed_under_load_and_restarted_loses_no_event_and_runs_each_handler_once(
    stack: Stack, private_broker: Broker
) -> None:
    stack.env["TLHOOKS_BROKER_URL"] = private_broker.url
    stack.env["TLHOOKS_HANDLERS"] = HANDLERS
    stack.start_receiver()
    workers = [stack.start_worker(), stack.start_worker()]
    tasks = [
        str(stack.create_task("ready", custom_id=f"load-{n}", send_webhook=False)["task_id"])
        for n in range(EVENTS)
    ]
    bodies = [envelope(task, f"load-{n}") for n, task in enumerate(tasks)]
    before, during = bodies[: EVENTS // 2], bodies[EVENTS // 2 :]
    assert set(post_until_accepted(stack, before, 1)) == {202}
    wait_until(lambda: len(stack.calls("load")) >= 10, timeout=30)

    private_broker.kill()
    refused = post_until_accepted(stack, during, 1)
    private_broker.start()
    retried = post_until_accepted(stack, during, 20)  # the platform's retries

    assert set(refused) == {503}, "with the broker dead nothing may be acknowledged"
    assert set(retried) == {202}
    records = wait_all_handled(stack, tasks, timeout=120)
    assert all(worker.alive() for worker in workers)
    assert sum(event.crashes for event in records) == 0  # no run was cut off: each ran once
    assert_each_succeeded_handler_ran_once(stack, "load", records)
    assert_each_succeeded_handler_ran_once(stack, "record_ready", records)
