"""store_and_queue: store an event in the ledger, then get its message to the broker, once.

Every way an event comes in (a webhook at the receiver, an event the reconciler makes for a
webhook that never came, a batch's completion) goes through here. With the ledger's own Redis as
broker the message is pushed in the script that stores the event. With a separate broker
exactly one caller publishes: ``accept`` hands a publish claim (a token with a TTL, taken
atomically with the store or the redelivery) to one caller of a ``received`` event; that
caller publishes, then ``mark_published`` moves ``received`` to ``queued`` and nothing else, so
a worker already fetching or handling keeps its state. A failed publish keeps the event
``received``, releases the claim and raises, so a redelivery may publish; a publisher that died
leaves the claim to expire, and the sweeper queues the event once it has been ``received`` for
``TLHOOKS_STALE_AFTER``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger, IntakeResult
from tlhooks.queue.publisher import EventPublisher
from tlhooks.status import EventStatus

logger = logging.getLogger("tlhooks.queue")


def store_and_queue(
    ledger: EventLedger,
    publisher: EventPublisher,
    *,
    event_id: str,
    kind: str | None,
    requested: EventStatus,
    fields: dict[str, Any],
    note: str = "",
    body_sha256: str = "",
    claim_seconds: float = 10.0,
) -> IntakeResult:
    """``ledger.accept`` the event, queueing its message when it is to be processed."""
    inline = publisher.inline and requested is EventStatus.RECEIVED
    token = uuid.uuid4().hex
    result = ledger.accept(
        event_id=event_id,
        kind=kind,
        requested=requested,
        enqueue=(publisher.queue, publisher.wire_message(event_id)) if inline else None,
        publish_claim=(token, claim_seconds),
        body_sha256=body_sha256,
        note=note,
        fields=fields,
    )
    if result.claimed:
        _publish(ledger, publisher, event_id, token)
    return result


def _publish(ledger: EventLedger, publisher: EventPublisher, event_id: str, token: str) -> None:
    """Publish under the claim; then mark ``received`` -> ``queued`` (and nothing else)."""
    try:
        publisher.publish(event_id)
    except StorageUnavailable:
        try:
            ledger.release_publish(event_id, token)
        except StorageUnavailable:
            logger.warning("event %s: the publish claim expires by itself", event_id)
        raise
    try:
        ledger.mark_published(event_id, token)
    except StorageUnavailable:
        logger.warning("event %s was queued but not marked queued; workers proceed", event_id)
