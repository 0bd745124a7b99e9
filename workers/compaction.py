"""Compacting an event once its run ended handled (``TLHOOKS_COMPACT_HANDLED``).

The run has released its lease first: COMPACT leaves alone an event a run holds. A compaction
that fails (Redis unreachable for a moment) costs memory, not correctness: the event stays as
it was, whole, and ``tlhooks ledger compact`` compacts whatever handled events were missed.
"""

from __future__ import annotations

import logging

from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger

logger = logging.getLogger("tlhooks.worker")


def compact(ledger: EventLedger, event_id: str) -> None:
    try:
        answer = ledger.compact(event_id)
    except StorageUnavailable as exc:
        logger.warning("event %s is handled but was not compacted: %s", event_id, exc)
        return
    if answer not in ("compacted", "skipped", "missing"):
        logger.warning("event %s is handled but was not compacted: it kept changing", event_id)
