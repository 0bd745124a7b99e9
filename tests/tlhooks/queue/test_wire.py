"""The message intake pushes itself must be the message kombu would have published."""

from __future__ import annotations

import base64
import json

import redis

from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import load_settings


def test_the_inline_message_has_kombus_shape_and_decodes_to_the_same_task(
    redis_client: redis.Redis,
) -> None:
    kwargs = redis_client.connection_pool.connection_kwargs
    url = f"redis://{kwargs['host']}:{kwargs['port']}/0"
    publisher = EventPublisher.from_settings(load_settings(redis_url=url))
    publisher.publish("whe_by_kombu")
    by_kombu = json.loads(redis_client.rpop("tlhooks") or "")

    ours = json.loads(publisher.wire_message("whe_inline"))

    assert ours.keys() == by_kombu.keys()
    assert ours["headers"].keys() == by_kombu["headers"].keys()
    assert ours["properties"].keys() == by_kombu["properties"].keys()
    assert ours["properties"]["delivery_info"] == by_kombu["properties"]["delivery_info"]
    for name in ("content-type", "content-encoding"):
        assert ours[name] == by_kombu[name]
    assert ours["headers"]["task"] == by_kombu["headers"]["task"] == "tlhooks.process_event"
    body = json.loads(base64.b64decode(ours["body"]))
    assert body[0] == ["whe_inline"]
    assert body[1:] == json.loads(base64.b64decode(by_kombu["body"]))[1:]
    publisher.close()


def test_queueing_is_inline_only_when_the_broker_is_the_ledgers_redis() -> None:
    same = load_settings(redis_url="redis://127.0.0.1:6379/0")
    other = load_settings(redis_url="redis://127.0.0.1:6379/0", broker_url="redis://h:6379/1")
    off = load_settings(inline_queueing=False)
    assert EventPublisher.from_settings(same).inline
    assert not EventPublisher.from_settings(other).inline
    assert not EventPublisher.from_settings(off).inline
