"""Compacting an event its intake settled, once its answer is sent (``TLHOOKS_COMPACT_HANDLED``).

An ignored, duplicate, unmatched or conflict event is settled the moment ACCEPT stores it:
nothing will run it, so it is folded into its one record hash (tlhooks/ledger/compaction.py)
as a handled event is by its worker. The receiver does it after the 202 has gone out (a
background task on the response), in threads of its own, so the answer never waits on it. A
compaction that fails costs memory, not correctness: the event stays whole, the failure is
logged, the answer sent is the answer, and ``tlhooks ledger compact`` catches up later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tlhooks.ledger import EventLedger

logger = logging.getLogger("tlhooks.receiver")

Blocking = Callable[[Callable[[str], str], str], Awaitable[str]]


async def compact_after_answer(blocking: Blocking, ledger: EventLedger, event_id: str) -> None:
    """Compact ``event_id`` through ``blocking`` (a thread, under a deadline); log a failure."""
    try:
        answer = await blocking(ledger.compact, event_id)
    except Exception as exc:  # the answer is sent: the log is the one place left to tell
        reason = str(exc) or type(exc).__name__
        logger.warning("event %s was settled at intake but not compacted: %s", event_id, reason)
        return
    if answer == "changed":
        logger.warning(
            "event %s was settled at intake but not compacted: it kept changing", event_id
        )
