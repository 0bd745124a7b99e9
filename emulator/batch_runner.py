"""BatchRunner: holds the emulator's batches and drives their items (facts doc §4).

Each item is an ordinary task, stored with the others, listed by ``GET /analyze/tasks`` and
notified by webhook when it ends. A batch runs ``batch_concurrency`` items at a time
[undoc]; the rest wait ``queued``, which is what a cancel then catches. ``max_active_batches``
batches may be active at once. A batch expires only when told to, through
``POST /_emulator/batches/{id}/expire`` [undoc: the platform expires batches after 24 h].
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from emulator._background import BackgroundWork
from emulator.batch import Batch
from emulator.batch_request import BatchRequest
from emulator.config import EmulatorConfig
from emulator.errors import BatchConflict, BatchNotFound, TooManyActiveBatches
from emulator.ids import IdFactory
from emulator.lifecycle import TaskLifecycle
from emulator.store import Page, TaskStore, paginate
from emulator.task import Task

CANCELED_MESSAGE = "canceled: the batch was canceled before this item started."
EXPIRED_MESSAGE = "canceled: the batch expired before this item finished."


class BatchRunner:
    """Every batch by id, in creation order, and the workers that run their items."""

    def __init__(
        self,
        config: EmulatorConfig,
        store: TaskStore,
        lifecycle: TaskLifecycle,
        ids: IdFactory,
        background: BackgroundWork,
    ) -> None:
        self._config = config
        self._store = store
        self._lifecycle = lifecycle
        self._ids = ids
        self._background = background
        self._batches: dict[str, Batch] = {}

    def __len__(self) -> int:
        return len(self._batches)

    def create(self, request: BatchRequest) -> Batch:
        """Store a batch and its queued tasks, then start working through them."""
        limit = self._config.max_active_batches
        if sum(batch.active for batch in self._batches.values()) >= limit:
            raise TooManyActiveBatches(
                f"You already have {limit} active batches; wait until one completes or cancel "
                "one, then submit again."
            )
        tasks = [self._lifecycle.enqueue(task_request) for task_request in request.requests]
        batch = Batch(
            batch_id=self._ids.batch_id(),
            model_name=request.model_name,
            analysis_mode=request.analysis_mode,
            created_at=time.time(),
            tasks=tasks,
        )
        self._batches[batch.batch_id] = batch
        queue = deque(tasks)
        for _ in range(min(self._config.batch_concurrency, len(tasks))):
            self._background.spawn(self._work(batch, queue))
        return batch

    def get(self, batch_id: str) -> Batch:
        try:
            return self._batches[batch_id]
        except KeyError:
            raise BatchNotFound(batch_id) from None

    def page(self, page: int, limit: int, keep: Callable[[Batch], bool]) -> Page[Batch]:
        return paginate(list(self._batches.values()), page, limit, keep)

    def cancel(self, batch_id: str) -> dict[str, Any]:
        """Cancel the waiting items; answer the batch as it was before the cancel."""
        batch = self._active(batch_id)
        before = batch.to_json()
        now = time.time()
        batch.cancel_requested_at = now
        for task in batch.waiting():
            self._end(batch, task, CANCELED_MESSAGE)
        batch.settle(now)
        return before

    def expire(self, batch_id: str) -> Batch:
        """End the batch as if its 24 hours had passed: unfinished items are canceled."""
        batch = self._active(batch_id)
        for task in batch.tasks:
            if not task.terminal:
                self._end(batch, task, EXPIRED_MESSAGE)
        batch.expired_at = time.time()
        return batch

    def delete(self, batch_id: str) -> None:
        """Forget a completed, canceled or expired batch and its tasks."""
        batch = self.get(batch_id)
        if batch.active:
            raise BatchConflict(
                "batch_not_terminal",
                f"Batch {batch_id!r} is {batch.status.value}; only completed, canceled or "
                "expired batches can be deleted. Cancel it first.",
            )
        for task in batch.tasks:
            if task.task_id in self._store:
                self._store.delete(task.task_id)
        del self._batches[batch_id]

    def clear(self) -> None:
        self._batches.clear()

    def _active(self, batch_id: str) -> Batch:
        batch = self.get(batch_id)
        if not batch.active:
            status = batch.status.value
            raise BatchConflict(
                f"batch_{status}", f"Batch {batch_id!r} is already {status}; nothing to change."
            )
        return batch

    def _end(self, batch: Batch, task: Task, message: str) -> None:
        batch.canceled_ids.add(task.task_id)
        self._lifecycle.end_early(task, message)

    async def _work(self, batch: Batch, queue: deque[Task]) -> None:
        while queue:
            task = queue.popleft()
            if not task.terminal:
                batch.started_ids.add(task.task_id)
                await self._lifecycle.run(task)
            batch.settle(time.time())
