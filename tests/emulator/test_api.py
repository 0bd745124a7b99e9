"""The emulated /v1.3 analyze API, exercised over HTTP against a running emulator."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from emulator import EmulatorServer, create_app

VIDEO = {"type": "url", "url": "https://media.example.com/clip.mp4"}
GENERAL = {"video": VIDEO, "prompt": "Summarize the clip.", "custom_id": "cam-a_1"}
SEGMENTS = {
    "video": {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"},
    "model_name": "pegasus1.5",
    "analysis_mode": "time_based_metadata",
    "response_format": {
        "type": "segment_definitions",
        "segment_definitions": [
            {
                "id": "scene",
                "description": "Activity intervals",
                "fields": [
                    {"name": "activity", "type": "string", "description": "What happens",
                     "enum": ["feeding", "resting"]},
                    {"name": "people", "type": "integer", "description": "People visible"},
                    {"name": "outdoor", "type": "boolean", "description": "Outdoors"},
                    {"name": "score", "type": "number", "description": "Confidence"},
                    {"name": "tags", "type": "array", "description": "Objects",
                     "items": {"type": "string"}},
                    {"name": "peak", "type": "timestamp", "description": "Peak moment",
                     "format": "hh:mm:ss"},
                ],
            },
            {"id": "logo", "description": "Sponsor logo visible"},
        ],
    },
}  # fmt: skip
TERMINAL = ("ready", "failed")


def settle(api: httpx.Client, task_id: str, wait_until: Callable[..., Any]) -> dict[str, Any]:
    def terminal() -> dict[str, Any] | None:
        task: dict[str, Any] = api.get(f"/analyze/tasks/{task_id}").json()
        return task if task["status"] in TERMINAL else None

    result: dict[str, Any] = wait_until(terminal)
    return result


def test_created_task_is_accepted_queued_and_becomes_ready_with_a_result(
    api: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    created = api.post("/analyze/tasks", json=GENERAL)
    assert created.status_code == 202
    assert re.fullmatch(r"[0-9a-f]{24}", created.json()["task_id"])
    assert created.json()["status"] == "queued"
    task = settle(api, created.json()["task_id"], wait_until)
    assert task["status"] == "ready"
    assert task["custom_id"] == "cam-a_1"
    assert {"created_at", "completed_at", "video_source", "request_params"} <= task.keys()
    assert set(task["result"]) == {"generation_id", "data", "finish_reason", "usage"}
    assert task["result"]["finish_reason"] == "stop"
    assert task["result"]["usage"]["output_tokens"] > 0
    assert "error" not in task
    assert task["request_params"]["prompt"] == "Summarize the clip."
    assert task["video_source"]["system_metadata"]["duration"] >= 60


def test_task_passes_through_pending_and_processing_before_it_is_done(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    server = emulator_factory(clock=0.6)
    seen = set()
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": "k"}) as api:
        task_id = api.post("/analyze/tasks", json=GENERAL).json()["task_id"]
        for _ in range(100):
            task = api.get(f"/analyze/tasks/{task_id}").json()
            seen.add(task["status"])
            assert ("result" in task) == (task["status"] == "ready")
            assert ("completed_at" in task) == (task["status"] in TERMINAL)
            if task["status"] in TERMINAL:
                break
            time.sleep(0.03)
    assert {"queued", "pending", "processing", "ready"} <= seen


def test_time_based_metadata_result_is_typed_non_overlapping_segments_inside_the_video(
    api: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    task_id = api.post("/analyze/tasks", json=SEGMENTS).json()["task_id"]
    task = settle(api, task_id, wait_until)
    duration = task["video_source"]["system_metadata"]["duration"]
    data = json.loads(task["result"]["data"])
    assert set(data) == {"scene", "logo"}
    scenes = data["scene"]
    assert scenes
    for previous, current in itertools.pairwise(scenes):
        assert previous["end_time"] <= current["start_time"]
    for segment in scenes:
        assert 0 <= segment["start_time"] < segment["end_time"] <= duration
        metadata = segment["metadata"]
        assert metadata["activity"] in ("feeding", "resting")
        assert isinstance(metadata["people"], int)
        assert isinstance(metadata["outdoor"], bool)
        assert isinstance(metadata["score"], float)
        assert all(isinstance(tag, str) for tag in metadata["tags"])
        assert re.fullmatch(r"\d\d:\d\d:\d\d", metadata["peak"])
    assert all(segment["metadata"] == {} for segment in data["logo"])


def test_json_schema_result_is_a_document_with_the_declared_types(
    api: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "count": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "mood": {"type": "string", "enum": ["calm", "busy"]},
        },
        "required": ["title", "count"],
    }
    body = {**GENERAL, "response_format": {"type": "json_schema", "json_schema": schema}}
    task = settle(api, api.post("/analyze/tasks", json=body).json()["task_id"], wait_until)
    document = json.loads(task["result"]["data"])
    assert isinstance(document["title"], str)
    assert 1 <= document["count"] <= 5
    assert document["tags"]
    assert all(isinstance(t, str) for t in document["tags"])
    assert document["mood"] in ("calm", "busy")


def test_same_seed_gives_same_ids_and_results(
    emulator_factory: Callable[..., EmulatorServer], wait_until: Callable[..., Any]
) -> None:
    outcomes = []
    for _ in range(2):
        server = emulator_factory(seed=7, clock=0)
        with httpx.Client(base_url=server.base_url, headers={"x-api-key": "k"}) as api:
            task_id = api.post("/analyze/tasks", json=SEGMENTS).json()["task_id"]
            outcomes.append((task_id, settle(api, task_id, wait_until)["result"]))
    assert outcomes[0] == outcomes[1]


def test_request_without_api_key_is_refused_with_a_nested_error(emulator: EmulatorServer) -> None:
    response = httpx.get(emulator.base_url + "/analyze/tasks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_invalid"
    assert response.headers["X-Api-Version"] == "1.3"


def test_configured_api_key_must_match(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = emulator_factory(api_key="right")
    wrong = httpx.get(server.base_url + "/analyze/tasks", headers={"x-api-key": "wrong"})
    right = httpx.get(server.base_url + "/analyze/tasks", headers={"x-api-key": "right"})
    assert (wrong.status_code, right.status_code) == (401, 200)


def test_unknown_task_answers_404_with_a_nested_error(api: httpx.Client) -> None:
    response = api.get("/analyze/tasks/0123456789abcdef01234567")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_not_exist"
    assert response.headers["X-Api-Version"] == "1.3"


def test_list_is_newest_first_paged_and_filtered_by_status(
    api: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    ids = [api.post("/analyze/tasks", json=GENERAL).json()["task_id"] for _ in range(3)]
    first = api.get("/analyze/tasks", params={"page_limit": 2}).json()
    assert [t["task_id"] for t in first["data"]] == ids[::-1][:2]
    assert first["page_info"] == {
        "limit_per_page": 2, "page": 1, "total_page": 2, "total_results": 3,
    }  # fmt: skip
    second = api.get("/analyze/tasks", params={"page_limit": 2, "page": 2}).json()
    assert [t["task_id"] for t in second["data"]] == [ids[0]]
    for task_id in ids:
        settle(api, task_id, wait_until)
    ready = api.get("/analyze/tasks", params={"status": "ready"}).json()
    queued = api.get("/analyze/tasks", params={"status": "queued"}).json()
    assert (ready["page_info"]["total_results"], queued["data"]) == (3, [])


def test_list_truncates_prompts_and_rejects_a_page_limit_over_50(api: httpx.Client) -> None:
    api.post("/analyze/tasks", json={**GENERAL, "prompt": "x" * 80})
    listed = api.get("/analyze/tasks").json()["data"][0]
    assert listed["request_params"]["prompt"] == "x" * 30
    too_many = api.get("/analyze/tasks", params={"page_limit": 51})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "parameter_invalid"


def test_task_cannot_be_deleted_until_it_is_terminal(
    api: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    task_id = api.post("/analyze/tasks", json=GENERAL).json()["task_id"]
    early = api.delete(f"/analyze/tasks/{task_id}")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "task_not_terminal"
    settle(api, task_id, wait_until)
    assert api.delete(f"/analyze/tasks/{task_id}").status_code == 200
    assert api.get(f"/analyze/tasks/{task_id}").status_code == 404


@pytest.mark.anyio
async def test_create_app_serves_the_api_in_process() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        refused = await client.get("/v1.3/analyze/tasks")
        listed = await client.get("/v1.3/analyze/tasks", headers={"x-api-key": "k"})
    await app.state.emulator.shutdown()
    assert (refused.status_code, listed.json()["data"]) == (401, [])
