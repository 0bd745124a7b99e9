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


def test_a_batch_resent_with_its_key_answers_the_original_201_and_creates_one_batch(
    api: httpx.Client,
) -> None:
    batch = {
        "model_name": "pegasus1.5",
        "analysis_mode": "general",
        "defaults": {"prompt": {"input_text": "Describe."}},
        "requests": [{"video": {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"}}],
    }
    first = api.post("/analyze/batches", json=batch, headers={"Idempotency-Key": "b-1"})
    again = api.post("/analyze/batches", json=batch, headers={"Idempotency-Key": "b-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert api.get("/analyze/batches").json()["page_info"]["total_results"] == 1


def test_a_batch_key_reused_with_another_body_is_a_conflict(api: httpx.Client) -> None:
    batch = {
        "model_name": "pegasus1.5",
        "analysis_mode": "general",
        "defaults": {"prompt": {"input_text": "Describe."}},
        "requests": [{"video": {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"}}],
    }
    api.post("/analyze/batches", json=batch, headers={"Idempotency-Key": "b-2"})
    other = {**batch, "defaults": {"prompt": {"input_text": "Other."}}}

    response = api.post("/analyze/batches", json=other, headers={"Idempotency-Key": "b-2"})

    assert response.status_code == 409
