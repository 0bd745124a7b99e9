"""A handled event compacted into its one record hash (tlhooks/ledger/compaction.py) reads back
as it was, minus what it names as dropped, and every script and reader still works on it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.ledger_truth import assert_indexes_agree, every_record
from tests.tlhooks.test_archive import noise
from tests.tlhooks.test_ledger_indexes import PROPERTY, forget_the_indexes, run_step
from tlhooks.ledger import EventLedger, EventRecord, HandlerOutcome, HandlerState
from tlhooks.ledger.compacting import _args
from tlhooks.ledger.compaction import plan
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.status import EventStatus

HANDLERS = ["myapp.hooks.index_scenes", "myapp.hooks.notify"]
BODY = json.dumps({"id": "whe_1", "type": "analyze.task.ready", "data": {"id": "t1"}})
SHA = hashlib.sha256(BODY.encode()).hexdigest()
DIGEST = {"status": "ready", "bytes": 20108, "sha256": "f5" * 32, "finish_reason": "stop"}
VALIDATION = {"mode": "segments", "valid": True, "errors": [], "warnings": []}
TASK = {"task_id": "t1", "status": "ready", "result": {"data": "x" * 5000}}


def accept(ledger: EventLedger, event_id: str = "whe_1", body_sha256: str = SHA, **extra: Any):
    fields = {
        "event_type": "analyze.task.ready",
        "task_id": extra.pop("task_id", "t1"),
        "custom_id": "cam-1",
        "handlers": HANDLERS,
        "notification_created_at": "2026-12-05T22:56:30.561313+00:00",
        "body": BODY,
        "headers": {"tl-signature": "t=1,v1=" + "a" * 64, "user-agent": "TwelveLabs/1.0"},
        **extra,
    }
    return ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields=fields,
        body_sha256=body_sha256,
    )


def handled(
    ledger: EventLedger,
    event_id: str = "whe_1",
    states: tuple[HandlerState, ...] = (HandlerState.SUCCEEDED, HandlerState.SUCCEEDED),
    target: EventStatus = EventStatus.HANDLED,
    **extra: Any,
) -> None:
    """An event run to ``target`` the way a worker runs it."""
    if ledger.get(event_id) is None:
        accept(ledger, event_id, **extra)
    for step in (EventStatus.QUEUED, EventStatus.FETCHING):
        if ledger.require(event_id).status is not step:
            ledger.transition(event_id, step)
    assert ledger.begin_run(event_id, "run", 60).outcome == "claimed"
    ledger.transition(event_id, EventStatus.HANDLING, "task retrieved", validation=VALIDATION)
    for name, state in zip(HANDLERS, states, strict=True):
        outcome = HandlerOutcome(
            handler=name, state=state, attempts=1, started_at=1.5, finished_at=2.5,
            last_error=None if state is HandlerState.SUCCEEDED else "boom",
        )  # fmt: skip
        ledger.save_outcome(event_id, outcome, "run")
    ledger.transition(event_id, target, task=None, result_digest=DIGEST)
    ledger.end_run(event_id, "run")


def event_keys(ledger: EventLedger, event_id: str = "whe_1") -> list[str]:
    """The event's record and side keys (not its short-lived claim or lease)."""
    pattern = ledger.keys.event(event_id) + "*"
    return sorted(str(key) for key in ledger.client.scan_iter(match=pattern))


def comparable(record: EventRecord) -> tuple[dict[str, Any], list[float]]:
    """What compaction keeps: everything but the dropped body, signature and SHA's tail; and,
    apart, every time (the archive keeps them to the millisecond)."""
    data = record.model_dump(exclude={"body", "compaction", "body_sha256"})
    data["headers"].pop("tl-signature", None)
    times = [data.pop("updated_at")]
    for entry in (*data["history"], *data["delivery_log"]):
        times.append(entry.pop("at"))
        entry.pop("body_sha256", None)
    for outcome in data["outcomes"].values():
        times += [outcome.pop("started_at"), outcome.pop("finished_at")]
    return data, times


