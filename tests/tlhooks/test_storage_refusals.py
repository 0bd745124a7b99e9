"""Redis refusing for a while (OOM, READONLY, BUSY, LOADING) is StorageUnavailable, end to end.

Each case runs a real redis-server configured to produce the refusal. The receiver app answers
503 with Retry-After and ``/readyz`` says not ready; the publisher raises the same type.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.receiver.test_intake import body
from tests.support.processes import ROOT, Receiver, RedisServer
from tlhooks.errors import StorageRefused
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect
from tlhooks.processes import ManagedProcess, free_port, wait_until
from tlhooks.queue.publisher import EventPublisher
from tlhooks.redis_server import RedisServerProcess
from tlhooks.settings import Settings
from tlhooks.signing import sign
from tlhooks.status import EventStatus

SECRET = "whsec_refusals"


@pytest.fixture(scope="module")
def server(log_dir: Path) -> Iterator[RedisServer]:
    """A server of this module's own, so its odd configurations never leak to other tests."""
    started = RedisServer(log_dir)
    started.start()
    yield started
    started.stop()


@pytest.fixture
def admin(server: RedisServer) -> Iterator[redis.Redis]:
    client = server.client()
    client.flushall()
    yield client
    client.config_set("maxmemory", 0)
    client.replicaof("NO", "ONE")
    client.close()


def accept(ledger: EventLedger) -> None:
    ledger.accept(
        event_id="e1",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t1", "handlers": ["h"]},
    )


def settings_for(url: str) -> Settings:
    return Settings(redis_url=url, broker_url=url, webhook_secrets=[SECRET], inline_queueing=False)


def start_receiver(server: RedisServerProcess, log_dir: Path) -> Receiver:
    """A real uvicorn receiver on ``server``, with its db 1 as a separate broker."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TLHOOKS_REDIS_URL": server.url,
        "TLHOOKS_BROKER_URL": server.url_for(1),
        "TLHOOKS_WEBHOOK_SECRETS": SECRET,
        "TLHOOKS_HANDLERS": "tests.e2e.plugin_handlers",
        "TLHOOKS_REDIS_SOCKET_TIMEOUT": "1",
        "TLHOOKS_INTAKE_TIMEOUT": "2",
    }
    return Receiver(env, log_dir).start()


@pytest.fixture(scope="module")
def receiver(server: RedisServer, log_dir: Path) -> Iterator[Receiver]:
    started = start_receiver(server, log_dir)
    yield started
    started.stop()


def receiver_answers(receiver: Receiver) -> tuple[int, str | None, int]:
    """POST one signed webhook and GET /readyz: (webhook status, Retry-After, readyz status)."""
    raw = body()
    headers = {"content-type": "application/json", "TL-Signature": sign(SECRET, raw)}
    answer = httpx.post(f"{receiver.url}/webhooks/twelvelabs", content=raw, headers=headers)
    ready = httpx.get(f"{receiver.url}/readyz")
    return answer.status_code, answer.headers.get("retry-after"), ready.status_code


def test_out_of_memory_is_storage_unavailable_and_answered_503(
    server: RedisServer, admin: redis.Redis, receiver: Receiver
) -> None:
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1)
    ledger = EventLedger(connect(server.url, 2))

    with pytest.raises(StorageRefused, match="out of memory") as refused:
        accept(ledger)
    assert refused.value.code == "OOM"
    publisher = EventPublisher.from_settings(settings_for(server.url))
    with pytest.raises(StorageRefused):
        publisher.publish("e1")
    with pytest.raises(StorageRefused, match="OOM"):
        publisher.ping()  # what /readyz asks of a separate Redis broker
    assert receiver_answers(receiver) == (503, "5", 503)


def test_a_read_only_replica_is_storage_unavailable_and_answered_503(
    server: RedisServer, admin: redis.Redis, receiver: Receiver
) -> None:
    admin.replicaof("127.0.0.1", free_port())  # a primary that never answers
    ledger = EventLedger(connect(server.url, 2))

    with pytest.raises(StorageRefused, match="read-only replica") as refused:
        accept(ledger)
    assert refused.value.code == "READONLY"
    with pytest.raises(StorageRefused):
        EventPublisher.from_settings(settings_for(server.url)).publish("e1")
    assert receiver_answers(receiver) == (503, "5", 503)


def test_a_server_busy_with_a_long_script_is_storage_unavailable(
    server: RedisServer, admin: redis.Redis, receiver: Receiver
) -> None:
    admin.config_set("busy-reply-threshold", 50)
    looping = server.client()

    def spin() -> None:
        with contextlib.suppress(redis.ResponseError):  # "Script killed by user"
            looping.eval("while true do end", 0)

    spinner = threading.Thread(target=spin)
    spinner.start()
    ledger = EventLedger(connect(server.url, 2))
    try:
        found: list[StorageRefused] = []

        def refused() -> bool:
            try:
                accept(ledger)
            except StorageRefused as exc:
                found.append(exc)
                return True
            return False

        wait_until(refused, timeout=10)
        assert found[0].code == "BUSY"
        assert receiver_answers(receiver) == (503, "5", 503)
    finally:
        redis.Redis(port=server.port).script_kill()
        spinner.join()
        looping.close()
        admin.config_set("busy-reply-threshold", 5000)


def test_a_server_loading_its_dataset_is_storage_unavailable_and_answered_503(
    tmp_path: Path, log_dir: Path
) -> None:
    loaded = RedisServerProcess(tmp_path)
    loaded.start()
    with loaded.client() as client:
        pipe = client.pipeline(transaction=False)
        for index in range(4000):
            pipe.set(f"filler:{index}", "x")
        pipe.execute()
        client.save()
    loaded.stop()
    receiver = start_receiver(loaded, log_dir)
    # 1 ms per key: about 4 s of LOADING, answering clients every 1 KiB loaded.
    loaded.argv += ["--key-load-delay", "1000", "--loading-process-events-interval-bytes", "1024"]
    ManagedProcess.start(loaded)
    ledger = EventLedger(connect(loaded.url, 2))
    try:
        found: list[StorageRefused] = []

        def refused() -> bool:
            try:
                ledger.ping()
            except StorageRefused as exc:
                found.append(exc)
                return True
            except Exception:
                return False  # not listening yet
            return False

        wait_until(refused, timeout=10)
        assert found[0].code == "LOADING"
        assert "loading its dataset" in str(found[0])
        assert receiver_answers(receiver) == (503, "5", 503)
    finally:
        receiver.stop()
        ledger.client.close()
        loaded.stop()
