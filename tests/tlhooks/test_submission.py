"""Submitter: idempotent creations, batches split at 1,000, the active-batch limit waited out."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tlhooks.api import TwelveLabsClient
from tlhooks.errors import SubmissionInvalid, SubmissionRejected
from tlhooks.ledger import EventLedger
from tlhooks.submission import Submitter, idempotency_key

ASSET = {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"}


class FakeApi:
    """Creates batches until ``active`` reaches 5, then answers the active-batch 429."""

    def __init__(self, refuse_part: int | None = None) -> None:
        self.created: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.active = 0
        self.refuse_part = refuse_part
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.polls += 1
            self.active = max(self.active - 1, 0)  # one batch ends between polls
            return httpx.Response(
                200, json={"data": [], "page_info": {"total_results": self.active}}
            )
        body = json.loads(request.content)
        if request.url.path.endswith("/tasks"):
            self.keys.append(request.headers["Idempotency-Key"])
            return httpx.Response(202, json={"task_id": "a" * 24, "status": "queued"})
        if self.refuse_part == len(self.created) + 1:
            return httpx.Response(400, json={"error": {"message": "duplicate custom_id"}})
        if self.active >= 5:
            message = "You already have 5 active batches"
            return httpx.Response(429, json={"error": {"message": message}})
        self.active += 1
        self.keys.append(request.headers["Idempotency-Key"])
        self.created.append(body)
        number = len(self.created)
        items = [{"task_id": f"{number:04d}{i:020d}", "custom_id": r.get("custom_id")}
                 for i, r in enumerate(body["requests"])]  # fmt: skip
        answer = {"batch_id": f"{number:024d}", "items": items, "total_items": len(items)}
        return httpx.Response(201, json={**answer, "status": "pending"})


def submitter(ledger: EventLedger, api: FakeApi) -> Submitter:
    client = TwelveLabsClient("https://api.test/v1.3", "k", transport=httpx.MockTransport(api))
    return Submitter(
        client,
        ledger,
        reconcile_after=60,
        matcher=lambda custom_id, kind: [f"{kind}-handler"] if custom_id else [],
        clock=lambda: 1000.0,
        sleep=lambda _seconds: None,
    )


def batch_of(count: int) -> dict[str, Any]:
    requests = [{"video": ASSET, "custom_id": f"ads-{n}"} for n in range(count)]
    return {"model_name": "pegasus1.5", "analysis_mode": "general", "requests": requests,
            "defaults": {"prompt": {"input_text": "Describe."}}}  # fmt: skip


def test_a_submitted_task_is_expected_with_the_handlers_it_will_match(ledger: EventLedger) -> None:
    api = FakeApi()
    created = submitter(ledger, api).submit_task({"video": ASSET, "custom_id": "ads-1"})

    found = ledger.expectation(created.task_id)
    assert found is not None
    assert found.handlers == {"ready": ["ready-handler"], "failed": ["failed-handler"]}
    assert ledger.due_expectations(1060.0) == [created.task_id]
    assert api.keys == [idempotency_key({"video": ASSET, "custom_id": "ads-1"})]


def test_the_same_body_always_gets_the_same_key_and_a_callers_key_wins() -> None:
    assert idempotency_key({"a": 1, "b": 2}) == idempotency_key({"b": 2, "a": 1})
    assert idempotency_key({"a": 1}) != idempotency_key({"a": 2})
    assert idempotency_key({"a": 1}, "mine") == "mine"
    assert idempotency_key({"a": 1}, "mine", 2) == "mine-2"


def test_2500_requests_become_3_batches_that_wait_out_the_active_batch_limit(
    ledger: EventLedger,
) -> None:
    api = FakeApi()
    api.active = 4  # one free slot: the second part has to wait for a batch to end
    created = submitter(ledger, api).submit_batch(batch_of(2500), key="run-7")

    assert [len(part["requests"]) for part in api.created] == [1000, 1000, 500]
    assert api.keys == ["run-7-1", "run-7-2", "run-7-3"]
    assert api.polls >= 1
    assert sum(len(batch.task_ids) for batch in created) == 2500
    assert sorted(ledger.batch_ids()) == sorted(batch.batch_id for batch in created)
    item = ledger.expectation(created[2].task_ids[-1])
    assert item is not None
    assert (item.custom_id, item.batch_id) == ("ads-2499", created[2].batch_id)
    assert item.request_params == {"analysis_mode": "general",
                                   "prompt": {"input_text": "Describe."}}  # fmt: skip


def test_a_refused_part_names_the_batches_already_created_and_keeps_them(
    ledger: EventLedger,
) -> None:
    api = FakeApi(refuse_part=2)
    with pytest.raises(SubmissionRejected, match=r"Part 2 of 2.*duplicate custom_id") as caught:
        submitter(ledger, api).submit_batch(batch_of(1500))

    assert ledger.batch_ids() == [f"{1:024d}"]
    assert f"{1:024d}" in str(caught.value)


@pytest.mark.parametrize("body", [[], "text", {"requests": []}, {"requests": [1]}])
def test_a_batch_body_that_cannot_be_submitted_sends_nothing(
    ledger: EventLedger, body: object
) -> None:
    api = FakeApi()
    with pytest.raises(SubmissionInvalid):
        submitter(ledger, api).submit_batch(body)
    assert api.created == []
    assert api.keys == []
