"""Intake under faults, on real processes: duplicates, a broker outage, a receiver SIGKILL.

Each test delivers a couple of hundred events and checks that every acknowledged (2xx) event
is handled, each handler once. Messages are counted in the worker's log (one ``Task
tlhooks.process_event[...] received`` line per message), so sweeps do not blur the count.
"""

from __future__ import annotations

import random
import re
import signal
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from kombu import Connection

from tests.e2e.conftest import RABBITMQ, SECRET, Stack, rabbitmq_answers
from tests.e2e.test_pipeline import envelope
from tests.support.processes import RedisServer, Worker, wait_until
from tlhooks.signing import sign
from tlhooks.status import EventStatus

EVENTS = 200
MESSAGE = re.compile(r"Task tlhooks\.process_event\[[^\]]+\] received")


@pytest.fixture
def broker(log_dir: Path) -> Iterator[RedisServer]:
    """A separate broker: a redis-server of its own, which the ledger does not use."""
    server = RedisServer(log_dir)
    server.start()
    yield server
    if server.alive():
        server.stop()


def use_broker(
    stack: Stack, mode: str, broker: RedisServer, request: pytest.FixtureRequest | None = None
) -> None:
    """``inline``: the ledger's Redis; ``separate``: another redis-server; ``rabbitmq``."""
    if mode == "separate":
        stack.env["TLHOOKS_BROKER_URL"] = broker.url
    if mode == "rabbitmq":
        if not rabbitmq_answers():
            pytest.skip("no RabbitMQ at 127.0.0.1:5672")
        queue = f"intake-{uuid.uuid4().hex[:12]}"  # the server is shared: a queue of our own
        stack.env["TLHOOKS_BROKER_URL"] = RABBITMQ
        stack.env["TLHOOKS_QUEUE"] = queue
        if request is not None:
            request.addfinalizer(lambda: _delete_queue(queue))


def _delete_queue(name: str) -> None:
    with Connection(RABBITMQ) as connection:
        connection.default_channel.queue_delete(name)


def bodies(stack: Stack, count: int, prefix: str) -> dict[str, bytes]:
    """Task id -> a ready webhook body, for ``count`` tasks whose webhooks the test sends."""
    created = {}
    with httpx.Client(base_url=stack.emulator.root_url) as client:
        for number in range(count):
            spec = {"status": "ready", "custom_id": f"{prefix}-{number}", "send_webhook": False}
            task = client.post("/_emulator/tasks", json=spec).raise_for_status().json()
            created[task["task_id"]] = envelope(task["task_id"], f"{prefix}-{number}")
    return created


def deliver(
    stack: Stack,
    posts: list[bytes],
    threads: int = 16,
    hold: tuple[int, threading.Event] | None = None,
) -> list[int]:
    """POST every body, ``threads`` at a time; 0 stands for a request that got no answer.

    ``hold=(n, gate)`` posts the first ``n`` bodies at once and the rest only after ``gate`` is set.
    """
    assert stack.receiver is not None
    url = f"{stack.receiver.url}/webhooks/twelvelabs"
    local = threading.local()

    def post(numbered: tuple[int, bytes]) -> int:
        index, body = numbered
        if hold is not None and index >= hold[0]:
            hold[1].wait()
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=10)
            opened.append(local.client)
        headers = {"content-type": "application/json", "TL-Signature": sign(SECRET, body)}
        try:
            return int(local.client.post(url, content=body, headers=headers).status_code)
        except httpx.HTTPError:
            return 0

    opened: list[httpx.Client] = []
    try:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(post, enumerate(posts)))
    finally:
        for client in opened:
            client.close()


def wait_handled(stack: Stack, task_ids: list[str], timeout: float = 120) -> None:
    def done() -> bool:
        return stack.ledger.count_in_status(EventStatus.HANDLED) >= len(task_ids)

    try:
        wait_until(done, timeout=timeout, interval=0.25)
    except TimeoutError:
        stuck = [
            (e.event_id, e.status.value)
            for t in task_ids
            for e in stack.events_for(t)
            if e.status is not EventStatus.HANDLED
        ]
        raise AssertionError(f"{len(stuck)} events never handled: {stuck[:10]}") from None


