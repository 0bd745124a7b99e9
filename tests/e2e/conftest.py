"""The end-to-end stack: private Redis, real uvicorn receiver, real Celery worker, emulator."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from amqp.exceptions import NotFound
from kombu import Connection

from emulator import EmulatorConfig, EmulatorServer
from tests.support.processes import ROOT, Receiver, RedisServer, Worker, wait_until
from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ledger.store import connect
from tlhooks.signing import sign
from tlhooks.status import EventStatus

SECRET = "whsec_e2e"
API_KEY = "e2e-key"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
# The brokers the end-to-end tier runs on (the ledger is on Redis either way): a test on a Stack
# runs once per broker TEST_BROKERS names (comma-separated; default redis, and scripts/test names
# both), its id saying which; a test that picks its broker itself (marked own_broker) runs once.
BROKERS = tuple(os.environ.get("TEST_BROKERS", "redis").split(","))
if not set(BROKERS) <= {"redis", "rabbitmq"}:
    raise pytest.UsageError(f"TEST_BROKERS: expected redis and/or rabbitmq, got {BROKERS}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    own = metafunc.definition.get_closest_marker("own_broker") is not None
    if "stack_broker" in metafunc.fixturenames and not own:
        metafunc.parametrize("stack_broker", BROKERS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test whose parameter picks its broker (``pytest.param(..., marks=own_broker)``) runs
    on the first of TEST_BROKERS only: on the others it would run the very same thing again.

    Tests allowed more than the default timeout run for minutes: they go first, so that on
    xdist workers they do not start last and leave one worker running alone at the end.
    """
    default = float(config.getini("timeout") or 0)
    items.sort(key=lambda item: -_timeout(item, default))  # stable: the rest keep their order
    again = [
        item
        for item in items
        if item.get_closest_marker("own_broker") is not None
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("stack_broker", BROKERS[0]) != BROKERS[0]
    ]
    if again:
        config.hook.pytest_deselected(items=again)
        items[:] = [item for item in items if item not in again]


def _timeout(item: pytest.Item, default: float) -> float:
    marker = item.get_closest_marker("timeout")
    return float(marker.args[0]) if marker is not None and marker.args else default


@pytest.fixture
def stack_broker(request: pytest.FixtureRequest) -> str:
    """The broker a Stack runs on: ``redis`` (the ledger's own Redis) or ``rabbitmq``; the first
    of TEST_BROKERS for a test that picks its broker itself."""
    return str(getattr(request, "param", BROKERS[0]))


