"""A signed webhook becomes handled work: real receiver, worker, Redis and emulated API."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx

from tests.e2e.conftest import Stack
from tlhooks.ledger import HandlerState
from tlhooks.status import EventStatus


def envelope(task_id: str, custom_id: str | None = "cam-1", kind: str = "ready") -> bytes:
    body = {
        "id": f"whe_{uuid.uuid4().hex}",
        "created_at": datetime.now(UTC).isoformat(),
        "type": f"analyze.task.{kind}",
        "data": {"id": task_id, "custom_id": custom_id, "status": kind},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def test_ready_webhook_reaches_the_ready_handlers(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="cam-1")

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED)

    (call,) = stack.calls("record_ready", task["task_id"])
    assert call["idempotency_key"] == f"{task['task_id']}:record_ready"
    assert call["custom_id"] == "cam-1"
    assert call["result"] is not None
    assert stack.calls("record_failed") == []
    assert [t.status for t in event.history] == [
        EventStatus.RECEIVED,
        EventStatus.QUEUED,
        EventStatus.FETCHING,
        EventStatus.HANDLING,
        EventStatus.HANDLED,
    ]


def test_failed_webhook_reaches_the_failed_handlers_with_the_platform_error(stack: Stack) -> None:
    stack.start()
    message = "Video duration exceeds maximum allowed duration"
    task = stack.create_task("failed", custom_id="cam-2", error_message=message)

    stack.wait_for_status(task["task_id"], EventStatus.HANDLED)

    (call,) = stack.calls("record_failed", task["task_id"])
    assert call["error"] == message
    assert call["result"] is None
    assert stack.calls("record_ready") == []


def test_five_deliveries_of_one_webhook_run_each_handler_once(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="cam-3", send_webhook=False)
    body = envelope(task["task_id"], "cam-3")

    answers = [stack.post_webhook(body) for _ in range(5)]

    assert [a.status_code for a in answers] == [202] * 5
    assert [a.json()["status"] for a in answers] == ["queued"] + ["duplicate"] * 4
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED)
    stack.settle(1.5)
    assert len(stack.calls("record_ready", task["task_id"])) == 1
    assert stack.ledger.require(answers[0].json()["event_id"]).deliveries == 5


def test_a_second_ready_event_for_one_task_is_a_duplicate_and_queues_nothing(
    stack: Stack,
) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="cam-4", send_webhook=False)

    first = stack.post_webhook(envelope(task["task_id"], "cam-4"))
    second = stack.post_webhook(envelope(task["task_id"], "cam-4"))

    assert second.json()["status"] == "duplicate"
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED)
    duplicate = stack.ledger.require(second.json()["event_id"])
    assert duplicate.status is EventStatus.DUPLICATE
    assert duplicate.duplicate_of == first.json()["event_id"]
    stack.settle(1.5)
    assert len(stack.calls("record_ready", task["task_id"])) == 1


def test_a_failed_event_after_a_ready_one_is_recorded_as_a_conflict(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="cam-5", send_webhook=False)
    first = stack.post_webhook(envelope(task["task_id"], "cam-5", kind="ready"))

    later = stack.post_webhook(envelope(task["task_id"], "cam-5", kind="failed"))

    assert later.status_code == 202
    assert later.json()["status"] == "conflict"
    conflict = stack.ledger.require(later.json()["event_id"])
    assert conflict.conflict_with == first.json()["event_id"]
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED)
    stack.settle(1.0)
    assert stack.calls("record_failed") == []


def test_an_unknown_event_type_is_acknowledged_recorded_and_not_processed(stack: Stack) -> None:
    stack.start()
    body = json.dumps(
        {
            "id": "whe_index0000000000000000000000000000",
            "created_at": "2026-08-01T17:22:18.372553+09:00",
            "type": "index.task.ready",
            "data": {"id": "6298d673f1090f1100476d4c", "status": "ready"},
        }
    ).encode()

    answer = stack.post_webhook(body)

    assert answer.status_code == 202
    assert answer.json() == {
        "event_id": "whe_index0000000000000000000000000000",
        "status": "ignored",
    }
    assert stack.ledger.require(answer.json()["event_id"]).status is EventStatus.IGNORED
    assert stack.queue_length() == 0


def test_an_event_no_handler_matches_is_recorded_as_unmatched(stack: Stack) -> None:
    stack.start_receiver(TLHOOKS_HANDLERS="")
    answer = stack.post_webhook(envelope("68ab41c2e5f1d93a7c2b0e99", "nobody-wants-this"))

    assert answer.json()["status"] == "unmatched"
    assert stack.ledger.require(answer.json()["event_id"]).status is EventStatus.UNMATCHED
    assert stack.queue_length() == 0


def test_a_handler_that_fails_twice_is_retried_alone_and_ends_handled(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="flaky-1")

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED)

    assert [c["attempt"] for c in stack.calls("flaky", task["task_id"])] == [1, 2, 3]
    assert len(stack.calls("record_ready", task["task_id"])) == 1
    assert event.outcomes["flaky"].state is HandlerState.SUCCEEDED
    assert event.outcomes["flaky"].attempts == 3
    assert event.outcomes["record_ready"].attempts == 1


def test_a_handler_that_always_fails_ends_dead_with_its_traceback(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="doomed-1")

    event = stack.wait_for_status(task["task_id"], EventStatus.DEAD)

    assert "'doomed'" in (event.last_error or "")
    assert "ValueError: this handler always fails" in (event.last_traceback or "")
    assert event.outcomes["doomed"].state is HandlerState.EXHAUSTED
    assert len(stack.calls("doomed", task["task_id"])) == 3
    assert len(stack.calls("record_ready", task["task_id"])) == 1


def test_a_rate_limited_fetch_is_retried_and_succeeds(stack: Stack) -> None:
    stack.start()
    httpx.post(
        f"{stack.emulator.root_url}/_emulator/faults", json={"rate_limit_next": 1, "retry_after": 1}
    ).raise_for_status()
    task = stack.create_task("ready", custom_id="cam-6")

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED)

    requests = httpx.get(f"{stack.emulator.root_url}/_emulator/requests").json()
    statuses = [r["status"] for r in requests if r["path"].endswith(task["task_id"])]
    assert statuses == [429, 200]
    assert (event.attempts, event.rate_limited) == (1, 1)  # the 429 paced it; no attempt failed
    assert any("429" in t.note and t.status is EventStatus.QUEUED for t in event.history)


def test_a_task_the_api_does_not_know_goes_dead_after_one_request(stack: Stack) -> None:
    stack.start()
    task_id = "0123456789abcdef01234567"

    stack.post_webhook(envelope(task_id, "cam-7"))
    event = stack.wait_for_status(task_id, EventStatus.DEAD)

    requests = httpx.get(f"{stack.emulator.root_url}/_emulator/requests").json()
    assert [r["status"] for r in requests if r["path"].endswith(task_id)] == [404]
    assert "404" in (event.last_error or "")
    assert stack.calls("record_ready") == []


def test_an_event_stored_but_never_queued_is_swept_up_and_handled(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="cam-8", send_webhook=False)
    stack.ledger.accept(
        event_id="whe_lostmessage000000000000000000000",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={
            "event_type": "analyze.task.ready",
            "task_id": task["task_id"],
            "custom_id": "cam-8",
            "handlers": ["record_ready"],
        },
    )

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED, timeout=30)

    assert event.requeues == 1
    assert len(stack.calls("record_ready", task["task_id"])) == 1


def test_with_a_separate_broker_path_events_are_stored_then_published(stack: Stack) -> None:
    stack.start_receiver(TLHOOKS_INLINE_QUEUEING="false")
    stack.start_worker()
    task = stack.create_task("ready", custom_id="cam-9")

    event = stack.wait_for_status(task["task_id"], EventStatus.HANDLED)

    assert [t.note for t in event.history[:2]] == ["", "published"]
    assert len(stack.calls("record_ready", task["task_id"])) == 1


def test_a_fetch_that_keeps_failing_ends_dead_after_the_attempt_limit(stack: Stack) -> None:
    stack.start()
    httpx.post(
        f"{stack.emulator.root_url}/_emulator/faults", json={"server_error_next": 10}
    ).raise_for_status()
    task = stack.create_task("ready", custom_id="cam-10")

    event = stack.wait_for_status(task["task_id"], EventStatus.DEAD)

    assert event.attempts == 3
    assert "Fetching the task failed 3 times" in (event.last_error or "")
    assert stack.calls("record_ready") == []
