"""The ledger's record of what tlhooks submitted: expectations and batches."""

from __future__ import annotations

from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.status import EventStatus


def test_a_lone_task_waits_in_the_expected_index_until_its_lookup_is_due(
    ledger: EventLedger,
) -> None:
    ledger.expect([Expectation(task_id="t1", custom_id="ads-1", submitted_at=100.0)], due=160.0)

    assert ledger.due_expectations(159.0) == []
    assert ledger.due_expectations(160.0) == ["t1"]
    found = ledger.expectation("t1")
    assert found is not None
    assert (found.state, found.custom_id) == ("expected", "ads-1")


def test_recording_the_same_task_again_keeps_its_state(ledger: EventLedger) -> None:
    task = Expectation(task_id="t1", submitted_at=100.0)
    ledger.expect([task], due=160.0)
    ledger.settle_expectation("t1", "webhook", "whe_1")

    assert ledger.expect([task], due=160.0) == 0
    found = ledger.expectation("t1")
    assert found is not None
    assert found.state == "webhook"
    assert ledger.due_expectations(1e12) == []


def test_settling_closes_an_expectation_once_and_records_the_platforms_webhooks(
    ledger: EventLedger,
) -> None:
    ledger.expect([Expectation(task_id="t1", submitted_at=100.0)], due=160.0)
    webhooks = [{"url": "https://x.example/hook", "delivered": False, "attempts": 3}]

    assert ledger.settle_expectation("t1", "reconciled", "rec_t1", webhooks=webhooks)
    assert not ledger.settle_expectation("t1", "webhook", "whe_2")
    found = ledger.expectation("t1")
    assert found is not None
    assert (found.state, found.event_id, found.webhooks) == ("reconciled", "rec_t1", webhooks)


def test_batch_items_are_tracked_through_their_batch_not_one_by_one(ledger: EventLedger) -> None:
    items = [Expectation(task_id=f"t{n}", batch_id="b1", submitted_at=100.0) for n in range(3)]
    ledger.expect(items, due=130.0, batch=BatchRecord(batch_id="b1", submitted_at=100.0, total=3))

    assert ledger.due_expectations(1e12) == []
    assert ledger.due_batches(130.0) == ["b1"]
    assert ledger.batch_task_ids("b1") == ["t0", "t1", "t2"]
    assert ledger.batch_ids() == ["b1"]
    ledger.schedule_batch_poll("b1", None)
    assert ledger.due_batches(1e12) == []


def test_a_task_with_a_webhook_event_is_found_among_terminal_events(ledger: EventLedger) -> None:
    fields = {"event_type": "analyze.task.ready", "task_id": "t1", "handlers": []}
    ledger.accept(event_id="whe_1", kind="ready", requested=EventStatus.RECEIVED, fields=fields)

    assert ledger.terminal_events(["t1", "t2"]) == {"t1": "whe_1"}
