"""TL-Signature: verify (and, for the emulator and tests, create) Twelve Labs webhook signatures.

The header is ``t=<unix seconds>,v1=<hex>`` where ``v1`` is
``hex(HMAC-SHA256(secret, f"{t}." + raw_body))``. Several ``v1`` entries may be present; one
match against any configured secret (rotation) suffices. The timestamp must lie within the
tolerance in both directions.

Parsing is strict and bounded, because it runs before anything is authenticated: the header
is printable ASCII of at most 4096 characters, ``t`` is 1 to 12 ASCII digits and appears once,
each ``v1`` is exactly 64 hex characters (at most 16 of them), elements are separated by
commas with optional spaces, and unknown elements are ignored (as the platform may add some).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Sequence

from tlhooks.errors import (
    SignatureExpired,
    SignatureMalformed,
    SignatureMismatch,
    SignatureMissing,
)

HEADER = "TL-Signature"
_MAX_HEADER_LENGTH = 4096
_MAX_SIGNATURES = 16
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The hex ``v1`` value for a body signed at ``timestamp``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """A complete ``TL-Signature`` header value, exactly as the platform sends it."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={compute(secret, ts, body)}"


def _check_shape(header: str) -> None:
    if len(header) > _MAX_HEADER_LENGTH:
        raise SignatureMalformed("TL-Signature header is longer than 4096 characters")
    if not _PRINTABLE.fullmatch(header):
        raise SignatureMalformed("TL-Signature header has characters other than printable ASCII")


def parse_header(header: str) -> tuple[int, list[str]]:
    """Split the header into its timestamp and its ``v1`` signatures."""
    _check_shape(header)
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip(" \t").partition("=")
        if not sep or not _KEY.fullmatch(key):
            raise SignatureMalformed("a TL-Signature element is not of the form key=value")
        if key == "t":
            if not _TIMESTAMP.fullmatch(value) or timestamp is not None:
                raise SignatureMalformed("TL-Signature t= is repeated or not 1 to 12 digits")
            timestamp = int(value)
        elif key == "v1":
            if not _HEX64.fullmatch(value):
                raise SignatureMalformed("a TL-Signature v1= value is not 64 hex characters")
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureMalformed("TL-Signature needs one t= and at least one v1=")
    if len(signatures) > _MAX_SIGNATURES:
        raise SignatureMalformed(f"TL-Signature has more than {_MAX_SIGNATURES} v1= values")
    return timestamp, signatures


class SignatureVerifier:
    """Checks a raw body against the TL-Signature header, before anything parses the body."""

    def __init__(self, secrets: Sequence[str], tolerance: int = 300) -> None:
        if not secrets:
            raise ValueError("SignatureVerifier needs at least one secret")
        self._keys = [secret.encode() for secret in secrets]
        self.tolerance = tolerance

    def verify(self, header: str | None, body: bytes, now: float | None = None) -> int:
        """Return the signed timestamp, or raise a ``SignatureInvalid`` subclass."""
        if not header:
            raise SignatureMissing("no TL-Signature header")
        timestamp, signatures = parse_header(header)
        current = time.time() if now is None else now
        if abs(current - timestamp) > self.tolerance:
            raise SignatureExpired(
                f"TL-Signature timestamp {timestamp} is {current - timestamp:+.0f} s from now, "
                f"outside the {self.tolerance} s tolerance"
            )
        message = str(timestamp).encode() + b"." + body
        matched = False
        for key in self._keys:
            expected = hmac.new(key, message, hashlib.sha256).hexdigest()
            for candidate in signatures:
                # No early exit: every comparison runs, each in constant time.
                matched |= hmac.compare_digest(expected, candidate)
        if not matched:
            raise SignatureMismatch("no v1 signature matches any configured secret")
        return timestamp
