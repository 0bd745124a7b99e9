from __future__ import annotations

import anyio
import pytest
from starlette.requests import Request
from starlette.types import Message

from receiver.body import read_limited
from tlhooks.errors import PayloadTooLarge


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
