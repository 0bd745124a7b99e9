"""What an API answer means, translated at the boundary into tlhooks' one exception tree.

Reads (a task, a batch, its results) fail as ``FetchFailed``s, submissions as
``SubmissionFailed``s; either way retryable and permanent failures are distinct types. A 429
is told apart by its body: the platform's active-batch limit ("5 active batches") is no rate
limit, so it pauses nothing; any other 429 is the rate limit.
"""

from __future__ import annotations

from typing import Any

import httpx

from tlhooks.errors import (
    ActiveBatchLimit,
    BatchNotFound,
    PermanentFetchError,
    RateLimited,
    RetryableFetchError,
    SubmissionRejected,
    SubmissionUnavailable,
    TaskNotFound,
)
from tlhooks.rate_headers import requested_delay


def error_fields(response: httpx.Response) -> tuple[str | None, str]:
    """The API's error ``code`` and ``message``, from the nested or the flat body shape."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    if isinstance(body, dict):
        nested = body.get("error")
        source = nested if isinstance(nested, dict) else body
        code = source.get("code")
        message = source.get("message", source)
        return (str(code) if code is not None else None), str(message)
    return None, str(body)[:200]


def is_active_batch_limit(response: httpx.Response) -> bool:
    """A 429 saying the account's active batches are all taken (not a rate limit)."""
    if response.status_code != 429:
        return False
    _code, message = error_fields(response)
    return "active batch" in message.lower()


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """A 2xx body that must be a JSON object, else a permanent fetch error naming ``what``."""
    try:
        body = response.json()
    except ValueError as exc:
        raise PermanentFetchError(f"{what}: the API sent invalid JSON.") from exc
    if not isinstance(body, dict):
        raise PermanentFetchError(f"{what}: the API sent a non-object body.")
    return body


def raise_for_read(response: httpx.Response, what: str, *, batch: bool = False) -> None:
    """Raise the FetchFailed a non-2xx answer to a read means (``what``: 'retrieving task x')."""
    status = response.status_code
    if status < 300:
        return
    message = f"HTTP {status} {what}: {error_fields(response)[1]}"
    if status == 429:
        raise RateLimited(message, retry_after=requested_delay(response.headers))
    if status == 404:
        raise BatchNotFound(message) if batch else TaskNotFound(message)
    if status >= 500 or status == 408:
        raise RetryableFetchError(message, retry_after=requested_delay(response.headers))
    raise PermanentFetchError(message)


def raise_for_submission(response: httpx.Response, what: str) -> None:
    """Raise the SubmissionFailed a non-2xx answer to a create means."""
    status = response.status_code
    if status < 300:
        return
    code, api_message = error_fields(response)
    message = f"The API refused {what} (HTTP {status}{f' {code}' if code else ''}): {api_message}"
    if is_active_batch_limit(response):
        raise ActiveBatchLimit(message)
    if status == 429 or status >= 500 or status == 408:
        raise SubmissionUnavailable(message, retry_after=requested_delay(response.headers))
    raise SubmissionRejected(message, status=status, code=code)
