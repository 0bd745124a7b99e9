"""The Redis transport keeps its connection parameters through Celery's reconnect cleanup."""

from __future__ import annotations

from kombu import Connection

from tlhooks.queue.celery_config import celery_config
from tlhooks.queue.transport import SENTINEL_TRANSPORT, TRANSPORT, SentinelTransport, Transport
from tlhooks.settings import load_settings


def test_a_collected_connection_leaves_its_channels_able_to_reach_redis() -> None:
    connection = Connection("redis://127.0.0.1:1/0", transport=TRANSPORT)
    transport = connection.transport
    assert isinstance(transport, Transport)

    connection.collect()  # what Celery does first after losing the broker

    assert transport.client is connection
    assert transport.client.hostname == "127.0.0.1"


def test_a_redis_broker_uses_the_fixed_transport_and_any_other_broker_its_own() -> None:
    assert celery_config(load_settings())["broker_transport"] == TRANSPORT
    other = load_settings(broker_url="amqp://guest:guest@127.0.0.1:5672//")
    assert celery_config(other)["broker_transport"] is None


def test_the_sentinel_transport_also_keeps_its_connection_through_collect() -> None:
    connection = Connection(
        "sentinel://127.0.0.1:1/0;sentinel://127.0.0.1:2/0", transport=SENTINEL_TRANSPORT
    )
    transport = connection.transport
    assert isinstance(transport, SentinelTransport)

    connection.collect()

    assert transport.client is connection
    assert transport.client.alt == ["sentinel://127.0.0.1:1/0", "sentinel://127.0.0.1:2/0"]
