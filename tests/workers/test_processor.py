"""EventProcessor in-process: the real ledger on the test Redis, the API on MockTransport."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from handlers.registry import HandlerRegistry
from tlhooks.ledger import EventLedger
from tlhooks.rate_budget import RateBudget
from tlhooks.status import EventStatus
from workers.client import TwelveLabsClient
from workers.lease import LeaseKeeper
from workers.processor import EventProcessor
from workers.retry import RetryPolicy

TASK_ID = "68ab41c2e5f1d93a7c2b0e14"
NOW = 1_800_000_000.0
# uniform() answers its upper bound, so the computed backoff after attempt 1 is base_delay
# and a Retry-After of N is honoured as N + base_delay / 2: both are exact numbers.
AHEAD = 3.0  # a deferred run comes back this long before its slot
POLICY = RetryPolicy(max_attempts=8, base_delay=2.0, max_delay=600.0, uniform=lambda lo, hi: hi)


@pytest.fixture
def leases(ledger: EventLedger) -> Iterator[LeaseKeeper]:
    keeper = LeaseKeeper(ledger, 30)
    yield keeper
    keeper.stop()


def api_answering(
    status: int, headers: dict[str, str], budget: RateBudget | None = None
) -> TwelveLabsClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"message": "slow down"}, headers=headers)

    transport = httpx.MockTransport(answer)
    return TwelveLabsClient("https://api.test/v1.3", "key", transport=transport, budget=budget)


def processor(ledger: EventLedger, leases: LeaseKeeper, api: TwelveLabsClient) -> EventProcessor:
    return EventProcessor(ledger, api, HandlerRegistry(), POLICY, leases, clock=lambda: NOW)


def received(ledger: EventLedger, event_id: str) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": TASK_ID, "handlers": ["h"]},
    )


def scheduled_at(ledger: EventLedger, event_id: str) -> float | None:
    return ledger.client.zscore(ledger.keys.schedule, event_id)


def test_a_fetch_retry_waits_as_long_as_the_apis_retry_after_asks(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    received(ledger, "e1")
    api = api_answering(503, {"Retry-After": "45"})  # far above the 2 s backoff

    assert processor(ledger, leases, api).process("e1") == "fetch-failed"

    event = ledger.require("e1")
    assert event.status is EventStatus.FAILED
    assert scheduled_at(ledger, "e1") == NOW + 45 + 1
    assert event.next_attempt_at == NOW + 45 + 1


def test_a_retry_after_longer_than_the_max_delay_is_capped_at_the_max_delay(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    received(ledger, "e1")
    api = api_answering(503, {"Retry-After": "3600"})

    processor(ledger, leases, api).process("e1")

    assert scheduled_at(ledger, "e1") == NOW + POLICY.max_delay


def test_a_429_pauses_the_deployment_and_requeues_the_event_without_counting_an_attempt(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    received(ledger, "e1")
    budget = RateBudget(ledger, per_minute=0, ahead=AHEAD)
    api = api_answering(429, {"Retry-After": "45"}, budget)

    assert processor(ledger, leases, api).process("e1") == "paced"

    event = ledger.require("e1")
    assert event.status is EventStatus.QUEUED
    assert (event.attempts, event.rate_limited) == (0, 1)
    assert scheduled_at(ledger, "e1") == pytest.approx(NOW + 45 - AHEAD, abs=0.5)
    assert ledger.budget_state().paused_until == pytest.approx(time.time() + 45, abs=2)
    assert ledger.budget_state().rate_limited == 1


def test_a_429s_pause_is_capped_at_the_budgets_max_pause(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    received(ledger, "e1")
    budget = RateBudget(ledger, per_minute=0, ahead=AHEAD, max_pause=POLICY.max_delay)
    api = api_answering(429, {"Retry-After": "3600"}, budget)

    processor(ledger, leases, api).process("e1")

    assert scheduled_at(ledger, "e1") == pytest.approx(NOW + POLICY.max_delay - AHEAD, abs=0.5)


def test_a_429_without_hints_pauses_for_the_budgets_default_pause(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    received(ledger, "e1")
    budget = RateBudget(ledger, per_minute=0, ahead=AHEAD, default_pause=30)

    processor(ledger, leases, api_answering(429, {}, budget)).process("e1")

    assert scheduled_at(ledger, "e1") == pytest.approx(NOW + 30 - AHEAD, abs=0.5)
    assert ledger.require("e1").status is EventStatus.QUEUED