def runs_per_task(stack: Stack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in stack.calls("record_ready"):
        counts[call["task_id"]] = counts.get(call["task_id"], 0) + 1
    return counts


def messages(workers: list[Worker]) -> int:
    return sum(len(MESSAGE.findall(worker.log)) for worker in workers)


# "inline" runs on each broker of TEST_BROKERS; the other two pick theirs
@pytest.mark.parametrize(
    "mode",
    [
        "inline",
        pytest.param("separate", marks=pytest.mark.own_broker),
        pytest.param("rabbitmq", marks=pytest.mark.own_broker),
    ],
)
def test_five_concurrent_out_of_order_copies_of_each_event_publish_one_message_and_run_once(
    stack: Stack, broker: RedisServer, mode: str, request: pytest.FixtureRequest
) -> None:
    use_broker(stack, mode, broker, request)
    stack.env["TLHOOKS_STALE_AFTER"] = "120"  # no rescue blurs the message count
    stack.start()
    sent = bodies(stack, EVENTS, f"dup-{mode}")
    posts = [body for body in sent.values() for _ in range(5)]
    random.Random(8).shuffle(posts)

    answers = deliver(stack, posts)

    assert answers.count(202) == len(posts)
    wait_handled(stack, list(sent))
    stack.settle(1.0)
    assert runs_per_task(stack) == dict.fromkeys(sent, 1)
    assert messages(stack.workers) == EVENTS
    assert stack.ledger.count_in_status(EventStatus.HANDLED) == EVENTS


@pytest.mark.own_broker
def test_a_broker_outage_at_intake_answers_503_and_every_stored_event_is_handled_once(
    stack: Stack, broker: RedisServer
) -> None:
    use_broker(stack, "separate", broker)
    stack.start_receiver()
    sent = bodies(stack, EVENTS, "broker-out")
    broker.stop()

    refused = deliver(stack, list(sent.values()))

    assert set(refused) == {503}
    assert stack.ledger.count_in_status(EventStatus.RECEIVED) == EVENTS  # kept, not queued
    broker.start()
    stack.start_worker()
    # The platform retries half of them; the sweeper queues the other half by itself.
    retried = deliver(stack, list(sent.values())[: EVENTS // 2])
    assert set(retried) == {202}
    wait_handled(stack, list(sent))
    assert runs_per_task(stack) == dict.fromkeys(sent, 1)


def test_with_the_inline_ledger_down_intake_answers_503_stores_nothing_and_retries_run_once(
    stack: Stack,
) -> None:
    stack.start_receiver()
    sent = bodies(stack, EVENTS, "ledger-out")
    stack.redis_server.stop()

    refused = deliver(stack, list(sent.values()))

    assert set(refused) == {503}
    stack.redis_server.start()
    assert stack.ledger.count_in_status(EventStatus.RECEIVED) == 0
    stack.start_worker()
    assert set(deliver(stack, list(sent.values()))) == {202}
    wait_handled(stack, list(sent))
    assert runs_per_task(stack) == dict.fromkeys(sent, 1)


@pytest.mark.parametrize("mode", ["inline", pytest.param("separate", marks=pytest.mark.own_broker)])
def test_a_receiver_killed_mid_delivery_loses_no_acknowledged_event(
    stack: Stack, broker: RedisServer, mode: str
) -> None:
    use_broker(stack, mode, broker)
    stack.start()
    sent = bodies(stack, EVENTS, f"kill-{mode}")
    receiver = stack.receiver
    assert receiver is not None
    # The second half waits until the receiver is dead, so the kill always lands mid-delivery
    # (a fast receiver would otherwise have answered all of them before the kill).
    killed = threading.Event()
    with ThreadPoolExecutor(1) as background:
        answers = background.submit(deliver, stack, list(sent.values()), 8, (EVENTS // 2, killed))
        wait_until(lambda: stack.ledger.count_in_status(EventStatus.HANDLED) >= 20, timeout=30)
        receiver.signal(signal.SIGKILL)
        killed.set()
        first = answers.result()
    acknowledged = [task for task, code in zip(sent, first, strict=True) if code == 202]
    assert 20 <= len(acknowledged) <= EVENTS // 2

    stack.start_receiver()
    unanswered = [sent[task] for task, code in zip(sent, first, strict=True) if code != 202]
    assert set(deliver(stack, unanswered)) == {202}  # the platform's retries
    wait_handled(stack, list(sent))
    assert runs_per_task(stack) == dict.fromkeys(sent, 1)
