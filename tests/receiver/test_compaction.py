"""The receiver compacts an event its intake settled once the answer is sent
(receiver/compaction.py): the answer comes first, a failed compaction leaves it as it was, and
the compacted event shows on the admin API and the console as it was stored."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.registry import HandlerRegistry
from receiver.app import ReceiverRuntime, create_app
from tests.receiver.conftest import SECRET, TOKEN, WEBHOOK, encode, envelope, signed_headers
from tests.receiver.test_console import CONSOLE, sign_in
from tests.support.processes import RedisServer
from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus

AUTH = {"Authorization": f"Bearer {TOKEN}"}
FAILED = "analyze.task.failed"  # no handler runs on failed tasks here: unmatched


class AnswerRecorder:
    """Passes everything through and notes, in ``order``, when the answer's last byte went."""

    def __init__(self, app: ASGIApp, order: list[str]) -> None:
        self.app = app
        self.order = order

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def noting(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.order.append("answered")

        await self.app(scope, receive, noting)


Started = tuple[TestClient, ReceiverRuntime, list[str]]


@pytest.fixture
def receiver(redis_server: RedisServer) -> Iterator[Callable[..., Started]]:
    """A started receiver whose answers and compactions are noted in order."""
    opened: list[TestClient] = []

    def start(compact: Callable[..., str] | None = None, **overrides: Any) -> Started:
        handlers = HandlerRegistry()
        handlers.register(lambda _context: None, name="catch_all")
        settings = load_settings(
            redis_url=redis_server.url, webhook_secrets=[SECRET], admin_token=TOKEN, **overrides
        )
        app = create_app(settings, handlers)
        order: list[str] = []
        client = TestClient(AnswerRecorder(app, order), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        runtime: ReceiverRuntime = app.state.runtime
        real = runtime.ledger.compact

        def noted(event_id: str) -> str:
            order.append(f"compact {event_id}")
            return (compact or real)(event_id)

        runtime.ledger.compact = noted  # type: ignore[method-assign]
        return client, runtime, order

    yield start
    for client in opened:
        client.__exit__(None, None, None)


def post(client: TestClient, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = encode(document)
    answer = client.post(WEBHOOK, content=body, headers=signed_headers(body))
    return answer.status_code, answer.json()


def test_an_unmatched_event_is_compacted_after_its_answer_is_sent(
    receiver: Callable[..., Started], ledger: EventLedger
) -> None:
    client, _, order = receiver()

    status, body = post(client, envelope(type=FAILED))

    assert (status, body["status"]) == (202, "unmatched")
    assert order == ["answered", f"compact {body['event_id']}"]
    record = ledger.require(body["event_id"])
    assert (record.status, record.compaction is not None) == (EventStatus.UNMATCHED, True)


@pytest.mark.parametrize(
    "second", [envelope(id="whe_2", type=FAILED), envelope(id="whe_2"), envelope(type="x.y")]
)
def test_ignored_duplicate_and_conflict_events_are_compacted_and_a_queued_one_is_not(
    receiver: Callable[..., Started], ledger: EventLedger, second: dict[str, Any]
) -> None:
    client, _, order = receiver()
    _, first = post(client, envelope(id="whe_1"))  # queued, for its worker to run
    _, settled = post(client, second)

    assert first["status"] == "queued"
    assert settled["status"] in ("conflict", "duplicate", "ignored")
    assert order == ["answered", "answered", f"compact {settled['event_id']}"]
    assert ledger.require("whe_1").compaction is None
    assert ledger.require(settled["event_id"]).compaction is not None


def test_a_redelivery_is_answered_without_a_compaction(
    receiver: Callable[..., Started], ledger: EventLedger
) -> None:
    client, _, order = receiver()
    post(client, envelope(type=FAILED))

    status, again = post(client, envelope(type=FAILED))

    assert (status, again["status"]) == (202, "duplicate")
    assert order == ["answered", f"compact {again['event_id']}", "answered"]
    record = ledger.require(again["event_id"])
    assert (record.status, record.deliveries) == (EventStatus.UNMATCHED, 2)


def test_a_failed_compaction_is_logged_and_leaves_the_answer_and_the_event_as_they_were(
    receiver: Callable[..., Started], ledger: EventLedger, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(_event_id: str) -> str:
        raise StorageUnavailable("Redis did not answer within 2s.")

    client, _, order = receiver(compact=unreachable)

    body = encode(envelope(type=FAILED))
    with caplog.at_level(logging.WARNING, "tlhooks.receiver"):
        answer = client.post(WEBHOOK, content=body, headers=signed_headers(body))

    event_id = envelope()["id"]
    assert answer.status_code == 202
    assert answer.json() == {"event_id": event_id, "status": "unmatched"}
    assert order == ["answered", f"compact {event_id}"]
    assert ledger.require(event_id).compaction is None
    assert ledger.require(event_id).body != ""
    warnings = [r.getMessage() for r in caplog.records if r.name == "tlhooks.receiver"]
    assert warnings == [
        f"event {event_id} was settled at intake but not compacted: Redis did not answer within 2s."
    ]


def test_the_compact_handled_switch_turns_it_off(
    receiver: Callable[..., Started], ledger: EventLedger
) -> None:
    client, _, order = receiver(compact_handled=False)

    _, body = post(client, envelope(type=FAILED))

    assert order == ["answered"]
    assert ledger.require(body["event_id"]).compaction is None


def test_a_compacted_ignored_event_shows_on_the_admin_api_and_the_console(
    receiver: Callable[..., Started], ledger: EventLedger
) -> None:
    client, _, _ = receiver()
    _, body = post(client, envelope(type="index.created"))
    event_id = body["event_id"]

    shown = client.get(f"/admin/events/{event_id}", headers=AUTH).json()
    listed = client.get("/admin/events?status=ignored", headers=AUTH).json()["events"]
    page = sign_in(client).get(f"{CONSOLE}/events/{event_id}").text

    (event,) = shown["events"]
    assert event["status"] == "ignored"
    assert event["compaction"] == {"dropped": ["body", "headers.tl-signature"]}
    assert [t["status"] for t in event["history"]] == ["ignored"]
    assert "is not processed" in event["history"][0]["note"]
    assert event["headers"]["content-type"] == "application/json"
    assert [e["event_id"] for e in listed] == [event_id]
    assert "(compacted: yes; dropped: the webhook body and the TL-Signature header" in page
    assert ">ignored<" in page
