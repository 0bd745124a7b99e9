"""The console's event page shows reconciled, the batch and the platform's webhooks[]."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.receiver.test_console import CONSOLE, sign_in
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus


def test_the_event_page_shows_a_reconciled_batch_event_and_its_delivery_record(
    client: TestClient, ledger: EventLedger
) -> None:
    webhooks = [{"url": "https://hooks.example/tl", "delivered": False, "attempts": 3,
                 "last_error": "HTTP 503"}]  # fmt: skip
    fields = {"event_type": "analyze.task.ready", "task_id": "t" * 24, "handlers": [],
              "reconciled": 1, "batch_id": "b" * 24, "platform_webhooks": webhooks}  # fmt: skip
    ledger.accept(event_id="rec_x", kind="ready", requested=EventStatus.UNMATCHED, fields=fields)

    page = sign_in(client).get(f"{CONSOLE}/events/rec_x").text

    assert 'id="reconciled">yes: no webhook came in time' in page
    assert f'id="batch">{"b" * 24}</dd>' in page
    assert "<td>https://hooks.example/tl</td><td>no</td><td>3</td><td>HTTP 503</td>" in page


def test_a_webhook_event_is_not_marked_reconciled(client: TestClient, ledger: EventLedger) -> None:
    fields = {"event_type": "analyze.task.ready", "task_id": "t" * 24, "handlers": []}
    ledger.accept(event_id="whe_x", kind="ready", requested=EventStatus.UNMATCHED, fields=fields)

    page = sign_in(client).get(f"{CONSOLE}/events/whe_x").text

    assert 'id="reconciled">no</dd>' in page
    assert "Platform webhooks" not in page
