"""TwelveLabsClient: the analyze API over one pooled httpx client per process.

Every call is within the deployment's shared rate budget (tlhooks/rate_budget.py): a call
first takes a slot (``RateBudget.admit``, which waits), except ``get_task`` for a worker run,
whose slot the run takes itself (workers/pacing.py) so a far slot can give its thread back;
``get_task(..., admit=True)`` takes one like the rest. Every answer is shown to the budget,
which pauses every caller when the platform says so (a rate 429, or
``X-RateLimit-Request-Remaining: 0``). Third-party errors are translated here, at the boundary
(tlhooks/api/answers.py), so callers read types, never messages.

Creations carry an ``Idempotency-Key``: the same key and body create one task or batch however
often they are sent, so a submit retried after a timeout is harmless.
"""

from __future__ import annotations

from typing import Any

import httpx

from tlhooks import __version__
from tlhooks.analysis import TASK_ID_PATTERN
from tlhooks.api.answers import (
    is_active_batch_limit,
    json_object,
    raise_for_read,
    raise_for_submission,
)
from tlhooks.api.jsonl import BatchResults
from tlhooks.errors import PermanentFetchError, RetryableFetchError, SubmissionUnavailable
from tlhooks.metrics import observe_fetch, observe_transport_error
from tlhooks.rate_budget import RateBudget
from tlhooks.settings import Settings

IDEMPOTENCY_HEADER = "Idempotency-Key"
ACTIVE_BATCH_STATUSES = ("pending", "processing", "canceling")


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

    # Reads --------------------------------------------------------------------------------

    def get_task(self, task_id: str, *, admit: bool = False) -> dict[str, Any]:
        """``GET /analyze/tasks/{task_id}`` as a dict, or a typed FetchFailed."""
        if not TASK_ID_PATTERN.match(task_id):
            raise PermanentFetchError(f"Task id {task_id!r} is not a valid Twelve Labs task id.")
        what = f"retrieving task {task_id}"
        response = self._read("GET", f"/analyze/tasks/{task_id}", what, admit=admit)
        raise_for_read(response, what)
        return json_object(response, f"Task {task_id}")

    def get_batch(self, batch_id: str) -> dict[str, Any]:
        """``GET /analyze/batches/{batch_id}``: status, item counts, expiry, ``webhooks[]``."""
        what = f"retrieving batch {batch_id}"
        response = self._read("GET", f"/analyze/batches/{_path_id(batch_id)}", what)
        raise_for_read(response, what, batch=True)
        return json_object(response, f"Batch {batch_id}")

    def batch_results(self, batch_id: str, *, admit: bool = True) -> BatchResults:
        """``GET /analyze/batches/{batch_id}/results``: JSON Lines, read as they stream in
        (``admit=False``: the caller, a worker run, has taken its budget slot itself)."""
        what = f"retrieving the results of batch {batch_id}"
        if admit:
            self._admit()
        path = f"/analyze/batches/{_path_id(batch_id)}/results"
        try:
            with self._http.stream("GET", path) as response:
                self._observe(response)
                if response.status_code >= 300:
                    response.read()
                    raise_for_read(response, what, batch=True)
                return BatchResults.parse(response.iter_lines())
        except httpx.TransportError as exc:
            observe_transport_error()
            raise RetryableFetchError(f"{type(exc).__name__} {what}") from exc

    def active_batches(self) -> int:
        """How many of the account's batches are pending, processing or canceling."""
        params = [("status", status) for status in ACTIVE_BATCH_STATUSES] + [("page_limit", 1)]
        what = "listing the active batches"
        response = self._read("GET", "/analyze/batches", what, params=params)
        raise_for_read(response, what, batch=True)
        info = json_object(response, "The batch list").get("page_info") or {}
        return int(info.get("total_results") or 0)

    # Creations ----------------------------------------------------------------------------

    def create_task(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """``POST /analyze/tasks``: ``{task_id, status}``, or a typed SubmissionFailed."""
        return self._create("/analyze/tasks", body, idempotency_key, "the task")

    def create_batch(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """``POST /analyze/batches``: ``{batch_id, status, expires_at, items[]...}``."""
        return self._create("/analyze/batches", body, idempotency_key, "the batch")

    def _create(self, path: str, body: dict[str, Any], key: str, what: str) -> dict[str, Any]:
        self._admit()
        try:
            response = self._http.post(path, json=body, headers={IDEMPOTENCY_HEADER: key})
        except httpx.TransportError as exc:
            observe_transport_error()
            raise SubmissionUnavailable(
                f"{type(exc).__name__} submitting {what}; it may have been created: submit "
                f"again with the same Idempotency-Key ({key}) and nothing is created twice."
            ) from exc
        self._observe(response)
        raise_for_submission(response, what)
        try:
            return json_object(response, f"Submitting {what}")
        except PermanentFetchError as exc:
            raise SubmissionUnavailable(str(exc)) from exc

    # Plumbing -----------------------------------------------------------------------------

    def _read(
        self, method: str, path: str, what: str, *, admit: bool = True, **options: Any
    ) -> httpx.Response:
        if admit:
            self._admit()
        try:
            response = self._http.request(method, path, **options)
        except httpx.TransportError as exc:
            observe_transport_error()
            raise RetryableFetchError(f"{type(exc).__name__} {what}") from exc
        self._observe(response)
        return response

    def _admit(self) -> None:
        if self.budget is not None:
            self.budget.admit()

    def _observe(self, response: httpx.Response) -> None:
        """Count the answer; show it to the budget, unless it is the active-batch 429."""
        observe_fetch(response)
        if self.budget is None:
            return
        if response.status_code == 429 and not response.is_stream_consumed:
            response.read()
        if not is_active_batch_limit(response):
            self.budget.heed(response.status_code, response.headers)

    def close(self) -> None:
        self._http.close()


def _path_id(value: str) -> str:
    if not TASK_ID_PATTERN.match(value):
        raise PermanentFetchError(f"Batch id {value!r} is not a valid Twelve Labs batch id.")
    return value
