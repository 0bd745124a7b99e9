"""The real receiver app in process (Starlette TestClient) on the suite's real Redis."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from starlette.exceptions import StarletteDeprecationWarning

from handlers.registry import HandlerRegistry
from receiver.app import create_app
from tests.support.processes import RedisServer
from tlhooks.settings import load_settings
from tlhooks.signing import sign

with warnings.catch_warnings():
    # Starlette asks for httpx2 under its TestClient; the project still depends on httpx.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET = "whsec_hostile"
TOKEN = "admin-hostile"
WEBHOOK = "/webhooks/twelvelabs"


def envelope(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "whe_3f9a1c7e5b2d4068a1c9e7f3b5d20486",
        "created_at": "2026-08-01T09:14:05.812Z",
        "type": "analyze.task.ready",
        "data": {"id": "68ab41c2e5f1d93a7c2b0e14", "custom_id": "cam-a", "status": "ready"},
    }
    data.update(changes)
    return data


def signed_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"content-type": "application/json", "TL-Signature": sign(secret, body)}


def encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def client_factory(redis_client: redis.Redis, redis_server: RedisServer) -> Iterator[ClientFactory]:
    """Builds a started receiver with one handler for every ready event; extra settings apply."""
    opened: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        handlers = HandlerRegistry()
        handlers.register(lambda _context: None, name="catch_all")
        defaults = {"redis_url": redis_server.url, "webhook_secrets": [SECRET]}
        settings = load_settings(**{**defaults, "admin_token": TOKEN, **overrides})
        client = TestClient(create_app(settings, handlers), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_factory: ClientFactory) -> TestClient:
    return client_factory()


def stored_keys(redis_client: redis.Redis) -> list[str]:
    """Every ledger key and the queue (the broker's bookkeeping keys are not ours)."""
    return sorted(str(key) for key in redis_client.keys("tlhooks*"))


def latin1_or_utf8(value: str) -> bytes:
    """Header bytes: servers decode them as latin-1, so latin-1 text arrives as itself."""
    return value.encode("latin-1") if not value or max(value) <= "\xff" else value.encode()
