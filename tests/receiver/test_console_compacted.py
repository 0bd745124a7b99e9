"""A compacted event (tlhooks/ledger/compaction.py) on the console's event page, in the admin
API and in a list: what it kept, and a sentence for what it dropped."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.receiver.conftest import TOKEN, WEBHOOK, encode, envelope, signed_headers
from tests.receiver.test_console import CONSOLE, sign_in
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENT_ID = envelope()["id"]


def received_handled_and_compacted(client: TestClient, ledger: EventLedger) -> None:
    body = encode(envelope())
    assert client.post(WEBHOOK, content=body, headers=signed_headers(body)).status_code == 202
    for target in (EventStatus.FETCHING, EventStatus.HANDLING, EventStatus.HANDLED):
        ledger.transition(EVENT_ID, target)
    assert ledger.compact(EVENT_ID) == "compacted"


def test_the_event_page_of_a_compacted_event_says_its_body_was_dropped(
    client: TestClient, ledger: EventLedger
) -> None:
    received_handled_and_compacted(client, ledger)

    page = sign_in(client).get(f"{CONSOLE}/events/{EVENT_ID}").text

    assert "(compacted: yes; dropped: the webhook body and the TL-Signature header" in page
    assert "tl-signature" not in page.lower().replace("the tl-signature header", "")
    assert "content-type" in page  # the other headers are kept
    assert page.count(">handled<") >= 1


def test_the_admin_api_shows_a_compacted_event_and_what_it_dropped(
    client: TestClient, ledger: EventLedger
) -> None:
    received_handled_and_compacted(client, ledger)

    shown = client.get(f"/admin/events/{EVENT_ID}", headers=AUTH).json()
    listed = client.get("/admin/events?status=handled", headers=AUTH).json()["events"]

    (event,) = shown["events"]
    assert event["compaction"] == {"dropped": ["body", "headers.tl-signature"]}
    assert event["body"] == ""
    assert [t["status"] for t in event["history"]][-1] == "handled"
    assert [e["event_id"] for e in listed] == [EVENT_ID]
