"""Intake: store a verified event, de-duplicated and matched to its handlers, then queue it.

This is blocking code (Redis and the Celery producer are synchronous); the app runs it in a
worker thread under a deadline, so the event loop never waits on Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from handlers.registry import HandlerRegistry
from receiver.envelope import WebhookEnvelope
from tlhooks.errors import InvalidTransition, StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.ledger.bulk import delete_many
from tlhooks.status import EventStatus
from workers.publisher import EventPublisher

logger = logging.getLogger("tlhooks.receiver")

KEPT_HEADERS = ("tl-signature", "content-type", "content-length", "user-agent")


@dataclass(frozen=True)
class IntakeOutcome:
    event_id: str
    status: EventStatus


class Intake:
    """Turns a verified envelope into a stored, queued event (or a settled one)."""

    def __init__(
        self, ledger: EventLedger, publisher: EventPublisher, registry: HandlerRegistry
    ) -> None:
        self.ledger = ledger
        self.publisher = publisher
        self.registry = registry

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
        inline = self.publisher.inline and requested is EventStatus.RECEIVED
        result = self.ledger.accept(
            event_id=envelope.id,
            kind=kind,
            requested=requested,
            enqueue=(self.publisher.queue, self.publisher.wire_message(envelope.id))
            if inline
            else None,
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
        if not result.created:
            if result.status is EventStatus.RECEIVED:
                # A redelivery of an event whose first queueing failed: queue it now.
                self._queue(envelope.id, rollback=False)
            return IntakeOutcome(envelope.id, EventStatus.DUPLICATE)
        if result.status is not EventStatus.RECEIVED:
            return IntakeOutcome(envelope.id, result.status)
        self._queue(envelope.id, rollback=True)
        return IntakeOutcome(envelope.id, EventStatus.QUEUED)

    def _queue(self, event_id: str, *, rollback: bool) -> None:
        try:
            self.publisher.publish(event_id)
        except StorageUnavailable:
            if rollback:
                self._roll_back(event_id)
            raise
        try:
            self.ledger.transition(event_id, EventStatus.QUEUED, "published")
        except InvalidTransition:
            pass  # a worker already took the event: it moved on from 'received' by itself
        except StorageUnavailable:
            logger.warning("event %s was queued but not marked queued; workers proceed", event_id)

    def _roll_back(self, event_id: str) -> None:
        """Undo the store so the platform's retry starts clean; else the sweeper queues it."""
        try:
            delete_many(self.ledger, [event_id])
        except StorageUnavailable:
            logger.warning(
                "event %s is stored but could not be queued or removed; the sweeper will queue it",
                event_id,
            )
