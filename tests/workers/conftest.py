"""Fixtures the in-process EventProcessor tests share: a lease keeper and an empty registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.registry import HandlerRegistry
from tlhooks.ledger import EventLedger
from workers.lease import LeaseKeeper


@pytest.fixture
def leases(ledger: EventLedger) -> Iterator[LeaseKeeper]:
    keeper = LeaseKeeper(ledger, 30)
    yield keeper
    keeper.stop()


@pytest.fixture
def registry() -> HandlerRegistry:
    return HandlerRegistry()
