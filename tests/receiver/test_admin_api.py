"""The admin API in process: the real app (TestClient), the real ledger, the real replayer."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.receiver.conftest import (
    TOKEN,
    WEBHOOK,
    ClientFactory,
    encode,
    envelope,
    signed_headers,
)
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENT_ID = "whe_3f9a1c7e5b2d4068a1c9e7f3b5d20486"


def deliver(client: TestClient) -> str:
    body = encode(envelope())
    answer = client.post(WEBHOOK, content=body, headers=signed_headers(body))
    assert answer.status_code == 202
    return str(answer.json()["event_id"])


def settle_dead(ledger: EventLedger, event_id: str) -> None:
    ledger.transition(event_id, EventStatus.DEAD, note="given up in the test")


def test_a_request_without_the_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    answer = client.get("/admin/stats")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_a_request_with_a_wrong_token_is_401(client: TestClient) -> None:
    answer = client.get("/admin/stats", headers={"Authorization": "Bearer wrong"})
    assert answer.status_code == 401


def test_the_admin_api_is_404_when_no_token_is_configured(client_factory: ClientFactory) -> None:
    client = client_factory(admin_token="")
    assert client.get("/admin/stats", headers=AUTH).status_code == 404


def test_the_list_shows_a_delivered_event_and_filters_by_status(client: TestClient) -> None:
    event_id = deliver(client)
    listed = client.get("/admin/events", headers=AUTH).json()
    assert [row["event_id"] for row in listed["events"]] == [event_id]
    assert listed["page"] == 1
    dead = client.get("/admin/events?status=dead", headers=AUTH).json()
    assert dead["events"] == []


def test_an_unknown_event_is_404_with_a_sentence(client: TestClient) -> None:
    answer = client.get("/admin/events/whe_unknown", headers=AUTH)
    assert answer.status_code == 404
    assert "whe_unknown" in answer.json()["error"]


def test_stats_answer_json(client: TestClient) -> None:
    deliver(client)
    answer = client.get("/admin/stats", headers=AUTH)
    assert answer.status_code == 200
    assert isinstance(answer.json(), dict)


def test_a_replay_with_neither_ids_nor_filters_is_refused(client: TestClient) -> None:
    answer = client.post("/admin/replay", json={}, headers=AUTH)
    assert answer.status_code == 400


def test_a_dry_run_plans_a_dead_event_without_moving_it(
    client: TestClient, ledger: EventLedger
) -> None:
    event_id = deliver(client)
    settle_dead(ledger, event_id)
    answer = client.post(
        "/admin/replay", json={"ids": [event_id], "from": "fetch", "dry_run": True}, headers=AUTH
    )
    assert answer.status_code == 200
    plan = answer.json()["plan"]
    assert plan["events"] == 1
    assert plan["by_status"] == {"dead": 1}
    assert "result" not in answer.json()
    assert ledger.require(event_id).status is EventStatus.DEAD


def test_a_replay_queues_a_dead_event_again(client: TestClient, ledger: EventLedger) -> None:
    event_id = deliver(client)
    settle_dead(ledger, event_id)
    answer = client.post("/admin/replay", json={"status": "dead", "from": "fetch"}, headers=AUTH)
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["queued"] == 1
    assert result["refused"] == 0
    assert ledger.require(event_id).status is EventStatus.QUEUED


def test_a_replay_of_an_event_still_queued_is_refused_and_leaves_it(
    client: TestClient, ledger: EventLedger
) -> None:
    event_id = deliver(client)
    answer = client.post("/admin/replay", json={"ids": [event_id], "from": "fetch"}, headers=AUTH)
    assert answer.status_code == 200
    body = answer.json()
    assert body["plan"]["events"] == 0
    assert body["plan"]["refused"] == 1
    assert body["result"]["queued"] == 0
    assert ledger.require(event_id).status is EventStatus.QUEUED
