"""Helpers for the fault suite: default timings, a load of events, and what to assert on it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import Stack
from tests.e2e.test_pipeline import envelope
from tests.support.processes import wait_until
from tlhooks.ledger import EventRecord
from tlhooks.status import EventStatus

HANDLERS = "tests.e2e.plugin_handlers,tests.e2e.fault_handlers"
TIMING = (
    "TLHOOKS_VISIBILITY_TIMEOUT",
    "TLHOOKS_UNACKED_RESTORE_INTERVAL",
    "TLHOOKS_LEASE_SECONDS",
    "TLHOOKS_SWEEP_INTERVAL",
    "TLHOOKS_STALE_AFTER",
)


def use_default_timings(stack: Stack) -> None:
    """Drop the stack's short test timings, so recovery is measured as shipped."""
    for name in TIMING:
        stack.env.pop(name, None)
    stack.env["TLHOOKS_HANDLERS"] = HANDLERS


def deliver(stack: Stack, count: int, prefix: str) -> list[str]:
    """Create ``count`` ready tasks and post their webhooks; return the accepted task ids."""

    def create(index: int) -> str:
        task = stack.create_task("ready", custom_id=f"{prefix}-{index}", send_webhook=False)
        return str(task["task_id"])

    def post(task_id: str) -> str | None:
        answer = stack.post_webhook(envelope(task_id, f"{prefix}-x"))
        return task_id if answer.status_code == 202 else None

    with ThreadPoolExecutor(8) as pool:
        tasks = list(pool.map(create, range(count)))
        accepted = [task_id for task_id in pool.map(post, tasks) if task_id]
    assert len(accepted) == count
    return accepted


def events(stack: Stack, task_ids: list[str]) -> list[EventRecord]:
    client, keys = stack.ledger.client, stack.ledger.keys
    ids = [str(i) for t in task_ids for i in client.zrange(keys.task_events(t), 0, -1)]
    return stack.ledger.get_many(ids)


def all_handled(stack: Stack, task_ids: list[str]) -> bool:
    records = events(stack, task_ids)
    return len(records) == len(task_ids) and all(e.status is EventStatus.HANDLED for e in records)


def handled_at(event: EventRecord) -> float:
    return max(t.at for t in event.history if t.status is EventStatus.HANDLED)


def assert_each_succeeded_handler_ran_once(
    stack: Stack, handler: str, records: list[EventRecord]
) -> None:
    """A handler runs again only for an event whose run was cut off (counted in ``crashes``):
    the documented window between a handler's return and the write of its outcome."""
    calls: dict[str, int] = {}
    for call in stack.calls(handler):
        calls[call["event_id"]] = calls.get(call["event_id"], 0) + 1
    for event in records:
        ran = calls.get(event.event_id, 0)
        assert 1 <= ran <= 1 + event.crashes, (event.event_id, ran, event.crashes)
        assert event.outcomes[handler].state.value == "succeeded"


def wait_all_handled(stack: Stack, task_ids: list[str], timeout: float) -> list[EventRecord]:
    """Wait until every task's event is handled; on a timeout, say where the others are."""
    try:
        wait_until(lambda: all_handled(stack, task_ids), timeout=timeout)
    except TimeoutError:
        records = events(stack, task_ids)
        stuck = [
            (e.event_id, e.status.value, e.crashes, e.requeues, e.last_error)
            for e in records
            if e.status is not EventStatus.HANDLED
        ]
        raise AssertionError(
            f"{len(records)} of {len(task_ids)} events found; not handled: {stuck[:10]}"
        ) from None
    return events(stack, task_ids)
