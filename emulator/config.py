"""EmulatorConfig: everything that shapes one emulator instance, fixed at start-up.

Faults are not configuration: they change at run time through ``POST /_emulator/faults``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

DEFAULT_WEBHOOK_SECRET = "whsec_emulator"  # noqa: S105 - a public test secret
API_VERSION = "1.3"
API_PREFIX = "/v1.3"
CONTROL_PREFIX = "/_emulator"


def fresh_seed() -> int:
    """A seed no earlier run used, so a restarted emulator never hands out an id again."""
    return secrets.randbits(63)


@dataclass
class EmulatorConfig:
    """How the emulated Twelve Labs platform behaves.

    ``api_key`` None accepts any non-empty ``x-api-key``; otherwise the header must equal it.
    Every task that reaches ``ready`` or ``failed`` is POSTed, signed with ``webhook_secret``,
    to each of ``webhook_urls``. ``seed`` makes ids and results reproducible; without one,
    each instance draws a fresh seed, so its task and notification ids differ from every
    earlier run's (a receiver de-duplicates by notification id). ``clock`` is the
    total number of seconds a task spends between ``queued`` and its terminal status.
    A failed delivery is retried after ``webhook_backoff * 2**n`` seconds (n = 0, 1, ...), each
    try bounded by ``webhook_timeout``, until ``webhook_retry_window`` seconds have passed since
    its first try (one last try lands at the window's end) or, when ``webhook_attempts`` is set,
    after that many tries, whichever comes first. A batch runs at most
    ``batch_concurrency`` of its items at a time [undoc]; ``max_active_batches`` batches may be
    pending, processing or canceling at once (the platform allows 5).
    """

    api_key: str | None = None
    webhook_urls: list[str] = field(default_factory=list)
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    seed: int = field(default_factory=fresh_seed)
    clock: float = 1.0
    webhook_timeout: float = 10.0
    webhook_attempts: int | None = None
    webhook_backoff: float = 0.5
    webhook_retry_window: float = 60.0
    # The spec allows 20 segment definitions, the segmentation guide says 10 (facts doc §0).
    max_segment_definitions: int = 20
    batch_concurrency: int = 4
    max_active_batches: int = 5

    def __post_init__(self) -> None:
        if self.clock < 0:
            raise ValueError(f"clock must be zero or more seconds, not {self.clock}.")
        if self.webhook_attempts is not None and self.webhook_attempts < 1:
            raise ValueError(
                f"webhook_attempts must be at least 1, not {self.webhook_attempts}; "
                "use the drop_webhooks fault to suppress deliveries."
            )
        if self.webhook_timeout <= 0:
            raise ValueError(f"webhook_timeout must be positive, not {self.webhook_timeout}.")
        if self.webhook_backoff < 0:
            raise ValueError(f"webhook_backoff must not be negative, not {self.webhook_backoff}.")
        if self.webhook_retry_window < 0:
            raise ValueError(
                "webhook_retry_window must be zero or more seconds, "
                f"not {self.webhook_retry_window}."
            )
        if self.webhook_backoff == 0 and self.webhook_attempts is None:
            raise ValueError(
                "webhook_backoff 0 would retry without pause for the whole webhook_retry_window; "
                "set a positive webhook_backoff or a webhook_attempts limit."
            )
        if not 1 <= self.max_segment_definitions <= 20:
            raise ValueError(
                "max_segment_definitions must lie between 1 and 20 (the spec's limit), "
                f"not {self.max_segment_definitions}."
            )
        if self.batch_concurrency < 1 or self.max_active_batches < 1:
            raise ValueError(
                "batch_concurrency and max_active_batches must be at least 1, not "
                f"{self.batch_concurrency} and {self.max_active_batches}."
            )
