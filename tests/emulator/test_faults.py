"""Each fault knob of POST /_emulator/faults, observed from outside the emulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from emulator import EmulatorServer
from emulator.delivery import OUTAGE
from emulator.faults import FaultInjector

if TYPE_CHECKING:
    from conftest import WebhookReceiver

GENERAL = {"video": {"type": "url", "url": "https://m.example.com/v.mp4"}, "prompt": "Go."}
MISSING = "/analyze/tasks/0123456789abcdef01234567"


def test_faults_merge_and_read_back(control: httpx.Client) -> None:
    control.post("/faults", json={"latency": 0.01})
    merged = control.post("/faults", json={"retry_after": 2}).json()
    assert (merged["latency"], merged["retry_after"]) == (0.01, 2)
    assert control.get("/faults").json() == merged
    assert control.post("/faults", json={"nonsense": 1}).status_code == 400
    assert control.post("/faults", json={"fail_fraction": 2}).status_code == 400


def test_latency_delays_every_api_answer(control: httpx.Client, api: httpx.Client) -> None:
    control.post("/faults", json={"latency": 0.3})
    started = time.monotonic()
    api.get("/analyze/tasks")
    assert time.monotonic() - started >= 0.3


def test_rate_limit_next_answers_429_with_retry_headers_then_recovers(
    control: httpx.Client, api: httpx.Client
) -> None:
    control.post("/faults", json={"rate_limit_next": 2, "retry_after": 3})
    first, second, third = (api.get(MISSING) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 404)
    assert first.headers["Retry-After"] == "3"
    assert first.headers["X-RateLimit-Request-Remaining"] == "0"
    assert int(first.headers["X-RateLimit-Request-Reset"]) >= time.time()
    assert first.json()["error"]["code"] == "too_many_requests"


def test_faults_strike_only_get_task_requests(control: httpx.Client, api: httpx.Client) -> None:
    control.post("/faults", json={"rate_limit_next": 1})
    assert api.post("/analyze/tasks", json=GENERAL).status_code == 202
    assert api.get("/analyze/tasks").status_code == 429


def test_server_error_next_answers_500_then_503_with_nested_bodies(
    control: httpx.Client, api: httpx.Client
) -> None:
    control.post("/faults", json={"server_error_next": 2})
    statuses = [api.get(MISSING) for _ in range(3)]
    assert [r.status_code for r in statuses] == [500, 503, 404]
    assert "code" in statuses[0].json()["error"]


def test_fractions_of_one_fault_every_request(control: httpx.Client, api: httpx.Client) -> None:
    control.post("/faults", json={"rate_limit_fraction": 1.0})
    assert {api.get(MISSING).status_code for _ in range(3)} == {429}
    control.post("/faults", json={"rate_limit_fraction": 0, "server_error_fraction": 1.0})
    assert {api.get(MISSING).status_code for _ in range(3)} <= {500, 503}


def test_fail_fraction_ends_created_tasks_failed_with_a_message(
    control: httpx.Client, api: httpx.Client, receiver: WebhookReceiver
) -> None:
    control.post("/faults", json={"fail_fraction": 1.0})
    task_id = api.post("/analyze/tasks", json=GENERAL).json()["task_id"]
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery.body)["type"] == "analyze.task.failed"
    task = api.get(f"/analyze/tasks/{task_id}").json()
    assert task["status"] == "failed"
    assert task["error"]["message"]


def test_truncate_fraction_returns_length_cut_json_and_the_platform_message(
    control: httpx.Client, api: httpx.Client, wait_until: Callable[..., Any]
) -> None:
    control.post("/faults", json={"truncate_fraction": 1.0})
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    body = {**GENERAL, "response_format": {"type": "json_schema", "json_schema": schema}}
    task_id = api.post("/analyze/tasks", json=body).json()["task_id"]
    task = wait_until(
        lambda: (t := api.get(f"/analyze/tasks/{task_id}").json())["status"] == "ready" and t
    )
    assert task["result"]["finish_reason"] == "length"
    assert task["result"]["usage"]["output_tokens"] == task["request_params"]["max_tokens"]
    assert "raise max_tokens" in task["error"]["message"]
    try:
        json.loads(task["result"]["data"])
    except ValueError:
        pass
    else:
        raise AssertionError("truncated data should not parse as JSON")


def test_drop_webhooks_sends_nothing_and_marks_the_webhook_undelivered(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    control.post("/faults", json={"drop_webhooks": True})
    task = control.post("/tasks", json={"status": "ready"}).json()
    time.sleep(0.2)
    assert receiver.received == []
    assert control.get("/deliveries").json() == []
    [record] = task["webhooks"]
    assert (record["delivered"], record["attempts"]) == (False, 0)
    assert "drop_webhooks" in record["last_error"]


def test_duplicate_webhooks_sends_extra_copies_with_the_same_id(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    control.post("/faults", json={"duplicate_webhooks": 2})
    control.post("/tasks", json={"status": "ready"})
    deliveries = receiver.wait_for(3)
    time.sleep(0.1)
    assert len(receiver.received) == 3
    assert len({json.loads(d.body)["id"] for d in deliveries}) == 1


def test_webhook_delay_holds_back_the_first_attempt(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    control.post("/faults", json={"webhook_delay": 0.4})
    started = time.monotonic()
    control.post("/tasks", json={"status": "ready"})
    time.sleep(0.2)
    assert receiver.received == []
    receiver.wait_for(1)
    assert time.monotonic() - started >= 0.4


def test_webhook_jitter_delivers_tasks_ending_together_out_of_order(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    # Twenty tasks and a second of jitter: even with the tasks created 100 ms apart on a
    # loaded machine, the chance that all twenty still arrive in order is about 1 in 20,000
    # (with six tasks and 0.6 s it was about 1 in 8 there).
    control.post("/faults", json={"webhook_jitter": 1.0})
    completed = [
        control.post("/tasks", json={"status": "ready"}).json()["task_id"] for _ in range(20)
    ]
    arrived = [json.loads(d.body)["data"]["id"] for d in receiver.wait_for(20, timeout=15)]
    assert sorted(arrived) == sorted(completed)
    assert arrived != completed


def test_webhook_jitter_is_drawn_from_the_seed() -> None:
    def draws(seed: int) -> list[float]:
        faults = FaultInjector(seed)
        faults.merge({"webhook_delay": 1.0, "webhook_jitter": 0.5})
        return [faults.first_attempt_wait() for _ in range(5)]

    assert draws(7) == draws(7) != draws(8)
    assert all(1.0 <= wait <= 1.5 for wait in draws(7))


def test_webhook_outage_refuses_attempts_until_it_ends_then_a_retry_is_delivered(
    emulator_factory: Callable[..., EmulatorServer],
    receiver: WebhookReceiver,
    wait_until: Callable[..., Any],
) -> None:
    server = emulator_factory(webhook_urls=[receiver.url], webhook_backoff=0.35)
    control = f"{server.root_url}/_emulator"
    started = time.monotonic()
    httpx.post(f"{control}/faults", json={"webhook_outage": 2.0})
    task_id = httpx.post(f"{control}/tasks", json={"status": "ready"}).json()["task_id"]
    [down] = wait_until(lambda: [w for w in webhooks_of(server, task_id) if w["attempts"]])
    assert (down["delivered"], down["last_error"]) == (False, OUTAGE)
    receiver.wait_for(1, timeout=10)
    assert time.monotonic() - started >= 2.0
    [record] = wait_until(lambda: [w for w in webhooks_of(server, task_id) if w["delivered"]])
    assert record["attempts"] > 1
    log = httpx.get(f"{control}/deliveries").json()
    assert {(d["status_code"], d["error"]) for d in log[:-1]} == {(None, OUTAGE)}
    assert (log[-1]["status_code"], log[-1]["error"]) == (200, None)
    assert len(receiver.received) == 1


def test_an_outage_outlasting_the_attempts_leaves_the_webhook_undelivered(
    emulator_factory: Callable[..., EmulatorServer],
    receiver: WebhookReceiver,
    wait_until: Callable[..., Any],
) -> None:
    server = emulator_factory(webhook_urls=[receiver.url], webhook_attempts=2)
    control = f"{server.root_url}/_emulator"
    httpx.post(f"{control}/faults", json={"webhook_outage": 30})
    task_id = httpx.post(f"{control}/tasks", json={"status": "ready"}).json()["task_id"]
    [record] = wait_until(lambda: [w for w in webhooks_of(server, task_id) if w["attempts"] == 2])
    time.sleep(0.2)
    assert webhooks_of(server, task_id) == [record]
    assert (record["delivered"], record["last_error"]) == (False, OUTAGE)
    assert receiver.received == []


def test_an_outage_of_zero_seconds_ends_the_current_one() -> None:
    faults = FaultInjector(0)
    faults.merge({"webhook_outage": 60})
    assert faults.receivers_down()
    faults.merge({"webhook_outage": 0})
    assert not faults.receivers_down()


def webhooks_of(server: EmulatorServer, task_id: str) -> list[dict[str, Any]]:
    task = httpx.get(f"{server.base_url}/analyze/tasks/{task_id}", headers={"x-api-key": "k"})
    result: list[dict[str, Any]] = task.json()["webhooks"]
    return result


def test_request_limit_counts_every_api_request_and_answers_429_past_it(
    control: httpx.Client, api: httpx.Client
) -> None:
    control.post("/faults", json={"request_limit": 3, "request_window": 30})
    answers = [api.get(MISSING), api.get("/analyze/tasks"), api.get(MISSING), api.get(MISSING)]
    assert [a.status_code for a in answers] == [404, 200, 404, 429]
    remaining = [a.headers["X-RateLimit-Request-Remaining"] for a in answers]
    assert remaining == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert "3 requests per 30 s" in refused.json()["error"]["message"]
    reset = int(refused.headers["X-RateLimit-Request-Reset"])
    assert 0 < float(refused.headers["Retry-After"]) <= 30
    assert time.time() < reset <= time.time() + 31
    assert "Retry-After" not in answers[0].headers


def test_request_limit_opens_again_when_its_window_ends(
    control: httpx.Client, api: httpx.Client
) -> None:
    control.post("/faults", json={"request_limit": 1, "request_window": 1})
    statuses: list[int] = []

    def refused_then_open() -> bool:  # a 429 with a 404 after it: the window ended
        return 429 in statuses and 404 in statuses[statuses.index(429) :]

    deadline = time.monotonic() + 10  # a loaded machine may answer slowly: windows, not a pace
    while time.monotonic() < deadline and not refused_then_open():
        statuses.append(api.get(MISSING).status_code)
        time.sleep(0.05)
    assert refused_then_open(), statuses
    assert set(statuses) == {404, 429}


def test_request_limit_off_sends_no_rate_limit_headers(api: httpx.Client) -> None:
    answer = api.get(MISSING)
    assert "X-RateLimit-Request-Remaining" not in answer.headers


def test_request_window_must_be_positive(control: httpx.Client) -> None:
    refused = control.post("/faults", json={"request_window": 0})
    assert refused.status_code == 400
    assert "request_window" in refused.json()["error"]["message"]


def test_drop_webhook_fraction_loses_about_that_share_and_webhooks_tell_which(
    control: httpx.Client, receiver: WebhookReceiver
) -> None:
    control.post("/faults", json={"drop_webhook_fraction": 0.5})
    tasks = [control.post("/tasks", json={"status": "ready"}).json() for _ in range(40)]
    dropped = [t for t in tasks if "last_error" in t["webhooks"][0]]
    receiver.wait_for(40 - len(dropped))
    time.sleep(0.2)

    assert 8 <= len(dropped) <= 32
    assert len(receiver.received) == 40 - len(dropped)
    assert all(t["webhooks"][0]["attempts"] == 0 for t in dropped)
    sent = {json.loads(d.body)["data"]["id"] for d in receiver.received}
    assert sent.isdisjoint({t["task_id"] for t in dropped})
