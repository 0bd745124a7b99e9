"""Property-based: whatever the headers and body, the receiver answers (no hang), never with a
5xx other than 503, and a rejected request leaves nothing in the ledger.

Runs the real app in process on the suite's real Redis; each example starts from an empty
database.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.receiver.conftest import (
    SECRET,
    TOKEN,
    WEBHOOK,
    TestClient,
    encode,
    envelope,
    latin1_or_utf8,
    stored_keys,
)
from tlhooks.signing import compute

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
latin1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=80)
timestamps = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.text("0123456789", min_size=310, max_size=400),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),
    latin1,
)


@st.composite
def signature_headers(draw: st.DrawFn, body: bytes) -> str:
    """Good, nearly good and garbage TL-Signature values."""
    now = int(time.time())
    good = compute(SECRET, now, body)
    parts = draw(
        st.lists(
            st.one_of(
                st.just(f"t={now}"),
                timestamps.map(lambda t: f"t={t}"),
                st.just(f"v1={good}"),
                st.text("0123456789abcdefABCDEF", max_size=70).map(lambda v: f"v1={v}"),
                latin1,
            ),
            max_size=6,
        )
    )
    separator = draw(st.sampled_from([",", ", ", " ,", ",,"]))
    shaped = f"t={draw(timestamps)},v1={draw(st.sampled_from([good, good.upper(), '0' * 64]))}"
    return draw(st.sampled_from([separator.join(parts), shaped]))


def envelopes() -> st.SearchStrategy[Any]:
    base = envelope()
    mutated = st.fixed_dictionaries(
        {},
        optional={name: json_values | st.just(value) for name, value in base.items()},
    )
    data = st.fixed_dictionaries(
        {}, optional={name: json_values | st.just(v) for name, v in base["data"].items()}
    )
    return st.one_of(
        st.just(base),
        mutated,
        st.builds(lambda d: {**base, "data": d}, data),
        json_values,
    )


def raw_bodies() -> st.SearchStrategy[bytes]:
    serialised = envelopes().map(lambda doc: json.dumps(doc).encode())
    tampered = st.tuples(serialised, st.sampled_from([b"NaN", b"Infinity", b'"id":"whe_x"'])).map(
        lambda pair: pair[0].replace(b"null", pair[1], 1)
    )
    return st.one_of(serialised, tampered, st.binary(max_size=300))


def check(answer_status: int, redis_client: redis.Redis) -> None:
    assert answer_status < 500 or answer_status == 503
    if answer_status >= 400:
        assert stored_keys(redis_client) == []


@PROPERTY
@given(data=st.data())
def test_any_webhook_is_answered_without_a_5xx_and_a_rejection_stores_nothing(
    client: TestClient, redis_client: redis.Redis, data: st.DataObject
) -> None:
    redis_client.flushdb()
    body = data.draw(raw_bodies(), label="body")
    headers: dict[str, Any] = {
        "content-type": data.draw(
            st.sampled_from(["application/json", "text/plain", "application/x+json", ""])
        ),
        "TL-Signature": latin1_or_utf8(data.draw(signature_headers(body), label="signature")),
    }
    extra = data.draw(
        st.dictionaries(st.from_regex(r"x-[a-z]{1,8}", fullmatch=True), latin1, max_size=5)
    )
    headers.update({k: v.encode("latin-1") for k, v in extra.items()})
    answer = client.post(WEBHOOK, content=body, headers=headers)
    check(answer.status_code, redis_client)


@PROPERTY
@given(document=json_values | envelopes(), raw=st.binary(max_size=200), use_raw=st.booleans())
def test_any_replay_request_is_answered_without_a_5xx_and_changes_nothing(
    client: TestClient,
    redis_client: redis.Redis,
    document: Any,
    raw: bytes,
    use_raw: bool,
) -> None:
    redis_client.flushdb()
    body = raw if use_raw else encode(document)
    answer = client.post(
        "/admin/replay", content=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code < 500, answer.text
    assert stored_keys(redis_client) == []


@PROPERTY
@given(
    key=st.text(min_size=1, max_size=40),
    query=st.dictionaries(
        st.sampled_from(["status", "limit", "page", "since", "until", "custom_id", "colour"]),
        st.text(max_size=20),
        max_size=4,
    ),
)
def test_any_admin_lookup_is_answered_without_a_5xx(
    client: TestClient, redis_client: redis.Redis, key: str, query: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for answer in (
        client.get(f"/admin/events/{quote(key, safe='')}", headers=auth),
        client.get("/admin/events", params=query, headers=auth),
    ):
        assert answer.status_code < 500, answer.text
