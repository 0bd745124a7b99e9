"""FaultSettings: the misbehaviour a test can switch on at run time.

Set through ``POST /_emulator/faults`` (merged into the current settings) or ``--fault
name=value`` on the ``emulator`` command, read back through ``GET /_emulator/faults``, cleared
by ``POST /_emulator/reset``:

=========================  ====================================================================
``latency``                seconds added before every /v1.3 answer
``rate_limit_next``        the next N GET requests on /v1.3/analyze/tasks* answer 429
``retry_after``            seconds announced by a 429 in ``Retry-After`` (default 1)
``server_error_next``      the next N GET requests on /v1.3/analyze/tasks* answer 500, 503, 500...
``rate_limit_fraction``    the probability that any such GET answers 429
``request_limit``          the platform's own rate limit: at most N /v1.3 requests per window,
                           then 429 with the reset headers (0: off; see emulator.request_limit)
``request_window``         seconds per ``request_limit`` window (default 60: requests per minute)
``server_error_fraction``  the probability that any such GET answers 500 or 503
``drop_webhooks``          notifications are never sent (webhooks[] shows them undelivered)
``drop_webhook_fraction``  the probability that one task's notification is never sent (rolled
                           once per notification; webhooks[] shows it undelivered, 0 attempts)
``duplicate_webhooks``     N extra copies of every notification, with the same notification id
``webhook_delay``          seconds before the first attempt of every notification
``webhook_jitter``         up to this many more seconds, drawn uniformly for every copy of every
                           notification, so notifications of tasks ending together arrive out of
                           order
``webhook_outage``         the receivers are down for this many seconds from when it is set:
                           every attempt fails with "connection refused (emulated outage)"
                           without contacting them, and is retried as usual (0 ends an outage)
``fail_fraction``          the fraction of created tasks that end ``failed``
``truncate_fraction``      the fraction of created tasks that end ready with finish_reason length
=========================  ====================================================================

Counters are consumed before fractions are rolled; the rolls and the jitter use generators
seeded from the emulator's seed, so a run is reproducible. Whether a delivery outlasts an
outage depends on ``EmulatorConfig.webhook_retry_window`` and ``webhook_attempts``.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from emulator.errors import InvalidParameter
from emulator.request_limit import Admission, RequestLimit

_FRACTIONS = (
    "rate_limit_fraction",
    "server_error_fraction",
    "fail_fraction",
    "truncate_fraction",
    "drop_webhook_fraction",
)
_COUNTS = ("rate_limit_next", "server_error_next", "duplicate_webhooks", "request_limit")
_SECONDS = ("latency", "retry_after", "webhook_delay", "webhook_jitter", "webhook_outage")
_POSITIVE = ("request_window",)


@dataclass
class FaultSettings:
    """The current faults; every field's default means "behave like a healthy platform"."""

    latency: float = 0.0
    rate_limit_next: int = 0
    retry_after: float = 1.0
    server_error_next: int = 0
    rate_limit_fraction: float = 0.0
    request_limit: int = 0
    request_window: float = 60.0
    server_error_fraction: float = 0.0
    drop_webhooks: bool = False
    duplicate_webhooks: int = 0
    webhook_delay: float = 0.0
    webhook_jitter: float = 0.0
    webhook_outage: float = 0.0
    fail_fraction: float = 0.0
    truncate_fraction: float = 0.0
    drop_webhook_fraction: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def known_faults() -> list[str]:
    """The names of every fault setting, sorted."""
    return sorted(f.name for f in fields(FaultSettings))


def validated(changes: object) -> dict[str, object]:
    """A partial update checked whole: unknown names and out-of-range values raise."""
    if not isinstance(changes, dict):
        raise InvalidParameter("The fault settings must be a JSON object.")
    known = known_faults()
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise InvalidParameter(f"Unknown fault setting(s) {unknown}; known: {known}.")
    return {name: _checked(name, value) for name, value in changes.items()}


class FaultInjector:
    """Holds the settings and decides, request by request, which fault strikes."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        self.settings = FaultSettings()
        self._rng = random.Random(self._seed)
        self._jitter_rng = random.Random(f"webhook_jitter:{self._seed}")
        self._drop_rng = random.Random(f"drop_webhook:{self._seed}")
        self._server_errors = 0
        self._outage_ends = 0.0
        self._request_limit = RequestLimit()

    def merge(self, changes: object) -> FaultSettings:
        """Apply a partial update; unknown names and out-of-range values are rejected whole."""
        checked = validated(changes)
        for name, value in checked.items():
            setattr(self.settings, name, value)
        if "webhook_outage" in checked:
            self._outage_ends = time.monotonic() + self.settings.webhook_outage
        return self.settings

    def take_rate_limit(self) -> bool:
        if self.settings.rate_limit_next > 0:
            self.settings.rate_limit_next -= 1
            return True
        return self._roll(self.settings.rate_limit_fraction)

    def admit_request(self) -> Admission | None:
        """Count one /v1.3 request against ``request_limit``; None while that limit is off."""
        if self.settings.request_limit <= 0:
            return None
        return self._request_limit.admit(self.settings.request_limit, self.settings.request_window)

    def take_server_error(self) -> int | None:
        """The status of an injected server error (500 and 503 alternate), or None."""
        if self.settings.server_error_next > 0:
            self.settings.server_error_next -= 1
        elif not self._roll(self.settings.server_error_fraction):
            return None
        self._server_errors += 1
        return 500 if self._server_errors % 2 else 503

    def roll_failure(self) -> bool:
        return self._roll(self.settings.fail_fraction)

    def roll_truncation(self) -> bool:
        return self._roll(self.settings.truncate_fraction)

    def roll_webhook_drop(self) -> bool:
        """Whether this notification is lost: ``drop_webhooks``, or a ``drop_webhook_fraction`` roll
        (on a generator of its own, so dropping does not shift the other faults' rolls)."""
        if self.settings.drop_webhooks:
            return True
        fraction = self.settings.drop_webhook_fraction
        return fraction > 0 and self._drop_rng.random() < fraction

    def first_attempt_wait(self) -> float:
        """Seconds one notification copy waits before its first attempt: delay plus jitter."""
        jitter = self.settings.webhook_jitter
        extra = self._jitter_rng.uniform(0, jitter) if jitter > 0 else 0.0
        return self.settings.webhook_delay + extra

    def receivers_down(self) -> bool:
        """Whether a ``webhook_outage`` is in progress."""
        return time.monotonic() < self._outage_ends

    def _roll(self, fraction: float) -> bool:
        return fraction > 0 and self._rng.random() < fraction


def _checked(name: str, value: object) -> object:
    if name == "drop_webhooks":
        if not isinstance(value, bool):
            raise InvalidParameter(f"drop_webhooks must be true or false, not {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameter(f"The fault setting {name} must be a number, not {value!r}.")
    if not math.isfinite(value):
        raise InvalidParameter(f"The fault setting {name} must be a finite number, not {value}.")
    if name in _FRACTIONS and not 0 <= value <= 1:
        raise InvalidParameter(f"{name} is a fraction between 0 and 1, not {value}.")
    if name in _COUNTS:
        if not isinstance(value, int) or value < 0:
            raise InvalidParameter(f"{name} is a count of zero or more, not {value}.")
        return value
    if name in _POSITIVE and value <= 0:
        raise InvalidParameter(f"{name} is a number of seconds above zero, not {value}.")
    if name in _SECONDS and value < 0:
        raise InvalidParameter(f"{name} is a number of seconds, zero or more, not {value}.")
    return float(value)
