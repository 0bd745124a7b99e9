"""EventLedger: reads and atomic writes of event records in Redis."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import redis

from tlhooks.errors import EventNotFound, InvalidTransition, LeaseLost
from tlhooks.ledger import scripts
from tlhooks.ledger.batch_steps import BatchSteps
from tlhooks.ledger.budget import BudgetSteps
from tlhooks.ledger.compacting import CompactionSteps
from tlhooks.ledger.connection import client_for
from tlhooks.ledger.connection import connect as connect
from tlhooks.ledger.expectations import ExpectationSteps
from tlhooks.ledger.fencing import current_run
from tlhooks.ledger.intake import IntakeSteps, ReplicaWait
from tlhooks.ledger.keys import STATUS_NAMES, LedgerKeys
from tlhooks.ledger.migration import LegacyMigration
from tlhooks.ledger.queries import IndexQueries
from tlhooks.ledger.record import EventRecord, HandlerOutcome, encode_later_fields
from tlhooks.ledger.reindexing import Reindexing
from tlhooks.ledger.replaying import ReplaySteps
from tlhooks.ledger.retention import RetentionSteps
from tlhooks.ledger.submission_retention import SubmissionRetention
from tlhooks.ledger.translation import translate_redis_errors as translate_redis_errors
from tlhooks.ledger.walks import IndexWalks
from tlhooks.settings import Settings
from tlhooks.status import SETTLED, EventStatus, sources_of


@dataclass(frozen=True)
class RunClaim:
    """The answer to a worker asking to run an event."""

    outcome: Literal["claimed", "busy", "settled", "missing"]
    status: EventStatus | None
    crashes: int = 0
    lease_remaining: float = 0.0


class EventLedger(
    IntakeSteps,
    ReplaySteps,
    RetentionSteps,
    IndexQueries,
    IndexWalks,
    LegacyMigration,
    Reindexing,
    BudgetSteps,
    ExpectationSteps,
    SubmissionRetention,
    BatchSteps,
    CompactionSteps,
):
    """The durable record of every event, and the one way to Redis: all of tlhooks' reads and
    writes go through it, with Redis errors translated (``translation.py``). All multi-key
    decisions run as Lua scripts (``scripts.py``)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: LedgerKeys | None = None,
        *,
        replica_wait: ReplicaWait | None = None,
    ) -> None:
        self.client = client
        self.keys = keys or LedgerKeys()
        self.replica_wait = replica_wait or ReplicaWait()
        self._accept = client.register_script(scripts.ACCEPT)
        self._mark_published = client.register_script(scripts.MARK_PUBLISHED)
        self._release_publish = client.register_script(scripts.RELEASE_PUBLISH)
        self._transition = client.register_script(scripts.TRANSITION)
        self._begin_run = client.register_script(scripts.BEGIN_RUN)
        self._renew = client.register_script(scripts.RENEW_LEASE)
        self._end_run = client.register_script(scripts.END_RUN)
        self._claim_due = client.register_script(scripts.CLAIM_DUE)
        self._save_outcome = client.register_script(scripts.SAVE_OUTCOME)
        self._update = client.register_script(scripts.UPDATE)
        self._increment = client.register_script(scripts.INCREMENT)
        self._replay = client.register_script(scripts.REPLAY)
        self._reserve_api_slot = client.register_script(scripts.RESERVE_API_SLOT)
        self._pause_api = client.register_script(scripts.PAUSE_API)
        self._delete = client.register_script(scripts.DELETE)
        self._reindex = client.register_script(scripts.REINDEX)
        self._compact = client.register_script(scripts.COMPACT)
        self._read_fields = client.register_script(scripts.READ_FIELDS)
        self._expect = client.register_script(scripts.EXPECT)
        self._settle_expectation = client.register_script(scripts.SETTLE_EXPECTATION)
        self._claim_batch_completion = client.register_script(scripts.CLAIM_BATCH_COMPLETION)

    @classmethod
    def from_settings(cls, settings: Settings) -> EventLedger:
        wait = ReplicaWait(settings.redis_wait_replicas, settings.redis_wait_timeout)
        return cls(client_for(settings), LedgerKeys(settings.key_prefix), replica_wait=wait)

    def ping(self, *, write: bool = False) -> None:
        """PING; with ``write`` also prove that Redis takes writes (not OOM, READONLY, ...)."""
        with translate_redis_errors():
            self.client.ping()
            if write:
                self.client.set(self.keys.probe, "1", px=10_000)

    # State --------------------------------------------------------------------------------

    def transition(
        self, event_id: str, target: EventStatus, note: str = "", **fields: Any
    ) -> EventStatus:
        """Move an event to ``target`` if the state machine allows it; return the old state.

        Inside a worker run (``fencing.fenced_by``) the move is refused with LeaseLost once
        another run has taken the event over.
        """
        return self._move(event_id, target, sources_of(target), note, fields)

    def _move(
        self,
        event_id: str,
        target: EventStatus,
        sources: frozenset[EventStatus],
        note: str,
        fields: dict[str, Any],
    ) -> EventStatus:
        run = current_run()
        args: list[Any] = [event_id, target.value, time.time(), note]
        args += [STATUS_NAMES, ",".join(sorted(sources)), int(target.settled), run or ""]
        for name, value in encode_later_fields(fields).items():
            args += [name, value]
        keys = [self.keys.event(event_id), self.keys.history(event_id), self.keys.unsettled]
        keys += [self.keys.lease(event_id), *self.keys.status_indexes]
        with translate_redis_errors():
            outcome, current = self._transition(keys=keys, args=args)
        if outcome == "missing":
            raise EventNotFound(f"Event {event_id!r} is not in the ledger.")
        if outcome == "refused":
            raise InvalidTransition(
                f"Event {event_id!r} cannot go from {current!r} to {target.value!r}."
            )
        if outcome == "lost":
            raise LeaseLost(
                f"Run {run!r} no longer owns event {event_id!r} (its lease lapsed and another "
                f"run took over), so its move from {current!r} to {target.value!r} was not made."
            )
        return EventStatus(current)

    def update(self, event_id: str, **fields: Any) -> None:
        """Set fields of a stored event; EventNotFound if it is not (or no longer) stored."""
        args = [item for pair in encode_later_fields(fields).items() for item in pair]
        if not args:
            return
        with translate_redis_errors():
            found = self._update(keys=[self.keys.event(event_id)], args=args)
        if not found:
            raise EventNotFound(f"Event {event_id!r} is not in the ledger.")

    def increment(self, event_id: str, field: str, amount: int = 1) -> int:
        """Add to a counter of a stored event; EventNotFound if it is not stored."""
        with translate_redis_errors():
            found, value = self._increment(keys=[self.keys.event(event_id)], args=[field, amount])
        if not found:
            raise EventNotFound(f"Event {event_id!r} is not in the ledger.")
        return int(value)

    def save_outcome(self, event_id: str, outcome: HandlerOutcome, token: str) -> None:
        """Store a handler's outcome for the run ``token``, only while that run owns the event.

        Raises LeaseLost when another run has taken the event over (this run's lease lapsed):
        its outcome must not overwrite the one the new run records.
        """
        keys = [self.keys.outcomes(event_id), self.keys.lease(event_id), self.keys.event(event_id)]
        keys.append(self.keys.handler_outcomes)
        with translate_redis_errors():
            stored = self._save_outcome(
                keys=keys, args=[token, outcome.handler, outcome.model_dump_json()]
            )
        if not stored:
            raise LeaseLost(
                f"Run {token!r} no longer owns event {event_id!r} (its lease lapsed and another "
                f"run took over), so {outcome.handler!r}'s outcome was not stored."
            )

    # Reads --------------------------------------------------------------------------------

    def get(self, event_id: str) -> EventRecord | None:
        found = self.get_many([event_id])
        return found[0] if found else None

    def get_many(self, ids: Sequence[str]) -> list[EventRecord]:
        """The records of ``ids`` in the same order, in one pipeline; unknown ids are skipped."""
        if not ids:
            return []
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for event_id in ids:
                pipe.hgetall(self.keys.event(event_id))
                pipe.lrange(self.keys.history(event_id), 0, -1)
                pipe.hgetall(self.keys.outcomes(event_id))
                pipe.lrange(self.keys.deliveries(event_id), 0, -1)
            replies: list[Any] = pipe.execute()
        records = []
        for index, event_id in enumerate(ids):
            fields, history, outcomes, deliveries = replies[4 * index : 4 * index + 4]
            if fields:
                fields["event_id"] = event_id
                records.append(EventRecord.from_redis(fields, history, outcomes, deliveries))
        return records

    def require(self, event_id: str) -> EventRecord:
        record = self.get(event_id)
        if record is None:
            raise EventNotFound(f"Event {event_id!r} is not in the ledger.")
        return record

    def events_for_task(self, task_id: str) -> list[EventRecord]:
        """Every event recorded for one task, oldest first."""
        with translate_redis_errors():
            ids = self.client.zrange(self.keys.task_events(task_id), 0, -1)
        return self.get_many([str(event_id) for event_id in ids])

    def count_in_status(self, status: EventStatus) -> int:
        with translate_redis_errors():
            return int(self.client.zcard(self.keys.by_status(status)))

    # Runs and leases ----------------------------------------------------------------------

    def begin_run(self, event_id: str, token: str, lease_seconds: float) -> RunClaim:
        """Claim the event for one worker run, unless it is settled or another run holds it.

        A run that finds the previous run's marker still set knows that run died, and counts a
        crash; the caller ends a poison event once crashes reach the attempt limit.
        """
        settled = ",".join(sorted(SETTLED))
        keys = [self.keys.event(event_id), self.keys.lease(event_id)]
        with translate_redis_errors():
            outcome, status, number = self._begin_run(
                keys=keys, args=[token, int(lease_seconds * 1000), settled]
            )
        state = EventStatus(status) if status else None
        if outcome == "busy":
            return RunClaim("busy", state, lease_remaining=max(int(number), 0) / 1000)
        return RunClaim(outcome, state, crashes=int(number))

    def renew_lease(self, event_id: str, token: str, lease_seconds: float) -> bool:
        """Extend the run's lease, or take it back if it lapsed and no other run took over."""
        keys = [self.keys.lease(event_id), self.keys.event(event_id)]
        with translate_redis_errors():
            renewed = self._renew(keys=keys, args=[token, int(lease_seconds * 1000)])
        return bool(renewed)

    def end_run(self, event_id: str, token: str) -> None:
        keys = [self.keys.event(event_id), self.keys.lease(event_id)]
        with translate_redis_errors():
            self._end_run(keys=keys, args=[token])

    # Schedule -----------------------------------------------------------------------------

    def schedule(self, event_id: str, due: float) -> None:
        with translate_redis_errors():
            self.client.zadd(self.keys.schedule, {event_id: due})

    def due_ids(self, now: float, limit: int = 500) -> list[str]:
        with translate_redis_errors():
            due = self.client.zrangebyscore(self.keys.schedule, "-inf", now, start=0, num=limit)
        return [str(event_id) for event_id in due]

    def claim_due(self, now: float | None = None, limit: int = 500) -> list[str]:
        """Atomically take the events whose next attempt is due off the schedule."""
        now = time.time() if now is None else now
        with translate_redis_errors():
            return list(self._claim_due(keys=[self.keys.schedule], args=[now, limit]))
