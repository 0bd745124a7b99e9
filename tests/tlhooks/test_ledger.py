"""The ledger's atomic decisions, against a real Redis."""

from __future__ import annotations

import pytest

from tlhooks.errors import EventNotFound, InvalidTransition, StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.ledger.bulk import delete_many
from tlhooks.ledger.store import connect
from tlhooks.status import EventStatus


def accept(
    ledger: EventLedger, event_id: str, kind: str = "ready", task: str = "t1"
) -> EventStatus:
    return ledger.accept(
        event_id=event_id,
        kind=kind,
        requested=EventStatus.RECEIVED,
        fields={"event_type": f"analyze.task.{kind}", "task_id": task, "handlers": ["h"]},
    ).status


def test_an_event_is_findable_by_its_id_and_by_its_task(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    record = ledger.require("e1")
    assert record.status is EventStatus.RECEIVED
    assert record.handlers == ["h"]
    assert [r.event_id for r in ledger.events_for_task("t1")] == ["e1"]


def test_a_redelivered_id_only_counts_a_delivery(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    result = ledger.accept(event_id="e1", kind="ready", requested=EventStatus.RECEIVED, fields={})
    assert not result.created
    assert ledger.require("e1").deliveries == 2


def test_a_second_event_of_the_same_kind_is_a_duplicate_and_the_other_kind_a_conflict(
    ledger: EventLedger,
) -> None:
    assert accept(ledger, "e1") is EventStatus.RECEIVED
    assert accept(ledger, "e2") is EventStatus.DUPLICATE
    assert accept(ledger, "e3", kind="failed") is EventStatus.CONFLICT
    assert accept(ledger, "e4", kind="failed") is EventStatus.DUPLICATE
    assert ledger.require("e2").duplicate_of == "e1"
    assert ledger.require("e3").conflict_with == "e1"


def test_a_forbidden_transition_is_refused_and_changes_nothing(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    with pytest.raises(InvalidTransition, match="cannot go from 'received' to 'handled'"):
        ledger.transition("e1", EventStatus.HANDLED)
    assert ledger.require("e1").status is EventStatus.RECEIVED


def test_every_transition_is_timestamped_in_the_history(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    ledger.transition("e1", EventStatus.QUEUED, "published")
    ledger.transition("e1", EventStatus.FETCHING)
    history = ledger.require("e1").history
    assert [h.status for h in history] == ["received", "queued", "fetching"]
    assert history[1].note == "published"
    assert history[0].at <= history[1].at <= history[2].at
    assert ledger.ids_in_status(EventStatus.FETCHING) == ["e1"]
    assert ledger.ids_in_status(EventStatus.QUEUED) == []


def test_a_second_run_is_told_the_first_holds_the_lease(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    assert ledger.begin_run("e1", "a", 5).outcome == "claimed"
    busy = ledger.begin_run("e1", "b", 5)
    assert busy.outcome == "busy"
    assert 0 < busy.lease_remaining <= 5


def test_a_run_that_finds_its_predecessor_dead_counts_a_crash(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    ledger.begin_run("e1", "a", 0.05)  # never ends: its worker "died"
    ledger.client.delete(ledger.keys.lease("e1"))
    claim = ledger.begin_run("e1", "b", 5)
    assert (claim.outcome, claim.crashes) == ("claimed", 1)
    ledger.end_run("e1", "b")
    assert ledger.begin_run("e1", "c", 5).crashes == 1


def test_a_settled_event_is_not_run_again(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    accept(ledger, "e2")
    assert ledger.begin_run("e2", "a", 5).outcome == "settled"


def test_due_retries_are_claimed_once(ledger: EventLedger) -> None:
    ledger.schedule("e1", 100)
    ledger.schedule("e2", 300)
    assert ledger.claim_due(now=200) == ["e1"]
    assert ledger.claim_due(now=200) == []


def test_deleting_an_event_removes_every_trace_of_it(ledger: EventLedger) -> None:
    accept(ledger, "e1")
    ledger.schedule("e1", 10)
    assert delete_many(ledger, ["e1", "unknown"]) == 1
    assert ledger.get("e1") is None
    assert ledger.client.keys("*") == []


def test_an_unreachable_redis_is_storage_unavailable() -> None:
    ledger = EventLedger(connect("redis://127.0.0.1:1/0", 0.5))
    with pytest.raises(StorageUnavailable):
        ledger.ping()


def test_an_unknown_event_is_not_found_rather_than_an_invalid_transition(
    ledger: EventLedger,
) -> None:
    with pytest.raises(EventNotFound, match="'nope' is not in the ledger"):
        ledger.require("nope")
    with pytest.raises(EventNotFound, match="'nope' is not in the ledger"):
        ledger.transition("nope", EventStatus.QUEUED)
