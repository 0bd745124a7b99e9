from __future__ import annotations

import anyio
import pytest
from starlette.requests import Request
from starlette.types import Message

from receiver.body import read_limited, require_json
from tlhooks.errors import PayloadTooLarge, UnsupportedMediaType


def request_with(content_length: str, body: bytes) -> Request:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    # Servers decode header bytes as latin-1: b"\xb2" arrives as '²'.
    value = content_length.encode("latin-1", errors="ignore") or content_length.encode()
    headers = [(b"content-length", value)]
    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


@pytest.mark.parametrize("declared", ["²", "¹²³", "-1", " 5", ""])
def test_a_content_length_that_is_not_ascii_digits_is_ignored_not_a_crash(
    declared: str,
) -> None:
    assert anyio.run(read_limited, request_with(declared, b"{}"), 2048) == b"{}"


def test_a_declared_content_length_over_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(PayloadTooLarge, match="declared Content-Length 999999"):
        anyio.run(read_limited, request_with("9" * 5000, b"{}"), 2048)


# Found by mutation testing (docs/mutation.md).


def request_without_length(body: bytes, content_type: str | None = None) -> Request:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    headers = [] if content_type is None else [(b"content-type", content_type.encode())]
    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def test_a_body_without_a_content_length_is_read_under_the_limit() -> None:
    assert anyio.run(read_limited, request_without_length(b"{}"), 2048) == b"{}"


def test_a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not() -> None:
    assert anyio.run(read_limited, request_with("4", b"abcd"), 4) == b"abcd"
    assert anyio.run(read_limited, request_without_length(b"abcd"), 4) == b"abcd"
    with pytest.raises(PayloadTooLarge, match="declared"):
        anyio.run(read_limited, request_with("5", b"abcde"), 4)
    with pytest.raises(PayloadTooLarge, match="body exceeds 4 bytes"):
        anyio.run(read_limited, request_without_length(b"abcde"), 4)


def test_a_content_length_of_eighteen_digits_is_judged_by_its_value() -> None:
    declared = "0" * 17 + "2"  # 18 digits, the value 2
    assert anyio.run(read_limited, request_with(declared, b"{}"), 2048) == b"{}"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "APPLICATION/JSON; charset=utf-8", "application/problem+json"],
)
def test_json_media_types_are_accepted_in_any_case_and_with_parameters(content_type: str) -> None:
    require_json(request_without_length(b"{}", content_type))


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [(None, "missing"), ("text/plain; charset=utf-8", "'text/plain'"), ("", "missing")],
)
def test_a_request_that_is_not_json_is_refused_saying_what_it_sent(
    content_type: str | None, shown: str
) -> None:
    with pytest.raises(UnsupportedMediaType, match=f"content type {shown} is not JSON"):
        require_json(request_without_length(b"{}", content_type))
