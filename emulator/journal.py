"""Journal: what the emulator saw and did, for tests to read through the control API.

``requests`` holds one entry per /v1.3 request (``method, path, status, at``); ``deliveries``
one entry per webhook POST attempt (``url, event_id, task_id, type, status_code, error,
attempt, at``). Both are oldest first.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from emulator.ids import rfc3339


@dataclass
class RequestRecord:
    method: str
    path: str
    status: int
    at: str


@dataclass
class DeliveryRecord:
    url: str
    event_id: str
    task_id: str
    type: str
    status_code: int | None
    error: str | None
    attempt: int
    at: str


class Journal:
    """Append-only logs of API requests and webhook attempts, cleared by a reset."""

    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.deliveries: list[DeliveryRecord] = []

    def record_request(self, method: str, path: str, status: int) -> None:
        self.requests.append(RequestRecord(method, path, status, rfc3339(time.time())))

    def record_delivery(
        self,
        *,
        url: str,
        event_id: str,
        task_id: str,
        event_type: str,
        status_code: int | None,
        error: str | None,
        attempt: int,
    ) -> None:
        at = rfc3339(time.time())
        record = DeliveryRecord(url, event_id, task_id, event_type, status_code, error, attempt, at)
        self.deliveries.append(record)

    def requests_json(self) -> list[dict[str, Any]]:
        return [asdict(record) for record in self.requests]

    def deliveries_json(self) -> list[dict[str, Any]]:
        return [asdict(record) for record in self.deliveries]

    def clear(self) -> None:
        self.requests.clear()
        self.deliveries.clear()
