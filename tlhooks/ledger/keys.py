"""Every Redis key tlhooks writes, in one place.

All keys share a prefix (``TLHOOKS_KEY_PREFIX``, default ``tlhooks``) so several deployments
can share one Redis database.
"""

from __future__ import annotations

from dataclasses import dataclass

from tlhooks.status import EventStatus


@dataclass(frozen=True)
class LedgerKeys:
    prefix: str = "tlhooks"

    def event(self, event_id: str) -> str:
        """Hash: the event record's scalar fields."""
        return f"{self.prefix}:event:{event_id}"

    def history(self, event_id: str) -> str:
        """List: one JSON entry per state transition, oldest first."""
        return f"{self.prefix}:event:{event_id}:history"

    def outcomes(self, event_id: str) -> str:
        """Hash: handler name -> JSON handler outcome."""
        return f"{self.prefix}:event:{event_id}:outcomes"

    def lease(self, event_id: str) -> str:
        """String with a TTL: the token of the worker run that owns the event right now."""
        return f"{self.prefix}:lease:{event_id}"

    def publishing(self, event_id: str) -> str:
        """String with a TTL: the token of the one delivery allowed to publish the event."""
        return f"{self.prefix}:publishing:{event_id}"

    def deliveries(self, event_id: str) -> str:
        """List: one JSON entry per delivery of the notification id (time, body hash, same)."""
        return f"{self.prefix}:event:{event_id}:deliveries"

    @property
    def redelivered(self) -> str:
        """Sorted set: ids delivered more than once, scored by the event's arrival time."""
        return f"{self.prefix}:redelivered"

    @property
    def reused(self) -> str:
        """Sorted set: ids delivered again with a different body, scored by arrival time."""
        return f"{self.prefix}:reused"

    def task(self, task_id: str) -> str:
        """Hash: terminal kind (``ready``/``failed``) -> id of the first event of that kind."""
        return f"{self.prefix}:task:{task_id}"

    def task_events(self, task_id: str) -> str:
        """Sorted set: every event id seen for one task, scored by arrival time."""
        return f"{self.prefix}:task:{task_id}:events"

    @property
    def all_events(self) -> str:
        """Sorted set: every event id, scored by arrival time."""
        return f"{self.prefix}:events"

    @property
    def unsettled(self) -> str:
        """Sorted set: ids of events not yet settled, scored by arrival time."""
        return f"{self.prefix}:unsettled"

    def by_status(self, status: EventStatus | str) -> str:
        """Sorted set: event ids in one state, scored by the time they entered it."""
        return f"{self.prefix}:status:{status}"

    @property
    def status_prefix(self) -> str:
        return f"{self.prefix}:status:"

    @property
    def schedule(self) -> str:
        """Sorted set: event id -> unix time at which its next attempt is due."""
        return f"{self.prefix}:schedule"

    @property
    def sweep_lock(self) -> str:
        """String with a TTL: held by the one sweep running right now."""
        return f"{self.prefix}:lock:sweep"
