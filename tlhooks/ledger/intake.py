"""The intake steps of the ledger: accept a delivery, and mark or release its publish claim.

With ``ReplicaWait.replicas`` (``TLHOOKS_REDIS_WAIT_REPLICAS``) an accepted delivery is not
reported until that many replicas have it: the script and ``WAIT`` run on one connection (WAIT
counts the writes of its own connection), and fewer acknowledgements in time is a StorageRefused,
so the receiver answers 503 and the platform delivers again. The write stays on the primary; the
next delivery of the id finds it and waits again. This closes the window in which an
asynchronous failover loses an acknowledged event (README, "Redis that fails over").
"""

from __future__ import annotations

import time
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
        now = time.time() if now is None else now
        task_id = str(fields.get("task_id") or "")
        other = {"ready": "failed", "failed": "ready"}.get(kind or "", "")
        values = encode_fields({**fields, "received_at": now, "updated_at": now, "deliveries": 1})
        args: list[Any] = [event_id, kind or "", other, now, STATUS_NAMES]
        queue, message = enqueue or ("", "")
        token, claim_seconds = publish_claim
        args += [requested.value, note, message, token, int(claim_seconds * 1000), body_sha256]
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
            *self.keys.status_indexes,
        ]
        with translate_redis_errors():
            outcome, status, _related, claimed, same = self._replicated(
                self._accept, keys, args, event_id
            )
        return IntakeResult(
            outcome == "created",
            EventStatus(status),
            claimed=claimed == "1" and bool(token),
            same_body=same == "1",
        )

    def _replicated(self, script: Script, keys: list[str], args: list[Any], event_id: str) -> Any:
        """Run ``script``; with replicas to wait for, return only once enough have the write."""
        wait = self.replica_wait
        if not wait.replicas:
            return script(keys=keys, args=args)
        pipe = self.client.pipeline(transaction=False)
        script(keys=keys, args=args, client=pipe)
        pipe.wait(wait.replicas, int(wait.timeout * 1000))
        reply, acknowledged = pipe.execute()
        if int(acknowledged) < wait.replicas:
            raise StorageRefused(
                "NOREPLICAS",
                f"Only {acknowledged} of the {wait.replicas} replica(s) "
                f"TLHOOKS_REDIS_WAIT_REPLICAS asks for had event {event_id!r} within "
                f"{wait.timeout} s (TLHOOKS_REDIS_WAIT_TIMEOUT); it is stored on the primary, "
                "and a redelivery is accepted once a replica has it.",
            )
        return reply

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
