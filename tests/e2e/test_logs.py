"""Logs from the real receiver and worker: each line once, JSON when asked, no secret ever."""

from __future__ import annotations

import json
from collections import Counter

import httpx

from tests.e2e.conftest import API_KEY, SECRET, Stack
from tlhooks.status import EventStatus

ADMIN_TOKEN = "adm_e2e_0123456789abcdef"
WRONG_TOKEN = "adm_wrong_fedcba9876543210"


def _lines(log: str) -> list[str]:
    """The worker's log lines after Celery's start-up banner (the banner is not a log line)."""
    lines = log.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("{") or " INFO " in line)
    return [line for line in lines[start:] if line.strip()]


def test_every_worker_line_is_written_once_as_json_with_the_events_identifiers(
    stack: Stack,
) -> None:
    stack.start_receiver()
    worker = stack.start_worker(TLHOOKS_LOG_FORMAT="json")
    task = stack.create_task("ready", custom_id="doomed-1")
    event = stack.wait_for_status(task["task_id"], EventStatus.DEAD)
    stack.settle(0.5)

    records = [json.loads(line) for line in _lines(worker.log) if line.startswith("{")]
    plain = [line for line in _lines(worker.log) if not line.startswith("{")]
    failures = [r for r in records if r["message"].startswith("handler doomed failed")]
    dead = [r for r in records if r["message"].startswith(f"event {event.event_id} is dead")]
    assert not [p for p in plain if "tlhooks" in p], plain  # no second, plain copy of our lines
    assert [r["attempt"] for r in failures] == [1, 2, 3]
    assert {(r["event_id"], r["task_id"], r["custom_id"], r["handler"]) for r in failures} == {
        (event.event_id, task["task_id"], "doomed-1", "doomed")
    }
    assert len(dead) == 1
    lines = Counter((r["message"], r.get("attempt")) for r in failures + dead)
    assert all(n == 1 for n in lines.values()), lines


def test_text_worker_lines_are_written_once(stack: Stack) -> None:
    stack.start_receiver()
    worker = stack.start_worker()
    task = stack.create_task("ready", custom_id="doomed-2")
    event = stack.wait_for_status(task["task_id"], EventStatus.DEAD)
    stack.settle(0.5)

    dead_lines = [line for line in _lines(worker.log) if f"event {event.event_id} is dead" in line]
    assert len(dead_lines) == 1, dead_lines
    assert f"event_id={event.event_id}" in dead_lines[0]


def test_no_secret_api_key_or_admin_token_reaches_a_log_line(stack: Stack) -> None:
    receiver = stack.start_receiver(
        TLHOOKS_ADMIN_TOKEN=ADMIN_TOKEN, TLHOOKS_LOG_FORMAT="json", TLHOOKS_LOG_LEVEL="DEBUG"
    )
    worker = stack.start_worker(TLHOOKS_LOG_FORMAT="json", TLHOOKS_LOG_LEVEL="DEBUG")
    handled = stack.create_task("ready", custom_id="cam-1")
    doomed = stack.create_task("ready", custom_id="doomed-3")
    body = json.dumps({"id": "whe_forged", "type": "analyze.task.ready"}).encode()
    forged = stack.post_webhook(body, secret="whsec_not_the_secret")
    unsigned = stack.post_webhook(body, headers={"TL-Signature": SECRET})
    wrong = httpx.get(
        f"{receiver.url}/admin/stats", headers={"Authorization": f"Bearer {WRONG_TOKEN}"}
    )
    right = httpx.get(
        f"{receiver.url}/admin/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    stack.wait_for_status(handled["task_id"], EventStatus.HANDLED)
    stack.wait_for_status(doomed["task_id"], EventStatus.DEAD)
    stack.settle(0.5)

    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert (wrong.status_code, right.status_code) == (401, 200)
    captured = receiver.log + worker.log
    assert "webhook rejected" in receiver.log  # the refusals were logged, without the secret
    served = [line for line in receiver.log.splitlines() if "Application startup complete" in line]
    assert json.loads(served[0])["logger"] == "uvicorn.error"  # the server's lines are JSON too
    for secret in (SECRET, API_KEY, ADMIN_TOKEN, WRONG_TOKEN):
        assert secret not in captured, f"{secret!r} reached a log line"
