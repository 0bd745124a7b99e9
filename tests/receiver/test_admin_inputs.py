"""Every admin input that is not what the API takes is a 400 (or 404) with a sentence, never
a 500, and no input reaches one of the ledger's internal keys."""

from __future__ import annotations

from typing import Any

import pytest

from receiver import admin
from tests.receiver.conftest import (
    TOKEN,
    WEBHOOK,
    ClientFactory,
    TestClient,
    encode,
    envelope,
    signed_headers,
)
from tlhooks.ledger.keys import LedgerKeys
from tlhooks.processes import free_port

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENT_ID = envelope()["id"]


@pytest.fixture
def stored(client: TestClient) -> TestClient:
    body = encode(envelope())
    assert client.post(WEBHOOK, content=body, headers=signed_headers(body)).status_code == 202
    return client


@pytest.mark.parametrize("suffix", [":history", ":outcomes", "%3Ahistory", ":x"])
def test_an_id_that_addresses_an_internal_key_is_refused_with_a_sentence(
    stored: TestClient, suffix: str
) -> None:
    answer = stored.get(f"/admin/events/{EVENT_ID}{suffix}", headers=AUTH)
    assert answer.status_code == 400
    assert "neither an event id nor a task id" in answer.json()["error"]


def test_an_event_is_still_shown_by_its_id_and_by_its_task_id(stored: TestClient) -> None:
    assert stored.get(f"/admin/events/{EVENT_ID}", headers=AUTH).status_code == 200
    task = envelope()["data"]["id"]
    assert len(stored.get(f"/admin/events/{task}", headers=AUTH).json()["events"]) == 1
    assert stored.get("/admin/events/whe_unknown", headers=AUTH).status_code == 404


REPLAY_BODIES: dict[str, Any] = {
    "ids not a list": {"ids": 5},
    "an id not a string": {"ids": [5]},
    "an id with a colon": {"ids": [f"{EVENT_ID}:history"]},
    "status a number": {"status": 5},
    "status unknown": {"status": "nope"},
    "rate not a number": {"status": "dead", "rate": "fast"},
    "rate tiny": {"status": "dead", "rate": 0.0001},
    "rate negative": {"status": "dead", "rate": -1},
    "rate a boolean list": {"status": "dead", "rate": [True]},
    "from unknown": {"status": "dead", "from": "nowhere"},
    "dry_run a string": {"status": "dead", "dry_run": "no"},
    "all_handlers a number": {"status": "dead", "all_handlers": 2},
    "handler a number": {"status": "dead", "handler": 7},
    "since not a time": {"status": "dead", "since": "yesterday-ish"},
    "an unknown field": {"status": "dead", "stauts": "dead"},
    "not an object": [1, 2, 3],
    "no ids and no filter": {},
}


@pytest.mark.parametrize("case", list(REPLAY_BODIES))
def test_a_bad_replay_request_is_answered_400_with_a_sentence(
    stored: TestClient, case: str
) -> None:
    answer = stored.post("/admin/replay", content=encode(REPLAY_BODIES[case]), headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"].endswith(".")


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"ids": ["a"], "ids": []}',
        b'{"status": "dead", "rate": NaN}',
        b"\xff\xfe",
        b"",
    ],
    ids=["deeply nested", "repeated key", "NaN", "not utf-8", "empty"],
)
def test_a_replay_body_that_is_not_strict_json_is_answered_400(
    stored: TestClient, raw: bytes
) -> None:
    answer = stored.post("/admin/replay", content=raw, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("The replay request is not JSON")


def test_a_replay_that_would_outlast_the_request_is_refused(
    stored: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "ADMIN_TIMEOUT", 1.0)
    ids = [EVENT_ID]
    for n in range(2):
        body = encode(envelope(id=f"whe_more{n}"))
        stored.post(WEBHOOK, content=body, headers=signed_headers(body))
        ids.append(f"whe_more{n}")
    for event_id in ids:
        stored.app.state.runtime.ledger.client.hset(LedgerKeys().event(event_id), "status", "dead")
    body = {"ids": ids, "rate": 1, "from": "fetch"}
    answer = stored.post("/admin/replay", content=encode(body), headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert "raise 'rate'" in answer.json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=0",
        "limit=-5",
        "page=0",
        "page=1e9",
        "status=nope",
        "since=soon",
        "colour=red",
        "redelivered=maybe",
        "custom_id=" + "x" * 300,
    ],
)
def test_a_bad_list_query_is_answered_400_with_a_sentence(stored: TestClient, query: str) -> None:
    answer = stored.get(f"/admin/events?{query}", headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].endswith(".")


def test_a_list_query_with_repeated_statuses_still_works(stored: TestClient) -> None:
    answer = stored.get("/admin/events?status=queued&status=received&limit=5", headers=AUTH)
    assert answer.status_code == 200
    assert [e["event_id"] for e in answer.json()["events"]] == [EVENT_ID]


def test_a_replay_body_over_the_size_limit_is_413(stored: TestClient) -> None:
    padding = b'{"status": "dead", "custom_id": "' + b"x" * 1_100_000 + b'"}'
    answer = stored.post("/admin/replay", content=padding, headers=AUTH)
    assert answer.status_code == 413


def test_the_list_finds_redelivered_events_as_the_cli_does(stored: TestClient) -> None:
    assert stored.get("/admin/events?redelivered=true", headers=AUTH).json()["events"] == []
    body = encode(envelope())
    assert stored.post(WEBHOOK, content=body, headers=signed_headers(body)).is_success
    found = stored.get("/admin/events?redelivered=true", headers=AUTH).json()["events"]
    assert [e["event_id"] for e in found] == [EVENT_ID]
    assert stored.get("/admin/events?reused_id=true", headers=AUTH).json()["events"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/admin/events?status=dead", None),
        ("GET", f"/admin/events/{EVENT_ID}", None),
        ("GET", "/admin/stats", None),
        ("POST", "/admin/replay", b'{"status": "dead", "dry_run": true}'),
    ],
)
def test_every_admin_endpoint_answers_503_with_retry_after_when_the_ledger_is_down(
    client_factory: ClientFactory, method: str, path: str, body: bytes | None
) -> None:
    down = client_factory(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    answer = down.request(method, path, content=body, headers=AUTH)
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
