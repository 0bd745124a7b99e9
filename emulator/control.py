"""The control API under /_emulator/: how tests steer and observe the emulator. No api key.

``POST /_emulator/tasks``
    Create a task directly in a terminal state and deliver its webhook(s) in the background.
    Body: ``{"status": "ready"|"failed", "custom_id": str|null, "task_id"?: 24 hex,
    "analysis_mode"?: "general"|"time_based_metadata", "response_format"?: {...},
    "result_data"?: str (verbatim result.data), "finish_reason"?: "stop"|"length",
    "error_message"?: str, "send_webhook"?: bool = true}``. Answers 201 with the task JSON.
    A time_based_metadata task without response_format gets one ``scene`` definition.
``GET /_emulator/faults``, ``POST /_emulator/faults``
    Read, or merge a partial update into, the fault settings (see ``emulator.faults``).
``POST /_emulator/reset``
    Cancel running clocks and deliveries; forget tasks, both logs and every fault.
``GET /_emulator/requests``
    ``[{"method", "path", "status", "at"}]``: every /v1.3 request, oldest first.
``GET /_emulator/deliveries``
    ``[{"url", "event_id", "task_id", "type", "status_code", "error", "attempt", "at"}]``:
    every webhook POST attempt, oldest first.
``POST /_emulator/webhooks/{task_id}/resend``
    Send a terminal task's notification again, with a new notification id, or with the last
    one when the body is ``{"same_id": true}``. Answers 202 ``{"task_id", "event_id"}``.
``POST /_emulator/batches/{batch_id}/expire``
    Expire an active batch now, as the platform does 24 h after creation: unfinished items
    become canceled. Answers 200 with the batch JSON; 409 once the batch has ended.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.api import read_json
from emulator.errors import ApiError, InvalidParameter
from emulator.ids import is_task_id
from emulator.request import TIME_BASED_METADATA
from emulator.state import EmulatorState
from emulator.task import Outcome
from emulator.validation import parse_task_request

DEFAULT_DEFINITION = {
    "id": "scene",
    "description": "Contiguous shots showing one activity",
    "fields": [
        {"name": "activity", "type": "string", "description": "Main activity",
         "enum": ["feeding", "eating", "resting", "other"]},
        {"name": "people_count", "type": "integer", "description": "People visible"},
    ],
}  # fmt: skip


class TaskConflict(ApiError):
    status_code = 409
    code = "resource_conflict"


class ControlApi:
    """Route handlers of the /_emulator/ control API."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/tasks", self.create_task, methods=["POST"]),
            Route("/faults", self.get_faults, methods=["GET"]),
            Route("/faults", self.set_faults, methods=["POST"]),
            Route("/reset", self.reset, methods=["POST"]),
            Route("/requests", self.requests, methods=["GET"]),
            Route("/deliveries", self.deliveries, methods=["GET"]),
            Route("/webhooks/{task_id}/resend", self.resend, methods=["POST"]),
            Route("/batches/{batch_id}/expire", self.expire_batch, methods=["POST"]),
        ]

    async def create_task(self, request: Request) -> Response:
        spec = await read_json(request)
        if not isinstance(spec, dict) or spec.get("status") not in ("ready", "failed"):
            raise InvalidParameter('status must be "ready" or "failed".')
        task_id = spec.get("task_id")
        if task_id is not None and (not isinstance(task_id, str) or not is_task_id(task_id)):
            raise InvalidParameter("task_id must be 24 lowercase hexadecimal characters.")
        if task_id in self.state.store:
            raise TaskConflict(f"A task with id {task_id!r} already exists.")
        if spec.get("finish_reason", "stop") not in ("stop", "length"):
            raise InvalidParameter('finish_reason must be "stop" or "length".')
        lifecycle = self.state.lifecycle
        task = lifecycle.new_task(_task_request(spec, self.state), task_id)
        if spec["status"] == "failed":
            task.outcome = Outcome.FAILED
        elif spec.get("finish_reason") == "length":
            task.outcome = Outcome.TRUNCATED
        self.state.store.add(task)
        lifecycle.finish(
            task,
            data=_optional_str(spec, "result_data"),
            error_message=_optional_str(spec, "error_message"),
            notify=bool(spec.get("send_webhook", True)),
        )
        return JSONResponse(task.to_json(), status_code=201)

    async def get_faults(self, _request: Request) -> Response:
        return JSONResponse(self.state.faults.settings.to_json())

    async def set_faults(self, request: Request) -> Response:
        settings = self.state.faults.merge(await read_json(request))
        return JSONResponse(settings.to_json())

    async def reset(self, _request: Request) -> Response:
        await self.state.reset()
        return JSONResponse({"reset": True})

    async def requests(self, _request: Request) -> Response:
        return JSONResponse(self.state.journal.requests_json())

    async def deliveries(self, _request: Request) -> Response:
        return JSONResponse(self.state.journal.deliveries_json())

    async def resend(self, request: Request) -> Response:
        task = self.state.store.get(request.path_params["task_id"])
        if not task.terminal:
            raise TaskConflict(
                f"Task {task.task_id!r} is {task.status.value}; it has no webhook yet."
            )
        options = await read_json(request)
        same_id = isinstance(options, dict) and options.get("same_id") is True
        event_id = self.state.dispatcher.notify(task, same_id=same_id)
        return JSONResponse({"task_id": task.task_id, "event_id": event_id}, status_code=202)

    async def expire_batch(self, request: Request) -> Response:
        batch = self.state.batches.expire(request.path_params["batch_id"])
        return JSONResponse(batch.to_json())


def _task_request(spec: dict[str, Any], state: EmulatorState) -> Any:
    mode = spec.get("analysis_mode", "general")
    body: dict[str, Any] = {
        "video": {"type": "url", "url": "https://media.example.com/emulator/control.mp4"},
        "custom_id": spec.get("custom_id"),
        "analysis_mode": mode,
    }
    if mode == TIME_BASED_METADATA:
        body["model_name"] = "pegasus1.5"
        body["response_format"] = spec.get(
            "response_format",
            {"type": "segment_definitions", "segment_definitions": [DEFAULT_DEFINITION]},
        )
    else:
        body["prompt"] = "Describe what happens in the video."
        if spec.get("response_format") is not None:
            body["model_name"] = "pegasus1.5"
            body["response_format"] = spec["response_format"]
    return parse_task_request(body, max_definitions=state.config.max_segment_definitions)


def _optional_str(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidParameter(f"{key} must be a string.")
    return value
