from __future__ import annotations

import httpx
import pytest

from tlhooks.errors import PermanentFetchError, RateLimited, RetryableFetchError, TaskNotFound
from workers.client import TwelveLabsClient

TASK_ID = "68ab41c2e5f1d93a7c2b0e14"


def client_answering(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> tuple[TwelveLabsClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body if body is not None else {}, headers=headers)

    client = TwelveLabsClient("https://api.test/v1.3", "key", transport=httpx.MockTransport(answer))
    return client, seen


def test_a_task_is_fetched_with_the_api_key_from_the_documented_path() -> None:
    client, seen = client_answering(200, {"task_id": TASK_ID, "status": "ready"})
    assert client.get_task(TASK_ID)["task_id"] == TASK_ID
    assert seen[0].url == f"https://api.test/v1.3/analyze/tasks/{TASK_ID}"
    assert seen[0].headers["x-api-key"] == "key"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, TaskNotFound),
        (400, PermanentFetchError),
        (401, PermanentFetchError),
        (500, RetryableFetchError),
        (503, RetryableFetchError),
        (429, RateLimited),
    ],
)
def test_error_statuses_become_typed_errors(status: int, error: type[Exception]) -> None:
    client, _ = client_answering(status, {"error": {"code": "x", "message": "boom"}})
    with pytest.raises(error, match="boom"):
        client.get_task(TASK_ID)


def test_a_429_carries_the_delay_the_platform_asked_for() -> None:
    client, _ = client_answering(429, {}, {"Retry-After": "3"})
    with pytest.raises(RateLimited) as caught:
        client.get_task(TASK_ID)
    assert caught.value.retry_after == 3.0


def test_a_transport_error_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = TwelveLabsClient("https://api.test/v1.3", "key", transport=httpx.MockTransport(refuse))
    with pytest.raises(RetryableFetchError):
        client.get_task(TASK_ID)


@pytest.mark.parametrize("task_id", ["../admin", "a" * 65, "", "x y", "a%2F"])
def test_an_invalid_task_id_never_reaches_a_url(task_id: str) -> None:
    client, seen = client_answering(200, {})
    with pytest.raises(PermanentFetchError):
        client.get_task(task_id)
    assert seen == []
