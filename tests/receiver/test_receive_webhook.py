"""``receive_webhook`` in process: the real app (TestClient) on the suite's real Redis."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from receiver.intake import Intake
from tests.receiver.conftest import SECRET, WEBHOOK, encode, envelope, signed_headers
from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus


def post(client: TestClient, document: object, secret: str = SECRET) -> tuple[int, dict]:
    body = encode(document)
    answer = client.post(WEBHOOK, content=body, headers=signed_headers(body, secret))
    return answer.status_code, answer.json()


def test_a_signed_ready_event_is_stored_queued_and_answered_202(
    client: TestClient, ledger: EventLedger
) -> None:
    status, body = post(client, envelope())
    assert status == 202
    assert body["status"] == EventStatus.QUEUED.value
    record = ledger.require(body["event_id"])
    assert record.status is EventStatus.QUEUED
    assert record.handlers == ["catch_all"]


def test_a_second_delivery_of_the_same_id_is_a_duplicate_and_counted(
    client: TestClient, ledger: EventLedger
) -> None:
    _, first = post(client, envelope())
    status, again = post(client, envelope())
    assert status == 202
    assert again == {"event_id": first["event_id"], "status": EventStatus.DUPLICATE.value}
    assert ledger.require(first["event_id"]).deliveries == 2


def test_a_second_ready_event_for_the_same_task_is_stored_as_duplicate(
    client: TestClient, ledger: EventLedger
) -> None:
    post(client, envelope())
    other_id = "whe_00000000000000000000000000000001"
    status, body = post(client, envelope(id=other_id))
    assert status == 202
    assert body["status"] == EventStatus.DUPLICATE.value
    assert ledger.require(other_id).status is EventStatus.DUPLICATE


def test_an_event_type_that_is_not_processed_is_stored_as_ignored(
    client: TestClient, ledger: EventLedger
) -> None:
    status, body = post(client, envelope(type="index.created"))
    assert status == 202
    assert body["status"] == EventStatus.IGNORED.value
    assert ledger.require(body["event_id"]).status is EventStatus.IGNORED


def test_a_wrong_signature_is_401_and_stores_nothing(
    client: TestClient, ledger: EventLedger
) -> None:
    status, _ = post(client, envelope(), secret="whsec_other")
    assert status == 401
    assert ledger.get(envelope()["id"]) is None


def test_a_storage_outage_during_intake_is_503_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(self: Intake, *_args: object) -> None:
        raise StorageUnavailable("redis is down")

    monkeypatch.setattr(Intake, "admit", down)
    body = encode(envelope())
    answer = client.post(WEBHOOK, content=body, headers=signed_headers(body))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"


def test_health_and_readiness_answer_while_redis_is_up(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
