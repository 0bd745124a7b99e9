"""Fixtures shared by the whole suite: a private redis-server and factories for real parts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.processes import RedisServer
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def redis_server(log_dir: Path) -> Iterator[RedisServer]:
    """A redis-server of the suite's own, so outage tests can stop and pause it freely."""
    server = RedisServer(log_dir).start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    if not redis_server.alive():
        redis_server.start()
    client = redis_server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def ledger(redis_client: redis.Redis, redis_server: RedisServer) -> Iterator[EventLedger]:
    """An EventLedger on the suite's emptied Redis."""
    built = EventLedger(connect(redis_server.url, 2))
    yield built
    built.client.close()


@pytest.fixture(autouse=True)
def _no_ambient_tlhooks_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's TLHOOKS_* variables or .env file."""
    for name in list(os.environ):
        if name.startswith("TLHOOKS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(Path(__file__).parent)


# Folders whose tests start real servers and wait on real clocks: the end-to-end tier.
# tests/emulator runs the emulator's HTTP server and webhook receivers in threads on real ports.
_E2E_DIRS = (Path(__file__).parent / "e2e", Path(__file__).parent / "emulator")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under tests/e2e and tests/emulator are the end-to-end tier; the rest the unit tier.

    ``-m "not e2e"`` runs the unit tier.
    """
    for item in items:
        if any(folder in item.path.parents for folder in _E2E_DIRS):
            item.add_marker(pytest.mark.e2e)
