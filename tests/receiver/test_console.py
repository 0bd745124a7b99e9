"""The ops console in process: sign-in, the session cookie, CSRF, and the pages it renders."""

from __future__ import annotations

import re

import pytest

from receiver.console.session import COOKIE, SessionSigner
from tests.receiver.conftest import (
    TOKEN,
    WEBHOOK,
    ClientFactory,
    TestClient,
    encode,
    envelope,
    signed_headers,
)
from tests.support.processes import wait_until
from tlhooks.processes import free_port
from tlhooks.status import EventStatus

CONSOLE = "/admin/console"
EVENT_ID = envelope()["id"]
TASK_ID = envelope()["data"]["id"]


def sign_in(client: TestClient, token: str = TOKEN) -> TestClient:
    answer = client.post(f"{CONSOLE}/sign-in", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None, page
    return match.group(1)


@pytest.fixture
def stored(client: TestClient) -> TestClient:
    body = encode(envelope())
    assert client.post(WEBHOOK, content=body, headers=signed_headers(body)).status_code == 202
    return client


def test_without_an_admin_token_the_console_is_off(client_factory: ClientFactory) -> None:
    client = client_factory(admin_token=None)
    assert client.get(f"{CONSOLE}/").status_code == 404
    assert client.post(f"{CONSOLE}/sign-in", data={"token": ""}).status_code == 404


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: TestClient) -> None:
    answer = client.get(f"{CONSOLE}/events", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{CONSOLE}/sign-in"


def test_a_wrong_token_is_refused_and_sets_no_cookie(client: TestClient) -> None:
    answer = client.post(f"{CONSOLE}/sign-in", data={"token": TOKEN + "x"}, follow_redirects=False)
    assert answer.status_code == 401
    assert "not the admin token" in answer.text
    assert "set-cookie" not in answer.headers


def test_the_right_token_sets_an_http_only_strict_session_cookie(client: TestClient) -> None:
    answer = client.post(f"{CONSOLE}/sign-in", data={"token": TOKEN}, follow_redirects=False)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/admin/" in cookie
    assert client.get(f"{CONSOLE}/").status_code == 200


def test_a_forged_or_foreign_cookie_is_no_session(client: TestClient) -> None:
    _session, foreign = SessionSigner("another-token").issue()
    for value in (foreign, "e30.forged", "garbage"):
        client.cookies.set(COOKIE, value)
        answer = client.get(f"{CONSOLE}/", follow_redirects=False)
        assert answer.status_code == 303, value


def test_an_expired_session_is_no_session() -> None:
    signer = SessionSigner(TOKEN, lifetime=10)
    _session, cookie = signer.issue(now=1000.0)
    assert signer.verify(cookie, now=1005.0) is not None
    assert signer.verify(cookie, now=1011.0) is None


@pytest.mark.parametrize("csrf", [None, "", "not-the-token"])
def test_a_post_without_the_sessions_csrf_token_is_refused(
    stored: TestClient, csrf: str | None
) -> None:
    sign_in(stored)
    form = {"ids": EVENT_ID} | ({"csrf": csrf} if csrf is not None else {})
    answer = stored.post(f"{CONSOLE}/replay/plan", data=form)
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    assert stored.post(f"{CONSOLE}/sign-out", data={}).status_code == 403


def test_the_overview_counts_events_by_state(stored: TestClient) -> None:
    page = sign_in(stored).get(f"{CONSOLE}/").text
    assert re.search(r'id="total">1<', page)
    assert re.search(r'id="dead">0<', page)
    assert re.search(r'id="per-minute">1<', page)
    assert "oldest unsettled" in page


def test_the_event_list_shows_only_what_the_filters_match(stored: TestClient) -> None:
    sign_in(stored)
    assert EVENT_ID in stored.get(f"{CONSOLE}/events").text
    assert EVENT_ID in stored.get(f"{CONSOLE}/events", params={"custom_id": "cam-*"}).text
    narrowed = stored.get(f"{CONSOLE}/events", params={"custom_id": "ads-*"}).text
    assert EVENT_ID not in narrowed
    assert "No event matches." in narrowed
    assert EVENT_ID not in stored.get(f"{CONSOLE}/events", params={"status": "dead"}).text


def test_a_bad_filter_is_a_sentence_not_a_500(stored: TestClient) -> None:
    answer = sign_in(stored).get(f"{CONSOLE}/events", params={"since": "yesterday-ish"})
    assert answer.status_code == 400
    assert "is not a time" in answer.text


def test_the_event_page_shows_payload_timeline_and_deliveries(stored: TestClient) -> None:
    page = sign_in(stored).get(f"{CONSOLE}/events/{EVENT_ID}").text
    assert "analyze.task.ready" in page
    assert "&#34;custom_id&#34;: &#34;cam-a&#34;" in page or "&quot;custom_id&quot;" in page
    assert re.search(r"<td>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00</td><td>received</td>", page)
    assert "catch_all" in page
    assert sign_in(stored).get(f"{CONSOLE}/events/{TASK_ID}").status_code == 200
    assert stored.get(f"{CONSOLE}/events/whe_unknown").status_code == 404


def test_a_replay_plan_of_a_queued_event_is_shown_refused_with_nothing_to_confirm(
    stored: TestClient,
) -> None:
    page = sign_in(stored).get(f"{CONSOLE}/events/{EVENT_ID}").text
    plan = stored.post(f"{CONSOLE}/replay/plan", data={"csrf": csrf_of(page), "ids": EVENT_ID})
    assert plan.status_code == 200
    assert "0 events" in plan.text
    assert "wait until it settles" in plan.text
    assert 'id="confirm"' not in plan.text


def test_confirming_a_plan_that_is_not_waiting_is_refused(stored: TestClient) -> None:
    page = sign_in(stored).get(f"{CONSOLE}/").text
    answer = stored.post(
        f"{CONSOLE}/replay/confirm", data={"csrf": csrf_of(page), "replay_id": "rpl_nope"}
    )
    assert answer.status_code == 404
    assert "Plan the replay again" in answer.text


def test_sign_out_ends_the_session(stored: TestClient) -> None:
    page = sign_in(stored).get(f"{CONSOLE}/").text
    answer = stored.post(
        f"{CONSOLE}/sign-out", data={"csrf": csrf_of(page)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert stored.get(f"{CONSOLE}/", follow_redirects=False).status_code == 303


def test_the_json_api_beside_the_console_still_wants_its_bearer_token(stored: TestClient) -> None:
    sign_in(stored)
    assert stored.get("/admin/stats").status_code == 401
    answer = stored.get("/admin/stats", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.json()["total"] == 1
    assert stored.get("/admin/", follow_redirects=False).headers["location"] == f"{CONSOLE}/"


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    answer = client.get(f"{CONSOLE}/static/console.css")
    assert answer.status_code == 200
    assert "text/css" in answer.headers["content-type"]


def dead_events(client: TestClient, count: int) -> list[str]:
    """``count`` stored events moved to dead, as exhausted retries would leave them."""
    ledger = client.app.state.runtime.ledger  # type: ignore[attr-defined]
    ids = []
    for n in range(count):
        document = envelope(id=f"whe_bulk{n:04d}")
        document["data"] = {**document["data"], "id": f"task_bulk{n:04d}", "custom_id": f"bulk-{n}"}
        body = encode(document)
        assert client.post(WEBHOOK, content=body, headers=signed_headers(body)).status_code == 202
        ledger.transition(document["id"], EventStatus.DEAD, "attempts exhausted")
        ids.append(document["id"])
    return ids


def test_a_bulk_replay_from_the_list_shows_its_plan_then_its_progress_to_the_end(
    client: TestClient,
) -> None:
    ids = dead_events(client, 12)
    listed = sign_in(client).get(f"{CONSOLE}/events", params={"status": "dead"}).text
    form = {"csrf": csrf_of(listed), "status": "dead", "from": "fetch", "rate": "40"}

    plan = client.post(f"{CONSOLE}/replay/plan", data=form)
    assert "12 events" in plan.text
    assert "12 dead" in plan.text
    replay_id = re.search(r'name="replay_id" value="([^"]+)"', plan.text)
    assert replay_id is not None
    ledger = client.app.state.runtime.ledger  # type: ignore[attr-defined]
    assert {r.status for r in ledger.get_many(ids)} == {EventStatus.DEAD}

    confirm = {"csrf": form["csrf"], "replay_id": replay_id.group(1)}
    progress = client.post(f"{CONSOLE}/replay/confirm", data=confirm)
    assert progress.status_code == 200
    assert re.search(r'id="progress">\d+ of 12<', progress.text)
    wait_until(lambda: "Done: 12 queued" in client.get(str(progress.url)).text, timeout=10)
    assert {r.status for r in ledger.get_many(ids)} == {EventStatus.QUEUED}
    again = client.post(f"{CONSOLE}/replay/confirm", data=confirm)
    assert again.status_code == 404


@pytest.mark.parametrize("path", ["/", "/events", f"/events/{EVENT_ID}"])
def test_a_page_says_the_event_store_is_unavailable_when_the_ledger_is_down(
    client_factory: ClientFactory, path: str
) -> None:
    down = sign_in(client_factory(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    answer = down.get(f"{CONSOLE}{path}")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "The event store is unavailable" in answer.text
    assert "text/html" in answer.headers["content-type"]
