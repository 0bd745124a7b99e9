"""The type, custom_id and handler indexes and the handler outcome counts stay exact through
every path that creates, moves or deletes an event or an outcome (checked against the records).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.ledger_truth import assert_indexes_agree, every_record, handler_counts
from tlhooks.errors import EventNotFound, InvalidTransition
from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.status import EventStatus

HANDLERS = ["h.a", "h.b", "h:c"]
IDS = [f"e{n}" for n in range(8)]
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

accepts = st.tuples(
    st.just("accept"),
    st.sampled_from(IDS),
    st.sampled_from([EventStatus.RECEIVED, EventStatus.IGNORED, EventStatus.UNMATCHED]),
    st.sampled_from(["ready", "failed", None]),
    st.lists(st.sampled_from(HANDLERS), max_size=3),
    st.sampled_from(["t1", "t2", "t3"]),
    st.sampled_from([None, "", "ads-1", "ads-2", "ads\x00x", "née"]),
)
outcomes = st.tuples(
    st.just("outcome"),
    st.sampled_from(IDS),
    st.sampled_from(HANDLERS),
    st.sampled_from(list(HandlerState)),
)
moves = st.tuples(st.just("move"), st.sampled_from(IDS), st.sampled_from(list(EventStatus)))
replays = st.tuples(
    st.just("replay"), st.sampled_from(IDS), st.sampled_from(["all", "unsucceeded", *HANDLERS])
)
settles = st.tuples(st.just("move"), st.sampled_from(IDS), st.just(EventStatus.DEAD))
deletes = st.tuples(st.just("delete"), st.lists(st.sampled_from(IDS), max_size=3))
expiries = st.tuples(st.just("expire"))
# an event that is stored (the n-th by arrival) run to handled, then compacted or not
finishes = st.tuples(st.just("finish"), st.integers(0, len(IDS)), st.booleans())
compactions = st.tuples(st.just("compact"))
steps = st.lists(
    st.one_of(accepts, outcomes, moves, settles, replays, deletes, expiries, finishes, compactions),
    min_size=1,
    max_size=30,
)


def run_step(ledger: EventLedger, step: tuple[Any, ...]) -> None:
    match step:
        case ("accept", event_id, requested, kind, handlers, task_id, custom_id):
            fields = {"event_type": f"analyze.task.{kind or 'other'}", "task_id": task_id}
            fields |= {"custom_id": custom_id, "handlers": handlers}
            ledger.accept(event_id=event_id, kind=kind, requested=requested, fields=fields)
        case ("outcome", event_id, handler, state):
            if ledger.begin_run(event_id, "run", 60).outcome == "claimed":
                outcome = HandlerOutcome(handler=handler, state=state)
                ledger.save_outcome(event_id, outcome, "run")
                ledger.end_run(event_id, "run")
        case ("move", event_id, target):
            with contextlib.suppress(InvalidTransition, EventNotFound):
                ledger.transition(event_id, target)
        case ("replay", event_id, reset):
            ledger.replay_many([event_id], replay_id="r", note="", reset=ReplayReset(reset))
            ledger.client.delete(ledger.keys.lease(event_id))
        case ("delete", ids):
            ledger.delete_many(ids)
        case ("expire",):
            ledger.expire(days=1, now=time.time() + 2 * 86400)
        case ("finish", nth, then_compact):
            finish(ledger, nth, then_compact)
        case ("compact",):
            ledger.compact_many(IDS)  # every handled or intake-settled one


def finish(ledger: EventLedger, nth: int, then_compact: bool) -> None:
    """Run the n-th stored event (by arrival) to handled if it can go there, and compact it."""
    stored = ledger.client.zrange(ledger.keys.all_events, 0, -1)
    event_id = str(stored[nth % len(stored)]) if stored else IDS[0]
    path = (EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.HANDLING)
    for target in (*path, EventStatus.HANDLED):
        with contextlib.suppress(InvalidTransition, EventNotFound):
            ledger.transition(event_id, target)
    if then_compact:
        ledger.compact(event_id)


@PROPERTY
@given(steps=steps)
def test_indexes_and_handler_counts_stay_exact_through_any_sequence_of_ledger_steps(
    ledger: EventLedger, steps: list[tuple[Any, ...]]
) -> None:
    ledger.client.flushdb()
    for step in steps:
        run_step(ledger, step)
        assert_indexes_agree(ledger)


def fill(ledger: EventLedger) -> None:
    for n, event_id in enumerate(IDS):
        fields = {"event_type": "analyze.task.ready", "task_id": f"t{n}", "custom_id": f"c-{n}"}
        fields["handlers"] = HANDLERS[: 1 + n % 3]
        ledger.accept(
            event_id=event_id, kind="ready", requested=EventStatus.RECEIVED, fields=fields
        )
        ledger.begin_run(event_id, "run", 60)
        state = [HandlerState.SUCCEEDED, HandlerState.FAILED][n % 2]
        ledger.save_outcome(event_id, HandlerOutcome(handler="h.a", state=state), "run")
        ledger.end_run(event_id, "run")


def forget_the_indexes(ledger: EventLedger) -> None:
    """What a ledger written before the indexes and counts looks like."""
    keys = ledger.keys
    for kind in ("type", "handler"):
        for key in ledger.client.scan_iter(match=f"{keys.tag}:{kind}:*"):
            ledger.client.delete(key)
    ledger.client.delete(keys.custom_ids, keys.handler_outcomes)
    for event_id in IDS:
        ledger.client.hdel(keys.event(event_id), "tallied")


def test_reindex_builds_the_indexes_and_counts_of_an_older_ledger_and_is_idempotent(
    ledger: EventLedger,
) -> None:
    fill(ledger)
    forget_the_indexes(ledger)
    assert ledger.handler_outcome_counts() == {}

    first = ledger.reindex(chunk=3)
    assert_indexes_agree(ledger)
    again = ledger.reindex()
    assert_indexes_agree(ledger)

    assert (first.answers["tallied"], again.answers["indexed"]) == (len(IDS), len(IDS))


def test_changes_before_the_reindex_are_counted_once_it_runs(ledger: EventLedger) -> None:
    fill(ledger)
    forget_the_indexes(ledger)
    ledger.begin_run("e0", "late", 60)
    ledger.save_outcome("e0", HandlerOutcome(handler="h.a", state=HandlerState.EXHAUSTED), "late")
    ledger.end_run("e0", "late")
    ledger.delete_many(["e1"])
    ledger.transition("e2", EventStatus.DEAD)
    ledger.replay_many(["e2"], replay_id="r", note="", reset=ReplayReset("all"))
    assert ledger.handler_outcome_counts() == {}  # nothing counted an untallied event

    ledger.reindex()

    assert_indexes_agree(ledger)
    assert ledger.handler_outcome_counts() == handler_counts(every_record(ledger))


@pytest.mark.parametrize("reset", ["all", "unsucceeded", "h.b"])
def test_a_replay_puts_the_outcomes_it_clears_back_to_pending(
    ledger: EventLedger, reset: str
) -> None:
    fields = {"event_type": "analyze.task.ready", "task_id": "t", "handlers": HANDLERS}
    ledger.accept(event_id="e", kind="ready", requested=EventStatus.RECEIVED, fields=fields)
    ledger.begin_run("e", "run", 60)
    for handler, state in zip(HANDLERS, list(HandlerState)[1:], strict=True):
        ledger.save_outcome("e", HandlerOutcome(handler=handler, state=state), "run")
    ledger.end_run("e", "run")
    ledger.transition("e", EventStatus.DEAD)

    ledger.replay_many(["e"], replay_id="r", note="", reset=ReplayReset(reset))

    assert_indexes_agree(ledger)
    assert sum(ledger.handler_outcome_counts()["h.b"].values()) == 1


@pytest.mark.parametrize("field", ["handlers", "event_type", "custom_id", "task_id", "tallied"])
def test_a_field_the_indexes_are_built_from_cannot_change_after_intake(
    ledger: EventLedger, field: str
) -> None:
    fill(ledger)
    with pytest.raises(ValueError, match=repr(field)):
        ledger.update("e0", **{field: "x"})
    with pytest.raises(ValueError, match=repr(field)):
        ledger.transition("e0", EventStatus.DEAD, **{field: "x"})
    assert_indexes_agree(ledger)


def test_a_delete_removes_the_event_from_a_state_index_it_is_stale_in(
    ledger: EventLedger,
) -> None:
    fill(ledger)
    ledger.client.zadd(ledger.keys.by_status(EventStatus.DEAD), {"e0": 1.0})  # an old race's

    ledger.delete_many(["e0"])

    assert ledger.client.zscore(ledger.keys.by_status(EventStatus.DEAD), "e0") is None
    assert ledger.client.zscore(ledger.keys.by_status(EventStatus.QUEUED), "e0") is None
