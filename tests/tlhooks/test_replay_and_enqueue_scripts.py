"""REPLAY and ACCEPT's inline enqueue, called directly through the ledger on a real Redis."""

from __future__ import annotations

from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.status import EventStatus

FIELDS = {"event_type": "analyze.task.ready", "task_id": "t1", "handlers": ["a", "b"]}


def dead_with_outcomes(ledger: EventLedger) -> None:
    ledger.accept(event_id="e1", kind="ready", requested=EventStatus.RECEIVED, fields=FIELDS)
    ledger.begin_run("e1", "run", 60)
    ledger.save_outcome("e1", HandlerOutcome(handler="a", state=HandlerState.SUCCEEDED), "run")
    ledger.save_outcome("e1", HandlerOutcome(handler="b", state=HandlerState.EXHAUSTED), "run")
    ledger.transition("e1", EventStatus.DEAD, "gave up", task={"task_id": "t1"})
    ledger.end_run("e1", "run")


def replay(ledger: EventLedger, reset: ReplayReset, ids: tuple[str, ...] = ("e1",)) -> list[str]:
    answers = ledger.replay_many(list(ids), replay_id="rpl_1", note="replay rpl_1", reset=reset)
    return [f"{a.outcome}/{a.status}" for a in answers]


def test_a_replay_queues_a_dead_event_and_moves_it_between_status_indexes(
    ledger: EventLedger,
) -> None:
    dead_with_outcomes(ledger)

    assert replay(ledger, ReplayReset("unsucceeded")) == ["ok/dead"]

    event = ledger.require("e1")
    assert (event.status, event.replay_id, event.replays) == (EventStatus.QUEUED, "rpl_1", 1)
    assert list(event.outcomes) == ["a"]  # the succeeded handler is kept
    assert event.task == {"task_id": "t1"}
    assert ledger.ids_in_status(EventStatus.QUEUED) == ["e1"]
    assert ledger.ids_in_status(EventStatus.DEAD) == []
    assert ledger.oldest_unsettled() is not None
    assert event.history[-1].note == "replay rpl_1"


def test_a_replay_from_fetch_clears_the_stored_task_and_every_outcome_when_asked(
    ledger: EventLedger,
) -> None:
    dead_with_outcomes(ledger)

    assert replay(ledger, ReplayReset("all", task=True, validation=True)) == ["ok/dead"]

    event = ledger.require("e1")
    assert (event.task, event.attempts, event.outcomes) == (None, 0, {})


def test_a_replay_of_one_handler_resets_only_that_handler(ledger: EventLedger) -> None:
    dead_with_outcomes(ledger)
    replay(ledger, ReplayReset("a"))
    assert list(ledger.require("e1").outcomes) == ["b"]


def test_a_replay_refuses_a_running_an_unreplayable_and_a_missing_event(
    ledger: EventLedger,
) -> None:
    ledger.accept(event_id="e1", kind="ready", requested=EventStatus.RECEIVED, fields=FIELDS)
    ledger.accept(event_id="e2", kind=None, requested=EventStatus.IGNORED, fields=FIELDS)
    ledger.begin_run("e1", "run", 60)

    answers = replay(ledger, ReplayReset("all"), ("e1", "e2", "nowhere"))

    assert answers == ["running/received", "refused/ignored", "missing/"]
    assert ledger.require("e1").status is EventStatus.RECEIVED


def test_accept_with_a_message_pushes_it_and_stores_the_event_queued(
    ledger: EventLedger,
) -> None:
    result = ledger.accept(
        event_id="e1",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields=FIELDS,
        enqueue=("tlhooks", "the-message"),
    )

    assert (result.created, result.status, result.claimed) == (True, EventStatus.QUEUED, False)
    assert ledger.queue_length("tlhooks") == 1
    assert ledger.client.lindex("tlhooks", 0) == "the-message"
    event = ledger.require("e1")
    assert [t.status for t in event.history] == [EventStatus.RECEIVED, EventStatus.QUEUED]
    assert event.history[-1].note == "published"
    assert ledger.ids_in_status(EventStatus.QUEUED) == ["e1"]
    assert ledger.ids_in_status(EventStatus.RECEIVED) == []


def test_accept_with_a_message_pushes_nothing_for_a_duplicate_or_a_redelivery(
    ledger: EventLedger,
) -> None:
    for event_id in ("e1", "e2", "e1"):
        ledger.accept(
            event_id=event_id,
            kind="ready",
            requested=EventStatus.RECEIVED,
            fields=FIELDS,
            enqueue=("tlhooks", f"message-{event_id}"),
        )

    assert ledger.queue_length("tlhooks") == 1
    assert ledger.require("e2").status is EventStatus.DUPLICATE
    assert ledger.require("e1").deliveries == 2
