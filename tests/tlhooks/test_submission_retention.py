"""Retention of submissions: done expectations and batches older than the retention go,
anything tlhooks still waits for stays, however old."""

from __future__ import annotations

from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import BatchRecord, Expectation

DAY = 86400.0
NOW = 1_800_000_000.0


def lone(ledger: EventLedger, task_id: str, submitted_at: float) -> None:
    ledger.expect([Expectation(task_id=task_id, submitted_at=submitted_at)], due=submitted_at)
    ledger.client.zadd(ledger.keys.submitted, {task_id: submitted_at})  # as submitted then


def batch(ledger: EventLedger, batch_id: str, task_ids: list[str], submitted_at: float) -> None:
    items = [Expectation(task_id=t, batch_id=batch_id, submitted_at=submitted_at) for t in task_ids]
    record = BatchRecord(batch_id=batch_id, submitted_at=submitted_at, total=len(items))
    ledger.expect(items, due=submitted_at, batch=record)
    ledger.client.zadd(ledger.keys.batches, {batch_id: submitted_at})


def test_a_settled_lone_task_older_than_the_retention_is_forgotten(ledger: EventLedger) -> None:
    lone(ledger, "old-done", NOW - 31 * DAY)
    lone(ledger, "old-open", NOW - 31 * DAY)
    lone(ledger, "new-done", NOW - 1 * DAY)
    for task_id in ("old-done", "new-done"):
        ledger.settle_expectation(task_id, "webhook", f"whe_{task_id}")

    assert ledger.expire_submissions(30, NOW) == 1

    assert ledger.expectation("old-done") is None
    assert ledger.expectation("old-open") is not None  # still waited for
    assert ledger.expectation("new-done") is not None
    assert ledger.client.zscore(ledger.keys.submitted, "old-done") is None


def test_a_batch_no_longer_tracked_goes_with_its_items(ledger: EventLedger) -> None:
    batch(ledger, "b-done", ["t1", "t2"], NOW - 31 * DAY)
    batch(ledger, "b-open", ["t3"], NOW - 31 * DAY)
    ledger.schedule_batch_poll("b-done", None)  # the platform is done and so is tlhooks

    assert ledger.expire_submissions(30, NOW) == 1

    assert ledger.batch_record("b-done") is None
    assert ledger.batch_task_ids("b-done") == []
    assert ledger.expectations(["t1", "t2"]) == []
    assert ledger.batch_record("b-open") is not None
    assert ledger.batch_ids() == ["b-open"]


def test_zero_days_keeps_every_submission(ledger: EventLedger) -> None:
    lone(ledger, "t1", NOW - 400 * DAY)
    ledger.settle_expectation("t1", "webhook", "whe_1")

    assert ledger.expire_submissions(0, NOW) == 0
    assert ledger.expectation("t1") is not None
