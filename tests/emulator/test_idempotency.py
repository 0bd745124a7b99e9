"""The Idempotency-Key header of POST /analyze/tasks (an emulator choice, see its module)."""

from __future__ import annotations

import httpx

BODY = {"video": {"type": "url", "url": "https://media.example.com/clip.mp4"}, "prompt": "Hi"}


def test_the_same_key_and_body_answer_the_original_202_without_a_second_task(
    api: httpx.Client,
) -> None:
    first = api.post("/analyze/tasks", json=BODY, headers={"Idempotency-Key": "k-1"})
    again = api.post(
        "/analyze/tasks",
        content=b'{"prompt": "Hi", "video": {"url": "https://media.example.com/clip.mp4", '
        b'"type": "url"}}',
        headers={"Idempotency-Key": "k-1", "content-type": "application/json"},
    )

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert api.get("/analyze/tasks").json()["page_info"]["total_results"] == 1


def test_the_same_key_with_a_different_body_is_a_conflict(api: httpx.Client) -> None:
    api.post("/analyze/tasks", json=BODY, headers={"Idempotency-Key": "k-2"})

    response = api.post(
        "/analyze/tasks", json={**BODY, "prompt": "Other"}, headers={"Idempotency-Key": "k-2"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_requests_without_a_key_or_with_new_keys_create_new_tasks(api: httpx.Client) -> None:
    ids = {
        api.post("/analyze/tasks", json=BODY).json()["task_id"],
        api.post("/analyze/tasks", json=BODY).json()["task_id"],
        api.post("/analyze/tasks", json=BODY, headers={"Idempotency-Key": "a"}).json()["task_id"],
        api.post("/analyze/tasks", json=BODY, headers={"Idempotency-Key": "b"}).json()["task_id"],
    }

    assert len(ids) == 4


def test_a_refused_request_does_not_claim_its_key(api: httpx.Client) -> None:
    refused = api.post(
        "/analyze/tasks", json={**BODY, "custom_id": "bad id"}, headers={"Idempotency-Key": "c"}
    )
    accepted = api.post("/analyze/tasks", json=BODY, headers={"Idempotency-Key": "c"})

    assert (refused.status_code, accepted.status_code) == (400, 202)
