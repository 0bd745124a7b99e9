"""The intake steps of the ledger: accept a delivery, and mark or release its publish claim.

With ``ReplicaWait.replicas`` (``TLHOOKS_REDIS_WAIT_REPLICAS``) an accepted delivery is not
reported until that many replicas have it: the scripts and ``WAIT`` run on one connection (WAIT
counts the writes of its own connection), and fewer acknowledgements in time is a StorageRefused,
so the receiver answers 503 and the platform delivers again. The write stays on the primary; the
next delivery of the id finds it and waits again. This closes the window in which an
asynchronous failover loses an acknowledged event (README, "Redis that fails over").
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.commands.core import Script

from tlhooks.errors import StorageRefused
from tlhooks.ledger.keys import STATUS_NAMES, LedgerKeys
from tlhooks.ledger.record import encode_fields
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.status import EventStatus


@dataclass(frozen=True)
class IntakeResult:
    """What ``accept`` decided: a new record (in ``status``) or a redelivery of a known id.

    ``claimed``: this delivery holds the publish claim and must publish the event (then call
    ``mark_published``). ``same_body``: False when a known id came back with another body.
    """

    created: bool
    status: EventStatus
    claimed: bool = False
    same_body: bool = True


@dataclass(frozen=True)
class Arrival:
    """One delivery to ``accept`` (its arguments, as one value for ``accept_many``)."""

    event_id: str
    kind: str | None
    requested: EventStatus
    fields: dict[str, Any]
    note: str = ""
    now: float | None = None
    enqueue: tuple[str, str] | None = None
    publish_claim: tuple[str, float] = ("", 10.0)
    body_sha256: str = ""


@dataclass(frozen=True)
class ReplicaWait:
    """How many replicas must have an accepted delivery, and how long to wait for them."""

    replicas: int = 0
    timeout: float = 0.5


class IntakeSteps:
    """Mixed into EventLedger, which registers the scripts."""

    client: redis.Redis
    keys: LedgerKeys
    replica_wait: ReplicaWait
    _accept: Script
    _mark_published: Script
    _release_publish: Script

    # Intake -------------------------------------------------------------------------------

    def accept(
        self,
        *,
        event_id: str,
        kind: str | None,
        requested: EventStatus,
        fields: dict[str, Any],
        note: str = "",
        now: float | None = None,
        enqueue: tuple[str, str] | None = None,
        publish_claim: tuple[str, float] = ("", 10.0),
        body_sha256: str = "",
    ) -> IntakeResult:
        """Store a new event atomically, de-duplicating on its id and on (task, kind).

        ``kind`` is ``ready`` or ``failed`` for analyze task events and None otherwise.
        A second event of the same kind for a task is stored as ``duplicate``; an event of the
        other kind is stored as ``conflict``. A known event id only counts a redelivery.
        ``enqueue`` is ``(queue key, message)``: a new event to be processed is then pushed
        onto the broker's list in the same script and stored as ``queued``. Otherwise a
        ``received`` event (new, or known but never marked queued) is claimed for this delivery
        with ``publish_claim`` (token, seconds) unless another delivery holds the claim. Every
        delivery is logged with ``body_sha256``; the first body is the one kept.
        """
        arrival = Arrival(
            event_id, kind, requested, fields, note, now, enqueue, publish_claim, body_sha256
        )
        return self.accept_many([arrival])[0]

    def accept_many(self, arrivals: Sequence[Arrival]) -> list[IntakeResult]:
        """``accept`` for each arrival, one ACCEPT script call each, in one pipeline (imports
        and benchmarks fill a ledger this way, with every index and count kept). With replicas
        to wait for, the pipeline ends with ``WAIT`` and returns only once enough have it all."""
        wait = self.replica_wait
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for arrival in arrivals:
                keys, args = self._accept_call(arrival)
                self._accept(keys=keys, args=args, client=pipe)
            if wait.replicas:
                pipe.wait(wait.replicas, int(wait.timeout * 1000))
            replies = pipe.execute()
        if wait.replicas:
            self._require_replicas(int(replies.pop()), arrivals)
        return [
            IntakeResult(
                outcome == "created",
                EventStatus(status),
                claimed=claimed == "1" and bool(arrival.publish_claim[0]),
                same_body=same == "1",
            )
            for arrival, (outcome, status, _related, claimed, same) in zip(
                arrivals, replies, strict=True
            )
        ]

    def _require_replicas(self, acknowledged: int, arrivals: Sequence[Arrival]) -> None:
        wait = self.replica_wait
        if acknowledged < wait.replicas:
            raise StorageRefused(
                "NOREPLICAS",
                f"Only {acknowledged} of the {wait.replicas} replica(s) "
                f"TLHOOKS_REDIS_WAIT_REPLICAS asks for had event {arrivals[0].event_id!r} within "
                f"{wait.timeout} s (TLHOOKS_REDIS_WAIT_TIMEOUT); it is stored on the primary, "
                "and a redelivery is accepted once a replica has it.",
            )

    def _accept_call(self, arrival: Arrival) -> tuple[list[str], list[Any]]:
        event_id, fields = arrival.event_id, arrival.fields
        now = time.time() if arrival.now is None else arrival.now
        task_id = str(fields.get("task_id") or "")
        kind = arrival.kind or ""
        other = {"ready": "failed", "failed": "ready"}.get(kind, "")
        values = encode_fields({**fields, "received_at": now, "updated_at": now, "deliveries": 1})
        args: list[Any] = [event_id, kind, other, now, STATUS_NAMES]
        queue, message = arrival.enqueue or ("", "")
        token, claim_seconds = arrival.publish_claim
        args += [arrival.requested.value, arrival.note, message, token]
        args += [int(claim_seconds * 1000), arrival.body_sha256]
        handlers = [str(name) for name in fields.get("handlers") or []]
        args.append(len(handlers))
        for name, value in values.items():
            args += [name, value]
        keys = [
            self.keys.event(event_id),
            self.keys.history(event_id),
            self.keys.task(task_id),
            self.keys.task_events(task_id),
            self.keys.all_events,
            self.keys.unsettled,
            queue or self.keys.all_events,
            self.keys.publishing(event_id),
            self.keys.deliveries(event_id),
            self.keys.redelivered,
            self.keys.reused,
            self.keys.by_type(str(fields.get("event_type") or "")),
            self.keys.custom_ids,
            self.keys.handler_outcomes,
            self.keys.outcomes(event_id),
            *self.keys.handler_indexes(handlers),
            *self.keys.status_indexes,
        ]
        return keys, args

    def mark_published(self, event_id: str, token: str) -> EventStatus | None:
        """After a publish: ``received`` -> ``queued`` only, and release the publish claim.

        Returns the state found; a worker that already moved the event on keeps its state.
        """
        keys = [
            self.keys.event(event_id),
            self.keys.history(event_id),
            self.keys.unsettled,
            self.keys.publishing(event_id),
            *self.keys.status_indexes,
        ]
        with translate_redis_errors():
            found = self._mark_published(
                keys=keys, args=[event_id, token, time.time(), STATUS_NAMES]
            )
        return EventStatus(found) if found else None

    def release_publish(self, event_id: str, token: str) -> None:
        """Give up a publish claim (the publish failed) so a redelivery may publish."""
        with translate_redis_errors():
            self._release_publish(keys=[self.keys.publishing(event_id)], args=[token])
