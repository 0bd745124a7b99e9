"""Hostile webhooks on the real app and a real Redis: each is refused with a 4xx, never a
500, and leaves nothing in the ledger."""

from __future__ import annotations

import time

import pytest
import redis

from tests.receiver.conftest import (
    SECRET,
    WEBHOOK,
    TestClient,
    encode,
    envelope,
    signed_headers,
    stored_keys,
)
from tlhooks.signing import compute

GOOD = encode(envelope())


def header_for(t: str, body: bytes = GOOD) -> str:
    return f"t={t},v1={compute(SECRET, int(time.time()), body)}"


SIGNATURES = {
    "a timestamp of hundreds of digits": header_for("9" * 400),
    "a timestamp of superscript digits": header_for("²³"),
    "a timestamp of arabic-indic digits": header_for("١٧٨٥٥٧٥٦٤٥"),
    "a timestamp of thirteen digits": header_for("1" * 13),
    "a negative timestamp": header_for("-5"),
    "a repeated timestamp": f"t=1,{header_for(str(int(time.time())))}",
    "a v1 of non-ascii hex": f"t={int(time.time())},v1={'é' * 64}",
    "a v1 with a trailing newline": f"t={int(time.time())},v1={'a' * 64}\n",
    "seventeen v1 values": f"t={int(time.time())}" + f",v1={'a' * 64}" * 17,
    "an element without a key": f"=1,{header_for(str(int(time.time())))}",
    "only commas": "," * 100,
    "a 5000-character header": "t=1," + "x" * 5000,
}


@pytest.mark.parametrize("case", list(SIGNATURES))
def test_a_malformed_signature_is_401_without_a_trace(
    client: TestClient, redis_client: redis.Redis, case: str
) -> None:
    # Servers decode header bytes as latin-1, so '²' arrives as itself when sent as b'\xb2'.
    value = SIGNATURES[case]
    raw = value.encode("latin-1") if max(value) <= "\xff" else value.encode()
    headers = {"content-type": "application/json", "TL-Signature": raw}
    answer = client.post(WEBHOOK, content=GOOD, headers=headers)
    assert answer.status_code == 401
    assert stored_keys(redis_client) == []


BODIES = {
    "NaN": GOOD.replace(b'"status":"ready"', b'"status":"ready","score":NaN'),
    "Infinity": GOOD.replace(b'"status":"ready"', b'"status":"ready","score":Infinity'),
    "-Infinity": GOOD.replace(b'"status":"ready"', b'"status":"ready","score":-Infinity'),
    "a repeated id": GOOD.replace(b'{"id":', b'{"id":"whe_first","id":', 1),
    "a repeated nested key": GOOD.replace(
        b'"custom_id":"cam-a"', b'"custom_id":"a","custom_id":"b"'
    ),
    "utf-16": GOOD.decode().encode("utf-16"),
    "an unpaired surrogate in custom_id": GOOD.replace(b'"cam-a"', b'"\\ud800"'),
    "an unpaired surrogate in type": GOOD.replace(b'"analyze.task.ready"', b'"\\udfff"'),
    "a number of 5000 digits": GOOD.replace(b'"status":"ready"', b'"n":' + b"9" * 5000),
    "an array": b"[" + GOOD + b"]",
}


@pytest.mark.parametrize("case", list(BODIES))
def test_a_body_that_is_not_strict_json_is_400_without_a_trace(
    client: TestClient, redis_client: redis.Redis, case: str
) -> None:
    body = BODIES[case]
    answer = client.post(WEBHOOK, content=body, headers=signed_headers(body))
    assert answer.status_code == 400, answer.text
    assert stored_keys(redis_client) == []


def test_the_stored_id_is_the_one_admitted(client: TestClient) -> None:
    answer = client.post(WEBHOOK, content=GOOD, headers=signed_headers(GOOD))
    assert answer.status_code == 202
    assert answer.json()["event_id"] == envelope()["id"]
