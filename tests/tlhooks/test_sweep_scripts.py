"""The sweeper's and the leases' Lua scripts, each one atomic decision, against a real Redis."""

from __future__ import annotations

import time

import pytest

from tlhooks.ledger import EventLedger
from tlhooks.ledger.sweeping import SweepOps
from tlhooks.processes import wait_until
from tlhooks.status import EventStatus

QUEUE = "test-queue"


@pytest.fixture
def ops(ledger: EventLedger) -> SweepOps:
    return SweepOps(ledger)


def handling(ledger: EventLedger, event_id: str) -> None:
    """An event whose run reached ``handling``."""
    ledger.accept(
        event_id=event_id,
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "", "handlers": ["h"]},
    )
    ledger.transition(event_id, EventStatus.FETCHING)
    ledger.transition(event_id, EventStatus.HANDLING)


def rescue(ops: SweepOps, event_id: str, status: EventStatus = EventStatus.HANDLING) -> str:
    return ops.requeue_stale(
        event_id, status, time.time() + 1, 3, note="test", queue=QUEUE, message=f"msg-{event_id}"
    )


def test_the_sweep_lock_is_released_only_by_its_owner(ledger: EventLedger, ops: SweepOps) -> None:
    first = ops.try_lock("lock", 0.05)
    assert first is not None
    wait_until(lambda: not ledger.client.exists("lock"), timeout=5)
    second = ops.try_lock("lock", 30)
    assert second is not None

    assert ops.unlock("lock", first) is False  # the late first sweep
    assert ledger.client.get("lock") == second
    assert ops.try_lock("lock", 30) is None
    assert ops.unlock("lock", second) is True


def test_a_run_takes_back_its_lapsed_lease_when_no_other_run_took_the_event(
    ledger: EventLedger,
) -> None:
    handling(ledger, "e1")
    ledger.begin_run("e1", "a", 0.05)
    wait_until(lambda: not ledger.client.exists(ledger.keys.lease("e1")), timeout=5)

    assert ledger.renew_lease("e1", "a", 5) is True
    assert ledger.client.get(ledger.keys.lease("e1")) == "a"


def test_a_run_whose_event_another_run_took_cannot_renew(ledger: EventLedger) -> None:
    handling(ledger, "e1")
    ledger.begin_run("e1", "a", 0.05)
    wait_until(lambda: not ledger.client.exists(ledger.keys.lease("e1")), timeout=5)
    assert ledger.begin_run("e1", "b", 5).outcome == "claimed"

    assert ledger.renew_lease("e1", "a", 5) is False
    assert ledger.client.get(ledger.keys.lease("e1")) == "b"


def test_a_rescue_leaves_an_event_whose_run_holds_its_lease(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    ledger.begin_run("e1", "a", 5)

    assert rescue(ops, "e1") == "running"
    assert ledger.require("e1").status is EventStatus.HANDLING
    assert ledger.client.llen(QUEUE) == 0


def test_a_rescue_leaves_an_event_with_a_retry_scheduled(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    ledger.schedule("e1", time.time() + 60)

    assert rescue(ops, "e1") == "scheduled"
    assert ledger.require("e1").status is EventStatus.HANDLING


def test_a_rescue_of_an_event_that_moved_on_changes_nothing(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")

    assert rescue(ops, "e1", EventStatus.QUEUED) == "moved"
    assert ledger.require("e1").status is EventStatus.HANDLING


def test_a_rescue_of_an_event_that_reentered_its_state_after_the_cutoff_changes_nothing(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    cutoff = time.time() - 60
    outcome = ops.requeue_stale("e1", EventStatus.HANDLING, cutoff, 3, note="test")
    assert outcome == "moved"


def test_a_dead_run_is_requeued_with_its_message_in_the_same_script(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")

    assert rescue(ops, "e1") == "queued"
    event = ledger.require("e1")
    assert (event.status, event.requeues) == (EventStatus.QUEUED, 1)
    assert ledger.client.lrange(QUEUE, 0, -1) == ["msg-e1"]
    assert ledger.ids_in_status(EventStatus.HANDLING) == []
    assert ledger.ids_in_status(EventStatus.QUEUED) == ["e1"]


def test_past_the_requeue_limit_a_rescue_buries_the_event(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    ledger.increment("e1", "requeues", 3)

    assert ops.requeue_stale("e1", EventStatus.HANDLING, time.time() + 1, 3, dead_note="x") == (
        "dead"
    )
    event = ledger.require("e1")
    assert (event.status, event.last_error) == (EventStatus.DEAD, "x")
    assert ledger.client.zscore(ledger.keys.unsettled, "e1") is None


def test_a_due_retry_is_queued_with_its_message_and_taken_off_the_schedule(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    ledger.transition("e1", EventStatus.FAILED)
    ledger.schedule("e1", time.time() - 1)

    assert ops.requeue_due("e1", queue=QUEUE, message="m") == "queued"
    assert ledger.require("e1").status is EventStatus.QUEUED
    assert ledger.due_ids(time.time() + 3600) == []
    assert ledger.client.lrange(QUEUE, 0, -1) == ["m"]


def test_a_due_retry_whose_event_a_run_holds_is_rechecked_later(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    ledger.begin_run("e1", "a", 5)
    ledger.schedule("e1", time.time() - 1)

    assert ops.requeue_due("e1", queue=QUEUE, message="m") == "running"
    assert ledger.require("e1").status is EventStatus.HANDLING
    assert ledger.due_ids(time.time()) == []
    assert ledger.due_ids(time.time() + 2) == ["e1"]


def test_a_due_retry_of_a_settled_event_is_dropped(ledger: EventLedger, ops: SweepOps) -> None:
    handling(ledger, "e1")
    ledger.transition("e1", EventStatus.HANDLED)
    ledger.schedule("e1", time.time() - 1)

    assert ops.requeue_due("e1", queue=QUEUE, message="m") == "settled"
    assert ledger.due_ids(time.time() + 3600) == []
    assert ledger.client.llen(QUEUE) == 0


def test_a_queued_event_is_not_requeued_while_the_queue_still_holds_messages(
    ledger: EventLedger, ops: SweepOps
) -> None:
    handling(ledger, "e1")
    ledger.transition("e1", EventStatus.QUEUED)
    ledger.client.lpush(QUEUE, "a backlog")

    assert rescue(ops, "e1", EventStatus.QUEUED) == "waiting"
    assert ledger.require("e1").requeues == 0
    ledger.client.delete(QUEUE)
    assert rescue(ops, "e1", EventStatus.QUEUED) == "queued"


def test_a_received_event_whose_publish_claim_is_held_is_left_to_its_publisher(
    ledger: EventLedger, ops: SweepOps
) -> None:
    ledger.accept(
        event_id="e1",
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "", "handlers": ["h"]},
        publish_claim=("receiver-token", 30),
    )

    assert rescue(ops, "e1", EventStatus.RECEIVED) == "publishing"
    assert ledger.require("e1").status is EventStatus.RECEIVED
    ledger.release_publish("e1", "receiver-token")
    assert rescue(ops, "e1", EventStatus.RECEIVED) == "queued"
    assert ledger.client.lrange(QUEUE, 0, -1) == ["msg-e1"]
