"""`events show` tells a reconciled event, its batch and the platform's delivery record."""

from __future__ import annotations

from tests.tlhooks.ops.test_views import record
from tlhooks.ops.views import event_text, platform_webhooks
from tlhooks.status import EventStatus

LOST = [{"url": "https://hooks.example/tl", "delivered": False, "attempts": 4,
         "last_error": "connection refused"}]  # fmt: skip


def test_a_reconciled_batch_event_names_its_batch_and_the_platforms_delivery_attempts() -> None:
    text = event_text(
        record(EventStatus.HANDLED, reconciled=True, batch_id="b" * 24, platform_webhooks=LOST)
    )

    assert "reconciled:   yes: no webhook came in time; made from the API" in text
    assert f"batch:        {'b' * 24}" in text
    assert "Platform webhooks" in text
    assert "https://hooks.example/tl  no         4         connection refused" in text


def test_a_webhook_event_shows_the_delivery_record_of_the_task_it_fetched() -> None:
    task = {"task_id": "t", "status": "ready", "webhooks": [{"url": "u", "delivered": True}]}
    webhook_event = record(EventStatus.HANDLED, task=task)

    assert platform_webhooks(webhook_event) == [{"url": "u", "delivered": True}]
    assert "reconciled:" not in event_text(webhook_event)


def test_an_event_without_a_delivery_record_shows_no_such_table() -> None:
    assert "Platform webhooks" not in event_text(record(EventStatus.HANDLED))
