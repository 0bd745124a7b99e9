"""Every input the receiver refuses gets its status code, and nothing is stored or queued."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.e2e.conftest import SECRET, Stack
from tlhooks.ledger.keys import LedgerKeys
from tlhooks.signing import sign

GOOD = json.dumps(
    {
        "id": "whe_3f9a1c7e5b2d4068a1c9e7f3b5d20486",
        "created_at": "2026-08-01T09:14:05.812Z",
        "type": "analyze.task.ready",
        "data": {"id": "68ab41c2e5f1d93a7c2b0e14", "custom_id": "cam-a", "status": "ready"},
    },
    separators=(",", ":"),
).encode()


def signed(body: bytes, **headers: str) -> tuple[bytes, dict[str, str]]:
    sent = {"content-type": "application/json", "TL-Signature": sign(SECRET, body)}
    sent.update(headers)
    return body, sent


def with_data(**data: object) -> bytes:
    body = json.loads(GOOD)
    body["data"].update(data)
    return json.dumps(body).encode()


def cases() -> dict[str, tuple[bytes, dict[str, str], int]]:
    """Built when a test runs, so signatures are fresh however long the suite takes."""
    return {
        "no signature": (GOOD, {"content-type": "application/json"}, 401),
        "malformed signature": (*signed(GOOD, **{"TL-Signature": "v1=abc"}), 401),
        "wrong secret": (
            GOOD,
            {"content-type": "application/json", "TL-Signature": sign("other", GOOD)},
            401,
        ),
        "expired signature": (
            GOOD,
            {
                "content-type": "application/json",
                "TL-Signature": sign(SECRET, GOOD, int(time.time()) - 3600),
            },
            401,
        ),
        "signature from the future": (
            GOOD,
            {
                "content-type": "application/json",
                "TL-Signature": sign(SECRET, GOOD, int(time.time()) + 3600),
            },
            401,
        ),
        "text content type": (*signed(GOOD, **{"content-type": "text/plain"}), 415),
        "no content type": (GOOD, {"TL-Signature": sign(SECRET, GOOD)}, 415),
        "body over the limit": (*signed(b'{"pad":"' + b"x" * 1_100_000 + b'"}'), 413),
        "not json": (*signed(b"hello"), 400),
        "envelope without id": (
            *signed(b'{"created_at":"2026-08-01T09:14:05Z","type":"x","data":{"id":"a"}}'),
            400,
        ),
        "task id with a path": (*signed(with_data(id="../../admin")), 400),
        "task id too long": (*signed(with_data(id="a" * 65)), 400),
        "bad created_at": (*signed(GOOD.replace(b"2026-08-01T09:14:05.812Z", b"later")), 400),
        "deep nesting": (
            *signed(b'{"id":"whe_x","data":' + b"[" * 100000 + b"]" * 100000 + b"}"),
            400,
        ),
        "huge number": (*signed(b'{"id":"whe_x","n":' + b"9" * 500000 + b"}"), 400),
    }


@pytest.mark.parametrize("case", list(cases()))
def test_a_rejected_delivery_gets_its_status_and_leaves_no_trace(stack: Stack, case: str) -> None:
    receiver = stack.receiver or stack.start_receiver()
    body, headers, expected = cases()[case]

    answer = httpx.post(f"{receiver.url}/webhooks/twelvelabs", content=body, headers=headers)

    assert answer.status_code == expected
    assert stack.redis.zcard(LedgerKeys().all_events) == 0
    assert stack.queue_length() == 0


def test_every_signature_failure_gets_one_generic_body(stack: Stack) -> None:
    receiver = stack.start_receiver()
    bodies = set()
    for case in ("no signature", "malformed signature", "wrong secret", "expired signature"):
        body, headers, _ = cases()[case]
        bodies.add(
            httpx.post(f"{receiver.url}/webhooks/twelvelabs", content=body, headers=headers).text
        )
    assert len(bodies) == 1
    metrics = httpx.get(f"{receiver.url}/metrics").text
    for reason in ("missing", "malformed", "mismatch", "expired"):
        assert f'tlhooks_webhook_rejections_total{{reason="{reason}"}} 1.0' in metrics


def test_a_signature_under_any_rotated_secret_is_accepted(stack: Stack) -> None:
    receiver = stack.start_receiver(TLHOOKS_WEBHOOK_SECRETS=f"whsec_new,{SECRET}")
    two_signatures = f"{sign('whsec_unknown', GOOD)},v1={sign(SECRET, GOOD).split('v1=')[1]}"

    answer = httpx.post(
        f"{receiver.url}/webhooks/twelvelabs",
        content=GOOD,
        headers={"content-type": "application/json", "TL-Signature": two_signatures},
    )

    assert answer.status_code == 202
