"""TwelveLabsClient: retrieves analysis tasks with one pooled httpx client per process.

Third-party errors are translated here, at the boundary, into ``RetryableFetchError`` or
``PermanentFetchError`` so the retry policy reads types, not messages. Every answer is shown to
the deployment's shared rate budget, which pauses all workers when the platform says so (a 429,
or ``X-RateLimit-Request-Remaining: 0``); taking a slot before a request is the caller's part
(workers/pacing.py for event runs, ``RateBudget.admit`` for anything else).
"""

from __future__ import annotations

from typing import Any

import httpx

from tlhooks import __version__
from tlhooks.analysis import TASK_ID_PATTERN
from tlhooks.errors import (
    PermanentFetchError,
    RateLimited,
    RetryableFetchError,
    TaskNotFound,
)
from tlhooks.metrics import observe_fetch, observe_transport_error
from tlhooks.rate_budget import RateBudget
from tlhooks.rate_headers import requested_delay
from tlhooks.settings import Settings


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        nested = body.get("error")
        if isinstance(nested, dict):
            return str(nested.get("message", nested))
        return str(body.get("message", body))
    return str(body)[:200]


class TwelveLabsClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        budget: RateBudget | None = None,
    ) -> None:
        self.budget = budget
        self._http = httpx.Client(
            base_url=base_url,
            headers={"x-api-key": api_key, "user-agent": f"tlhooks/{__version__}"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings, budget: RateBudget | None) -> TwelveLabsClient:
        return cls(
            settings.api_base_url,
            settings.require_api_key(),
            connect_timeout=settings.fetch_connect_timeout,
            read_timeout=settings.fetch_read_timeout,
            budget=budget,
        )

    def get_task(self, task_id: str) -> dict[str, Any]:
        """``GET /analyze/tasks/{task_id}`` as a dict, or a typed FetchFailed."""
        if not TASK_ID_PATTERN.match(task_id):
            raise PermanentFetchError(f"Task id {task_id!r} is not a valid Twelve Labs task id.")
        try:
            response = self._http.get(f"/analyze/tasks/{task_id}")
        except httpx.TransportError as exc:
            observe_transport_error()
            raise RetryableFetchError(f"{type(exc).__name__} retrieving task {task_id}") from exc
        observe_fetch(response)
        if self.budget is not None:
            self.budget.heed(response.status_code, response.headers)
        return self._interpret(task_id, response)

    def _interpret(self, task_id: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 200:
            try:
                body = response.json()
            except ValueError as exc:
                raise PermanentFetchError(f"Task {task_id}: the API sent invalid JSON.") from exc
            if not isinstance(body, dict):
                raise PermanentFetchError(f"Task {task_id}: the API sent a non-object body.")
            return body
        message = f"HTTP {status} retrieving task {task_id}: {_error_message(response)}"
        if status == 429:
            raise RateLimited(message, retry_after=requested_delay(response.headers))
        if status == 404:
            raise TaskNotFound(message)
        if status >= 500 or status == 408:
            raise RetryableFetchError(message, retry_after=requested_delay(response.headers))
        raise PermanentFetchError(message)

    def close(self) -> None:
        self._http.close()
