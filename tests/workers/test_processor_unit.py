"""EventProcessor stage by stage, in process: the real ledger, the API on MockTransport.

Every run's interleaving with another run is forced by the handler itself (it runs "while"
something else happens), so each test is deterministic.
"""

from __future__ import annotations

import httpx
import pytest

from handlers.context import HandlerContext
from handlers.registry import HandlerRegistry
from tests.workers.processor_api import NOW, POLICY, TASK_ID, Build, FakeApi, ok, stored, task
from tlhooks.ledger import EventLedger, HandlerState
from tlhooks.status import EventStatus


def test_a_ready_event_is_fetched_handled_and_its_outcome_stored(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    seen: list[HandlerContext] = []
    registry.register(seen.append, name="h")
    stored(ledger)

    assert build(FakeApi(ok())).process("e1") == "handled"

    event = ledger.require("e1")
    assert event.status is EventStatus.HANDLED
    assert event.task is None  # dropped once handled: a digest stays (TLHOOKS_SETTLED_RESULTS)
    assert event.result_digest is not None
    assert event.result_digest["bytes"] == len('{"title": "a"}')
    assert event.outcome("h").state is HandlerState.SUCCEEDED
    assert [c.result for c in seen] == ['{"title": "a"}']  # free text: no response_format
    assert seen[0].attempt == 1


def test_an_unknown_event_is_dropped_and_a_settled_one_skipped(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(lambda _c: None, name="h")
    stored(ledger)
    api = FakeApi(ok())
    processor = build(api)

    assert processor.process("nope") == "missing"
    assert processor.process("e1") == "handled"
    assert processor.process("e1") == "settled"
    assert api.calls == 1


def test_an_event_another_live_run_holds_is_rechecked_when_that_lease_ends(
    ledger: EventLedger, build: Build
) -> None:
    stored(ledger)
    assert ledger.begin_run("e1", "other-run", 30).outcome == "claimed"

    assert build(FakeApi(ok())).process("e1") == "busy"

    due = ledger.client.zscore(ledger.keys.schedule, "e1")
    assert due is not None
    assert NOW + 1 < due <= NOW + 31
    assert ledger.require("e1").status is EventStatus.RECEIVED


def test_a_failed_handler_is_retried_alone_and_a_later_run_does_not_fetch_again(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[str] = []

    def flaky(context: HandlerContext) -> None:
        calls.append(f"flaky#{context.attempt}")
        if context.attempt == 1:
            raise RuntimeError("the warehouse is down")

    registry.register(lambda _c: calls.append("steady"), name="steady")
    registry.register(flaky, name="flaky")
    stored(ledger, handlers=["steady", "flaky"])
    api = FakeApi(ok())
    processor = build(api)

    assert processor.process("e1") == "failed"
    event = ledger.require("e1")
    assert event.status is EventStatus.FAILED
    assert event.next_attempt_at == NOW + 2.0
    assert event.last_error is not None
    assert "the warehouse is down" in event.last_error
    assert event.outcome("flaky").state is HandlerState.FAILED

    assert processor.process("e1") == "handled"
    assert calls == ["steady", "flaky#1", "flaky#2"]
    assert api.calls == 1


def test_a_handler_out_of_attempts_makes_the_event_dead_naming_it(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    def broken(_context: HandlerContext) -> None:
        raise ValueError("bad row")

    registry.register(broken, name="h")
    stored(ledger)
    processor = build(FakeApi(ok()))

    outcomes = [processor.process("e1") for _ in range(POLICY.max_attempts)]

    assert outcomes == ["failed", "failed", "dead"]
    event = ledger.require("e1")
    assert event.status is EventStatus.DEAD
    assert event.last_error is not None
    assert "'h'" in event.last_error
    assert "ValueError: bad row" in event.last_error
    assert event.outcome("h").state is HandlerState.EXHAUSTED
    assert event.last_traceback is not None


def test_a_handler_this_worker_does_not_know_fails_with_a_fix_it_sentence(
    ledger: EventLedger, build: Build
) -> None:
    stored(ledger, handlers=["gone"])

    assert build(FakeApi(ok())).process("e1") == "failed"

    error = ledger.require("e1").outcome("gone").last_error
    assert error is not None
    assert "TLHOOKS_HANDLERS" in error


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(404, json={"message": "no such task"}), "permanently"),
        (httpx.Response(200, json={"task_id": TASK_ID}), "not a valid task"),
        (httpx.Response(200, json=task("failed")), "but the event is analyze.task.ready"),
    ],
)
def test_a_permanent_fetch_failure_makes_the_event_dead_at_once(
    ledger: EventLedger, build: Build, answer: httpx.Response, reason: str
) -> None:
    stored(ledger)

    assert build(FakeApi(answer)).process("e1") == "fetch-failed"

    event = ledger.require("e1")
    assert event.status is EventStatus.DEAD
    assert event.last_error is not None
    assert reason in event.last_error


def test_a_task_still_processing_is_retried_until_attempts_run_out(
    ledger: EventLedger, build: Build
) -> None:
    stored(ledger)
    processor = build(FakeApi(httpx.Response(200, json=task("processing"))))

    assert processor.process("e1") == "fetch-failed"
    assert ledger.require("e1").status is EventStatus.FAILED
    assert processor.process("e1") == "fetch-failed"
    assert processor.process("e1") == "fetch-failed"

    event = ledger.require("e1")
    assert event.status is EventStatus.DEAD
    assert event.last_error is not None
    assert "failed 3 times" in event.last_error
    assert "still processing" in event.last_error


def test_a_failed_task_runs_its_failed_handlers_with_the_apis_error(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    errors: list[str | None] = []
    registry.register(lambda c: errors.append(c.error), name="h", on="failed")
    stored(ledger, kind="failed")

    assert build(FakeApi(httpx.Response(200, json=task("failed")))).process("e1") == "handled"

    assert errors == ["the video could not be decoded"]


def test_a_result_cut_mid_json_reaches_the_handler_as_sent(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    results: list[object] = []
    registry.register(lambda c: results.append(c.result), name="h", on="failed")
    stored(ledger, kind="failed")
    cut = task("failed", result={"data": '{"title": "a', "finish_reason": "length"})

    assert build(FakeApi(httpx.Response(200, json=cut))).process("e1") == "handled"

    assert results == ['{"title": "a']


def test_an_event_stored_with_its_task_runs_even_before_its_publish_was_marked(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(lambda _c: None, name="h")
    ledger.accept(
        event_id="rec_1",
        kind="ready",
        requested=EventStatus.RECEIVED,  # a separate broker: picked up before mark_published
        fields={
            "event_type": "analyze.task.ready",
            "task_id": TASK_ID,
            "handlers": ["h"],
            "task": task(),
        },
    )
    api = FakeApi(ok())

    assert build(api).process("rec_1") == "handled"

    assert api.calls == 0
