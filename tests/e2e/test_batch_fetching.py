"""Batch-aware fetching (issue 11): the webhooks of a finished batch cost a handful of API
calls, not one task lookup each; real Redis, receiver and worker, counted in the emulator's
journal."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_batches import batch_body, submit
from tests.support.processes import wait_until

pytestmark = pytest.mark.e2e


def api_calls(stack: Stack) -> list[str]:
    journal = httpx.get(f"{stack.emulator.root_url}/_emulator/requests").json()
    return [f"{entry['method']} {entry['path']}" for entry in journal]


def test_a_finished_batch_whose_webhooks_all_arrive_costs_a_handful_of_calls(
    stack: Stack, tmp_path: Path
) -> None:
    stack.emulator.config.batch_concurrency = 200
    stack.start()

    batch_id = submit(stack, tmp_path, batch_body("fetch", 200))
    wait_until(lambda: len({c["task_id"] for c in stack.calls("record_ready")}) == 200, timeout=40)
    stack.settle(1.0)

    calls = api_calls(stack)
    deliveries = httpx.get(f"{stack.emulator.root_url}/_emulator/deliveries").json()
    assert len({d["task_id"] for d in deliveries}) == 200  # every webhook came
    lookups = [call for call in calls if call.startswith("GET /v1.3/analyze/tasks/")]
    reads = [call for call in calls if call.endswith(f"/batches/{batch_id}/results")]
    assert 1 <= len(reads) <= 4
    assert len(lookups) <= 4
    assert len(calls) <= 10, calls
    assert len(stack.calls("record_ready")) == 200
    stored = stack.ledger.expectations(stack.ledger.batch_task_ids(batch_id))
    assert [item.task_id for item in stored if item.result_line] == []  # dropped once used
