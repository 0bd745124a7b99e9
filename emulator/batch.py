"""Batch: many analysis tasks submitted together, and its JSON as the batch endpoints show it.

Facts doc §4. A batch is ``pending`` until one of its items starts, then ``processing``; a cancel
makes it ``canceling`` until every item has ended, then ``canceled``; otherwise it becomes
``completed`` when every item has ended (whether ready or failed). It is never ``failed``.
An item is ``queued`` until a batch worker picks it up, then ``processing`` until its task ends
``ready`` or ``failed`` (the task itself walks its usual statuses meanwhile). A canceled item's
task ends ``failed`` with a message saying so and sends no webhook
[undoc: the current contract has no ``canceled`` task status].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from emulator.ids import rfc3339
from emulator.task import Task
from tlhooks.analysis import TaskStatus

EXPIRY_SECONDS = 24 * 3600
# [undoc] the item error codes the emulator attaches to failure messages it generates
_ERROR_CODES = {
    "Video duration exceeds maximum allowed duration": "video_duration_too_long",
    "The video could not be downloaded from the provided URL.": "asset_unavailable",
}


class BatchStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    CANCELING = "canceling"
    CANCELED = "canceled"
    COMPLETED = "completed"
    EXPIRED = "expired"


class ItemStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    CANCELED = "canceled"


ACTIVE = frozenset({BatchStatus.PENDING, BatchStatus.PROCESSING, BatchStatus.CANCELING})
_ENDED = {TaskStatus.READY: ItemStatus.READY, TaskStatus.FAILED: ItemStatus.FAILED}


@dataclass
class Batch:
    """A batch and its tasks, in request order; the ``*_at`` stamps are unix seconds."""

    batch_id: str
    model_name: str
    analysis_mode: str
    created_at: float
    tasks: list[Task]
    cancel_requested_at: float | None = None
    completed_at: float | None = None
    canceled_at: float | None = None
    expired_at: float | None = None
    started_ids: set[str] = field(default_factory=set)
    canceled_ids: set[str] = field(default_factory=set)

    @property
    def status(self) -> BatchStatus:
        if self.expired_at is not None:
            return BatchStatus.EXPIRED
        if self.canceled_at is not None:
            return BatchStatus.CANCELED
        if self.completed_at is not None:
            return BatchStatus.COMPLETED
        if self.cancel_requested_at is not None:
            return BatchStatus.CANCELING
        if all(self.item_status(task) is ItemStatus.QUEUED for task in self.tasks):
            return BatchStatus.PENDING
        return BatchStatus.PROCESSING

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def item_status(self, task: Task) -> ItemStatus:
        if task.task_id in self.canceled_ids:
            return ItemStatus.CANCELED
        if task.status in _ENDED:
            return _ENDED[task.status]
        if task.task_id in self.started_ids:
            return ItemStatus.PROCESSING
        return ItemStatus.QUEUED

    def waiting(self) -> list[Task]:
        """The items that have not started processing and are not canceled."""
        return [t for t in self.tasks if self.item_status(t) is ItemStatus.QUEUED]

    def settle(self, now: float) -> None:
        """Record the end of the batch once every item has ended."""
        if not self.active or not all(task.terminal for task in self.tasks):
            return
        if self.cancel_requested_at is not None:
            self.canceled_at = now
        else:
            self.completed_at = now

    def counts(self) -> dict[str, int]:
        statuses = [self.item_status(task) for task in self.tasks]
        return {f"{status.value}_items": statuses.count(status) for status in ItemStatus}

    def to_json(self) -> dict[str, Any]:
        status = self.status
        body: dict[str, Any] = {
            "batch_id": self.batch_id,
            "analysis_mode": self.analysis_mode,
            "model_name": self.model_name,
            "status": status.value,
            "total_items": len(self.tasks),
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.created_at + EXPIRY_SECONDS),
        }
        stamps = {
            BatchStatus.COMPLETED: ("completed_at", self.completed_at),
            BatchStatus.CANCELED: ("canceled_at", self.canceled_at),
            BatchStatus.EXPIRED: ("expired_at", self.expired_at),
        }
        if status in stamps:
            name, stamp = stamps[status]
            body[name] = rfc3339(stamp or self.created_at)
        body.update(self.counts())
        return body

    def created_json(self) -> dict[str, Any]:
        """The ``201`` body of ``POST /analyze/batches``."""
        summary = self.to_json()
        body = {k: summary[k] for k in ("batch_id", "status", "total_items")}
        body.update({k: summary[k] for k in ("created_at", "expires_at")})
        body["items"] = [{"task_id": t.task_id, "custom_id": t.custom_id} for t in self.tasks]
        return body

    def result_line(self, task: Task) -> dict[str, Any]:
        """One ``BatchResultItem``: ``data`` only when ready, ``error`` only when failed."""
        status = self.item_status(task)
        line: dict[str, Any] = {
            "task_id": task.task_id,
            "custom_id": task.custom_id,
            "status": status.value,
        }
        if status is ItemStatus.READY and task.result is not None:
            line["data"] = task.result
        if status is ItemStatus.FAILED:
            message = task.error_message or "The analysis failed."
            error = {"code": _ERROR_CODES[message]} if message in _ERROR_CODES else {}
            line["error"] = {**error, "message": message}
        return line
