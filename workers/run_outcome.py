"""RunOutcome: what one run of one event did, for logs and tests; not stored anywhere."""

from __future__ import annotations

from enum import StrEnum

from tlhooks.status import EventStatus


class RunOutcome(StrEnum):
    """What one ``process()`` call did (for logs and tests); not stored anywhere."""

    MISSING = "missing"  # the event is not in the ledger; its message is dropped
    SETTLED = "settled"  # the event needs no work
    BUSY = "busy"  # another live run holds its lease; a re-check is scheduled
    FETCH_FAILED = "fetch-failed"  # the task could not be fetched: retry scheduled, or dead
    PACED = "paced"  # waiting for a slot of the shared API budget (or a 429's pause)
    HANDLED = EventStatus.HANDLED.value
    TRUNCATED = EventStatus.TRUNCATED.value
    INVALID = EventStatus.INVALID.value
    FAILED = EventStatus.FAILED.value  # a handler failed; a retry is scheduled
    DEAD = EventStatus.DEAD.value
