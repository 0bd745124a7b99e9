"""Event runs on the shared API budget: a near slot is slept for, a far one gives the thread
back, and a 429 is never an attempt."""

from __future__ import annotations

import httpx
import pytest

from handlers.registry import HandlerRegistry
from tests.workers.processor_api import NOW, POLICY, FakeApi, ok
from tlhooks.ledger import EventLedger
from tlhooks.rate_budget import RateBudget
from tlhooks.status import EventStatus
from workers.lease import LeaseKeeper
from workers.pacing import Pacer
from workers.processor import EventProcessor, RunOutcome

AHEAD = 1.0


def stored(ledger: EventLedger, event_id: str) -> None:
    """An event of a task of its own (two events of one task would be duplicates)."""
    task_id = f"{int(event_id[1:]):024x}"
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": task_id, "handlers": []},
    )


def paced_processor(
    ledger: EventLedger, leases: LeaseKeeper, api: FakeApi, per_minute: int, slept: list[float]
) -> EventProcessor:
    budget = RateBudget(ledger, per_minute, ahead=AHEAD)
    pacer = Pacer(ledger, budget, clock=lambda: NOW, sleep=slept.append)
    return EventProcessor(
        ledger, api.client(), HandlerRegistry(), POLICY, leases, clock=lambda: NOW, pacer=pacer
    )


def test_a_run_whose_slot_is_far_gives_its_thread_back_and_waits_queued(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger, "e1")
    stored(ledger, "e2")
    api, slept = FakeApi(ok()), []
    processor = paced_processor(ledger, leases, api, 20, slept)  # 3 s apart

    assert processor.process("e1") is RunOutcome.HANDLED
    assert processor.process("e2") is RunOutcome.PACED

    waiting = ledger.require("e2")
    assert waiting.status is EventStatus.QUEUED
    assert waiting.attempts == 0
    assert waiting.api_slot_at is not None
    assert waiting.next_attempt_at == pytest.approx(NOW + 3 - AHEAD, abs=0.1)
    assert ledger.client.zscore(ledger.keys.schedule, "e2") == waiting.next_attempt_at
    assert (api.calls, slept) == (1, [])


def test_a_deferred_run_that_comes_back_uses_the_slot_it_holds(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger, "e1")
    stored(ledger, "e2")
    api, slept = FakeApi(ok()), []
    processor = paced_processor(ledger, leases, api, 40, slept)  # 1.5 s apart
    processor.process("e1")
    processor.process("e2")
    held = ledger.require("e2").api_slot_at
    ledger.transition("e2", EventStatus.QUEUED, "due")  # as the sweeper publishes it

    ledger.client.hset(ledger.keys.event("e2"), "api_slot_at", f"{held - 0.7:.3f}")
    outcome = processor.process("e2")

    assert outcome is RunOutcome.HANDLED
    assert len(slept) == 1
    assert 0 < slept[0] <= AHEAD
    assert ledger.require("e2").api_slot_at is None
    assert api.calls == 2


def test_a_run_sleeps_for_a_slot_that_is_near(ledger: EventLedger, leases: LeaseKeeper) -> None:
    stored(ledger, "e1")
    stored(ledger, "e2")
    api, slept = FakeApi(ok()), []
    processor = paced_processor(ledger, leases, api, 120, slept)  # 0.5 s apart

    outcomes = [processor.process("e1"), processor.process("e2")]

    assert outcomes == [RunOutcome.HANDLED, RunOutcome.HANDLED]
    assert slept == [pytest.approx(0.5, abs=0.05)]


def test_429s_never_make_an_event_dead_however_many_come(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger, "e1")
    api = FakeApi(httpx.Response(429, json={"message": "slow down"}))
    processor = paced_processor(ledger, leases, api, 0, [])

    for _ in range(POLICY.max_attempts * 3):
        assert processor.process("e1") is RunOutcome.PACED

    event = ledger.require("e1")
    assert event.status is EventStatus.QUEUED
    assert (event.attempts, event.rate_limited) == (0, POLICY.max_attempts * 3)
