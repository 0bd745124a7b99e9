"""The ledger's Redis clients: one server by URL, or the primary the Sentinels name."""

from __future__ import annotations

import pytest
import redis
from redis.sentinel import Sentinel, SentinelConnectionPool

from tlhooks.errors import StorageRefused, StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.ledger.connection import client_for
from tlhooks.processes import free_port
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus

SENTINEL_ENV = {
    "redis_url": "redis://tlhooks:s3cret@ignored-host:1/4",
    "redis_sentinels": "10.0.0.5:26379,10.0.0.6:26380",
    "redis_sentinel_master": "tlhooks-main",
    "redis_socket_timeout": 1.5,
}


def test_through_sentinel_the_client_keeps_the_urls_db_password_and_fail_fast_timeouts() -> None:
    client = client_for(load_settings(**SENTINEL_ENV))

    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "tlhooks-main"
    kwargs = pool.connection_kwargs
    assert (kwargs["db"], kwargs["username"], kwargs["password"]) == (4, "tlhooks", "s3cret")
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (1.5, 1.5)
    assert kwargs["retry"].get_retries() == 0
    assert kwargs["decode_responses"] is True


def test_the_sentinels_are_asked_with_the_same_timeouts_and_their_own_password() -> None:
    settings = load_settings(**SENTINEL_ENV, redis_sentinel_password="sentinel-pass")
    manager: Sentinel = client_for(settings).connection_pool.sentinel_manager

    addresses = [
        (s.connection_pool.connection_kwargs["host"], s.connection_pool.connection_kwargs["port"])
        for s in manager.sentinels
    ]
    assert addresses == [("10.0.0.5", 26379), ("10.0.0.6", 26380)]
    for sentinel in manager.sentinels:
        kwargs = sentinel.connection_pool.connection_kwargs
        assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (1.5, 1.5)
        assert kwargs["password"] == "sentinel-pass"  # not the data nodes' password
        assert kwargs["retry"].get_retries() == 0


def test_without_sentinels_the_client_is_the_urls_server() -> None:
    client = client_for(load_settings(redis_url="redis://:pw@127.0.0.1:6390/3"))
    kwargs = client.connection_pool.connection_kwargs
    assert not isinstance(client.connection_pool, SentinelConnectionPool)
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
        "127.0.0.1",
        6390,
        3,
        "pw",
    )
    assert kwargs["retry"].get_retries() == 0


def test_sentinels_that_do_not_answer_are_a_storage_outage_naming_the_failover() -> None:
    unreachable = f"127.0.0.1:{free_port()}"
    settings = load_settings(**{**SENTINEL_ENV, "redis_sentinels": unreachable})
    ledger = EventLedger.from_settings(settings)
    with pytest.raises(StorageUnavailable, match="has no primary: no Sentinel names a live one"):
        ledger.ping()


def accept(ledger: EventLedger, event_id: str) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": event_id, "handlers": ["h"]},
    )


def test_waiting_for_a_replica_that_is_not_there_refuses_the_delivery_but_keeps_it(
    redis_client: redis.Redis, ledger: EventLedger
) -> None:
    url = redis_client.connection_pool.connection_kwargs
    settings = load_settings(
        redis_url=f"redis://{url['host']}:{url['port']}/0",
        redis_wait_replicas=1,
        redis_wait_timeout=0.1,
    )
    waiting = EventLedger.from_settings(settings)
    assert waiting.replica_wait.replicas == 1

    with pytest.raises(StorageRefused, match="Only 0 of the 1 replica") as refused:
        accept(waiting, "e-wait")

    assert refused.value.code == "NOREPLICAS"
    stored = ledger.require("e-wait")  # on the primary: a redelivery finds it
    assert stored.status is EventStatus.RECEIVED
    accept(ledger, "e-plain")  # without a wait nothing changes
    waiting.client.close()


def test_a_refusal_inside_the_waiting_pipeline_keeps_its_code(
    redis_client: redis.Redis, ledger: EventLedger
) -> None:
    redis_client.config_set("min-replicas-to-write", 1)
    try:
        ledger.replica_wait = type(ledger.replica_wait)(replicas=1, timeout=0.1)
        with pytest.raises(StorageRefused) as refused:
            accept(ledger, "e-noreplicas")
    finally:
        redis_client.config_set("min-replicas-to-write", 0)
    assert refused.value.code == "NOREPLICAS"
    assert "min-replicas-to-write" in str(refused.value)
