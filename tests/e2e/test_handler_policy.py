"""A handler's retry policy on real processes: receiver, Celery worker, sweeper, emulated API."""

from __future__ import annotations

import pytest

from tests.e2e import policy_handlers
from tests.e2e.conftest import Stack
from tlhooks.ledger import HandlerState
from tlhooks.status import EventStatus


@pytest.fixture
def policy_stack(stack: Stack) -> Stack:
    stack.env["TLHOOKS_HANDLERS"] = "tests.e2e.plugin_handlers,tests.e2e.policy_handlers"
    # a Retry's delay is capped at the max delay: let the test's 3 s through
    stack.env["TLHOOKS_RETRY_MAX_DELAY"] = "10"
    return stack.start()


def test_a_handler_raising_retry_runs_again_only_after_the_delay_it_asked_for(
    policy_stack: Stack,
) -> None:
    task = policy_stack.create_task("ready", custom_id="patient-1")

    event = policy_stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=30)

    first, second = policy_stack.calls("patient", task["task_id"])
    assert (first["attempt"], second["attempt"]) == (1, 2)
    assert second["at"] - first["at"] >= policy_handlers.RETRY_DELAY
    assert event.outcomes["patient"].state is HandlerState.SUCCEEDED
    assert len(policy_stack.calls("record_ready", task["task_id"])) == 1


def test_a_handler_raising_non_retryable_ends_the_event_dead_without_running_again(
    policy_stack: Stack,
) -> None:
    task = policy_stack.create_task("ready", custom_id="refusing-1")

    event = policy_stack.wait_for_status(task["task_id"], EventStatus.DEAD)
    policy_stack.settle(2.0)  # four sweeps: long enough for a retry to show up

    assert [c["attempt"] for c in policy_stack.calls("refusing", task["task_id"])] == [1]
    assert "NonRetryable: this video is not ours to index" in (event.last_error or "")
    assert event.outcomes["refusing"].state is HandlerState.EXHAUSTED
    assert policy_stack.ledger.require(event.event_id).status is EventStatus.DEAD


def test_a_handlers_own_max_attempts_beats_the_global_one(policy_stack: Stack) -> None:
    assert policy_stack.env["TLHOOKS_MAX_ATTEMPTS"] == "3"
    task = policy_stack.create_task("ready", custom_id="persistent-1")

    event = policy_stack.wait_for_status(task["task_id"], EventStatus.DEAD, timeout=30)

    attempts = [c["attempt"] for c in policy_stack.calls("persistent", task["task_id"])]
    assert attempts == list(range(1, policy_handlers.PERSISTENT_ATTEMPTS + 1))
    assert event.outcomes["persistent"].attempts == policy_handlers.PERSISTENT_ATTEMPTS
    assert "'persistent' gave up after 5 attempt(s)" in (event.last_error or "")
