"""Many processes at once on one ledger: 3 receivers, 3 workers, 2 beats; deliveries spread
over the receivers, duplicates sent to different receivers, one worker killed midway. Every
event is handled and every handler runs once (again only where a kill cut a run off)."""

from __future__ import annotations

import itertools
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.conftest import RABBITMQ, Stack, rabbitmq_answers
from tests.e2e.faults import HANDLERS, assert_each_succeeded_handler_ran_once
from tests.e2e.test_pipeline import envelope
from tests.support.processes import Receiver, Worker, wait_until
from tlhooks.signing import sign
from tlhooks.status import EventStatus

TASKS = 1200
COPIES = 300  # the same notification again, to another receiver
RESENT = 300  # a new notification id for a task already notified (the platform resending)


def post(receiver: Receiver, body: bytes) -> int:
    headers = {"content-type": "application/json", "TL-Signature": sign("whsec_e2e", body)}
    return httpx.post(
        f"{receiver.url}/webhooks/twelvelabs", content=body, headers=headers
    ).status_code


@pytest.mark.timeout(360)
@pytest.mark.own_broker
@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_three_receivers_three_workers_and_two_beats_handle_every_event_once(
    stack: Stack, broker: str
) -> None:
    if broker == "rabbitmq":
        if not rabbitmq_answers():
            pytest.skip("no RabbitMQ at 127.0.0.1:5672")
        stack.env["TLHOOKS_BROKER_URL"] = RABBITMQ
        stack.env["TLHOOKS_QUEUE"] = f"many-{uuid.uuid4().hex[:12]}"  # deleted by stack.close
    stack.env["TLHOOKS_HANDLERS"] = HANDLERS
    receivers = [Receiver(stack.env, stack.log_dir).start() for _ in range(3)]
    try:
        with ThreadPoolExecutor(8) as pool:
            task_ids = list(pool.map(lambda n: created(stack, n), range(TASKS)))
        workers = [stack.start_worker(), stack.start_worker()]  # each runs a beat (-B)
        workers.append(Worker(stack.env, stack.log_dir, beat=False).start())
        stack.workers.append(workers[-1])
        bodies = [envelope(task_id, f"load-{n}") for n, task_id in enumerate(task_ids)]
        copies = bodies[:COPIES]
        resent = [envelope(task_id, "load-again") for task_id in task_ids[-RESENT:]]
        spread = zip(itertools.cycle(receivers), [*bodies, *copies[::-1], *resent], strict=False)
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda pair: post(*pair), spread))
            print(f"\n{len(statuses)} deliveries posted in {time.monotonic() - started:.1f} s")
            wait_until(lambda: len(stack.calls("load")) >= TASKS // 4, timeout=60)
            workers[0].kill()

        wait_until(lambda: all_settled(stack), timeout=120)
        print(f"all settled {time.monotonic() - started:.1f} s after the first delivery")
    finally:
        for receiver in receivers:
            receiver.stop()

    assert statuses == [202] * (TASKS + COPIES + RESENT)
    records = [event for task_id in task_ids for event in stack.events_for(task_id)]
    handled = [event for event in records if event.status is EventStatus.HANDLED]
    duplicates = [event for event in records if event.status is EventStatus.DUPLICATE]
    assert len(handled) == TASKS  # one event per task, whichever receiver took it
    assert len(duplicates) == RESENT  # a new id for a task already notified runs nothing
    assert sum(event.deliveries for event in records) == TASKS + COPIES + RESENT
    assert not workers[0].alive()
    assert all(worker.alive() for worker in workers[1:])
    assert_each_succeeded_handler_ran_once(stack, "load", handled)
    assert_each_succeeded_handler_ran_once(stack, "record_ready", handled)


def all_settled(stack: Stack) -> bool:
    """One handled event per task, and nothing left unsettled."""
    ledger = stack.ledger
    unsettled = int(ledger.client.zcard(ledger.keys.unsettled))
    return unsettled == 0 and ledger.count_in_status(EventStatus.HANDLED) == TASKS


def created(stack: Stack, number: int) -> str:
    task = stack.create_task("ready", custom_id=f"load-{number}", send_webhook=False)
    return str(task["task_id"])
