"""Builders of tasks and results for the validation tests."""

from __future__ import annotations

import json
from typing import Any

from tlhooks.analysis import AnalyzeTask

ALL_TYPES: list[dict[str, Any]] = [
    {"name": "title", "type": "string", "description": "Headline"},
    {"name": "mood", "type": "string", "description": "Mood", "enum": ["calm", "busy"]},
    {"name": "outdoor", "type": "boolean", "description": "Outdoors"},
    {"name": "score", "type": "number", "description": "Score"},
    {"name": "count", "type": "integer", "description": "People"},
    {"name": "tags", "type": "array", "description": "Tags", "items": {"type": "string"}},
    {"name": "at", "type": "timestamp", "description": "Moment", "format": "seconds"},
    {"name": "clock", "type": "timestamp", "description": "Clock", "format": "hh:mm:ss"},
    {"name": "exact", "type": "timestamp", "description": "Exact", "format": "hh:mm:ss.fff"},
]
GOOD_METADATA: dict[str, Any] = {
    "title": "Keeper arrives",
    "mood": "calm",
    "outdoor": True,
    "score": 0.5,
    "count": 2,
    "tags": ["keeper"],
    "at": 3.5,
    "clock": "00:00:04",
    "exact": "00:00:04.250",
}


def definition(
    identifier: str = "scene", fields: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "id": identifier,
        "description": f"{identifier} intervals",
        "fields": fields or ALL_TYPES,
    }


def segment(start: float | str, end: float | str, **metadata: Any) -> dict[str, Any]:
    return {"start_time": start, "end_time": end, "metadata": metadata or dict(GOOD_METADATA)}


def make_task(
    data: Any,
    definitions: list[dict[str, Any]] | None = None,
    *,
    time_format: str | None = None,
    finish_reason: str = "stop",
    duration: float | None = None,
    response_format: dict[str, Any] | None = None,
    plain: bool = False,
    **params: Any,
) -> AnalyzeTask:
    """A ready task whose result is ``data`` (JSON-encoded unless already a string)."""
    if response_format is None and not plain:
        response_format = {
            "type": "segment_definitions",
            "segment_definitions": definitions or [definition()],
        }
        if time_format is not None:
            response_format["segment_time_format"] = time_format
    task: dict[str, Any] = {
        "task_id": "68ab41c2e5f1d93a7c2b0e14",
        "custom_id": None,
        "status": "ready",
        "request_params": {
            "analysis_mode": "time_based_metadata",
            "response_format": response_format,
            **params,
        },
        "result": {
            "generation_id": "gen_test",
            "data": data if isinstance(data, str) else json.dumps(data),
            "finish_reason": finish_reason,
            "usage": {"output_tokens": 10},
        },
    }
    if duration is not None:
        task["video_source"] = {"type": "asset_id", "system_metadata": {"duration": duration}}
    return AnalyzeTask.model_validate(task)
