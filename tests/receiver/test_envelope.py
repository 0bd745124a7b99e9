from __future__ import annotations

import json

import pytest

from receiver.envelope import parse_envelope
from tlhooks.errors import InvalidEnvelope


def body(**changes: object) -> bytes:
    data = {
        "id": "whe_3f9a1c7e5b2d4068a1c9e7f3b5d20486",
        "created_at": "2022-08-01T17:22:18.372553+09:00",
        "type": "analyze.task.ready",
        "data": {"id": "68ab41c2e5f1d93a7c2b0e14", "custom_id": None, "status": "ready"},
    }
    data.update(changes)
    return json.dumps(data).encode()


def test_an_envelope_with_an_offset_and_fractional_seconds_parses() -> None:
    envelope = parse_envelope(body())
    assert envelope.kind == "ready"
    assert envelope.data.custom_id is None
    assert envelope.created_at.utcoffset() is not None


def test_an_unknown_type_parses_with_no_kind() -> None:
    assert parse_envelope(body(type="index.task.ready")).kind is None


def test_unknown_fields_are_tolerated() -> None:
    envelope = parse_envelope(body(extra={"anything": [1, 2]}))
    assert envelope.id.startswith("whe_")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b"not json",
        body(id=""),
        body(id="a/b"),
        body(type=""),
        body(created_at="soon"),
        body(data={"id": "has space"}),
        body(data={"id": "x" * 65}),
        body(data={}),
        b"[" * 10_000,
        b'{"id":' + b"1" * 100_000 + b"}",
    ],
)
def test_anything_but_a_valid_envelope_is_invalid(raw: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        parse_envelope(raw)


# Found by mutation testing (docs/mutation.md): the 400's sentence must point at the fault.


def test_the_error_names_the_field_that_broke_the_envelope() -> None:
    with pytest.raises(InvalidEnvelope, match=r"^data\.id: "):
        parse_envelope(body(data={"id": "../../etc"}))


def test_a_document_that_is_not_an_object_is_blamed_on_the_body() -> None:
    with pytest.raises(InvalidEnvelope, match=r"^body: "):
        parse_envelope(b"[1, 2]")


def test_a_duplicated_key_is_named_in_the_error() -> None:
    raw = b'{"type": "x", "id": "whe_1", "id": "whe_2"}'
    with pytest.raises(InvalidEnvelope, match=r"key 'id' appears twice"):
        parse_envelope(raw)
