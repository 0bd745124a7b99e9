"""The shared API budget on the test Redis: slots in order, pauses, slots held by events."""

from __future__ import annotations

import time

import pytest

from tlhooks.ledger import EventLedger
from tlhooks.rate_budget import RateBudget
from tlhooks.status import EventStatus

TOLERANCE = 0.05  # seconds of Redis clock between two calls of one test


def stored(ledger: EventLedger, event_id: str) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t", "handlers": ["h"]},
    )


def test_slots_are_handed_out_in_order_one_interval_apart(ledger: EventLedger) -> None:
    waits = [ledger.reserve_api_slot(0.1).wait for _ in range(5)]

    for number, wait in enumerate(waits):
        assert wait == pytest.approx(0.1 * number, abs=TOLERANCE)


def test_with_pacing_off_every_slot_is_now(ledger: EventLedger) -> None:
    assert {ledger.reserve_api_slot(0).wait for _ in range(5)} == {0.0}


def test_no_slot_falls_inside_a_pause_and_pacing_resumes_after_it(ledger: EventLedger) -> None:
    ledger.pause_api(1.0, rate_limited=True)

    first, second = ledger.reserve_api_slot(0.2), ledger.reserve_api_slot(0.2)

    assert first.wait == pytest.approx(1.0, abs=TOLERANCE)
    assert second.wait == pytest.approx(1.2, abs=TOLERANCE)
    state = ledger.budget_state()
    assert (state.rate_limited, state.pauses) == (1, 1)
    assert state.paused_until is not None


def test_a_shorter_pause_never_cuts_a_longer_one(ledger: EventLedger) -> None:
    ledger.pause_api(2.0, rate_limited=True)

    assert ledger.pause_api(0.5, rate_limited=False) == pytest.approx(2.0, abs=TOLERANCE)
    assert ledger.budget_state().rate_limited == 1


def test_a_far_slot_is_held_on_the_event_and_kept_when_it_comes_back_early(
    ledger: EventLedger,
) -> None:
    stored(ledger, "e1")
    ledger.reserve_api_slot(1.0)  # takes the slot now: the next is a second away

    held = ledger.reserve_api_slot(1.0, event_id="e1", max_sleep=0.2, grace=1)
    again = ledger.reserve_api_slot(1.0, event_id="e1", max_sleep=0.2, grace=1)
    third = ledger.reserve_api_slot(1.0)

    assert held.held
    assert held.wait == pytest.approx(1.0, abs=TOLERANCE)
    assert ledger.require("e1").api_slot_at == pytest.approx(held.at, abs=0.001)
    assert again.held
    assert again.at == held.at  # the same slot: not a second one
    assert third.wait == pytest.approx(2.0, abs=TOLERANCE)
    assert ledger.budget_state().deferrals == 1


def test_a_held_slot_is_used_once_and_then_cleared(ledger: EventLedger) -> None:
    stored(ledger, "e1")
    ledger.reserve_api_slot(0.3)
    held = ledger.reserve_api_slot(0.3, event_id="e1", max_sleep=0.1, grace=1)

    used = ledger.reserve_api_slot(0.3, event_id="e1", max_sleep=1, grace=1)

    assert held.held
    assert used.kind == "now"
    assert used.at == held.at
    assert ledger.require("e1").api_slot_at is None


def test_a_held_slot_a_pause_covers_is_taken_anew_after_the_pause(ledger: EventLedger) -> None:
    stored(ledger, "e1")
    ledger.reserve_api_slot(0.5)
    held = ledger.reserve_api_slot(0.5, event_id="e1", max_sleep=0, grace=1)

    ledger.pause_api(2.0, rate_limited=True)
    renewed = ledger.reserve_api_slot(0.5, event_id="e1", max_sleep=0, grace=1)

    assert renewed.at > held.at
    assert renewed.wait == pytest.approx(2.0, abs=TOLERANCE)


def test_a_held_slot_older_than_the_grace_is_taken_anew(ledger: EventLedger) -> None:
    stored(ledger, "e1")
    held = ledger.reserve_api_slot(0, event_id="e1", max_sleep=-1, grace=0.1)
    time.sleep(0.3)
    ledger.reserve_api_slot(10)  # someone else takes the next slot: the next is 10 s away

    renewed = ledger.reserve_api_slot(10, event_id="e1", max_sleep=0, grace=0.1)

    assert held.held
    assert renewed.wait == pytest.approx(10, abs=TOLERANCE)


def test_a_negative_max_sleep_always_holds_the_slot_on_the_event(ledger: EventLedger) -> None:
    stored(ledger, "e1")

    slot = ledger.reserve_api_slot(0, event_id="e1", max_sleep=-1, grace=1)

    assert slot.held
    assert slot.wait == pytest.approx(0, abs=TOLERANCE)
    assert ledger.require("e1").api_slot_at is not None


# RateBudget ----------------------------------------------------------------------------------


def budget(ledger: EventLedger, per_minute: int = 0, **options: float) -> RateBudget:
    return RateBudget(ledger, per_minute, **options)  # type: ignore[arg-type]


def test_the_interval_is_a_minute_over_the_rate_and_zero_when_off(ledger: EventLedger) -> None:
    assert budget(ledger, 600).interval == pytest.approx(0.1)
    assert budget(ledger, 0).interval == 0


def test_admit_sleeps_until_its_slot(ledger: EventLedger) -> None:
    slept: list[float] = []
    paced = RateBudget(ledger, 120, sleep=slept.append)

    paced.admit()
    paced.admit()

    assert slept == [pytest.approx(0.5, abs=TOLERANCE)]


def test_take_for_an_event_sleeps_for_a_near_slot_and_holds_a_far_one(
    ledger: EventLedger,
) -> None:
    stored(ledger, "e1")
    paced = budget(ledger, 30, ahead=1.0)  # two seconds apart

    near, far = paced.take_for("e1"), paced.take_for("e1")

    assert near.kind == "now"
    assert far.held
    assert far.wait == pytest.approx(2.0, abs=TOLERANCE)


@pytest.mark.parametrize(
    ("status", "headers", "pause", "counted"),
    [
        (429, {"retry-after": "7"}, 7.0, 1),
        (429, {}, 3.0, 1),  # no hint: the default pause
        (429, {"retry-after": "9000"}, 60.0, 1),  # capped at max_pause
        (200, {"x-ratelimit-request-remaining": "0", "retry-after": "5"}, 5.0, 0),
    ],
)
def test_heed_pauses_the_deployment_when_the_platform_says_so(
    ledger: EventLedger, status: int, headers: dict[str, str], pause: float, counted: int
) -> None:
    paced = budget(ledger, 0, default_pause=3.0, max_pause=60.0)

    assert paced.heed(status, headers) == pytest.approx(pause, abs=TOLERANCE)
    assert ledger.reserve_api_slot(0).wait == pytest.approx(pause, abs=TOLERANCE)
    assert ledger.budget_state().rate_limited == counted


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-ratelimit-request-remaining": "3", "retry-after": "5"}, {"retry-after": "5"}],
)
def test_heed_leaves_the_budget_alone_while_requests_remain(
    ledger: EventLedger, headers: dict[str, str]
) -> None:
    assert budget(ledger).heed(200, headers) is None
    assert ledger.budget_state().pauses == 0


def test_a_slot_for_an_event_no_longer_stored_creates_no_record(ledger: EventLedger) -> None:
    ledger.reserve_api_slot(5)

    slot = ledger.reserve_api_slot(5, event_id="gone", max_sleep=0, grace=1)

    assert slot.held
    assert ledger.client.exists(ledger.keys.event("gone")) == 0
