"""An event its intake settled (ignored, duplicate, unmatched, conflict) compacted into its one
record hash (tlhooks/ledger/compaction.py) reads back as it was, minus what it names as
dropped; redeliveries, later duplicates and refused replays still work on it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.ledger_truth import assert_indexes_agree
from tests.tlhooks.test_ledger_compaction import (
    BODY,
    SHA,
    accept,
    comparable,
    event_keys,
    handled,
)
from tlhooks.ledger import EventLedger
from tlhooks.ledger.compacting import _args
from tlhooks.ledger.compaction import Compaction, plan
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.status import INTAKE_SETTLED, EventStatus


def settled_at_intake(ledger: EventLedger, status: EventStatus) -> str:
    """An event ACCEPT settles in ``status``; its id."""
    if status is EventStatus.IGNORED:
        ledger.accept(
            event_id="whe_x",
            kind=None,
            requested=EventStatus.IGNORED,
            fields={"event_type": "analyze.task.queued", "task_id": "t1", "body": BODY},
            note="event type 'analyze.task.queued' is not processed",
            body_sha256=SHA,
        )
        return "whe_x"
    if status is EventStatus.UNMATCHED:
        ledger.accept(
            event_id="whe_x",
            kind="ready",
            requested=EventStatus.UNMATCHED,
            fields={"event_type": "analyze.task.ready", "task_id": "t1", "handlers": []},
            body_sha256=SHA,
        )
        return "whe_x"
    accept(ledger, "whe_1")  # the first event of the task
    extra: dict[str, Any] = {"event_type": "analyze.task.failed"}
    if status is EventStatus.CONFLICT:
        ledger.accept(
            event_id="whe_x",
            kind="failed",
            requested=EventStatus.RECEIVED,
            fields={**extra, "task_id": "t1", "handlers": ["myapp.hooks.notify"], "body": BODY},
            body_sha256=SHA,
        )
    else:
        accept(ledger, "whe_x")
    assert ledger.require("whe_x").status is status
    return "whe_x"


def raw(ledger: EventLedger, event_id: str) -> Compaction:
    keys = ledger.keys
    return plan(
        ledger.client.hgetall(keys.event(event_id)),
        ledger.client.lrange(keys.history(event_id), 0, -1),
        ledger.client.hgetall(keys.outcomes(event_id)),
        ledger.client.lrange(keys.deliveries(event_id), 0, -1),
    )


@pytest.mark.parametrize("status", sorted(INTAKE_SETTLED))
def test_an_event_settled_at_intake_becomes_one_listpack_hash_and_reads_back_as_it_was(
    ledger: EventLedger, status: EventStatus
) -> None:
    event_id = settled_at_intake(ledger, status)
    before = ledger.require(event_id)

    assert ledger.compact(event_id) == "compacted"

    key = ledger.keys.event(event_id)
    assert event_keys(ledger, event_id) == [key]
    assert ledger.client.object("encoding", key) == "listpack"
    after = ledger.require(event_id)
    (kept, kept_times), (was, was_times) = comparable(after), comparable(before)
    assert kept == was
    assert kept_times == pytest.approx(was_times, abs=0.002)
    assert after.status is status
    assert after.compaction is not None
    assert after.body == ""
    assert_indexes_agree(ledger)


def test_a_compacted_duplicate_keeps_its_handlers_counted_as_they_were(
    ledger: EventLedger,
) -> None:
    settled_at_intake(ledger, EventStatus.DUPLICATE)
    counts = ledger.handler_outcome_counts()

    assert ledger.compact("whe_x") == "compacted"

    assert ledger.handler_outcome_counts() == counts
    assert ledger.require("whe_x").duplicate_of == "whe_1"


def test_a_redelivery_of_a_compacted_unmatched_event_is_counted_and_settles_nothing_new(
    ledger: EventLedger,
) -> None:
    settled_at_intake(ledger, EventStatus.UNMATCHED)
    ledger.compact("whe_x")

    again = ledger.accept(
        event_id="whe_x",
        kind="ready",
        requested=EventStatus.UNMATCHED,
        fields={"event_type": "analyze.task.ready", "task_id": "t1", "handlers": []},
        body_sha256="0" * 64,
    )

    assert (again.created, again.status, again.same_body) == (False, EventStatus.UNMATCHED, False)
    record = ledger.require("whe_x")
    assert (record.deliveries, record.reused_deliveries) == (2, 1)
    assert [d.same for d in record.delivery_log] == [True, False]
    assert ledger.compact("whe_x") == "compacted"  # the new delivery folded in too
    assert [d.same for d in ledger.require("whe_x").delivery_log] == [True, False]
    assert event_keys(ledger, "whe_x") == [ledger.keys.event("whe_x")]


def test_a_later_webhook_for_the_task_of_a_compacted_duplicate_is_a_duplicate_of_the_first(
    ledger: EventLedger,
) -> None:
    settled_at_intake(ledger, EventStatus.DUPLICATE)
    assert ledger.compact("whe_x") == "compacted"

    answer = accept(ledger, "whe_y")

    assert answer.status is EventStatus.DUPLICATE
    assert ledger.require("whe_y").duplicate_of == "whe_1"
    assert [r.event_id for r in ledger.events_for_task("t1")] == ["whe_1", "whe_x", "whe_y"]


@pytest.mark.parametrize("status", [EventStatus.IGNORED, EventStatus.UNMATCHED])
def test_a_replay_of_a_compacted_ignored_or_unmatched_event_is_refused_and_changes_nothing(
    ledger: EventLedger, status: EventStatus
) -> None:
    settled_at_intake(ledger, status)
    assert ledger.compact("whe_x") == "compacted"
    stored = ledger.client.hgetall(ledger.keys.event("whe_x"))

    answers = ledger.replay_many(["whe_x"], replay_id="r1", note="replay", reset=ReplayReset("all"))

    assert (answers[0].outcome, answers[0].status) == ("refused", status)
    assert ledger.client.hgetall(ledger.keys.event("whe_x")) == stored
    assert_indexes_agree(ledger)


def test_a_plan_whose_event_is_no_longer_in_the_state_it_was_read_in_is_refused(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    stale = raw(ledger, "whe_1")
    ledger.client.hset(ledger.keys.event("whe_1"), "status", "ignored")  # moved, no history

    answer = ledger._compact(keys=ledger._compact_keys("whe_1"), args=_args(stale))

    assert answer == "changed"
    assert ledger.require("whe_1").compaction is None


def test_a_plan_made_before_a_replay_is_refused(ledger: EventLedger) -> None:
    handled(ledger)
    stale = raw(ledger, "whe_1")
    ledger.replay_many(["whe_1"], replay_id="r1", note="replay", reset=ReplayReset("all"))
    ledger.client.delete(ledger.keys.lease("whe_1"))

    answer = ledger._compact(keys=ledger._compact_keys("whe_1"), args=_args(stale))

    assert answer == "skipped"
    assert ledger.require("whe_1").compaction is None


def test_compact_settled_catches_up_on_events_settled_at_intake(ledger: EventLedger) -> None:
    settled_at_intake(ledger, EventStatus.DUPLICATE)  # whe_1 received, whe_x duplicate
    settled_at_intake(ledger, EventStatus.UNMATCHED)  # whe_x again: a redelivery

    first = ledger.compact_settled()
    again = ledger.compact_settled()

    assert (first["compacted"], first["already"]) == (1, 0)
    assert (again["compacted"], again["already"]) == (0, 1)
    assert ledger.require("whe_1").compaction is None  # received: not settled
    assert ledger.require("whe_x").compaction is not None
