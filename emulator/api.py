"""The emulated Twelve Labs analyze API, mounted under /v1.3.

``POST /analyze/tasks`` (202), ``GET /analyze/tasks`` (paged, newest first),
``GET /analyze/tasks/{task_id}`` and ``DELETE /analyze/tasks/{task_id}`` (409 until terminal).
Authentication, the version header and injected faults are the ApiGate middleware's job.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.errors import InvalidParameter
from emulator.request import GENERAL, TIME_BASED_METADATA
from emulator.results import video_duration
from emulator.state import EmulatorState
from emulator.task import Task
from emulator.validation import parse_task_request
from tlhooks.analysis import TaskStatus

MAX_PAGE_LIMIT = 50
DEFAULT_PAGE_LIMIT = 10


class AnalyzeApi:
    """Route handlers over one emulator's state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/analyze/tasks", self.create_task, methods=["POST"]),
            Route("/analyze/tasks", self.list_tasks, methods=["GET"]),
            Route("/analyze/tasks/{task_id}", self.get_task, methods=["GET"]),
            Route("/analyze/tasks/{task_id}", self.delete_task, methods=["DELETE"]),
        ]

    async def create_task(self, request: Request) -> Response:
        body = await read_json(request)
        task_request = parse_task_request(
            body, max_definitions=self.state.config.max_segment_definitions
        )
        duration = video_duration(self.state.config.seed, task_request)
        if task_request.end_time is not None and task_request.end_time > duration:
            raise InvalidParameter(
                f"end_time {task_request.end_time} lies beyond the video's {duration} seconds."
            )
        task = self.state.lifecycle.submit(task_request)
        return JSONResponse({"task_id": task.task_id, "status": task.status.value}, 202)

    async def get_task(self, request: Request) -> Response:
        task = self.state.store.get(request.path_params["task_id"])
        return JSONResponse(task.to_json())

    async def delete_task(self, request: Request) -> Response:
        self.state.store.delete(request.path_params["task_id"])
        return Response(status_code=200)

    async def list_tasks(self, request: Request) -> Response:
        query = request.query_params
        page = _positive_int(query.get("page", "1"), "page", None)
        limit = _positive_int(query.get("page_limit", str(DEFAULT_PAGE_LIMIT)), "page_limit", 50)
        status = query.get("status")
        if status is not None and status not in {s.value for s in TaskStatus}:
            raise InvalidParameter(f"status {status!r} is not a task status.", flat=True)
        mode = query.get("analysis_mode")
        if mode is not None and mode not in (GENERAL, TIME_BASED_METADATA):
            raise InvalidParameter(f"analysis_mode {mode!r} is not an analysis mode.", flat=True)

        def keep(task: Task) -> bool:
            video = task.request.video
            return (
                (status is None or task.status.value == status)
                and (mode is None or task.request.analysis_mode == mode)
                and query.get("video_url", video.get("url")) == video.get("url")
                and query.get("asset_id", video.get("asset_id")) == video.get("asset_id")
            )

        found = self.state.store.page(page, limit, keep)
        data = [task.to_json(list_view=True) for task in found.tasks]
        return JSONResponse({"data": data, "page_info": found.page_info()})


def _positive_int(raw: str, name: str, maximum: int | None) -> int:
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise InvalidParameter(
            f"{name} {raw!r} must be an integer of at least 1{bound}.", flat=True
        )
    return int(raw)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidParameter("The request body is not valid JSON.") from None
