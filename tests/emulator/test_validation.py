"""POST /analyze/tasks rejects bad requests with the platform's status and error code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

URL = {"type": "url", "url": "https://m.example.com/v.mp4"}
OK = {"video": URL, "prompt": "Describe."}
P15 = {"video": URL, "model_name": "pegasus1.5"}


def segments(*fields: dict[str, Any], **definition: Any) -> dict[str, Any]:
    entry = {"id": "scene", "description": "Scenes", "fields": list(fields), **definition}
    return {
        **P15,
        "analysis_mode": "time_based_metadata",
        "response_format": {"type": "segment_definitions", "segment_definitions": [entry]},
    }


def field(**overrides: Any) -> dict[str, Any]:
    return {"name": "f", "type": "string", "description": "A field", **overrides}


def schema(json_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        **P15,
        "prompt": "Go.",
        "response_format": {"type": "json_schema", "json_schema": json_schema},
    }


BAD_REQUESTS = {
    "no video": ({"prompt": "x"}, 400, "parameter_not_provided"),
    "unknown video type": (
        {"video": {"type": "ftp", "ftp": "x"}, "prompt": "x"},
        400,
        "parameter_invalid",
    ),
    "two video sources": (
        {"video": {**URL, "asset_id": "a"}, "prompt": "x"},
        400,
        "parameter_invalid",
    ),
    "empty custom_id": ({**OK, "custom_id": ""}, 400, "parameter_invalid"),
    "custom_id with a space": ({**OK, "custom_id": "a b"}, 400, "parameter_invalid"),
    "custom_id of 65 chars": ({**OK, "custom_id": "a" * 65}, 400, "parameter_invalid"),
    "unknown model": ({**OK, "model_name": "pegasus9"}, 400, "parameter_invalid"),
    "general without prompt": ({"video": URL}, 400, "parameter_not_provided"),
    "prompt with tbm": ({**segments(field()), "prompt": "x"}, 400, "parameter_invalid"),
    "tbm on pegasus1.2": (
        {**segments(field()), "model_name": "pegasus1.2"},
        400,
        "parameter_invalid",
    ),
    "tbm without response_format": (
        {**P15, "analysis_mode": "time_based_metadata"},
        400,
        "parameter_not_provided",
    ),
    "segments in general mode": (
        {**segments(field()), "analysis_mode": "general", "prompt": "x"},
        400,
        "parameter_invalid",
    ),
    "temperature above 1": ({**OK, "temperature": 1.5}, 400, "parameter_invalid"),
    "max_tokens too big for p1.2": ({**OK, "max_tokens": 4097}, 400, "parameter_invalid"),
    "max_tokens too small for tbm": (
        {**segments(field()), "max_tokens": 2047},
        400,
        "parameter_invalid",
    ),
    "format on a string": (segments(field(format="seconds")), 400, "parameter_invalid"),
    "timestamp without format": (segments(field(type="timestamp")), 400, "parameter_invalid"),
    "enum of 101 values": (
        segments(field(enum=[str(i) for i in range(101)])),
        400,
        "parameter_invalid",
    ),
    "array without items": (segments(field(type="array")), 400, "parameter_invalid"),
    "items on a string": (segments(field(items={"type": "string"})), 400, "parameter_invalid"),
    "reserved timestamp name": (
        segments(field(name="start_time", type="timestamp", format="seconds")),
        400,
        "parameter_invalid",
    ),
    "overlapping time ranges": (
        segments(
            field(),
            time_ranges=[{"start_time": 0, "end_time": 5}, {"start_time": 4, "end_time": 9}],
        ),
        400,
        "parameter_invalid",
    ),
    "minLength in a schema": (
        schema({"type": "object", "properties": {"a": {"type": "string", "minLength": 1}}}),
        422,
        "parameter_invalid",
    ),
    "additionalProperties": (
        schema({"type": "object", "additionalProperties": False}),
        422,
        "parameter_invalid",
    ),
    "timestamp without format in a schema": (
        schema({"type": "object", "properties": {"t": {"type": "timestamp"}}}),
        400,
        "parameter_invalid",
    ),
    "unknown parameter": ({**OK, "colour": "red"}, 400, "parameter_unknown"),
}


@pytest.mark.parametrize(("body", "status", "code"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_request_is_refused_with_the_platform_status_and_code(
    api: httpx.Client, body: dict[str, Any], status: int, code: str
) -> None:
    response = api.post("/analyze/tasks", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_too_many_segment_definitions_follow_the_configured_limit(
    emulator_factory: Any,
) -> None:
    server = emulator_factory(max_segment_definitions=10)
    body = segments(field())
    definitions = [{"id": f"d{i}", "description": "d"} for i in range(11)]
    body["response_format"]["segment_definitions"] = definitions
    response = httpx.post(server.base_url + "/analyze/tasks", json=body, headers={"x-api-key": "k"})
    assert response.status_code == 400


def test_valid_timestamp_and_time_ranges_are_accepted(api: httpx.Client) -> None:
    ranges = [{"start_time": 0, "end_time": 5}, {"start_time": 5, "end_time": 10}]
    body = segments(field(name="peak", type="timestamp", format="hh:mm:ss.fff"), time_ranges=ranges)
    assert api.post("/analyze/tasks", json=body).status_code == 202
