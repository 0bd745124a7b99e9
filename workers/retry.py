"""RetryPolicy: exponential backoff with full jitter, honouring the platform's rate-limit hints.

The worker's policy is the global one (``TLHOOKS_MAX_ATTEMPTS`` and the backoff settings);
``for_handler`` lays a handler's own options over it, handler first, then global, as
dramatiq's ``Retries`` reads an actor's options before its defaults. A handler may set
``max_attempts``, ``permanent_errors`` and ``timeout``; the backoff stays global.

How long a rate-limited answer asks to wait is read by ``tlhooks.rate_headers`` (re-exported
here as ``requested_delay``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from handlers.options import HandlerOptions
from tlhooks.errors import NonRetryable
from tlhooks.rate_headers import requested_delay as requested_delay
from tlhooks.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 2.0
    max_delay: float = 600.0
    uniform: Callable[[float, float], float] = field(default=random.uniform, compare=False)
    permanent_errors: tuple[type[Exception], ...] = ()
    timeout: float | None = None  # seconds a handler's call is waited for; None: no bound

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.max_attempts, settings.retry_base_delay, settings.retry_max_delay)

    def for_handler(self, options: HandlerOptions | None) -> RetryPolicy:
        """This policy with what the handler's options set laid over it."""
        if options is None:
            return self
        return replace(
            self,
            max_attempts=_first(options.max_attempts, self.max_attempts),
            permanent_errors=_first(options.permanent_errors, self.permanent_errors),
            timeout=_first(options.timeout, self.timeout),
        )

    def is_permanent(self, exc: BaseException) -> bool:
        """Whether ``exc`` gives the handler up at once: ``NonRetryable`` or a permanent type."""
        return isinstance(exc, (NonRetryable, *self.permanent_errors))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None and retry_after > 0:
            return min(self.max_delay, retry_after + self.uniform(0, self.base_delay / 2))
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        return self.uniform(0, ceiling)


def _first(value: T | None, default: T) -> T:
    return default if value is None else value
