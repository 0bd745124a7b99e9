"""A handler's retry policy at work in EventProcessor: the real ledger on the test Redis, the
Twelve Labs API on MockTransport, a fixed clock, handlers that raise what plugins raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from handlers import HandlerContext, NonRetryable, Retry
from handlers.registry import HandlerRegistry
from tlhooks.ledger import EventLedger, HandlerState
from tlhooks.status import EventStatus
from workers.client import TwelveLabsClient
from workers.lease import LeaseKeeper
from workers.processor import EventProcessor, RunOutcome
from workers.retry import RetryPolicy

TASK_ID = "68ab41c2e5f1d93a7c2b0e14"
NOW = 1_800_000_000.0
# uniform() answers its upper bound: the backoff after attempt n is exactly 2 * 2 ** (n - 1),
# and a requested delay d is honoured as d + base_delay / 2 = d + 1.
POLICY = RetryPolicy(max_attempts=8, base_delay=2.0, max_delay=600.0, uniform=lambda lo, hi: hi)


def ready_task(task_id: str) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "status": "ready",
        "result": {"data": "a man walks a dog", "finish_reason": "stop"},
    }


Build = Callable[..., EventProcessor]


@pytest.fixture
def build(ledger: EventLedger, leases: LeaseKeeper, registry: HandlerRegistry) -> Build:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=ready_task(request.url.path.rsplit("/", 1)[1]))

    api = TwelveLabsClient("https://api.test/v1.3", "key", transport=httpx.MockTransport(answer))

    def built(policy: RetryPolicy = POLICY) -> EventProcessor:
        return EventProcessor(ledger, api, registry, policy, leases, clock=lambda: NOW)

    return built


def received(ledger: EventLedger, *handlers: str, event_id: str = "e1") -> None:
    """A ready event for handlers; each event id gets a task of its own."""
    task_id = TASK_ID if event_id == "e1" else f"{TASK_ID}-{event_id}"
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": task_id, "handlers": list(handlers)},
    )


def scheduled_at(ledger: EventLedger, event_id: str = "e1") -> float | None:
    return ledger.client.zscore(ledger.keys.schedule, event_id)


def raising(error: Exception, calls: list[int]) -> Callable[[HandlerContext], None]:
    def handle(ctx: HandlerContext) -> None:
        calls.append(ctx.attempt)
        raise error

    return handle


def test_a_handler_that_raises_retry_runs_again_after_the_delay_it_asked_for(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[int] = []
    registry.register(raising(Retry("index is warming up", delay=45), calls), name="h")
    received(ledger, "h")

    assert build().process("e1") is RunOutcome.FAILED

    event = ledger.require("e1")
    assert (event.status, calls) == (EventStatus.FAILED, [1])
    assert scheduled_at(ledger) == event.next_attempt_at == NOW + 45 + 1  # not the 2 s backoff
    outcome = event.outcomes["h"]
    assert (outcome.state, outcome.attempts) == (HandlerState.FAILED, 1)
    assert outcome.last_error == "Retry: index is warming up"


def test_a_retry_delay_above_the_max_delay_waits_the_max_delay(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(raising(Retry(delay=3600), []), name="h")
    received(ledger, "h")

    build().process("e1")

    assert scheduled_at(ledger) == NOW + POLICY.max_delay


def test_a_retry_without_a_delay_waits_the_usual_backoff(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(raising(Retry(), []), name="h")
    received(ledger, "h")

    build().process("e1")

    assert scheduled_at(ledger) == NOW + POLICY.base_delay


def test_the_event_waits_for_the_longest_delay_any_failed_handler_needs(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(raising(RuntimeError("flaky"), []), name="plain")
    registry.register(raising(Retry(delay=45), []), name="patient")
    received(ledger, "plain", "patient")

    build().process("e1")

    assert scheduled_at(ledger) == NOW + 45 + 1


def test_a_retry_still_counts_an_attempt_and_the_last_attempt_gives_the_handler_up(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[int] = []
    registry.register(raising(Retry(delay=1), calls), name="h", max_attempts=2)
    received(ledger, "h")
    processor = build()

    assert processor.process("e1") is RunOutcome.FAILED
    assert processor.process("e1") is RunOutcome.DEAD

    event = ledger.require("e1")
    assert calls == [1, 2]
    assert (event.outcomes["h"].state, event.outcomes["h"].attempts) == (HandlerState.EXHAUSTED, 2)
    assert "'h' gave up after 2 attempt(s)" in (event.last_error or "")


def test_non_retryable_gives_the_handler_up_at_once_and_the_event_is_dead(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[int] = []
    registry.register(raising(NonRetryable("the video was deleted"), calls), name="h")
    received(ledger, "h")

    assert build().process("e1") is RunOutcome.DEAD
    assert build().process("e1") is RunOutcome.SETTLED

    event = ledger.require("e1")
    assert calls == [1]  # of the 8 attempts the global policy allows
    assert (event.outcomes["h"].state, event.outcomes["h"].attempts) == (HandlerState.EXHAUSTED, 1)
    assert "NonRetryable: the video was deleted" in (event.last_error or "")
    assert scheduled_at(ledger) is None


def test_non_retryable_raised_from_a_cause_keeps_the_cause_in_the_traceback(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    def handle(ctx: HandlerContext) -> None:
        try:
            {}["video"]
        except KeyError as exc:
            raise NonRetryable("no video in the result") from exc

    registry.register(handle, name="h")
    received(ledger, "h")

    build().process("e1")

    trace = ledger.require("e1").outcomes["h"].last_traceback or ""
    assert "KeyError: 'video'" in trace
    assert "direct cause" in trace


def test_a_permanent_error_type_is_not_retried_and_other_errors_still_are(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(raising(KeyError("sku"), []), name="strict", permanent_errors=(KeyError,))
    registry.register(raising(ValueError("flaky"), []), name="lenient", permanent_errors=KeyError)
    received(ledger, "strict", event_id="e1")
    received(ledger, "lenient", event_id="e2")

    assert build().process("e1") is RunOutcome.DEAD
    assert build().process("e2") is RunOutcome.FAILED
    assert ledger.require("e2").outcomes["lenient"].state is HandlerState.FAILED


def test_the_global_permanent_errors_apply_to_a_handler_that_sets_none(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(raising(KeyError("sku"), []), name="h")
    received(ledger, "h")
    policy = RetryPolicy(8, 2.0, 600.0, uniform=lambda lo, hi: hi, permanent_errors=(KeyError,))

    assert build(policy).process("e1") is RunOutcome.DEAD


def test_a_handlers_own_max_attempts_wins_over_a_larger_global_one(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[int] = []
    registry.register(raising(RuntimeError("down"), calls), name="h", max_attempts=1)
    received(ledger, "h")

    assert build().process("e1") is RunOutcome.DEAD
    assert calls == [1]


def test_a_handlers_own_max_attempts_wins_over_a_smaller_global_one(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[int] = []
    registry.register(raising(RuntimeError("down"), calls), name="h", max_attempts=4)
    received(ledger, "h")
    processor = build(RetryPolicy(2, 2.0, 600.0, uniform=lambda lo, hi: hi))

    outcomes = [processor.process("e1") for _ in range(5)]

    assert outcomes == [RunOutcome.FAILED] * 3 + [RunOutcome.DEAD, RunOutcome.SETTLED]
    assert calls == [1, 2, 3, 4]


def test_a_handler_without_options_follows_the_global_max_attempts(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    calls: list[int] = []
    registry.register(raising(RuntimeError("down"), calls), name="h")
    received(ledger, "h")
    processor = build(RetryPolicy(3, 2.0, 600.0, uniform=lambda lo, hi: hi))

    outcomes = [processor.process("e1") for _ in range(3)]

    assert outcomes == [RunOutcome.FAILED, RunOutcome.FAILED, RunOutcome.DEAD]
    assert calls == [1, 2, 3]
