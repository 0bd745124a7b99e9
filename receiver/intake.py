"""Intake: store a verified event, de-duplicated and matched to its handlers, then queue it.

This is blocking code (Redis and the Celery producer are synchronous); the app runs it in a
worker thread under a deadline, so the event loop never waits on Redis.

Storing and queueing (the inline push, or the one publish under a claim with a separate broker)
is tlhooks/queue/outbox.py's ``store_and_queue``, shared with the events tlhooks makes itself.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from handlers.registry import HandlerRegistry
from receiver.envelope import WebhookEnvelope
from receiver.metrics import REUSED_IDS
from tlhooks.ledger import EventLedger
from tlhooks.queue.outbox import store_and_queue
from tlhooks.queue.publisher import EventPublisher
from tlhooks.status import INTAKE_SETTLED, EventStatus

logger = logging.getLogger("tlhooks.receiver")

KEPT_HEADERS = ("tl-signature", "content-type", "content-length", "user-agent")


@dataclass(frozen=True)
class IntakeOutcome:
    event_id: str
    status: EventStatus
    same_body: bool = True
    created: bool = False  # this delivery stored the event (not a redelivery)

    @property
    def settled_at_intake(self) -> bool:
        """A new event stored settled (ignored, duplicate, unmatched, conflict): nothing will
        run it, so the receiver compacts it once the answer is sent."""
        return self.created and self.status in INTAKE_SETTLED


class Intake:
    """Turns a verified envelope into a stored, queued event (or a settled one).

    ``claim_seconds`` bounds how long one delivery may take to publish before a redelivery may
    publish instead; keep it above the intake timeout and below ``TLHOOKS_STALE_AFTER``.
    """

    def __init__(
        self,
        ledger: EventLedger,
        publisher: EventPublisher,
        registry: HandlerRegistry,
        claim_seconds: float = 10.0,
    ) -> None:
        self.ledger = ledger
        self.publisher = publisher
        self.registry = registry
        self.claim_seconds = claim_seconds

    def admit(
        self, envelope: WebhookEnvelope, body: bytes, headers: Mapping[str, str]
    ) -> IntakeOutcome:
        kind = envelope.kind
        custom_id = envelope.data.custom_id
        if kind is None:
            names: list[str] = []
            requested = EventStatus.IGNORED
        else:
            names = [spec.name for spec in self.registry.match(custom_id, kind)]
            requested = EventStatus.RECEIVED if names else EventStatus.UNMATCHED
        result = store_and_queue(
            self.ledger,
            self.publisher,
            event_id=envelope.id,
            kind=kind,
            requested=requested,
            claim_seconds=self.claim_seconds,
            body_sha256=hashlib.sha256(body).hexdigest(),
            note="" if kind else f"event type {envelope.type!r} is not processed",
            fields={
                "event_type": envelope.type,
                "task_id": envelope.data.id,
                "custom_id": custom_id,
                "notification_created_at": envelope.created_at.isoformat(),
                "body": body.decode(),
                "headers": {k: headers[k] for k in KEPT_HEADERS if k in headers},
                "handlers": names,
            },
        )
        if not result.same_body:
            REUSED_IDS.inc()
            logger.warning(
                "notification id %s was delivered again with a different body; the first body "
                "is kept and the delivery is listed by `tlhooks events show`",
                envelope.id,
            )
        if result.claimed:  # published under its claim by store_and_queue
            return IntakeOutcome(envelope.id, EventStatus.QUEUED, result.same_body)
        if not result.created:
            return IntakeOutcome(envelope.id, EventStatus.DUPLICATE, result.same_body)
        return IntakeOutcome(envelope.id, result.status, created=True)