def test_a_handled_event_becomes_one_listpack_hash_whose_values_are_all_short(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    assert len(event_keys(ledger)) == 4  # record, history, outcomes, delivery log

    assert ledger.compact("whe_1") == "compacted"

    key = ledger.keys.event("whe_1")
    assert event_keys(ledger) == [key]
    assert ledger.client.object("encoding", key) == "listpack"
    stored = ledger.client.hgetall(key)
    assert max(len(name.encode()) for name in stored) <= 64
    assert max(len(value.encode()) for value in stored.values()) <= 64
    assert "body" not in stored
    assert "headers" not in stored


def test_a_compacted_event_reads_back_as_it_was_and_says_what_it_dropped(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    accept(ledger)  # a redelivery, logged
    before = ledger.require("whe_1")

    ledger.compact("whe_1")

    after = ledger.require("whe_1")
    (kept, kept_times), (was, was_times) = comparable(after), comparable(before)
    assert kept == was
    assert kept_times == pytest.approx(was_times, abs=0.002)
    assert after.body == ""
    assert "tl-signature" not in after.headers
    assert after.body_sha256 == SHA[:32]
    assert after.compaction is not None
    assert after.compaction.dropped == ["body", "headers.tl-signature"]
    assert [d.body_sha256 for d in after.delivery_log] == [SHA[:32], SHA[:32]]
    assert before.compaction is None


def test_a_kept_task_is_compressed_into_the_record_and_read_back_whole(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    ledger.update("whe_1", task=TASK)

    ledger.compact("whe_1")

    assert ledger.require("whe_1").task == TASK
    assert ledger.client.memory_usage(ledger.keys.event("whe_1")) < 2000  # 5 KB of result


def test_an_archive_too_long_for_short_fields_is_kept_in_one(ledger: EventLedger) -> None:
    handled(ledger)
    task = {**TASK, "result": {"data": noise(6000)}}
    ledger.update("whe_1", task=task)

    ledger.compact("whe_1")

    stored = ledger.client.hgetall(ledger.keys.event("whe_1"))
    assert [name for name in stored if name.startswith("z")] == ["z0"]
    assert ledger.require("whe_1").task == task


@pytest.mark.parametrize(
    "status", [EventStatus.DEAD, EventStatus.INVALID, EventStatus.TRUNCATED, EventStatus.FAILED]
)
def test_dead_invalid_truncated_and_unfinished_events_are_never_compacted(
    ledger: EventLedger, status: EventStatus
) -> None:
    if status is EventStatus.FAILED:
        handled(ledger, target=status)
    else:
        handled(ledger, target=EventStatus.HANDLING)
        ledger.transition("whe_1", status)
    keys = event_keys(ledger)

    assert ledger.compact("whe_1") == "skipped"
    assert ledger.compact_settled()["compacted"] == 0

    assert event_keys(ledger) == keys
    assert ledger.require("whe_1").body == BODY


def test_an_event_a_run_holds_is_left_alone(ledger: EventLedger) -> None:
    handled(ledger)
    ledger.client.set(ledger.keys.lease("whe_1"), "other-run")

    assert ledger.compact("whe_1") == "skipped"
    assert ledger.require("whe_1").compaction is None


def test_a_plan_made_stale_by_a_redelivery_is_refused_then_made_again(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    keys = ledger.keys
    raw = (
        ledger.client.hgetall(keys.event("whe_1")),
        ledger.client.lrange(keys.history("whe_1"), 0, -1),
        ledger.client.hgetall(keys.outcomes("whe_1")),
        ledger.client.lrange(keys.deliveries("whe_1"), 0, -1),
    )
    stale = plan(*raw)
    accept(ledger)  # between the read and the script

    answer = ledger._compact(keys=ledger._compact_keys("whe_1"), args=_args(stale))

    assert answer == "changed"
    assert ledger.compact("whe_1") == "compacted"
    assert len(ledger.require("whe_1").delivery_log) == 2


def test_a_redelivery_of_a_compacted_event_is_counted_and_compared_with_the_kept_hash(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    ledger.compact("whe_1")

    same = accept(ledger)
    other = accept(ledger, body_sha256="0" * 64)

    assert (same.created, same.same_body, other.same_body) == (False, True, False)
    record = ledger.require("whe_1")
    assert (record.deliveries, record.reused_deliveries) == (3, 1)
    assert [d.same for d in record.delivery_log] == [True, True, False]
    assert ledger.client.zscore(ledger.keys.reused, "whe_1") is not None
    assert record.status is EventStatus.HANDLED


def test_a_second_webhook_for_the_task_of_a_compacted_event_is_a_duplicate(
    ledger: EventLedger,
) -> None:
    handled(ledger)
    ledger.compact("whe_1")

    answer = accept(ledger, "whe_2")

    assert answer.status is EventStatus.DUPLICATE
    assert ledger.require("whe_2").duplicate_of == "whe_1"
    assert [r.event_id for r in ledger.events_for_task("t1")] == ["whe_1", "whe_2"]


@pytest.mark.parametrize("reset", ["all", "unsucceeded", HANDLERS[1]])
def test_a_replay_of_a_compacted_event_clears_the_outcomes_it_names(
    ledger: EventLedger, reset: str
) -> None:
    handled(ledger, states=(HandlerState.SUCCEEDED, HandlerState.EXHAUSTED))
    ledger.compact("whe_1")

    answers = ledger.replay_many(["whe_1"], replay_id="r1", note="replay", reset=ReplayReset(reset))

    assert answers[0].outcome == "ok"
    record = ledger.require("whe_1")
    cleared = {"all": HANDLERS, "unsucceeded": HANDLERS[1:], HANDLERS[1]: HANDLERS[1:]}[reset]
    for name in HANDLERS:
        pending = record.outcome(name).state is HandlerState.PENDING
        assert pending == (name in cleared), name
    assert record.pending_handlers == cleared
    assert [t.status for t in record.history][-2:] == [EventStatus.HANDLED, EventStatus.QUEUED]
    assert_indexes_agree(ledger)


def test_a_replayed_compacted_event_runs_again_and_is_compacted_again_with_all_its_history(
    ledger: EventLedger,
) -> None:
    handled(ledger, task=TASK)
    ledger.compact("whe_1")
    ledger.replay_many(
        ["whe_1"], replay_id="r1", note="replay", reset=ReplayReset("all", task=True)
    )
    assert ledger.require("whe_1").task is None  # the replay's '' wins over the archived task

    handled(ledger)
    assert ledger.compact("whe_1") == "compacted"

    record = ledger.require("whe_1")
    statuses = [t.status.value for t in record.history]
    assert statuses.count("handled") == 2
    assert "queued" in statuses[5:]
    assert (record.replays, record.replay_id, record.task) == (1, "r1", None)
    assert record.outcome(HANDLERS[0]).state is HandlerState.SUCCEEDED
    assert event_keys(ledger) == [ledger.keys.event("whe_1")]
    assert_indexes_agree(ledger)


def test_purge_retention_and_reindex_work_on_compacted_events(ledger: EventLedger) -> None:
    for number in range(4):
        handled(ledger, f"whe_{number}", task_id=f"t{number}")
    assert ledger.compact_many([f"whe_{n}" for n in range(4)])["compacted"] == 4
    forget_the_indexes(ledger)
    for number in range(4):
        ledger.client.hdel(ledger.keys.event(f"whe_{number}"), "tallied")

    assert ledger.reindex().answers["tallied"] == 4
    assert_indexes_agree(ledger)
    assert ledger.delete_many(["whe_0"]) == 1
    assert ledger.expire(days=1, now=2e10) == 3

    assert list(ledger.client.scan_iter(match=ledger.keys.event("*"))) == []
    assert ledger.handler_outcome_counts() == {}
    assert every_record(ledger) == []


def test_compact_handled_compacts_what_was_missed_and_counts_what_was_done(
    ledger: EventLedger,
) -> None:
    for number in range(3):
        handled(ledger, f"whe_{number}", task_id=f"t{number}")
    ledger.compact("whe_0")

    first = ledger.compact_settled(chunk=2)
    again = ledger.compact_settled()

    assert (first["compacted"], first["already"]) == (2, 1)
    assert (again["compacted"], again["already"]) == (0, 3)


# Few events, run to handled often or settled at intake: redeliveries, outcomes, replays,
# deaths and deletes around compactions, checked by the same property as
# tests/tlhooks/test_ledger_indexes.py.
FEW = ["e0", "e1", "e2"]
few_steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("accept"), st.sampled_from(FEW),
            st.sampled_from([EventStatus.RECEIVED, EventStatus.UNMATCHED, EventStatus.IGNORED]),
            st.sampled_from(["ready", None]), st.lists(st.sampled_from(HANDLERS), min_size=1),
            st.sampled_from(["t1", "t2"]), st.sampled_from(["c-1", None]),
        ),
        st.tuples(
            st.just("outcome"), st.sampled_from(FEW), st.sampled_from(HANDLERS),
            st.sampled_from(list(HandlerState)),
        ),
        st.tuples(st.just("finish"), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("finish"), st.integers(0, 2), st.just(True)),
        st.tuples(st.just("compact")),
        st.tuples(
            st.just("replay"), st.sampled_from(FEW),
            st.sampled_from(["all", "unsucceeded", *HANDLERS]),
        ),
        st.tuples(st.just("move"), st.sampled_from(FEW), st.just(EventStatus.DEAD)),
        st.tuples(st.just("delete"), st.lists(st.sampled_from(FEW), max_size=2)),
    ),
    min_size=1,
    max_size=25,
)  # fmt: skip


@settings(PROPERTY, max_examples=100)
@given(steps=few_steps)
def test_counts_indexes_and_outcome_states_stay_exact_around_compactions(
    ledger: EventLedger, steps: list[tuple[Any, ...]]
) -> None:
    ledger.client.flushdb()
    for step in steps:
        states = {r.event_id: dict(r.outcomes) for r in every_record(ledger)}
        run_step(ledger, step)
        assert_indexes_agree(ledger)
        if step[0] == "compact":
            for record in every_record(ledger):
                kept = {name: o.state for name, o in record.outcomes.items()}
                assert kept == {n: o.state for n, o in states[record.event_id].items()}
