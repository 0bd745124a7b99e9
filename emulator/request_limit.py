"""RequestLimit: the platform's requests-per-minute limit, as the emulator enforces it on demand.

Switched on by the ``request_limit`` fault (requests per window; 0, the default, is off) with
``request_window`` seconds per window (60: a requests-per-minute limit like the platform's RPM
dimension; tests shrink it to stay fast). Windows are fixed and aligned to the unix clock
(``floor(now / window)``), as a per-minute counter that resets on the minute would be [undoc:
the platform does not document its window]. Every /v1.3 request counts, whatever its path, since
the platform's RPM limit covers all of an account's requests.

While the limit is on, every answer carries ``X-RateLimit-Request-Remaining`` (requests left in
the window) and ``X-RateLimit-Request-Reset`` (the unix time the window ends, rounded up to a
whole second as the platform's v1.2 ``X-Ratelimit-Reset`` was); a refused request gets 429
``too_many_requests`` with ``Retry-After`` in seconds until the window ends.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Admission:
    """What the limit said to one request."""

    allowed: bool
    remaining: int
    reset_at: float  # unix time the current window ends
    retry_after: float  # seconds until then (0 when allowed)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Request-Remaining": str(self.remaining),
            "X-RateLimit-Request-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            headers["Retry-After"] = f"{self.retry_after:.3g}"
        return headers


class RequestLimit:
    """Counts requests per fixed window; thread-safe, as the emulator may serve from threads."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._window_index = -1
        self._used = 0

    def admit(self, limit: int, window: float) -> Admission:
        """Count one request against ``limit`` requests per ``window`` seconds."""
        now = self._clock()
        index = math.floor(now / window)
        reset_at = (index + 1) * window
        with self._lock:
            if index != self._window_index:
                self._window_index, self._used = index, 0
            allowed = self._used < limit
            if allowed:
                self._used += 1
            remaining = max(limit - self._used, 0)
        retry_after = 0.0 if allowed else max(reset_at - now, 0.001)
        return Admission(allowed, remaining, reset_at, retry_after)

    def reset(self) -> None:
        with self._lock:
            self._window_index, self._used = -1, 0
