"""The sweeper's ledger operations, each one atomic Lua script (issue 8, fault 5).

The sweep lock is owner-checked like a run lease, so a sweep that outlived the lock's TTL
cannot delete the next sweep's lock; and a rescue checks the lease, the schedule and the state
and moves the event in the same script, so a run that starts in between is never flipped.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tlhooks.ledger import scripts
from tlhooks.ledger.keys import STATUS_NAMES
from tlhooks.ledger.store import EventLedger, translate_redis_errors
from tlhooks.status import EventStatus

RETRYABLE = ",".join(sorted(s.value for s in EventStatus if not s.settled))


class SweepOps:
    def __init__(self, ledger: EventLedger) -> None:
        self.ledger = ledger
        self.keys = ledger.keys
        client = ledger.client
        self._unlock = client.register_script(scripts.UNLOCK)
        self._requeue_stale = client.register_script(scripts.REQUEUE_STALE)
        self._requeue_due = client.register_script(scripts.REQUEUE_DUE)

    def try_lock(self, key: str, seconds: float) -> str | None:
        """Take ``key`` for ``seconds``; return the owner's token for ``unlock``, or None."""
        token = uuid.uuid4().hex
        with translate_redis_errors():
            taken = self.ledger.client.set(key, token, nx=True, px=int(seconds * 1000))
        return token if taken else None

    def unlock(self, key: str, token: str) -> bool:
        """Release ``key`` only if ``token`` still owns it (once expired it may be another's)."""
        with translate_redis_errors():
            return bool(self._unlock(keys=[key], args=[token]))

    def requeue_stale(
        self, event_id: str, status: EventStatus, cutoff: float, max_requeues: int, **how: str
    ) -> str:
        """Rescue a stuck event: ``queued`` or ``dead`` if moved, else why not (``running``,
        ``scheduled``, ``waiting``, ``publishing``, ``moved``, ``missing``). ``how``: ``note``,
        ``dead_note``, and ``queue`` with ``message`` to push the message in the same script."""
        extra = [status.value, cutoff, max_requeues, how.get("dead_note", "")]
        return self._requeue(self._requeue_stale, event_id, extra, how)

    def requeue_due(self, event_id: str, **how: str) -> str:
        """A due retry: ``queued`` if moved, else ``running`` (re-checked in a second),
        ``settled`` (taken off the schedule) or ``not-due``. ``how`` as for requeue_stale."""
        return self._requeue(self._requeue_due, event_id, [RETRYABLE], how)

    def _requeue(self, script: Any, event_id: str, extra: list[Any], how: dict[str, str]) -> str:
        keys = [self.keys.event(event_id), self.keys.history(event_id), self.keys.unsettled]
        keys += [self.keys.lease(event_id), self.keys.schedule]
        keys.append(how.get("queue") or self.keys.schedule)  # unused when there is no message
        keys.append(self.keys.publishing(event_id))  # read by REQUEUE_STALE only
        keys += self.keys.status_indexes
        args = [event_id, time.time(), how.get("note", ""), STATUS_NAMES]
        args += [how.get("message", ""), *extra]
        with translate_redis_errors():
            outcome, _previous = script(keys=keys, args=args)
        return str(outcome)
