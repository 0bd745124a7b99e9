"""The shared API budget on real processes: two workers, one budget; a 429 pauses them all;
a storm of 429s kills nothing and runs every handler once."""

from __future__ import annotations

import itertools
from datetime import datetime

import httpx

from tests.e2e.conftest import Stack
from tests.e2e.faults import deliver
from tests.support.processes import wait_until
from tlhooks.status import EventStatus

TASKS_PATH = "/v1.3/analyze/tasks/"


def task_fetches(stack: Stack) -> list[tuple[float, int]]:
    """(time answered, status) of every GET /analyze/tasks/{id} the emulator served."""
    found = []
    for entry in stack.emulator.state.journal.requests:
        if entry.method == "GET" and entry.path.startswith(TASKS_PATH):
            moment = datetime.fromisoformat(entry.at.replace("Z", "+00:00")).timestamp()
            found.append((moment, entry.status))
    return sorted(found)


def create_ready_tasks(stack: Stack, count: int, prefix: str) -> list[str]:
    return [stack.create_task("ready", custom_id=f"{prefix}-{n}")["task_id"] for n in range(count)]


def wait_all_handled(stack: Stack, task_ids: list[str], timeout: float) -> None:
    for task_id in task_ids:
        stack.wait_for_status(task_id, EventStatus.HANDLED, timeout=timeout)


def set_faults(stack: Stack, **faults: object) -> None:
    httpx.post(f"{stack.emulator.root_url}/_emulator/faults", json=faults).raise_for_status()


def test_two_worker_processes_share_one_budget(stack: Stack) -> None:
    stack.env["TLHOOKS_API_RATE_LIMIT"] = "120"  # one request every 0.5 s, for both together
    stack.start_receiver()
    stack.start_worker()
    stack.start_worker()

    task_ids = create_ready_tasks(stack, 16, "paced")
    wait_all_handled(stack, task_ids, timeout=45)

    times = [moment for moment, _ in task_fetches(stack)]
    assert len(times) == 16
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) > 0.4, gaps  # 0.5 s apart, less the jitter of two processes' clocks
    assert (times[-1] - times[0]) / (len(times) - 1) >= 0.49
    pids = {call["pid"] for call in stack.calls("record_ready")}
    assert len(pids) == 2  # both workers ran events, drawing on the one budget
    assert len(stack.calls("record_ready")) == 16


def test_a_429_with_a_reset_pauses_every_worker_until_the_reset(stack: Stack) -> None:
    stack.env["TLHOOKS_API_RATE_LIMIT"] = "0"  # no pacing: only the platform's pause holds them
    stack.env["TLHOOKS_RETRY_MAX_DELAY"] = "10"  # a pause is capped there (the stack's is 0.5 s)
    stack.start_receiver()
    stack.start_worker()
    stack.start_worker()
    set_faults(stack, rate_limit_next=1, retry_after=3)

    first = create_ready_tasks(stack, 1, "first")
    stack.wait_for_status(first[0], EventStatus.QUEUED, timeout=10)
    wait_for_a_429(stack)
    later = create_ready_tasks(stack, 8, "later")
    wait_all_handled(stack, first + later, timeout=30)

    fetches = task_fetches(stack)
    [refused_at] = [moment for moment, status in fetches if status == 429]
    answered = [moment for moment, status in fetches if status == 200]
    assert len(answered) == 9
    assert min(answered) >= refused_at + 3 - 0.05  # Retry-After: 3 (the reset is rounded up)
    pids = {call["pid"] for call in stack.calls("record_ready")}
    assert len(pids) == 2
    event = stack.events_for(first[0])[0]
    assert (event.attempts, event.rate_limited) == (1, 1)


def wait_for_a_429(stack: Stack) -> None:
    wait_until(lambda: any(status == 429 for _, status in task_fetches(stack)), timeout=10)


def test_a_storm_of_429s_leaves_no_event_dead_and_runs_every_handler_once(stack: Stack) -> None:
    stack.env["TLHOOKS_API_RATE_LIMIT"] = "0"  # no budget: the platform's limit alone paces us
    stack.start_receiver()
    stack.start_worker()
    stack.start_worker()
    set_faults(stack, request_limit=4, request_window=1)  # far below what two workers send

    task_ids = deliver(stack, 30, "storm")  # all at once, so the 429s cannot fail to come
    wait_all_handled(stack, task_ids, timeout=60)

    fetches = task_fetches(stack)
    assert any(status == 429 for _, status in fetches)
    calls = stack.calls("record_ready")
    assert sorted(call["task_id"] for call in calls) == sorted(task_ids)
    events = [event for task_id in task_ids for event in stack.events_for(task_id)]
    assert {event.status for event in events} == {EventStatus.HANDLED}
    assert sum(event.rate_limited for event in events) == sum(s == 429 for _, s in fetches)
    assert max(event.attempts for event in events) == 1
