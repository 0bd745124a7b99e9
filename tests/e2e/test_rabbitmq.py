"""RabbitMQ as the broker: durable quorum queues, confirmed publishes, the same pipeline."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from amqp.exceptions import PreconditionFailed
from kombu import Connection

from tests.e2e.conftest import RABBITMQ, Stack, rabbitmq_answers
from tlhooks.status import EventStatus


@pytest.fixture
def rabbit_queue() -> Iterator[str]:
    if not rabbitmq_answers():
        pytest.skip("no RabbitMQ at 127.0.0.1:5672")
    name = f"rabbit-{uuid.uuid4().hex[:12]}"  # the server is shared: queues of our own
    yield name
    with Connection(RABBITMQ) as connection:
        for queue in (name, f"{name}.sweep"):
            connection.default_channel.queue_delete(queue)


def declare_classic(name: str) -> None:
    with Connection(RABBITMQ) as connection:
        connection.default_channel.queue_declare(
            name, durable=True, auto_delete=False, arguments={"x-queue-type": "classic"}
        )


@pytest.mark.own_broker
def test_events_flow_through_durable_quorum_queues(stack: Stack, rabbit_queue: str) -> None:
    stack.env["TLHOOKS_BROKER_URL"] = RABBITMQ
    stack.env["TLHOOKS_QUEUE"] = rabbit_queue
    stack.start()

    tasks = [stack.create_task(custom_id=f"rabbit-{n}") for n in range(10)]

    for task in tasks:
        stack.wait_for_status(task["task_id"], EventStatus.HANDLED)
    assert sorted(call["task_id"] for call in stack.calls("record_ready")) == sorted(
        task["task_id"] for task in tasks
    )
    for queue in (rabbit_queue, f"{rabbit_queue}.sweep"):
        with pytest.raises(PreconditionFailed, match="x-queue-type"):
            declare_classic(queue)  # the server refuses: the queue exists as a quorum queue
