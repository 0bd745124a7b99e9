"""RateBudget: one API request budget for a whole deployment, shared through the ledger.

Twelve Labs limits each account's requests per minute and answers 429 past the limit. Every
worker process and thread (and anything else that calls the API) takes a slot from this budget
before a request, so together they stay within ``TLHOOKS_API_RATE_LIMIT`` requests per minute
(0 turns pacing off). When the platform pushes back anyway, with a 429 or an answer saying its
window is spent, the whole deployment pauses until the reset it names, not only the caller.

A caller that can wait blocks until its slot (``admit``). A worker run must not hold its
thread asleep for long: ``take_for`` hands it a slot it may sleep for (at most ``ahead``
seconds away), or stores the slot on its event so the run can give its thread back and be
scheduled for when the slot comes (see workers/pacing.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tlhooks.ledger import EventLedger
from tlhooks.ledger.budget import ApiSlot
from tlhooks.rate_headers import requested_delay, window_spent
from tlhooks.settings import Settings


@dataclass
class RateBudget:
    ledger: EventLedger
    per_minute: int  # 0: no pacing; the platform's pauses still apply
    ahead: float = 3.0  # the longest a run sleeps for its slot; deferred runs come back this early
    default_pause: float = 2.0  # a 429 that names no reset pauses this long
    max_pause: float = 600.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    @classmethod
    def from_settings(cls, ledger: EventLedger, settings: Settings) -> RateBudget:
        return cls(
            ledger,
            settings.api_rate_limit,
            ahead=settings.sweep_interval + 1.0,
            default_pause=settings.retry_base_delay,
            max_pause=settings.retry_max_delay,
        )

    @property
    def interval(self) -> float:
        """Seconds between two slots; 0 when pacing is off."""
        return 60.0 / self.per_minute if self.per_minute > 0 else 0.0

    def take_for(self, event_id: str, *, keep: bool = False) -> ApiSlot:
        """A slot for one event run: ``now`` (sleep ``wait``, then send) or ``held`` on the
        event for a later run. ``keep`` always stores it on the event (after a 429)."""
        return self.ledger.reserve_api_slot(
            self.interval,
            event_id=event_id,
            max_sleep=-1 if keep else self.ahead,
            grace=self.ahead,
        )

    def admit(self) -> float:
        """Wait for the next slot, however far; return the seconds waited."""
        slot = self.ledger.reserve_api_slot(self.interval)
        if slot.wait > 0:
            self.sleep(slot.wait)
        return slot.wait

    def heed(self, status_code: int, headers: Mapping[str, str]) -> float | None:
        """Pause the deployment if the answer says so; return the pause in seconds, or None."""
        if status_code == 429:
            asked = requested_delay(headers)
            pause = self.default_pause if asked is None else asked
            return self.ledger.pause_api(min(pause, self.max_pause), rate_limited=True)
        if window_spent(headers):
            asked = requested_delay(headers)
            if asked:
                return self.ledger.pause_api(min(asked, self.max_pause), rate_limited=False)
        return None
