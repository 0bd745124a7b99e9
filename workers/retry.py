"""RetryPolicy: exponential backoff with full jitter, honouring the platform's rate-limit hints.

``Retry-After`` may be seconds or an HTTP date. ``X-RateLimit-Request-Reset`` is undocumented
for v1.3; tlhooks reads a value above 10^9 as a unix time (as v1.2's ``X-Ratelimit-Reset``
was) and a smaller one as seconds from now. When both are present the later one wins.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from tlhooks.settings import Settings

_EPOCH_THRESHOLD = 1_000_000_000


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 2.0
    max_delay: float = 600.0
    uniform: Callable[[float, float], float] = field(default=random.uniform, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.max_attempts, settings.retry_base_delay, settings.retry_max_delay)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None and retry_after > 0:
            return min(self.max_delay, retry_after + self.uniform(0, self.base_delay / 2))
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        return self.uniform(0, ceiling)


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
    if number >= _EPOCH_THRESHOLD:
        return max(number - now, 0.0)
    return max(number, 0.0)


def requested_delay(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a 429 answer asks for, from ``Retry-After`` and the rate-limit reset header."""
    current = time.time() if now is None else now
    hints = [
        _seconds_from(headers.get("retry-after"), current),
        _seconds_from(headers.get("x-ratelimit-request-reset"), current),
    ]
    known = [hint for hint in hints if hint is not None]
    return max(known) if known else None
