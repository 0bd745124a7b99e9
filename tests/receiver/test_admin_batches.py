"""The admin API's batch routes: the real app (TestClient) on the real ledger."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.receiver.conftest import TOKEN
from tests.support.batches import BATCH_ID, TASKS, a_batch_in_every_state
from tlhooks.ledger import EventLedger

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_the_batch_routes_need_the_token(client: TestClient) -> None:
    assert client.get("/admin/batches").status_code == 401
    assert client.get(f"/admin/batches/{BATCH_ID}").status_code == 401


def test_a_batch_shows_its_counts_expiry_progress_and_items(
    client: TestClient, ledger: EventLedger
) -> None:
    a_batch_in_every_state(ledger)

    answer = client.get(f"/admin/batches/{BATCH_ID}", headers=AUTH)

    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_at"] == "2026-12-06T20:00:00Z"
    assert body["counts"]["canceled"] == 1
    assert body["counts"]["reconciled"] == 1
    assert (body["settled"], body["total"], body["complete"]) == (4, 6, False)
    assert [item["task_id"] for item in body["items"]] == TASKS


def test_the_list_is_paginated_and_leaves_the_items_out(
    client: TestClient, ledger: EventLedger
) -> None:
    a_batch_in_every_state(ledger)

    body = client.get("/admin/batches?limit=1&page=1", headers=AUTH).json()
    beyond = client.get("/admin/batches?limit=1&page=2", headers=AUTH).json()

    assert [b["batch_id"] for b in body["batches"]] == [BATCH_ID]
    assert "items" not in body["batches"][0]
    assert (body["total"], beyond["batches"]) == (1, [])


def test_a_bad_limit_or_page_is_400_naming_the_range(client: TestClient) -> None:
    for query in ("limit=0", "limit=101", "limit=x", "page=0"):
        answer = client.get(f"/admin/batches?{query}", headers=AUTH)
        assert answer.status_code == 400, query
        assert "use" in answer.json()["error"]


def test_an_unknown_batch_is_404_and_a_malformed_id_400(client: TestClient) -> None:
    assert client.get(f"/admin/batches/{'c' * 24}", headers=AUTH).status_code == 404
    assert client.get("/admin/batches/a:b", headers=AUTH).status_code == 400
