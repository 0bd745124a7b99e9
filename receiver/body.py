"""Reading a request body under a size limit, without buffering more than the limit."""

from __future__ import annotations

import re

from starlette.requests import Request

from tlhooks.errors import PayloadTooLarge, UnsupportedMediaType

JSON_TYPES = ("application/json",)
_DIGITS = re.compile(r"[0-9]+")


def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES and not media_type.endswith("+json"):
        shown = repr(media_type[:40]) if media_type else "missing"
        raise UnsupportedMediaType(f"content type {shown} is not JSON")


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, or ``PayloadTooLarge`` as soon as it is known to exceed ``limit``."""
    declared = request.headers.get("content-length", "")
    # ASCII digits only: str.isdigit() accepts '²', which int() refuses.
    if _DIGITS.fullmatch(declared) and (len(declared) > 18 or int(declared) > limit):
        raise PayloadTooLarge(f"declared Content-Length {declared[:24]} exceeds {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"body exceeds {limit} bytes")
    return bytes(body)
