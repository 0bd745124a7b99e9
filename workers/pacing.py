"""Pacer: holds each event run to the deployment's shared API budget (tlhooks/rate_budget.py).

A run whose slot is near sleeps until it and sends. A run whose slot is further away than
``RateBudget.ahead`` does not keep a worker thread asleep: its slot is stored on the event, the
event goes back to ``queued`` with its next attempt scheduled in the ledger ``ahead`` seconds
before the slot, and the sweeper publishes it then, as it publishes a due retry.

A 429 is the platform pacing us, not a failure of the event: it is counted on the event
(``rate_limited``) and in the budget, never as an attempt, and the event waits for a slot after
the pause the platform asked for (the client has already paused the whole deployment).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tlhooks.ledger import EventLedger
from tlhooks.ledger.budget import ApiSlot
from tlhooks.metrics import API_RATE_LIMITED, BUDGET_DEFERRALS, BUDGET_WAIT
from tlhooks.rate_budget import RateBudget
from tlhooks.status import EventStatus


class Pacer:
    def __init__(
        self,
        ledger: EventLedger,
        budget: RateBudget,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ledger = ledger
        self.budget = budget
        self.clock = clock
        self.sleep = sleep

    def wait_turn(self, event_id: str) -> bool:
        """Sleep until the run's slot and return True, or defer the event and return False."""
        slot = self.budget.take_for(event_id)
        if slot.held:
            self._defer(event_id, slot, f"waiting {slot.wait:.1f} s for the API rate budget")
            return False
        BUDGET_WAIT.observe(slot.wait)
        if slot.wait > 0:
            self.sleep(slot.wait)
        return True

    def defer(self, event_id: str, delay: float, note: str) -> None:
        """Send the event back to wait ``delay`` s for something other than the budget (its
        batch's results, read by another run); no attempt is counted."""
        due = self.clock() + delay
        self.ledger.schedule(event_id, due)
        self.ledger.transition(event_id, EventStatus.QUEUED, note, next_attempt_at=due)

    def after_rate_limited(self, event_id: str) -> None:
        """The API answered 429: count it and wait for a slot after the platform's pause."""
        self.ledger.increment(event_id, "rate_limited")
        API_RATE_LIMITED.inc()
        slot = self.budget.take_for(event_id, keep=True)
        self._defer(event_id, slot, f"the API answered 429; next slot in {slot.wait:.1f} s")

    def _defer(self, event_id: str, slot: ApiSlot, note: str) -> None:
        due = self.clock() + max(slot.wait - self.budget.ahead, 0.0)
        # scheduled first: a crash between the two leaves a due attempt, not a stranded event
        self.ledger.schedule(event_id, due)
        self.ledger.transition(event_id, EventStatus.QUEUED, note, next_attempt_at=due)
        BUDGET_DEFERRALS.inc()
