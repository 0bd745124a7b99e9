"""The emulated Twelve Labs analyze API, mounted under /v1.3.

``POST /analyze/tasks`` (202), ``GET /analyze/tasks`` (paged, newest first),
``GET /analyze/tasks/{task_id}`` and ``DELETE /analyze/tasks/{task_id}`` (409 until terminal).
``POST /analyze/tasks`` honours an ``Idempotency-Key`` header [undoc: see
``emulator.idempotency``]. The batch endpoints are ``emulator.batch_api``'s. Authentication, the
version header and injected faults are the ApiGate middleware's job.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.errors import InvalidParameter
from emulator.idempotency import HEADER as IDEMPOTENCY_KEY
from emulator.request import GENERAL, TIME_BASED_METADATA, TaskRequest
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
        key = request.headers.get(IDEMPOTENCY_KEY)
        replayed = self.state.idempotency.replay(key, body)
        if replayed is not None:
            return JSONResponse(replayed, 202)
        task_request = parse_task_request(
            body, max_definitions=self.state.config.max_segment_definitions
        )
        check_window(self.state.config.seed, task_request)
        task = self.state.lifecycle.submit(task_request)
        answer = {"task_id": task.task_id, "status": task.status.value}
        self.state.idempotency.record(key, body, answer)
        return JSONResponse(answer, 202)

    async def get_task(self, request: Request) -> Response:
        task = self.state.store.get(request.path_params["task_id"])
        return JSONResponse(task.to_json())

    async def delete_task(self, request: Request) -> Response:
        self.state.store.delete(request.path_params["task_id"])
        return Response(status_code=200)

    async def list_tasks(self, request: Request) -> Response:
        query = request.query_params
        page = positive_int(query.get("page", "1"), "page", None)
        limit = positive_int(
            query.get("page_limit", str(DEFAULT_PAGE_LIMIT)), "page_limit", MAX_PAGE_LIMIT
        )
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
        data = [task.to_json(list_view=True) for task in found.items]
        return JSONResponse({"data": data, "page_info": found.page_info()})


def positive_int(raw: str, name: str, maximum: int | None, *, flat: bool = True) -> int:
    """A paging query value; the task list answers errors flat, the batch list nested."""
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise InvalidParameter(
            f"{name} {raw!r} must be an integer of at least 1{bound}.", flat=flat
        )
    return int(raw)


def check_window(seed: int, request: TaskRequest, *, where: str = "") -> None:
    """Reject an end_time or a time range beyond the video's emulated duration."""
    duration = video_duration(seed, request)
    ends = [request.end_time] if request.end_time is not None else []
    for definition in request.segment_definitions:
        ends += [float(r["end_time"]) for r in definition.get("time_ranges") or []]
    if ends and max(ends) > duration:
        raise InvalidParameter(
            f"{where}end_time {max(ends)} lies beyond the video's {duration} seconds."
        )


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidParameter("The request body is not valid JSON.") from None
