"""The ground floor's API client: creations, batch reads, and errors translated at the edge."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import httpx
import pytest

from tlhooks.api import TwelveLabsClient
from tlhooks.errors import (
    ActiveBatchLimit,
    BatchNotFound,
    RateLimited,
    SubmissionRejected,
    SubmissionUnavailable,
)
from tlhooks.rate_budget import RateBudget

BATCH_ID = "6900aa00bb11cc22dd33ee44"


class CountingBudget:
    """Stands in for the shared budget: counts slots taken and answers shown."""

    def __init__(self) -> None:
        self.admitted = 0
        self.heeded: list[int] = []

    def admit(self) -> float:
        self.admitted += 1
        return 0.0

    def heed(self, status_code: int, headers: Mapping[str, str]) -> float | None:
        self.heeded.append(status_code)
        return None


def client_with(
    answer: Callable[[httpx.Request], httpx.Response],
) -> tuple[TwelveLabsClient, CountingBudget, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    budget = CountingBudget()

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    client = TwelveLabsClient(
        "https://api.test/v1.3",
        "key",
        transport=httpx.MockTransport(record),
        budget=cast(RateBudget, budget),
    )
    return client, budget, seen


def answering(status: int, body: Any = None, **headers: str) -> Callable[..., httpx.Response]:
    return lambda _request: httpx.Response(status, json=body or {}, headers=headers)


def test_a_task_is_created_with_its_idempotency_key_after_taking_a_budget_slot() -> None:
    client, budget, seen = client_with(answering(202, {"task_id": "t1", "status": "queued"}))

    answer = client.create_task({"video": {}}, "key-1")

    assert answer["task_id"] == "t1"
    assert seen[0].headers["Idempotency-Key"] == "key-1"
    assert seen[0].url.path == "/v1.3/analyze/tasks"
    assert budget.admitted == 1
    assert budget.heeded == [202]


def test_a_rejected_submission_carries_the_apis_status_code_and_message() -> None:
    body = {"error": {"code": "parameter_invalid", "message": "custom_id is too long"}}
    client, _budget, _seen = client_with(answering(400, body))

    with pytest.raises(SubmissionRejected, match="custom_id is too long") as caught:
        client.create_batch({}, "k")

    assert (caught.value.status, caught.value.code) == (400, "parameter_invalid")


def test_the_active_batch_429_is_told_apart_from_a_rate_429_and_pauses_nothing() -> None:
    body = {"error": {"code": "too_many_requests", "message": "You already have 5 active batches"}}
    client, budget, _seen = client_with(answering(429, body))

    with pytest.raises(ActiveBatchLimit):
        client.create_batch({}, "k")

    assert budget.heeded == []


def test_a_rate_429_on_a_submission_is_retryable_after_the_asked_delay() -> None:
    body = {"error": {"code": "too_many_requests", "message": "You have exceeded the rate limit"}}
    client, budget, _seen = client_with(answering(429, body, **{"Retry-After": "4"}))

    with pytest.raises(SubmissionUnavailable) as caught:
        client.create_task({}, "k")

    assert caught.value.retry_after == 4
    assert budget.heeded == [429]


def test_a_server_error_on_a_submission_is_retryable() -> None:
    client, _budget, _seen = client_with(answering(503))
    with pytest.raises(SubmissionUnavailable):
        client.create_task({}, "k")


def test_a_timeout_on_a_submission_is_retryable_and_says_to_reuse_the_key() -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, _budget, _seen = client_with(time_out)
    with pytest.raises(SubmissionUnavailable, match="same Idempotency-Key"):
        client.create_task({}, "k")


def test_batch_results_skip_blank_and_garbled_lines_and_count_them() -> None:
    lines = (
        '{"task_id":"a","status":"ready"}\n\n{not json\n[1]\n{"task_id":"b","status":"failed"}\n'
    )

    def results(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=lines, headers={"content-type": "application/jsonl"})

    client, budget, seen = client_with(results)
    found = client.batch_results(BATCH_ID)

    assert [item["task_id"] for item in found.items] == ["a", "b"]
    assert found.skipped == 2
    assert seen[0].url.path == f"/v1.3/analyze/batches/{BATCH_ID}/results"
    assert budget.admitted == 1


def test_an_unknown_batch_is_batch_not_found() -> None:
    client, _budget, _seen = client_with(answering(404, {"error": {"message": "no such batch"}}))
    with pytest.raises(BatchNotFound, match="no such batch"):
        client.get_batch(BATCH_ID)


def test_a_rate_429_on_a_batch_read_is_rate_limited() -> None:
    client, _budget, _seen = client_with(answering(429))
    with pytest.raises(RateLimited):
        client.get_batch(BATCH_ID)


def test_the_active_batch_count_asks_for_every_active_status_in_one_call() -> None:
    body = {"data": [], "page_info": {"total_results": 3}}
    client, budget, seen = client_with(answering(200, body))

    assert client.active_batches() == 3
    assert seen[0].url.params.get_list("status") == ["pending", "processing", "canceling"]
    assert budget.admitted == 1


def test_a_task_lookup_takes_no_slot_unless_asked_as_a_worker_run_takes_its_own() -> None:
    client, budget, _seen = client_with(answering(200, {"task_id": "t1", "status": "ready"}))

    client.get_task("t1")
    assert budget.admitted == 0
    client.get_task("t1", admit=True)
    assert budget.admitted == 1
