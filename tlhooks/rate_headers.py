"""What the platform's answers say about its rate limit: how long to wait, and whether the
window is spent.

``Retry-After`` may be seconds or an HTTP date. ``X-RateLimit-Request-Reset`` is undocumented
for v1.3; tlhooks reads a value above 10^9 as a unix time (as v1.2's ``X-Ratelimit-Reset`` was)
and a smaller one as seconds from now. When both are present the later one wins.
``X-RateLimit-Request-Remaining: 0`` on any answer means the window is spent: the next request
would be refused until the reset.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

_EPOCH_THRESHOLD = 1_000_000_000
REMAINING = "x-ratelimit-request-remaining"
RESET = "x-ratelimit-request-reset"


def _seconds_from(value: str | None, now: float) -> float | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            return max(parsedate_to_datetime(text).timestamp() - now, 0.0)
        except (TypeError, ValueError, IndexError):
            return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if number >= _EPOCH_THRESHOLD:
        return max(number - now, 0.0)
    return max(number, 0.0)


def requested_delay(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait an answer asks for, from ``Retry-After`` and the rate-limit reset header."""
    current = time.time() if now is None else now
    hints = [
        _seconds_from(headers.get("retry-after"), current),
        _seconds_from(headers.get(RESET), current),
    ]
    known = [hint for hint in hints if hint is not None]
    return max(known) if known else None


def window_spent(headers: Mapping[str, str]) -> bool:
    """Whether the answer says no request remains in the current rate-limit window."""
    remaining = (headers.get(REMAINING) or "").strip()
    return remaining in ("0", "0.0")
