"""Fixtures for the emulator tests: real emulators and real webhook receivers on free ports."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import BackgroundServer, EmulatorConfig, EmulatorServer

API_KEY = "test-key"


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A tiny Starlette receiver that records every POST and answers from a script."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[Delivery] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.received.append(Delivery(dict(request.headers), body))
            status = self.statuses.pop(0) if self.statuses else 200
        if self.delay:
            await asyncio.sleep(self.delay)
        return Response(status_code=status)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.endpoint, methods=["POST"])])

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.received)


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., WebhookReceiver]]:
    servers: list[BackgroundServer] = []

    def start(statuses: list[int] | None = None, delay: float = 0.0) -> WebhookReceiver:
        receiver = WebhookReceiver(statuses=list(statuses or []), delay=delay)
        server = BackgroundServer(receiver.app())
        server.start()
        servers.append(server)
        receiver.url = server.root_url + "/hook"
        return receiver

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    servers: list[EmulatorServer] = []

    def start(**options: Any) -> EmulatorServer:
        options.setdefault("clock", 0.2)
        options.setdefault("webhook_backoff", 0.05)
        server = EmulatorServer(EmulatorConfig(**options))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def receiver(receiver_factory: Callable[..., WebhookReceiver]) -> WebhookReceiver:
    return receiver_factory()


@pytest.fixture
def emulator(
    emulator_factory: Callable[..., EmulatorServer], receiver: WebhookReceiver
) -> EmulatorServer:
    """An emulator whose webhooks go to the ``receiver`` fixture."""
    return emulator_factory(webhook_urls=[receiver.url])


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """A client of the emulated /v1.3 API, with a valid key."""
    with httpx.Client(base_url=emulator.base_url, headers={"x-api-key": API_KEY}) as client:
        yield client


@pytest.fixture
def control(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """A client of the emulator's /_emulator control API."""
    with httpx.Client(base_url=emulator.root_url + "/_emulator") as client:
        yield client


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""

    def wait(probe: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"condition not met within {timeout} s; last value {value!r}")
            time.sleep(interval)

    return wait
