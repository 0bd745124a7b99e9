"""A handler's timeout in EventProcessor: the call runs on a helper thread that the worker
stops waiting for; the real ledger on the test Redis, the API on MockTransport."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from handlers import HandlerContext, NonRetryable
from handlers.registry import HandlerRegistry
from tests.workers.test_handler_policy import (
    NOW,
    POLICY,
    TASK_ID,
    Build,
    build,
    raising,
    received,
    scheduled_at,
)
from tlhooks.ledger import EventLedger, HandlerState
from workers.processor import RunOutcome

__all__ = ["build"]  # the fixture this module shares


def test_a_handler_that_outlives_its_timeout_is_a_retryable_failure_and_may_still_finish(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    release, finished = threading.Event(), threading.Event()

    def stuck_on_a_slow_api(ctx: HandlerContext) -> None:
        release.wait(10)
        finished.set()

    registry.register(stuck_on_a_slow_api, name="h", timeout=0.2)
    received(ledger, "h")

    started = time.monotonic()
    assert build().process("e1") is RunOutcome.FAILED
    assert time.monotonic() - started < 5

    outcome = ledger.require("e1").outcomes["h"]
    assert outcome.state is HandlerState.FAILED
    assert (outcome.last_error or "").startswith("HandlerTimedOut: Handler 'h' did not return")
    assert "still running here" in (outcome.last_traceback or "")
    assert "stuck_on_a_slow_api" in (outcome.last_traceback or "")
    assert scheduled_at(ledger) == NOW + POLICY.base_delay
    release.set()
    assert finished.wait(5)  # the abandoned call was not killed: idempotency_key matters


def test_an_async_handler_that_outlives_its_timeout_is_cancelled_at_its_next_await(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    cancelled = threading.Event()

    async def waits_forever(ctx: HandlerContext) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    registry.register(waits_forever, name="h", timeout=0.2)
    received(ledger, "h")

    assert build().process("e1") is RunOutcome.FAILED
    assert cancelled.wait(5)


def test_a_handler_within_its_timeout_succeeds_and_its_exceptions_read_as_usual(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    seen: list[Any] = []
    registry.register(lambda ctx: seen.append(ctx.idempotency_key), name="quick", timeout=5)
    registry.register(raising(NonRetryable("no"), []), name="refuses", timeout=5)
    received(ledger, "quick", event_id="e1")
    received(ledger, "refuses", event_id="e2")

    assert build().process("e1") is RunOutcome.HANDLED
    assert build().process("e2") is RunOutcome.DEAD
    assert seen == [f"{TASK_ID}:quick"]
