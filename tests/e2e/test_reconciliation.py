"""Submitted work is handled even when its webhooks never come (issue 11), with real Redis,
real receiver and worker processes, the CLI and the emulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.support.processes import BIN, ROOT, wait_until
from tlhooks.status import EventStatus

pytestmark = pytest.mark.e2e

ASSET = {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"}
FAST_RECONCILE = {"TLHOOKS_RECONCILE_AFTER": "2", "TLHOOKS_RECONCILE_INTERVAL": "0.5"}


def start(stack: Stack) -> Stack:
    stack.env.update(FAST_RECONCILE)
    return stack.start()


def faults(stack: Stack, **settings: Any) -> None:
    httpx.post(f"{stack.emulator.root_url}/_emulator/faults", json=settings).raise_for_status()


def tlhooks(stack: Stack, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "tlhooks"), *args],
        env={**stack.env, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def request_file(tmp_path: Path, body: dict[str, Any]) -> str:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    return str(path)


def handled_tasks(stack: Stack) -> list[str]:
    return [call["task_id"] for call in stack.calls("record_ready")]


def test_a_batch_with_30_percent_of_webhooks_dropped_is_handled_once_per_item(
    stack: Stack, tmp_path: Path
) -> None:
    stack.emulator.config.batch_concurrency = 50
    start(stack)
    faults(stack, drop_webhook_fraction=0.3)
    requests = [{"video": ASSET, "custom_id": f"rec-{n}"} for n in range(200)]
    body = {"model_name": "pegasus1.5", "analysis_mode": "general",
            "defaults": {"prompt": {"input_text": "Describe."}}, "requests": requests}  # fmt: skip

    submitted = tlhooks(stack, "submit", "batch", request_file(tmp_path, body))
    assert submitted.returncode == 0, submitted.stderr
    [batch_id] = submitted.stdout.split()
    wait_until(lambda: len(set(handled_tasks(stack))) == 200, timeout=40)
    stack.settle(1.5)

    handled = handled_tasks(stack)
    assert len(handled) == 200
    assert len(set(handled)) == 200
    deliveries = httpx.get(f"{stack.emulator.root_url}/_emulator/deliveries").json()
    delivered = {delivery["task_id"] for delivery in deliveries}
    reconciled = {task_id for task_id in set(handled) if task_id not in delivered}
    assert 30 <= len(reconciled) <= 90
    for task_id in reconciled:
        [event] = stack.events_for(task_id)
        assert event.reconciled
        assert event.batch_id == batch_id

    late = sorted(reconciled)[0]
    faults(stack, drop_webhook_fraction=0)  # the late webhook itself must not be dropped
    resend = f"{stack.emulator.root_url}/_emulator/webhooks/{late}/resend"
    httpx.post(resend, json={}).raise_for_status()
    stack.wait_for_status(late, EventStatus.DUPLICATE)
    stack.settle(1.0)
    assert handled_tasks(stack).count(late) == 1


def test_with_every_webhook_dropped_a_submitted_task_is_still_handled(
    stack: Stack, tmp_path: Path
) -> None:
    start(stack)
    faults(stack, drop_webhooks=True)
    body = {"video": {"type": "url", "url": "https://media.example.com/lone.mp4"},
            "prompt": "Describe the clip.", "custom_id": "lone-1"}  # fmt: skip

    submitted = tlhooks(stack, "submit", "task", request_file(tmp_path, body))
    assert submitted.returncode == 0, submitted.stderr
    task_id = submitted.stdout.strip()
    event = stack.wait_for_status(task_id, EventStatus.HANDLED, timeout=30)

    assert event.event_id == f"rec_{task_id}"
    assert event.reconciled
    assert [call["custom_id"] for call in stack.calls("record_ready", task_id)] == ["lone-1"]
    expectation = stack.ledger.expectation(task_id)
    assert expectation is not None
    assert expectation.state == "reconciled"
    assert expectation.webhooks is not None
    assert expectation.webhooks[0]["delivered"] is False


def test_a_submit_retried_after_a_timeout_creates_one_task(stack: Stack, tmp_path: Path) -> None:
    body = {"video": {"type": "url", "url": "https://media.example.com/once.mp4"},
            "prompt": "Describe the clip.", "custom_id": "once-1"}  # fmt: skip
    path = request_file(tmp_path, body)
    tasks = f"{stack.emulator.base_url}/analyze/tasks"
    headers = {"x-api-key": stack.env["TLHOOKS_API_KEY"]}

    def created() -> int:
        return int(httpx.get(tasks, headers=headers).json()["page_info"]["total_results"])

    faults(stack, latency=1.5)
    timed_out = tlhooks(stack, "submit", "task", path, TLHOOKS_FETCH_READ_TIMEOUT="0.5")
    assert timed_out.returncode == 1
    assert "same Idempotency-Key" in timed_out.stderr
    wait_until(lambda: created() == 1, timeout=10)
    faults(stack, latency=0)
    retried = tlhooks(stack, "submit", "task", path)

    assert retried.returncode == 0, retried.stderr
    assert created() == 1
    [task] = httpx.get(tasks, headers=headers).json()["data"]
    assert retried.stdout.strip() == task["task_id"]
