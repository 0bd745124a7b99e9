"""Typed models of a Twelve Labs analysis task, as ``GET /analyze/tasks/{task_id}`` returns it.

Unknown fields are kept (``extra="allow"``) so a newer API version never breaks parsing.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

TASK_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class TaskStatus(StrEnum):
    QUEUED = "queued"
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow")


class Usage(_Tolerant):
    output_tokens: int
    input_tokens: int | None = None


class TaskResult(_Tolerant):
    generation_id: str | None = None
    data: str
    finish_reason: str
    usage: Usage | None = None


class TaskError(_Tolerant):
    message: str


class ResponseFormat(_Tolerant):
    type: str
    json_schema: dict[str, Any] | None = None
    segment_definitions: list[dict[str, Any]] | None = None
    segment_time_format: str | None = None


class RequestParams(_Tolerant):
    analysis_mode: str | None = None
    response_format: ResponseFormat | None = None


class AnalyzeTask(_Tolerant):
    """An analysis task. ``result`` is present only when ready; ``error`` when failed or cut."""

    task_id: str
    custom_id: str | None = None
    status: TaskStatus
    created_at: str | None = None
    completed_at: str | None = None
    request_params: RequestParams | None = None
    result: TaskResult | None = None
    error: TaskError | None = None

    @property
    def structured(self) -> bool:
        """Whether ``result.data`` is a JSON document rather than free text."""
        params = self.request_params
        if params is None:
            return False
        if params.analysis_mode == "time_based_metadata":
            return True
        return params.response_format is not None

    def parsed_data(self) -> Any:
        """``result.data``, decoded from its JSON string when the task asked for structure.

        Raises ``ValueError`` when structured data is not valid JSON.
        """
        if self.result is None:
            return None
        if not self.structured:
            return self.result.data
        return json.loads(self.result.data)
