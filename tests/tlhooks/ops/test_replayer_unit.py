"""The replayer in process: the real ledger on the test Redis, a publisher that records."""

from __future__ import annotations

from tests.support.ledger_truth import assert_indexes_agree
from tests.tlhooks.test_ledger_compaction import HANDLERS, handled
from tlhooks.ledger import EventLedger
from tlhooks.ops.replay import Replayer, ReplayRequest, ReplayStage
from tlhooks.status import EventStatus

FETCH = ReplayRequest(stage=ReplayStage.FETCH)


class RecordingPublisher:
    """Stands in for EventPublisher: records every batch it is asked to publish."""

    inline = False
    queue = "tlhooks"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def publish_many(self, event_ids: list[str]) -> None:
        self.batches.append(list(event_ids))


def store(ledger: EventLedger, event_id: str, task_id: str, status: EventStatus) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"task_id": task_id, "event_type": "analyze.task.ready", "handlers": ["h"]},
    )
    if status is EventStatus.FAILED:
        ledger.transition(event_id, EventStatus.FETCHING)
    if status is not EventStatus.RECEIVED:
        ledger.transition(event_id, status)


def replayer(ledger: EventLedger) -> tuple[Replayer, RecordingPublisher]:
    publisher = RecordingPublisher()
    return Replayer(ledger, publisher), publisher  # type: ignore[arg-type]


def test_a_plan_takes_dead_events_and_refuses_active_ones(ledger: EventLedger) -> None:
    store(ledger, "whe_dead", "task_a", EventStatus.DEAD)
    store(ledger, "whe_busy", "task_b", EventStatus.QUEUED)
    replay, _ = replayer(ledger)
    plan = replay.plan(ledger.get_many(["whe_dead", "whe_busy"]), FETCH)
    assert plan.eligible == ["whe_dead"]
    assert set(plan.refused) == {"whe_busy"}
    assert plan.statuses == {"dead": 1}
    assert plan.handlers == {"h": 1}


def test_a_plan_refuses_a_handler_the_event_does_not_have(ledger: EventLedger) -> None:
    store(ledger, "whe_dead", "task_a", EventStatus.DEAD)
    replay, _ = replayer(ledger)
    request = ReplayRequest(stage=ReplayStage.FETCH, handler="other")
    plan = replay.plan(ledger.get_many(["whe_dead"]), request)
    assert plan.eligible == []
    assert "other" in plan.refused["whe_dead"]


def test_a_plan_from_handlers_refuses_an_event_with_no_stored_result(ledger: EventLedger) -> None:
    store(ledger, "whe_dead", "task_a", EventStatus.DEAD)
    replay, _ = replayer(ledger)
    plan = replay.plan(ledger.get_many(["whe_dead"]), ReplayRequest())
    assert plan.eligible == []
    assert "fetch" in plan.refused["whe_dead"]


def test_executing_a_plan_queues_and_publishes_each_event_once(ledger: EventLedger) -> None:
    for n in range(5):
        store(ledger, f"whe_{n}", f"task_{n}", EventStatus.DEAD)
    replay, publisher = replayer(ledger)
    plan = replay.plan(ledger.get_many([f"whe_{n}" for n in range(5)]), FETCH)
    done = replay.execute(plan, batch=2)
    assert done.queued == 5
    assert done.refused == {}
    assert publisher.batches == [["whe_0", "whe_1"], ["whe_2", "whe_3"], ["whe_4"]]
    for n in range(5):
        record = ledger.require(f"whe_{n}")
        assert record.status is EventStatus.QUEUED


def test_an_event_that_became_active_after_the_plan_is_refused_at_execution(
    ledger: EventLedger,
) -> None:
    store(ledger, "whe_a", "task_a", EventStatus.FAILED)
    store(ledger, "whe_b", "task_b", EventStatus.DEAD)
    replay, publisher = replayer(ledger)
    plan = replay.plan(ledger.get_many(["whe_a", "whe_b"]), FETCH)
    assert plan.eligible == ["whe_a", "whe_b"]
    ledger.transition("whe_a", EventStatus.FETCHING)  # a retry picked it up meanwhile
    done = replay.execute(plan)
    assert done.queued == 1
    assert set(done.refused) == {"whe_a"}
    assert publisher.batches == [["whe_b"]]
    assert ledger.require("whe_a").status is EventStatus.FETCHING


def test_a_stop_request_ends_the_replay_between_batches(ledger: EventLedger) -> None:
    for n in range(4):
        store(ledger, f"whe_{n}", f"task_{n}", EventStatus.DEAD)
    replay, publisher = replayer(ledger)
    plan = replay.plan(ledger.get_many([f"whe_{n}" for n in range(4)]), FETCH)
    seen: list[int] = []
    done = replay.execute(plan, batch=2, progress=seen.append, stop=lambda: bool(seen))
    assert done.stopped
    assert done.queued == 2
    assert seen == [2]
    assert publisher.batches == [["whe_0", "whe_1"]]
    assert ledger.require("whe_3").status is EventStatus.DEAD
    assert done.to_dict()["stopped"] is True


def test_a_bulk_replay_plans_and_queues_compacted_events_like_any_other(
    ledger: EventLedger,
) -> None:
    for n in range(3):
        handled(ledger, f"whe_{n}", task_id=f"task_{n}")  # its task dropped, a digest kept
    for n in range(2):
        ledger.update(f"whe_{n}", task={"task_id": f"task_{n}"})  # kept (TLHOOKS_SETTLED_RESULTS)
    assert ledger.compact_many([f"whe_{n}" for n in range(3)])["compacted"] == 3
    replay, publisher = replayer(ledger)

    everything = ReplayRequest(stage=ReplayStage.HANDLERS, all_handlers=True)
    plan = replay.plan(ledger.get_many([f"whe_{n}" for n in range(3)]), everything)
    done = replay.execute(plan, batch=2)

    assert plan.eligible == ["whe_0", "whe_1"]
    assert "replay it --from fetch" in plan.refused["whe_2"]  # its task was dropped
    assert plan.handlers == {name: 2 for name in HANDLERS}
    assert (done.queued, publisher.batches) == (2, [["whe_0", "whe_1"]])
    for n in range(2):
        record = ledger.require(f"whe_{n}")
        assert record.status is EventStatus.QUEUED
        assert record.pending_handlers == HANDLERS
    assert_indexes_agree(ledger)
