"""TRANSITION inside a worker run (``fenced_by``): once another run owns the event, a move of the
late run is refused (LeaseLost) and changes nothing; outside a run moves are not fenced."""

from __future__ import annotations

import pytest

from tlhooks.errors import LeaseLost
from tlhooks.ledger import EventLedger
from tlhooks.ledger.fencing import current_run, fenced_by
from tlhooks.status import EventStatus


def handling(ledger: EventLedger, token: str) -> None:
    ledger.accept(
        event_id="e1",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t-1", "handlers": ["h"]},
    )
    ledger.transition("e1", EventStatus.QUEUED)
    ledger.begin_run("e1", token, 60)
    with fenced_by(token):
        ledger.transition("e1", EventStatus.FETCHING)
        ledger.transition("e1", EventStatus.HANDLING)


def test_the_run_that_owns_the_event_moves_it(ledger: EventLedger) -> None:
    handling(ledger, "run-1")

    with fenced_by("run-1"):
        ledger.transition("e1", EventStatus.HANDLED)

    assert ledger.require("e1").status is EventStatus.HANDLED


def test_a_run_whose_lease_lapsed_with_no_one_taking_over_still_moves_it(
    ledger: EventLedger,
) -> None:
    handling(ledger, "run-1")
    ledger.client.delete(ledger.keys.lease("e1"))  # Redis was away longer than the lease

    with fenced_by("run-1"):
        ledger.transition("e1", EventStatus.HANDLED)

    assert ledger.require("e1").status is EventStatus.HANDLED


@pytest.mark.parametrize("late_move", [EventStatus.HANDLED, EventStatus.FAILED, EventStatus.DEAD])
def test_a_late_run_cannot_settle_an_event_another_run_took_over(
    ledger: EventLedger, late_move: EventStatus
) -> None:
    handling(ledger, "run-1")
    ledger.client.delete(ledger.keys.lease("e1"))  # run-1 stalled past its lease
    assert ledger.begin_run("e1", "run-2", 60).outcome == "claimed"
    before = ledger.require("e1")

    with fenced_by("run-1"), pytest.raises(LeaseLost, match="run-1"):
        ledger.transition("e1", late_move, "late", last_error="late")

    after = ledger.require("e1")
    assert after.status is EventStatus.HANDLING
    assert after.history == before.history
    assert after.last_error is None
    assert ledger.ids_in_statuses(frozenset({EventStatus.HANDLING})) == ["e1"]
    with fenced_by("run-2"):  # the run that owns it settles it
        ledger.transition("e1", EventStatus.HANDLED)
    assert ledger.require("e1").status is EventStatus.HANDLED


def test_outside_a_run_moves_are_not_fenced(ledger: EventLedger) -> None:
    handling(ledger, "run-1")
    assert current_run() is None

    ledger.transition("e1", EventStatus.HANDLED)

    assert ledger.require("e1").status is EventStatus.HANDLED


def test_the_fence_ends_with_its_block() -> None:
    with fenced_by("outer"):
        with fenced_by("inner"):
            assert current_run() == "inner"
        assert current_run() == "outer"
    assert current_run() is None
