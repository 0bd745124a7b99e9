"""The API and the stored events the in-process EventProcessor tests start from."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus
from workers.client import TwelveLabsClient
from workers.processor import EventProcessor
from workers.retry import RetryPolicy

TASK_ID = "68ab41c2e5f1d93a7c2b0e14"
NOW = 1_800_000_000.0
POLICY = RetryPolicy(max_attempts=3, base_delay=2.0, max_delay=600.0, uniform=lambda lo, hi: hi)


def task(status: str = "ready", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"task_id": TASK_ID, "custom_id": "cam-1", "status": status}
    if status == "ready":
        body["result"] = {"data": json.dumps({"title": "a"}), "finish_reason": "stop"}
    if status == "failed":
        body["error"] = {"message": "the video could not be decoded"}
    return {**body, **extra}


class FakeApi:
    """Answers ``GET /analyze/tasks/{id}`` with the queued responses, counting the calls."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.calls = 0

    def client(self) -> TwelveLabsClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.calls += 1
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

        return TwelveLabsClient(
            "https://api.test/v1.3", "key", transport=httpx.MockTransport(answer)
        )


def stored(
    ledger: EventLedger,
    event_id: str = "e1",
    kind: str = "ready",
    handlers: list[str] | None = None,
) -> None:
    ledger.accept(
        event_id=event_id,
        kind=kind,
        requested=EventStatus.RECEIVED,
        fields={
            "event_type": f"analyze.task.{kind}",
            "task_id": TASK_ID,
            "custom_id": "cam-1",
            "handlers": ["h"] if handlers is None else handlers,
        },
    )


def ok(body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.Response(200, json=task() if body is None else body)


Build = Callable[..., EventProcessor]
