"""The admin list's ``limit`` and ``page`` are checked with a sentence naming the parameter
and its range, and a list that stopped at the scan cap says so."""

from __future__ import annotations

import pytest

from tests.receiver.conftest import TOKEN, WEBHOOK, TestClient, encode, envelope, signed_headers

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def stored(client: TestClient) -> TestClient:
    for n in range(3):
        body = encode(envelope(id=f"whe_page{n}"))
        assert client.post(WEBHOOK, content=body, headers=signed_headers(body)).status_code == 202
    return client


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("limit=abc", "'limit' must be a whole number from 1 to 1,000; got 'abc'."),
        ("limit=1001", "'limit' must be a whole number from 1 to 1,000; got '1001'."),
        ("limit=0", "'limit' must be a whole number from 1 to 1,000; got '0'."),
        ("limit=1e3", "'limit' must be a whole number from 1 to 1,000; got '1e3'."),
        ("page=-1", "'page' must be a whole number from 1 to 400 with limit=50"),
        ("page=401", "'page' must be a whole number from 1 to 400 with limit=50"),
        ("page=21&limit=1000", "'page' must be a whole number from 1 to 20 with limit=1000"),
        ("page=99999999999999999999", "'page' must be a whole number from 1 to 400"),
    ],
)
def test_a_limit_or_page_out_of_range_is_a_400_naming_the_parameter_and_its_range(
    stored: TestClient, query: str, sentence: str
) -> None:
    answer = stored.get(f"/admin/events?{query}", headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(sentence)
    assert answer.json()["error"].endswith(".")


def test_the_deepest_page_the_cap_allows_is_served(stored: TestClient) -> None:
    answer = stored.get("/admin/events?page=20&limit=1000", headers=AUTH)
    assert answer.status_code == 200
    assert answer.json()["events"] == []


def test_a_list_says_how_much_it_examined_and_whether_it_stopped_at_the_cap(
    stored: TestClient,
) -> None:
    whole = stored.get("/admin/events?error=nothing-like-this", headers=AUTH).json()
    assert (whole["examined"], whole["complete"]) == (3, True)
    assert "note" not in whole

    stored.app.state.runtime.ops.scan_cap = 2
    capped = stored.get("/admin/events?error=nothing-like-this", headers=AUTH).json()

    assert (capped["events"], capped["examined"], capped["complete"]) == ([], 2, False)
    assert "Stopped after examining 2 events" in capped["note"]
