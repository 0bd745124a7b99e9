"""Batches to the end (issue 11): the batch handler runs once, an expired batch shows its
canceled items and resubmit sends exactly those; real Redis, receiver, workers with beat, the
CLI and the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_reconciliation import ASSET, FAST_RECONCILE, faults, request_file, tlhooks
from tests.support.processes import wait_until

pytestmark = pytest.mark.e2e


def batch_body(prefix: str, count: int) -> dict[str, Any]:
    requests = [{"video": ASSET, "custom_id": f"{prefix}-{n}"} for n in range(count)]
    return {"model_name": "pegasus1.5", "analysis_mode": "general",
            "defaults": {"prompt": {"input_text": "Describe."}}, "requests": requests}  # fmt: skip


def submit(stack: Stack, tmp_path: Path, body: dict[str, Any]) -> str:
    done = tlhooks(stack, "submit", "batch", request_file(tmp_path, body))
    assert done.returncode == 0, done.stderr
    [batch_id] = done.stdout.split()
    return batch_id


def show(stack: Stack, batch_id: str) -> dict[str, Any]:
    done = tlhooks(stack, "batches", "show", batch_id, "--json")
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


def test_the_batch_handler_runs_once_with_the_right_counts_under_two_beats(
    stack: Stack, tmp_path: Path
) -> None:
    stack.env.update(FAST_RECONCILE)
    stack.emulator.config.batch_concurrency = 10
    stack.start_receiver()
    stack.start_worker()
    stack.start_worker()  # each worker runs a beat: two reconcilers see the batch finish
    faults(stack, drop_webhook_fraction=0.25)
    stack.redis.set("test:batch-report-fails-once", "1")

    batch_id = submit(stack, tmp_path, batch_body("bat", 30))
    wait_until(lambda: any(c["attempt"] == 2 for c in stack.calls("batch_report")), timeout=40)
    stack.settle(2.0)

    calls = stack.calls("batch_report")
    assert [call["attempt"] for call in calls] == [1, 2]  # failed once, retried once, no more
    final = calls[-1]
    assert (final["batch_id"], final["status"], final["items"]) == (batch_id, "completed", 30)
    counts = final["counts"]
    assert counts["webhook"] + counts["reconciled"] == 30
    assert counts["reconciled"] >= 1
    assert (counts["handled"], counts["expected"], counts["canceled"]) == (30, 0, 0)
    assert len({call["task_id"] for call in stack.calls("record_ready")}) == 30
    shown = show(stack, batch_id)
    assert shown["complete"] is True
    assert shown["completion_event"] == f"bat_{batch_id}"
    [event] = stack.ledger.get_many([f"bat_{batch_id}"])
    assert event.status.value == "handled"
    assert event.outcome("batch_report").attempts == 2


def test_an_expired_batch_shows_its_canceled_items_and_resubmit_sends_exactly_those(
    stack: Stack, tmp_path: Path
) -> None:
    stack.env.update(FAST_RECONCILE)
    stack.emulator.config.batch_concurrency = 2
    stack.emulator.config.clock = 1.0
    stack.start()
    batch_id = submit(stack, tmp_path, batch_body("bat-exp", 12))
    wait_until(lambda: len(stack.calls("record_ready")) >= 2, timeout=20)

    expire = f"{stack.emulator.root_url}/_emulator/batches/{batch_id}/expire"
    httpx.post(expire).raise_for_status()
    wait_until(lambda: bool(stack.calls("batch_report")), timeout=20)

    shown = show(stack, batch_id)
    canceled = sorted(i["custom_id"] for i in shown["items"] if i["state"] == "canceled")
    finished = sorted(i["custom_id"] for i in shown["items"] if i["state"] != "canceled")
    assert shown["status"] == "expired"
    assert 1 <= len(canceled) <= 10
    assert shown["counts"]["canceled"] == len(canceled)
    assert sorted(c["custom_id"] for c in stack.calls("record_ready")) == finished
    [report] = stack.calls("batch_report")
    assert (report["status"], sorted(report["canceled"])) == ("expired", canceled)
    assert (
        "canceled item(s): tlhooks batches resubmit"
        in tlhooks(stack, "batches", "show", batch_id).stdout
    )

    first = tlhooks(stack, "batches", "resubmit", batch_id)
    again = tlhooks(stack, "batches", "resubmit", batch_id)

    assert first.returncode == 0, first.stderr
    new_id = first.stdout.strip()
    assert again.stdout.strip() == new_id
    headers = {"x-api-key": stack.env["TLHOOKS_API_KEY"]}
    listed = httpx.get(f"{stack.emulator.base_url}/analyze/batches", headers=headers).json()
    assert listed["page_info"]["total_results"] == 2
    resent = show(stack, new_id)
    assert sorted(item["custom_id"] for item in resent["items"]) == canceled
    assert (resent["resubmit_of"], show(stack, batch_id)["resubmitted_as"]) == (batch_id, new_id)
    wait_until(lambda: len(stack.calls("batch_report")) == 2, timeout=30)
    assert sorted(c["custom_id"] for c in stack.calls("record_ready")) == sorted(
        finished + canceled
    )
