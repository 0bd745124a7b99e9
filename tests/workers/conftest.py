"""Fixtures the in-process EventProcessor tests share: a lease keeper, an empty registry and
a processor factory on a fake API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.registry import HandlerRegistry
from tests.workers.processor_api import NOW, POLICY, Build, FakeApi
from tlhooks.ledger import EventLedger
from workers.lease import LeaseKeeper
from workers.processor import EventProcessor
from workers.retry import RetryPolicy


@pytest.fixture
def leases(ledger: EventLedger) -> Iterator[LeaseKeeper]:
    keeper = LeaseKeeper(ledger, 30)
    yield keeper
    keeper.stop()


@pytest.fixture
def registry() -> HandlerRegistry:
    return HandlerRegistry()


@pytest.fixture
def build(ledger: EventLedger, leases: LeaseKeeper, registry: HandlerRegistry) -> Build:
    def make(api: FakeApi, policy: RetryPolicy = POLICY) -> EventProcessor:
        return EventProcessor(ledger, api.client(), registry, policy, leases, clock=lambda: NOW)

    return make
