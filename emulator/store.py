"""TaskStore: the emulator's tasks, in creation order, with the list endpoints' paging."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from emulator.errors import TaskInProgress, TaskNotFound
from emulator.task import Task

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of tasks or batches, newest first, and the ``page_info`` a list reports."""

    items: list[T]
    page: int
    limit: int
    total_results: int

    @property
    def total_page(self) -> int:
        return max(1, math.ceil(self.total_results / self.limit))

    def page_info(self) -> dict[str, int]:
        return {
            "limit_per_page": self.limit,
            "page": self.page,
            "total_page": self.total_page,
            "total_results": self.total_results,
        }


class TaskStore:
    """Holds every task by id. Only the emulator's event loop touches it."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._tasks

    def add(self, task: Task) -> Task:
        self._tasks[task.task_id] = task
        return task

    def get(self, task_id: str) -> Task:
        try:
            return self._tasks[task_id]
        except KeyError:
            raise TaskNotFound(task_id) from None

    def delete(self, task_id: str) -> Task:
        task = self.get(task_id)
        if not task.terminal:
            raise TaskInProgress(task_id)
        return self._tasks.pop(task_id)

    def page(self, page: int, limit: int, keep: Callable[[Task], bool] | None = None) -> Page[Task]:
        return paginate(list(self._tasks.values()), page, limit, keep)

    def clear(self) -> None:
        self._tasks.clear()


def paginate(
    oldest_first: list[T], page: int, limit: int, keep: Callable[[T], bool] | None
) -> Page[T]:
    """The ``page``-th slice of ``limit`` matching entries, newest first."""
    matching = [item for item in reversed(oldest_first) if keep is None or keep(item)]
    start = (page - 1) * limit
    return Page(matching[start : start + limit], page, limit, len(matching))
