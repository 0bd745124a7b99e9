"""SAVE_OUTCOME, UPDATE and INCREMENT on a real Redis: who may write, and "not found"."""

from __future__ import annotations

import pytest

from tlhooks.errors import EventNotFound, InvalidTransition, LeaseLost
from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.status import EventStatus


def received(ledger: EventLedger, event_id: str = "e1") -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": f"t-{event_id}", "handlers": ["h"]},
    )


def outcome(state: HandlerState, attempts: int = 1) -> HandlerOutcome:
    return HandlerOutcome(handler="h", state=state, attempts=attempts)


def test_the_run_holding_the_lease_records_its_outcome(ledger: EventLedger) -> None:
    received(ledger)
    ledger.begin_run("e1", "run-1", 60)

    ledger.save_outcome("e1", outcome(HandlerState.SUCCEEDED), "run-1")

    assert ledger.require("e1").outcome("h").state is HandlerState.SUCCEEDED


def test_a_run_whose_lease_lapsed_cannot_overwrite_the_outcome_of_the_run_that_took_over(
    ledger: EventLedger,
) -> None:
    received(ledger)
    ledger.begin_run("e1", "run-1", 60)
    ledger.client.delete(ledger.keys.lease("e1"))  # run-1's lease lapsed
    ledger.begin_run("e1", "run-2", 60)
    ledger.save_outcome("e1", outcome(HandlerState.SUCCEEDED), "run-2")

    with pytest.raises(LeaseLost, match="run-1"):
        ledger.save_outcome("e1", outcome(HandlerState.FAILED), "run-1")

    assert ledger.require("e1").outcome("h").state is HandlerState.SUCCEEDED


def test_a_lost_lease_is_an_invalid_transition_so_the_processor_ends_the_run_alike() -> None:
    assert issubclass(LeaseLost, InvalidTransition)


def test_a_run_whose_lease_lapsed_while_no_run_took_over_still_records_its_outcome(
    ledger: EventLedger,
) -> None:
    """As RENEW_LEASE reads it: Redis was away longer than the lease, the run still owns it."""
    received(ledger)
    ledger.begin_run("e1", "run-1", 60)
    ledger.client.delete(ledger.keys.lease("e1"))

    ledger.save_outcome("e1", outcome(HandlerState.SUCCEEDED), "run-1")

    assert ledger.require("e1").outcome("h").state is HandlerState.SUCCEEDED


def test_a_run_that_ended_cannot_record_an_outcome(ledger: EventLedger) -> None:
    received(ledger)
    ledger.begin_run("e1", "run-1", 60)
    ledger.end_run("e1", "run-1")

    with pytest.raises(LeaseLost):
        ledger.save_outcome("e1", outcome(HandlerState.FAILED), "run-1")
    assert ledger.require("e1").outcomes == {}


def test_updating_or_counting_on_an_event_not_in_the_ledger_is_event_not_found(
    ledger: EventLedger,
) -> None:
    with pytest.raises(EventNotFound):
        ledger.update("nowhere", last_error="x")
    with pytest.raises(EventNotFound):
        ledger.increment("nowhere", "attempts")
    with pytest.raises(EventNotFound):
        ledger.transition("nowhere", EventStatus.QUEUED)
    assert ledger.client.exists(ledger.keys.event("nowhere")) == 0


def test_updating_and_counting_on_a_stored_event_work(ledger: EventLedger) -> None:
    received(ledger)
    ledger.update("e1", last_error="boom")
    assert ledger.increment("e1", "attempts", 2) == 2
    assert ledger.require("e1").last_error == "boom"
