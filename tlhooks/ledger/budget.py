"""The shared API request budget's state in Redis: slots and pauses (RESERVE_API_SLOT and
PAUSE_API), and the counters ops read. Mixed into EventLedger, so every worker process and
thread of a deployment, and anything else that calls the API, draws on the same budget.

The budget is a GCRA in one Lua script rather than a library such as ``limits``: it must hand
out *future* slots in order (a run that has to wait gives its thread back and comes back at
its slot), be paused as a whole when the platform pushes back, store a run's slot on its event
in the same atomic step, and live on the ledger's own connection (one Redis, one hash tag, the
same Sentinel set-up); ``limits`` answers only "allowed now or not". The state is one small
hash per deployment, whatever the rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import redis
from redis.commands.core import Script

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors


@dataclass(frozen=True)
class ApiSlot:
    """A slot of the API budget: send after ``wait`` seconds; ``held`` when the slot is stored
    on the event to be used after that wait, by a later run."""

    kind: Literal["now", "held"]
    wait: float
    at: float  # unix time of the slot, on Redis's clock

    @property
    def held(self) -> bool:
        return self.kind == "held"


@dataclass(frozen=True)
class BudgetState:
    """What the budget hash says, for ``events stats`` and the console."""

    rate_limited: int = 0  # 429 answers the deployment got
    pauses: int = 0  # times the platform paused the deployment (429s and exhausted windows)
    deferrals: int = 0  # runs that gave their thread back to wait for a slot
    paused_until: float | None = None  # unix time, when a pause is set


class BudgetSteps:
    client: redis.Redis
    keys: LedgerKeys
    _reserve_api_slot: Script  # RESERVE_API_SLOT and PAUSE_API, registered by EventLedger
    _pause_api: Script

    def reserve_api_slot(
        self,
        interval: float,
        *,
        event_id: str | None = None,
        max_sleep: float = float("inf"),
        grace: float = 0.0,
    ) -> ApiSlot:
        """The next slot of the budget (``interval`` seconds apart; 0: pauses only). For an
        event run, a slot more than ``max_sleep`` seconds away is stored on the event; a run
        that holds one uses it, unless a pause covered it or it is more than ``grace`` old."""
        keys = [self.keys.api_budget]
        if event_id is not None:
            keys.append(self.keys.event(event_id))
        sleep_ms = -1 if max_sleep < 0 else min(max_sleep, 10**9 / 1000) * 1000
        args = [round(interval * 1000, 3), round(sleep_ms, 3), round(grace * 1000)]
        with translate_redis_errors():
            kind, wait_ms, slot_ms = self._reserve_api_slot(keys=keys, args=args)
        return ApiSlot(str(kind), max(int(wait_ms), 0) / 1000, int(slot_ms) / 1000)  # type: ignore[arg-type]

    def pause_api(self, seconds: float, *, rate_limited: bool) -> float:
        """Pause the whole deployment's API calls for ``seconds``; return the seconds until the
        pause (this one, or a longer one already set) ends."""
        args = [max(round(seconds * 1000), 0), int(rate_limited)]
        with translate_redis_errors():
            remaining = self._pause_api(keys=[self.keys.api_budget], args=args)
        return int(remaining) / 1000

    def budget_state(self) -> BudgetState:
        with translate_redis_errors():
            fields: dict[str, str] = self.client.hgetall(self.keys.api_budget)  # type: ignore[assignment]
            now_s, now_us = self.client.time()
        paused = int(fields.get("paused_until") or 0)
        now_ms = int(now_s) * 1000 + int(now_us) // 1000
        return BudgetState(
            rate_limited=int(fields.get("rate_limited") or 0),
            pauses=int(fields.get("pauses") or 0),
            deferrals=int(fields.get("deferrals") or 0),
            paused_until=paused / 1000 if paused > now_ms else None,
        )
