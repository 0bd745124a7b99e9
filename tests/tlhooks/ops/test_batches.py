"""A batch's items per state, progress and completeness, as ``tlhooks batches`` shows them."""

from __future__ import annotations

from tests.support.batches import BATCH_ID, TASKS, a_batch_in_every_state
from tlhooks.ledger import EventLedger
from tlhooks.ops.batch_views import batch_text, batches_table
from tlhooks.ops.batches import batch_page, summarize
from tlhooks.status import EventStatus


def test_each_item_is_counted_by_how_its_result_came_and_what_became_of_its_event(
    ledger: EventLedger,
) -> None:
    a_batch_in_every_state(ledger)

    summary = summarize(ledger, BATCH_ID)

    assert summary is not None
    assert summary.counts == {
        "expected": 1, "webhook": 3, "reconciled": 1, "canceled": 1,
        "handled": 1, "dead": 1, "invalid": 1, "truncated": 0, "unmatched": 0, "running": 1,
    }  # fmt: skip
    assert [item.state for item in summary.items] == [
        "webhook", "reconciled", "webhook", "canceled", "expected", "webhook",
    ]  # fmt: skip
    assert (summary.settled, round(summary.progress, 2)) == (4, 0.67)
    assert not summary.complete


def test_a_batch_is_complete_only_once_it_ended_and_every_item_is_settled(
    ledger: EventLedger,
) -> None:
    a_batch_in_every_state(ledger, status="expired")
    assert summarize(ledger, BATCH_ID).complete is False  # type: ignore[union-attr]
    ledger.settle_expectation(TASKS[4], "canceled", "")
    ledger.transition(f"whe_{TASKS[5]}", EventStatus.DEAD)

    assert summarize(ledger, BATCH_ID).complete is True  # type: ignore[union-attr]


def test_a_batch_tlhooks_did_not_submit_is_none(ledger: EventLedger) -> None:
    assert summarize(ledger, "c" * 24) is None


def test_the_list_is_newest_first_and_paginated_with_the_total(ledger: EventLedger) -> None:
    a_batch_in_every_state(ledger)
    ledger.client.zadd(ledger.keys.batches, {"older": 1.0})

    first = batch_page(ledger, limit=1)
    second = batch_page(ledger, limit=1, offset=1)

    assert [s.record.batch_id for s in first.batches] == [BATCH_ID]
    assert first.total == 2
    assert second.batches == []  # an id without a record is skipped, not shown empty


def test_the_page_of_a_batch_names_its_counts_expiry_and_the_resubmit_command(
    ledger: EventLedger,
) -> None:
    a_batch_in_every_state(ledger, status="expired")
    summary = summarize(ledger, BATCH_ID)
    assert summary is not None

    text = batch_text(summary)
    table = batches_table([summary])

    assert "expires:        2026-12-06T20:00:00Z" in text
    assert "arrived:        expected 1, webhook 3, reconciled 1, canceled 1" in text
    assert "progress:       4/6 (67%) settled" in text
    assert f"tlhooks batches resubmit {BATCH_ID}" in text
    assert TASKS[3] in text
    assert "4/6 (67%)" in table.splitlines()[1]
