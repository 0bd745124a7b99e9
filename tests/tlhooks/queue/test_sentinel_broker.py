"""A Redis broker reached through Sentinel: the sentinel:// URL list, master_name, timeouts."""

from __future__ import annotations

from typing import Any

from kombu import Connection

from tlhooks.queue.celery_config import celery_config
from tlhooks.queue.publisher import EventPublisher, create_celery
from tlhooks.queue.transport import SENTINEL_TRANSPORT
from tlhooks.settings import load_settings

SENTINELS: dict[str, Any] = {
    "redis_url": "redis://:p%40ss@ignored-host:6379/4",
    "redis_sentinels": "10.0.0.5:26379,10.0.0.6:26380",
    "redis_sentinel_master": "tlhooks-main",
    "redis_socket_timeout": 1.5,
}


def test_the_broker_url_names_every_sentinel_with_the_redis_urls_db_and_password() -> None:
    config = celery_config(load_settings(**SENTINELS))
    assert config["broker_url"] == (
        "sentinel://:p%40ss@10.0.0.5:26379/4;sentinel://:p%40ss@10.0.0.6:26380/4"
    )
    assert config["broker_transport"] == SENTINEL_TRANSPORT


def test_the_transport_options_name_the_master_and_bound_the_sentinel_sockets() -> None:
    settings = load_settings(**SENTINELS, redis_sentinel_password="sentinel-pass")
    options = celery_config(settings)["broker_transport_options"]
    assert options["master_name"] == "tlhooks-main"
    assert options["sentinel_kwargs"] == {
        "socket_timeout": 1.5,
        "socket_connect_timeout": 1.5,
        "password": "sentinel-pass",
    }
    assert (options["socket_timeout"], options["visibility_timeout"]) == (1.5, 10)


def test_kombu_reads_the_db_password_and_every_sentinel_from_that_url() -> None:
    config = celery_config(load_settings(**SENTINELS))
    connection = Connection(config["broker_url"], transport=config["broker_transport"])
    assert (connection.password, connection.virtual_host) == ("p@ss", "4")
    assert [url.split("@")[1] for url in connection.alt] == [
        "10.0.0.5:26379/4",
        "10.0.0.6:26380/4",
    ]


def test_a_redis_broker_url_of_its_own_keeps_its_db_and_goes_through_the_same_sentinels() -> None:
    settings = load_settings(**SENTINELS, broker_url="redis://user:pw@elsewhere:6379/7")
    config = celery_config(settings)
    assert config["broker_url"].split(";")[0] == "sentinel://user:pw@10.0.0.5:26379/7"
    assert not EventPublisher(create_celery(settings), settings).inline


def test_inline_queueing_holds_when_the_broker_is_the_ledgers_redis_behind_sentinel() -> None:
    settings = load_settings(**SENTINELS)
    assert EventPublisher(create_celery(settings), settings).inline


def test_a_rabbitmq_broker_is_untouched_by_sentinel_settings() -> None:
    settings = load_settings(**SENTINELS, broker_url="amqp://guest:guest@127.0.0.1:5672//")
    config = celery_config(settings)
    assert config["broker_url"] == "amqp://guest:guest@127.0.0.1:5672//"
    assert config["broker_transport"] is None
    assert "master_name" not in config["broker_transport_options"]


def test_without_sentinels_the_broker_url_is_the_redis_url() -> None:
    config = celery_config(load_settings(redis_url="redis://127.0.0.1:6379/2"))
    assert config["broker_url"] == "redis://127.0.0.1:6379/2"
    assert "master_name" not in config["broker_transport_options"]
