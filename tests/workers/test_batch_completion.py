"""A complete batch's on="batch" handlers: admitted once, run with the counts and items,
retried under the handler policy like any event's handlers (real ledger, in process)."""

from __future__ import annotations

from typing import Any

import pytest

from handlers import BatchContext
from handlers.registry import HandlerRegistry
from tests.support.batches import BATCH_ID, TASKS, a_batch_in_every_state
from tests.workers.processor_api import Build, FakeApi, ok
from tlhooks.ledger import EventLedger, HandlerState
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.ops.batches import BatchSummary, summarize
from tlhooks.ops.replay import ReplayRequest
from tlhooks.status import EventStatus
from workers.batch_completion import BatchCompletions
from workers.processor import RunOutcome


class FakePublisher:
    inline = False
    queue = "tlhooks"

    def __init__(self) -> None:
        self.published: list[str] = []

    def wire_message(self, event_id: str) -> str:
        return event_id

    def publish(self, event_id: str) -> None:
        self.published.append(event_id)


def complete_batch(ledger: EventLedger) -> BatchSummary:
    a_batch_in_every_state(ledger, status="expired")
    ledger.settle_expectation(TASKS[4], "canceled", "")
    ledger.transition(f"whe_{TASKS[5]}", EventStatus.DEAD)
    summary = summarize(ledger, BATCH_ID)
    assert summary is not None
    assert summary.complete
    return summary


FAILURES: list[str] = []  # each call pops one and raises it


@pytest.fixture
def seen(registry: HandlerRegistry) -> list[BatchContext]:
    contexts: list[BatchContext] = []
    FAILURES.clear()

    def report(ctx: BatchContext) -> None:
        contexts.append(ctx)
        if FAILURES:
            raise RuntimeError(FAILURES.pop())

    registry.register(report, custom_id="ads-*", on="batch", name="report")
    return contexts


def test_a_complete_batch_is_admitted_once_however_often_it_is_seen(
    ledger: EventLedger, registry: HandlerRegistry, seen: list[BatchContext]
) -> None:
    summary = complete_batch(ledger)
    publisher = FakePublisher()
    completions = BatchCompletions(ledger, publisher, registry)  # type: ignore[arg-type]

    first = completions.admit(summary)
    again = [
        completions.admit(summary),
        BatchCompletions(ledger, publisher, registry).admit(summary),
    ]  # type: ignore[arg-type]

    assert first == f"bat_{BATCH_ID}"
    assert again == [None, None]
    assert publisher.published == [first]
    event = ledger.require(first)
    assert (event.handlers, event.batch_id, event.event_type) == (
        ["report"], BATCH_ID, "tlhooks.batch.completed",
    )  # fmt: skip


def test_the_handler_runs_once_with_the_counts_and_every_item(
    ledger: EventLedger, registry: HandlerRegistry, seen: list[BatchContext], build: Build
) -> None:
    event_id = BatchCompletions(ledger, FakePublisher(), registry).admit(complete_batch(ledger))  # type: ignore[arg-type]
    assert event_id is not None
    processor = build(FakeApi(ok()))

    assert processor.process(event_id) == RunOutcome.HANDLED
    assert processor.process(event_id) == RunOutcome.SETTLED

    [ctx] = seen
    assert (ctx.batch_id, ctx.status, ctx.expired) == (BATCH_ID, "expired", True)
    assert ctx.counts["canceled"] == 2
    assert ctx.counts["handled"] == 1
    assert [item.task_id for item in ctx.items] == TASKS
    assert [item.task_id for item in ctx.canceled] == [TASKS[3], TASKS[4]]
    assert ctx.idempotency_key == f"{BATCH_ID}:report"


def test_a_failing_batch_handler_is_retried_under_the_same_policy_and_recorded(
    ledger: EventLedger, registry: HandlerRegistry, seen: list[BatchContext], build: Build
) -> None:
    FAILURES.append("the report store is down")
    summary = complete_batch(ledger)
    event_id = BatchCompletions(ledger, FakePublisher(), registry).admit(summary)  # type: ignore[arg-type]
    assert event_id is not None
    processor = build(FakeApi(ok()))

    assert processor.process(event_id) == RunOutcome.FAILED
    failed = ledger.require(event_id)
    assert failed.outcome("report").state is HandlerState.FAILED
    assert failed.outcome("report").last_error == "RuntimeError: the report store is down"
    assert failed.next_attempt_at is not None
    assert processor.process(event_id) == RunOutcome.HANDLED

    assert [ctx.attempt for ctx in seen] == [1, 2]
    assert ledger.require(event_id).outcome("report").state is HandlerState.SUCCEEDED


def test_a_batch_no_handler_wants_is_marked_complete_without_an_event(
    ledger: EventLedger, registry: HandlerRegistry
) -> None:
    summary = complete_batch(ledger)

    assert BatchCompletions(ledger, FakePublisher(), registry).admit(summary) is None  # type: ignore[arg-type]
    record: Any = ledger.batch_record(BATCH_ID)
    assert record.completion == "admitted"
    assert ledger.get(f"bat_{BATCH_ID}") is None


def test_a_completion_run_before_its_publish_was_marked_still_runs_its_handlers(
    ledger: EventLedger, registry: HandlerRegistry, seen: list[BatchContext], build: Build
) -> None:
    publisher = FakePublisher()  # not inline: the event stays received until marked
    event_id = BatchCompletions(ledger, publisher, registry).admit(complete_batch(ledger))  # type: ignore[arg-type]
    assert event_id is not None
    ledger.client.hset(ledger.keys.event(event_id), "status", "received")

    assert build(FakeApi(ok())).process(event_id) == RunOutcome.HANDLED
    assert len(seen) == 1


def test_a_handled_batch_completion_can_be_replayed_and_runs_its_handlers_again(
    ledger: EventLedger, registry: HandlerRegistry, seen: list[BatchContext], build: Build
) -> None:
    event_id = BatchCompletions(ledger, FakePublisher(), registry).admit(complete_batch(ledger))  # type: ignore[arg-type]
    assert event_id is not None
    processor = build(FakeApi(ok()))
    assert processor.process(event_id) == RunOutcome.HANDLED

    request = ReplayRequest(all_handlers=True)
    assert request.refusal(ledger.require(event_id)) is None
    ledger.replay_many([event_id], replay_id="r1", note="replay", reset=ReplayReset("all"))

    assert processor.process(event_id) == RunOutcome.HANDLED
    assert len(seen) == 2
