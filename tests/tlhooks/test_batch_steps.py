"""The batch record's completion claim: a compare-and-set only one caller wins; an item's
event read for the batch views, compacted or not."""

from __future__ import annotations

from tests.tlhooks.test_ledger_compaction import handled
from tlhooks.ledger import EventLedger
from tlhooks.ledger.batch_steps import ItemEvent
from tlhooks.ledger.expectations import BatchRecord, Expectation


def a_batch(ledger: EventLedger) -> None:
    items = [Expectation(task_id="t1", batch_id="b1", submitted_at=1.0)]
    ledger.expect(items, due=2.0, batch=BatchRecord(batch_id="b1", submitted_at=1.0, total=1))


def test_only_the_first_caller_gets_the_completion_claim(ledger: EventLedger) -> None:
    a_batch(ledger)

    assert ledger.claim_batch_completion("b1", "bat_b1", 300.0)
    assert not ledger.claim_batch_completion("b1", "bat_b1", 300.0)
    record = ledger.batch_record("b1")
    assert record is not None
    assert (record.completion, record.completion_event) == ("claimed", "bat_b1")


def test_a_claim_never_confirmed_is_free_again_after_its_time(ledger: EventLedger) -> None:
    a_batch(ledger)
    assert ledger.claim_batch_completion("b1", "bat_b1", 300.0)

    assert ledger.claim_batch_completion("b1", "bat_b1", 0.0)


def test_an_admitted_completion_is_never_claimed_again(ledger: EventLedger) -> None:
    a_batch(ledger)
    assert ledger.claim_batch_completion("b1", "bat_b1", 300.0)
    ledger.update_batch("b1", completion="admitted")

    assert not ledger.claim_batch_completion("b1", "bat_b1", 0.0)


def test_an_unknown_batch_cannot_be_claimed(ledger: EventLedger) -> None:
    assert not ledger.claim_batch_completion("nope", "bat_nope", 300.0)
    assert ledger.batch_record("nope") is None


def test_a_batch_items_compacted_event_still_reads_as_handled_and_reconciled(
    ledger: EventLedger,
) -> None:
    a_batch(ledger)
    handled(ledger, "rec_t1", task_id="t1", reconciled=1, batch_id="b1")
    assert ledger.compact("rec_t1") == "compacted"

    found = ledger.item_events(["t1"])

    assert found["t1"] == ItemEvent("rec_t1", "handled", True)
    assert ledger.require("rec_t1").batch_id == "b1"
