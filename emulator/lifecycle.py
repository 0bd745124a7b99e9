"""TaskLifecycle: creates tasks and moves them queued -> pending -> processing -> ready|failed.

The clock (``EmulatorConfig.clock`` seconds in all) is split 20% queued, 30% pending, 50%
processing. How a task ends is decided when it is created, from the ``fail_fraction`` and
``truncate_fraction`` faults. On reaching its terminal status a task's notification is sent.
A task ended early (a canceled or expired batch item, see ``emulator.batch_runner``) stops its
clock at the next stage and sends nothing.
"""

from __future__ import annotations

import asyncio
import time

from emulator._background import BackgroundWork
from emulator.config import EmulatorConfig
from emulator.delivery import WebhookDispatcher
from emulator.faults import FaultInjector
from emulator.ids import IdFactory
from emulator.request import TaskRequest
from emulator.results import ResultGenerator, video_duration
from emulator.store import TaskStore
from emulator.task import Outcome, Task
from tlhooks.analysis import TaskStatus

_STAGES = ((TaskStatus.PENDING, 0.2), (TaskStatus.PROCESSING, 0.3))
_FINAL_SHARE = 0.5


class TaskLifecycle:
    """Owns task creation and the clock that drives every task to its end."""

    def __init__(
        self,
        config: EmulatorConfig,
        store: TaskStore,
        faults: FaultInjector,
        ids: IdFactory,
        dispatcher: WebhookDispatcher,
        background: BackgroundWork,
    ) -> None:
        self._config = config
        self._store = store
        self._faults = faults
        self._ids = ids
        self._dispatcher = dispatcher
        self._background = background
        self._results = ResultGenerator(config.seed)

    def new_task(self, request: TaskRequest, task_id: str | None = None) -> Task:
        """A queued task, not yet stored or started."""
        task = Task(
            task_id=task_id or self._ids.task_id(),
            request=request,
            created_at=time.time(),
            duration=video_duration(self._config.seed, request),
        )
        for url in self._config.webhook_urls:
            task.webhook(url)
        return task

    def submit(self, request: TaskRequest) -> Task:
        """Store a new task and start its clock (the ``POST /analyze/tasks`` path)."""
        task = self.enqueue(request)
        self._background.spawn(self.run(task))
        return task

    def enqueue(self, request: TaskRequest) -> Task:
        """Store a new queued task, its outcome rolled, without starting its clock."""
        task = self.new_task(request)
        if self._faults.roll_failure():
            task.outcome = Outcome.FAILED
        elif self._faults.roll_truncation():
            task.outcome = Outcome.TRUNCATED
        return self._store.add(task)

    def end_early(self, task: Task, message: str) -> None:
        """Fail a task that will not run to its end, without a notification [undoc]."""
        task.outcome = Outcome.FAILED
        self.finish(task, error_message=message, notify=False)

    def finish(
        self,
        task: Task,
        *,
        data: str | None = None,
        error_message: str | None = None,
        notify: bool = True,
    ) -> Task:
        """Bring a task to its terminal status now, and send its notification if asked."""
        self._results.complete(task, data=data, error_message=error_message)
        task.completed_at = time.time()
        if notify:
            self._dispatcher.notify(task)
        return task

    async def run(self, task: Task) -> None:
        """Walk a queued task through its stages to its terminal status."""
        clock = self._config.clock
        for status, share in _STAGES:
            await asyncio.sleep(clock * share)
            if task.terminal:
                return
            task.status = status
        await asyncio.sleep(clock * _FINAL_SHARE)
        if not task.terminal:
            self.finish(task)