def rabbitmq_answers() -> bool:
    """Whether a RabbitMQ answers at 127.0.0.1:5672 (its tests skip, saying so, when not)."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        return False
    return True


class Stack:
    """Builds and tears down the real components for one test."""

    def __init__(
        self,
        redis_server: RedisServer,
        log_dir: Path,
        broker: str = "redis",
        emulator_host: str = "127.0.0.1",
    ) -> None:
        self.redis_server = redis_server
        self.log_dir = log_dir
        self.emulator = EmulatorServer(
            EmulatorConfig(api_key=API_KEY, webhook_secret=SECRET, clock=0.2, webhook_backoff=0.2),
            host=emulator_host,
        )
        self.emulator.start()
        self.env: dict[str, str] = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TLHOOKS_REDIS_URL": redis_server.url,
            "TLHOOKS_WEBHOOK_SECRETS": SECRET,
            "TLHOOKS_API_KEY": API_KEY,
            "TLHOOKS_API_BASE_URL": self.emulator.base_url,
            "TLHOOKS_HANDLERS": "tests.e2e.plugin_handlers",
            "TLHOOKS_MAX_ATTEMPTS": "3",
            "TLHOOKS_RETRY_BASE_DELAY": "0.2",
            "TLHOOKS_RETRY_MAX_DELAY": "0.5",
            "TLHOOKS_INTAKE_TIMEOUT": "2",
            "TLHOOKS_REDIS_SOCKET_TIMEOUT": "1",
            "TLHOOKS_VISIBILITY_TIMEOUT": "3",
            "TLHOOKS_UNACKED_RESTORE_INTERVAL": "1",
            "TLHOOKS_LEASE_SECONDS": "2",
            "TLHOOKS_SWEEP_INTERVAL": "0.5",
            "TLHOOKS_STALE_AFTER": "3",
            # the shared API budget is on, with slots 1 ms apart: every run takes one
            "TLHOOKS_API_RATE_LIMIT": "60000",
        }
        if broker == "rabbitmq":
            if not rabbitmq_answers():
                pytest.skip("no RabbitMQ at 127.0.0.1:5672: the RabbitMQ-broker run is skipped")
            self.env["TLHOOKS_BROKER_URL"] = RABBITMQ
            self.env["TLHOOKS_QUEUE"] = f"e2e-{uuid.uuid4().hex[:12]}"  # the server is shared
        self.receiver: Receiver | None = None
        self.workers: list[Worker] = []
        self.ledger = EventLedger(connect(redis_server.url, 5))
        self.redis: redis.Redis = redis_server.client()

    def start_receiver(self, **env: str) -> Receiver:
        self.receiver = Receiver({**self.env, **env}, self.log_dir).start()
        self.emulator.config.webhook_urls[:] = [f"{self.receiver.url}/webhooks/twelvelabs"]
        return self.receiver

    def start_worker(
        self, pool: str = "threads", *, beat: bool = True, prefix: Sequence[str] = (), **env: str
    ) -> Worker:
        worker = Worker({**self.env, **env}, self.log_dir, pool=pool, beat=beat, prefix=prefix)
        self.workers.append(worker)  # first: close() kills one that never became ready
        return worker.start()

    def start(self) -> Stack:
        self.start_receiver()
        self.start_worker()
        return self

    # Acting -------------------------------------------------------------------------------

    def create_task(self, status: str = "ready", **fields: Any) -> dict[str, Any]:
        """Create a terminal task in the emulator; its webhook flows to the receiver."""
        response = httpx.post(
            f"{self.emulator.root_url}/_emulator/tasks", json={"status": status, **fields}
        )
        response.raise_for_status()
        task: dict[str, Any] = response.json()
        return task

    def post_webhook(
        self, body: bytes, *, secret: str = SECRET, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        assert self.receiver is not None
        sent = {"content-type": "application/json", "TL-Signature": sign(secret, body)}
        sent.update(headers or {})
        return httpx.post(f"{self.receiver.url}/webhooks/twelvelabs", content=body, headers=sent)

    # Observing ----------------------------------------------------------------------------

    def events_for(self, task_id: str) -> list[EventRecord]:
        return self.ledger.events_for_task(task_id)

    def wait_for_status(
        self, task_id: str, status: EventStatus, timeout: float = 20.0
    ) -> EventRecord:
        found: list[EventRecord] = []

        def settled() -> bool:
            found[:] = [e for e in self.events_for(task_id) if e.status is status]
            return bool(found)

        try:
            wait_until(settled, timeout=timeout)
        except TimeoutError:
            states = [(e.event_id, e.status.value, e.last_error) for e in self.events_for(task_id)]
            raise AssertionError(f"task {task_id} never reached {status}: {states}") from None
        return found[0]

    def calls(self, handler: str, task_id: str | None = None) -> list[dict[str, Any]]:
        entries = [json.loads(raw) for raw in self.redis.lrange(f"test:calls:{handler}", 0, -1)]
        return [e for e in entries if task_id is None or e["task_id"] == task_id]

    def queue_length(self) -> int:
        """Messages waiting in the stack's queue, on whichever broker it uses."""
        if self.env.get("TLHOOKS_BROKER_URL", "").startswith("amqp://"):
            with Connection(self.env["TLHOOKS_BROKER_URL"]) as connection:
                try:
                    declared = connection.default_channel.queue_declare(
                        self.env["TLHOOKS_QUEUE"], passive=True
                    )
                except NotFound:  # not declared yet: nothing was ever queued
                    return 0
                return int(declared.message_count)
        return int(self.redis.llen(self.env.get("TLHOOKS_QUEUE", "tlhooks")))

    def settle(self, seconds: float = 1.0) -> None:
        """Give background work a chance to happen (used before asserting that nothing did)."""
        time.sleep(seconds)

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        if self.receiver is not None:
            self.receiver.stop()
        self.emulator.stop()
        self.redis.close()
        self.ledger.client.close()
        if self.env.get("TLHOOKS_BROKER_URL") == RABBITMQ and "TLHOOKS_QUEUE" in self.env:
            self._delete_queues()  # the machine's RabbitMQ is shared: leave nothing behind

    def _delete_queues(self) -> None:
        queue = self.env["TLHOOKS_QUEUE"]
        with Connection(self.env["TLHOOKS_BROKER_URL"]) as connection:
            for name in (queue, f"{queue}.sweep"):
                connection.default_channel.queue_delete(name)  # a missing queue is no error


@pytest.fixture
def stack(
    redis_client: redis.Redis, redis_server: RedisServer, log_dir: Path, stack_broker: str
) -> Iterator[Stack]:
    built = Stack(redis_server, log_dir, stack_broker)
    try:
        yield built
    finally:
        built.close()
