"""Task: one emulated analysis task, and its JSON exactly as ``GET /analyze/tasks/{id}`` shows it.

The document follows the facts doc §2: ``custom_id`` is always present (null allowed),
``completed_at`` only once terminal, ``result`` only when ready, ``error`` when failed or when a
ready result was truncated, ``webhooks`` only when the emulator has webhook URLs configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from emulator.ids import rfc3339
from emulator.request import TaskRequest
from tlhooks.analysis import TaskStatus

TERMINAL = frozenset({TaskStatus.READY, TaskStatus.FAILED})


class Outcome(StrEnum):
    """How a task will end, decided when it is created."""

    READY = "ready"
    TRUNCATED = "truncated"
    FAILED = "failed"


@dataclass
class WebhookRecord:
    """Delivery bookkeeping for one endpoint, as the task's ``webhooks[]`` reports it."""

    url: str
    delivered: bool = False
    attempts: int = 0
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "url": self.url,
            "delivered": self.delivered,
            "attempts": self.attempts,
        }
        if not self.delivered and self.last_error is not None:
            body["last_error"] = self.last_error
        return body


@dataclass
class Task:
    """An analysis task; ``result`` and ``error_message`` are filled when it ends."""

    task_id: str
    request: TaskRequest
    created_at: float
    duration: float
    status: TaskStatus = TaskStatus.QUEUED
    outcome: Outcome = Outcome.READY
    completed_at: float | None = None
    result: dict[str, Any] | None = None
    error_message: str | None = None
    webhooks: list[WebhookRecord] = field(default_factory=list)
    last_event_id: str | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def custom_id(self) -> str | None:
        return self.request.custom_id

    def webhook(self, url: str) -> WebhookRecord:
        for record in self.webhooks:
            if record.url == url:
                return record
        record = WebhookRecord(url)
        self.webhooks.append(record)
        return record

    def video_source(self) -> dict[str, Any]:
        kind = str(self.request.video["type"])
        source: dict[str, Any] = {"type": kind}
        if kind in ("url", "asset_id"):
            source[kind] = self.request.video[kind]
        source["system_metadata"] = {"duration": self.duration}
        return source

    def to_json(self, *, list_view: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "task_id": self.task_id,
            "custom_id": self.custom_id,
            "status": self.status.value,
            "created_at": rfc3339(self.created_at),
        }
        if self.completed_at is not None and self.terminal:
            body["completed_at"] = rfc3339(self.completed_at)
        body["video_source"] = self.video_source()
        body["request_params"] = self.request.request_params(list_view=list_view)
        if self.status is TaskStatus.READY and self.result is not None:
            body["result"] = self.result
        if self.terminal and self.error_message is not None:
            body["error"] = {"message": self.error_message}
        if self.webhooks:
            body["webhooks"] = [record.to_json() for record in self.webhooks]
        return body

    def notification_data(self) -> dict[str, Any]:
        """The ``data`` object of this task's webhook envelope."""
        return {
            "id": self.task_id,
            "custom_id": self.custom_id,
            "status": self.status.value,
            "created_at": rfc3339(self.created_at),
        }
