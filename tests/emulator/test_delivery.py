"""Webhook delivery: retries with backoff, bookkeeping in webhooks[], fan-out, give-up."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from emulator import EmulatorConfig, EmulatorServer
from emulator.delivery import retry_wait

if TYPE_CHECKING:
    from conftest import WebhookReceiver


def webhooks_of(server: EmulatorServer, task_id: str) -> list[dict[str, Any]]:
    task = httpx.get(f"{server.base_url}/analyze/tasks/{task_id}", headers={"x-api-key": "k"})
    result: list[dict[str, Any]] = task.json()["webhooks"]
    return result


def create(server: EmulatorServer) -> str:
    created = httpx.post(server.root_url + "/_emulator/tasks", json={"status": "ready"})
    task_id: str = created.json()["task_id"]
    return task_id


def test_receiver_answering_500_then_200_gets_a_retry_recorded_in_webhooks(
    receiver_factory: Callable[..., WebhookReceiver],
    emulator_factory: Callable[..., EmulatorServer],
    wait_until: Callable[..., Any],
) -> None:
    receiver = receiver_factory(statuses=[500])
    server = emulator_factory(webhook_urls=[receiver.url])
    task_id = create(server)
    first, second = receiver.wait_for(2)
    assert first.body == second.body
    [record] = wait_until(lambda: [w for w in webhooks_of(server, task_id) if w["delivered"]])
    assert record == {"url": receiver.url, "delivered": True, "attempts": 2}
    log = httpx.get(server.root_url + "/_emulator/deliveries").json()
    assert [(d["attempt"], d["status_code"], d["error"]) for d in log] == [
        (1, 500, "HTTP 500 Internal Server Error"),
        (2, 200, None),
    ]


def test_delivery_gives_up_after_the_configured_attempts_with_the_last_error(
    receiver_factory: Callable[..., WebhookReceiver],
    emulator_factory: Callable[..., EmulatorServer],
    wait_until: Callable[..., Any],
) -> None:
    receiver = receiver_factory(statuses=[503, 503, 503])
    server = emulator_factory(webhook_urls=[receiver.url], webhook_attempts=3)
    task_id = create(server)
    receiver.wait_for(3)
    [record] = wait_until(lambda: [w for w in webhooks_of(server, task_id) if w["attempts"] == 3])
    assert record["delivered"] is False
    assert record["last_error"] == "HTTP 503 Service Unavailable"


def test_slow_receiver_times_out_and_unreachable_receiver_is_a_connection_error(
    receiver_factory: Callable[..., WebhookReceiver],
    emulator_factory: Callable[..., EmulatorServer],
    wait_until: Callable[..., Any],
) -> None:
    slow = receiver_factory(delay=1.0)
    server = emulator_factory(
        webhook_urls=[slow.url, "http://127.0.0.1:9/nothing"],
        webhook_attempts=1,
        webhook_timeout=0.2,
    )
    task_id = create(server)
    records = wait_until(
        lambda: (w := webhooks_of(server, task_id)) and all(r["attempts"] for r in w) and w
    )
    assert records[0]["last_error"] == "timeout"
    assert records[1]["last_error"].startswith("connection error")


def test_every_configured_url_gets_the_same_notification(
    receiver_factory: Callable[..., WebhookReceiver],
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    first, second = receiver_factory(), receiver_factory()
    server = emulator_factory(webhook_urls=[first.url, second.url], webhook_secret="whsec_x")
    create(server)
    [a], [b] = first.wait_for(1), second.wait_for(1)
    assert json.loads(a.body)["id"] == json.loads(b.body)["id"]


def test_retries_double_their_wait_and_the_last_one_lands_at_the_window_end() -> None:
    config = EmulatorConfig(webhook_backoff=1.0, webhook_retry_window=10.0)
    waits = [retry_wait(config, attempt, elapsed) for attempt, elapsed in [(1, 0), (2, 1), (4, 7)]]
    assert waits == [1.0, 2.0, 3.0]
    assert retry_wait(config, 5, 10.0) is None


def test_webhook_attempts_ends_the_retries_before_the_window_closes() -> None:
    config = EmulatorConfig(webhook_attempts=3, webhook_backoff=1.0, webhook_retry_window=60.0)
    assert retry_wait(config, 2, 1.0) == 2.0
    assert retry_wait(config, 3, 3.0) is None


def test_zero_backoff_needs_an_attempt_limit() -> None:
    with pytest.raises(ValueError, match="webhook_attempts"):
        EmulatorConfig(webhook_backoff=0)
    assert EmulatorConfig(webhook_backoff=0, webhook_attempts=2).webhook_backoff == 0


def test_delivery_stops_retrying_when_the_retry_window_closes(
    receiver_factory: Callable[..., WebhookReceiver],
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    receiver = receiver_factory(statuses=[503] * 20)
    # tries at 0, 0.05, 0.15, 0.35 and 0.75 s (0.05 s doubling) and a last one as the window
    # closes at 1.2 s; a loaded machine may lose a few, but not the second, 1.15 s into it
    server = emulator_factory(webhook_urls=[receiver.url], webhook_retry_window=1.2)
    task_id = create(server)
    time.sleep(2.5)  # the window has closed, with time to spare
    [closed] = webhooks_of(server, task_id)
    time.sleep(2.0)  # past when a next try would have come (2.8 s from the first)
    [later] = webhooks_of(server, task_id)

    assert later["delivered"] is False
    assert 2 <= closed["attempts"] == later["attempts"] == len(receiver.received) <= 6
