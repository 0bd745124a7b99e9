"""The /_emulator control API: terminal tasks on demand, signed webhooks, logs, resend, reset."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from tlhooks.signing import SignatureVerifier

if TYPE_CHECKING:
    from conftest import WebhookReceiver


def test_control_task_is_ready_at_once_and_its_webhook_arrives_signed(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    created = control.post("/tasks", json={"status": "ready", "custom_id": "cam-a_1"})
    assert created.status_code == 201
    task = created.json()
    assert task["status"] == "ready"
    assert task["result"]["finish_reason"] == "stop"
    [delivery] = receiver.wait_for(1)
    SignatureVerifier(["whsec_emulator"]).verify(delivery.headers["tl-signature"], delivery.body)
    assert delivery.headers["content-type"] == "application/json"
    envelope = json.loads(delivery.body)
    assert re.fullmatch(r"whe_[0-9a-f]{32}", envelope["id"])
    assert envelope["type"] == "analyze.task.ready"
    assert envelope["data"] == {
        "id": task["task_id"], "custom_id": "cam-a_1", "status": "ready",
        "created_at": task["created_at"],
    }  # fmt: skip
    assert delivery.body == json.dumps(envelope, separators=(",", ":")).encode()


def test_failed_control_task_has_an_error_and_sends_a_failed_event(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    task = control.post(
        "/tasks", json={"status": "failed", "custom_id": None, "error_message": "bad video"}
    ).json()
    assert (task["status"], task["error"], task["custom_id"]) == (
        "failed",
        {"message": "bad video"},
        None,
    )
    assert "result" not in task
    assert "completed_at" in task
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery.body)["type"] == "analyze.task.failed"


def test_control_task_takes_its_id_result_data_and_truncation_verbatim(
    control: httpx.Client, api: httpx.Client
) -> None:
    task_id = "0123456789abcdef01234567"
    control.post(
        "/tasks",
        json={"status": "ready", "custom_id": "x", "task_id": task_id, "result_data": '{"a":',
              "finish_reason": "length", "send_webhook": False},
    )  # fmt: skip
    task = api.get(f"/analyze/tasks/{task_id}").json()
    assert task["result"]["data"] == '{"a":'
    assert task["result"]["finish_reason"] == "length"
    assert task["error"]["message"].startswith("output truncated")
    assert control.post("/tasks", json={"status": "ready", "task_id": task_id}).status_code == 409


def test_time_based_metadata_control_task_gets_a_default_definition(control: httpx.Client) -> None:
    task = control.post(
        "/tasks", json={"status": "ready", "analysis_mode": "time_based_metadata"}
    ).json()
    definitions = task["request_params"]["response_format"]["segment_definitions"]
    assert [d["id"] for d in definitions] == ["scene"]
    assert "scene" in json.loads(task["result"]["data"])


def test_requests_log_lists_every_api_request_oldest_first(
    control: httpx.Client, api: httpx.Client
) -> None:
    api.get("/analyze/tasks/0123456789abcdef01234567")
    api.get("/analyze/tasks")
    httpx.get(str(api.base_url) + "analyze/tasks")
    log = control.get("/requests").json()
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/v1.3/analyze/tasks/0123456789abcdef01234567", 404),
        ("GET", "/v1.3/analyze/tasks", 200),
        ("GET", "/v1.3/analyze/tasks", 401),
    ]


def test_deliveries_log_records_each_attempt(
    control: httpx.Client, receiver: WebhookReceiver, wait_until: Callable[..., Any]
) -> None:
    task = control.post("/tasks", json={"status": "ready", "custom_id": None}).json()
    [entry] = wait_until(lambda: control.get("/deliveries").json())
    assert entry["task_id"] == task["task_id"]
    assert (entry["status_code"], entry["error"], entry["attempt"]) == (200, None, 1)
    assert entry["type"] == "analyze.task.ready"
    assert entry["url"] == receiver.url


def test_resend_uses_a_new_notification_id_unless_asked_for_the_same(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    task_id = control.post("/tasks", json={"status": "ready"}).json()["task_id"]
    receiver.wait_for(1)
    fresh = control.post(f"/webhooks/{task_id}/resend")
    same = control.post(f"/webhooks/{task_id}/resend", json={"same_id": True})
    assert (fresh.status_code, same.status_code) == (202, 202)
    ids = [json.loads(d.body)["id"] for d in receiver.wait_for(3)]
    assert ids[0] != ids[1] == ids[2] == fresh.json()["event_id"] == same.json()["event_id"]
    assert control.post("/webhooks/0123456789abcdef01234567/resend").status_code == 404


def test_reset_forgets_tasks_logs_and_faults(control: httpx.Client, api: httpx.Client) -> None:
    task_id = control.post("/tasks", json={"status": "ready", "send_webhook": False}).json()
    control.post("/faults", json={"latency": 0.01})
    api.get("/analyze/tasks")
    assert control.post("/reset").status_code == 200
    assert control.get("/requests").json() == []
    assert control.get("/faults").json()["latency"] == 0
    assert api.get(f"/analyze/tasks/{task_id['task_id']}").status_code == 404
