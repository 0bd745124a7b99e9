"""The emulated batch endpoints, exercised over HTTP against a running emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from emulator import EmulatorServer

ASSET = {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"}
PROMPT = {"input_text": "Describe the enclosure."}
SEGMENTS = {
    "type": "segment_definitions",
    "segment_definitions": [{"id": "scene", "description": "Scenes"}],
}


def general_batch(*items: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    return {
        "model_name": "pegasus1.5",
        "analysis_mode": "general",
        "defaults": {"prompt": PROMPT, **defaults},
        "requests": list(items) or [{"video": ASSET}],
    }


@pytest.fixture
def slow_api(emulator_factory: Callable[..., EmulatorServer]) -> Iterator[httpx.Client]:
    """A client of an emulator whose tasks take 3 s and whose batches run one item at a time."""
    server = emulator_factory(clock=3.0, batch_concurrency=1)
    with httpx.Client(base_url=server.root_url, headers={"x-api-key": "k"}) as client:
        yield client


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"model_name": "pegasus1.2"}, "parameter_invalid"),
        ({"model_name": None}, "parameter_not_provided"),
        ({"requests": []}, "parameter_invalid"),
        ({"requests": [{"video": ASSET}] * 1001}, "parameter_invalid"),
        ({"requests": [{"video": {"type": "url", "url": "https://a.example/v.mp4"}}]}, None),
        ({"requests": [{"video": {"type": "asset_id", "asset_id": "nope"}}]}, None),
        ({"requests": [{"video": ASSET, "custom_id": "bad id"}]}, None),
        ({"requests": [{"video": ASSET, "custom_id": "a"}, {"video": ASSET, "custom_id": "a"}]},
         None),
        ({"defaults": {"prompt": PROMPT, "temperature": 3}}, None),
        ({"defaults": {}}, "parameter_not_provided"),
        ({"analysis_mode": "time_based_metadata"}, None),
        ({"colour": "red"}, "parameter_unknown"),
    ],
)  # fmt: skip
def test_an_invalid_batch_is_refused_with_400(
    api: httpx.Client, change: dict[str, Any], code: str | None
) -> None:
    body = {**general_batch(), **change}

    response = api.post("/analyze/batches", json={k: v for k, v in body.items() if v is not None})

    assert response.status_code == 400
    assert error_code(response) == (code or "parameter_invalid")


def test_item_overrides_replace_the_default_prompt_and_response_format_whole(
    api: httpx.Client,
) -> None:
    own_prompt = {"input_text": "Count the keepers."}
    body = general_batch(
        {"video": ASSET, "custom_id": "plain"},
        {"video": ASSET, "custom_id": "custom", "prompt": own_prompt, "temperature": 0.9},
        temperature=0.5,
        max_tokens=1024,
    )

    created = api.post("/analyze/batches", json=body).json()
    tasks = [api.get(f"/analyze/tasks/{item['task_id']}").json() for item in created["items"]]

    params = [task["request_params"] for task in tasks]
    assert [p["prompt_v2"] for p in params] == [PROMPT, own_prompt]
    assert [(p["temperature"], p["max_tokens"]) for p in params] == [(0.5, 1024), (0.9, 1024)]
    assert [task["custom_id"] for task in tasks] == ["plain", "custom"]


def test_a_created_batch_answers_201_with_its_items_and_a_24_hour_expiry(
    api: httpx.Client,
) -> None:
    response = api.post("/analyze/batches", json=general_batch({"video": ASSET}))

    body = response.json()
    assert response.status_code == 201
    assert sorted(body) == [
        "batch_id", "created_at", "expires_at", "items", "status", "total_items"
    ]  # fmt: skip
    assert (body["status"], body["total_items"], body["items"][0]["custom_id"]) == (
        "pending",
        1,
        None,
    )
    assert body["expires_at"][:10] > body["created_at"][:10]


def test_results_are_json_lines_while_the_batch_is_still_running(slow_api: httpx.Client) -> None:
    created = slow_api.post(
        "/v1.3/analyze/batches", json=general_batch(*[{"video": ASSET}] * 3)
    ).json()

    response = slow_api.get(f"/v1.3/analyze/batches/{created['batch_id']}/results")
    status = slow_api.get(f"/v1.3/analyze/batches/{created['batch_id']}").json()

    lines = [json.loads(line) for line in response.text.splitlines()]
    assert response.headers["content-type"].startswith("application/jsonl")
    assert [line["status"] for line in lines] == ["processing", "queued", "queued"]
    assert all(sorted(line) == ["custom_id", "status", "task_id"] for line in lines)
    assert (status["status"], status["processing_items"], status["queued_items"]) == (
        "processing",
        1,
        2,
    )
    assert "completed_at" not in status


def test_a_failed_item_carries_an_error_and_the_batch_still_completes(
    api: httpx.Client, control: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    control.post("/faults", json={"fail_fraction": 1.0})
    batch_id = api.post("/analyze/batches", json=general_batch()).json()["batch_id"]

    status = wait_until(
        lambda: (s := api.get(f"/analyze/batches/{batch_id}").json())["status"] == "completed" and s
    )
    line = json.loads(api.get(f"/analyze/batches/{batch_id}/results").text)

    assert (status["failed_items"], status["ready_items"]) == (1, 0)
    assert line["status"] == "failed"
    assert line["error"]["message"]
    assert "data" not in line


def test_the_batch_list_filters_by_repeated_status_and_mode_newest_first(
    slow_api: httpx.Client,
) -> None:
    tbm = {
        "model_name": "pegasus1.5",
        "analysis_mode": "time_based_metadata",
        "defaults": {"response_format": SEGMENTS},
        "requests": [{"video": ASSET}],
    }
    first = slow_api.post("/v1.3/analyze/batches", json=general_batch()).json()["batch_id"]
    second = slow_api.post("/v1.3/analyze/batches", json=tbm).json()["batch_id"]
    third = slow_api.post("/v1.3/analyze/batches", json=general_batch()).json()["batch_id"]
    slow_api.post(f"/v1.3/analyze/batches/{third}/cancel")

    def listed(query: str) -> list[str]:
        body = slow_api.get("/v1.3/analyze/batches?" + query).json()
        return [batch["batch_id"] for batch in body["data"]]

    assert listed("") == [third, second, first]
    assert listed("status=pending&status=processing") == [second, first]
    assert listed("analysis_mode=time_based_metadata") == [second]
    assert listed("page=2&page_limit=2") == [first]
    assert slow_api.get("/v1.3/analyze/batches?page_limit=51").status_code == 400
    assert slow_api.get("/v1.3/analyze/batches?status=failed").status_code == 400


def test_an_expired_batch_cancels_its_unfinished_items_and_can_then_be_deleted(
    slow_api: httpx.Client,
) -> None:
    created = slow_api.post("/v1.3/analyze/batches", json=general_batch()).json()
    batch_id, task_id = created["batch_id"], created["items"][0]["task_id"]

    expired = slow_api.post(f"/_emulator/batches/{batch_id}/expire").json()
    cancel = slow_api.post(f"/v1.3/analyze/batches/{batch_id}/cancel")
    deleted = slow_api.delete(f"/v1.3/analyze/batches/{batch_id}")

    assert (expired["status"], expired["canceled_items"], "expired_at" in expired) == (
        "expired",
        1,
        True,
    )
    assert (cancel.status_code, error_code(cancel)) == (409, "batch_expired")
    assert deleted.status_code == 200
    assert slow_api.get(f"/v1.3/analyze/batches/{batch_id}").status_code == 404
    assert slow_api.get(f"/v1.3/analyze/tasks/{task_id}").status_code == 404
    assert slow_api.delete(f"/v1.3/analyze/batches/{batch_id}").status_code == 404


def test_batch_items_are_ordinary_tasks_delivered_by_webhook(
    api: httpx.Client, receiver: Any, wait_until: Callable[..., Any]
) -> None:
    created = api.post("/analyze/batches", json=general_batch({"video": ASSET})).json()

    deliveries = receiver.wait_for(1)

    envelope = json.loads(deliveries[0].body)
    assert envelope["type"] == "analyze.task.ready"
    assert envelope["data"]["id"] == created["items"][0]["task_id"]
    listed = api.get("/analyze/tasks").json()["data"]
    assert [task["task_id"] for task in listed] == [created["items"][0]["task_id"]]
