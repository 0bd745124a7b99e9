"""2,500 requests become 3 batches that wait their turn at the active-batch limit, end to end:
the CLI, real Redis and the emulator (its clock fast, its limit lowered to 2 active)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_batches import batch_body
from tests.e2e.test_reconciliation import FAST_RECONCILE, request_file, tlhooks

pytestmark = pytest.mark.e2e


def moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_2500_requests_become_3_batches_that_respect_the_active_batch_limit(
    stack: Stack, tmp_path: Path
) -> None:
    stack.env.update(FAST_RECONCILE)
    stack.emulator.config.batch_concurrency = 500
    stack.emulator.config.max_active_batches = 2

    done = tlhooks(stack, "submit", "batch", request_file(tmp_path, batch_body("split", 2500)))

    assert done.returncode == 0, done.stderr
    ids = done.stdout.split()
    assert len(ids) == 3
    headers = {"x-api-key": stack.env["TLHOOKS_API_KEY"]}
    listed = httpx.get(
        f"{stack.emulator.base_url}/analyze/batches", headers=headers, params={"page_limit": 10}
    ).json()["data"]
    batches = {batch["batch_id"]: batch for batch in listed}
    assert [batches[i]["total_items"] for i in ids] == [1000, 1000, 500]
    journal = httpx.get(f"{stack.emulator.root_url}/_emulator/requests").json()
    creates = [e["status"] for e in journal if e["method"] == "POST"]
    assert creates[:2] == [201, 201]
    assert 429 in creates  # the third was refused once while two were active ...
    assert creates[-1] == 201
    third = moment(batches[ids[2]]["created_at"])
    ended = [moment(batches[i].get("completed_at") or "9999-01-01T00:00:00Z") for i in ids[:2]]
    assert min(ended) <= third  # ... and created only once one of them had ended
    items = [stack.ledger.batch_task_ids(batch_id) for batch_id in ids]
    assert [len(task_ids) for task_ids in items] == [1000, 1000, 500]
    custom_ids = {e.custom_id for ids_ in items for e in stack.ledger.expectations(ids_)}
    assert custom_ids == {f"split-{n}" for n in range(2500)}
    assert stack.ledger.batch_count() == 3
